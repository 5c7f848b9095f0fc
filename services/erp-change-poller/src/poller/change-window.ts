import type { ChangeCursor, ErpCapabilities } from '@connector/erp';

const DAY_MS = 24 * 3600 * 1000;

/** The end of a change window: the ERP's clock minus the safety lag (rows committed late are read next time). */
export function windowEnd(erpClock: string, safetyLagSec: number): string {
  return new Date(Date.parse(erpClock) - safetyLagSec * 1000).toISOString();
}

/**
 * The cursor to persist after reading up to `next`. At `second` resolution it is `next`. At `day`
 * resolution (Sage 300 dates) a row changed again later the same day keeps its date, so the days
 * still open are never passed: the cursor stops before the UTC day before `until` (a company's day
 * is not the UTC day; two days cover every time zone), and those rows are read again on every poll.
 * Re-reading is harmless: rows are diffed against the state last published.
 */
export function persistableCursor(
  next: ChangeCursor | null,
  until: string,
  resolution: ErpCapabilities['changeResolution'],
): ChangeCursor | null {
  if (resolution === 'second' || next === null) return next;
  const u = new Date(until);
  const reopen = Date.UTC(u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate()) - DAY_MS;
  if (Date.parse(next.changedAt) < reopen) return next;
  return { changedAt: new Date(reopen - 1).toISOString(), key: '' };
}
