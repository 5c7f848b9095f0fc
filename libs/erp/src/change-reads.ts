/** What the adapters' change reads share: the ERP server's clock and keyset pages. */
import { performance } from 'node:perf_hooks';
import type { ChangeCursor, ChangeWindow } from './port';

/**
 * The ERP server's clock as its HTTP `Date` headers tell it (RFC 9110 §6.6.1: second resolution,
 * always GMT). Adapters feed every response's headers in; `erpClock()` takes the newest reading while
 * it is fresh and otherwise makes one cheap request. The connector's own clock is only used to age a
 * reading (monotonic, `performance.now()`), never as the time: a reading can only be behind the
 * server, which makes a change window end a little early, never late.
 */
export class ServerClock {
  private last?: { iso: string; at: number };

  constructor(
    /** how long a reading is used before a new request is made (default 1 s) */
    private readonly maxAgeMs = 1_000,
  ) {}

  /** Keeps the server time of a response, when it carries a readable `Date` header. */
  observe(headers: Record<string, string | undefined>): void {
    const raw = headers.date ?? headers.Date;
    if (!raw) return;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) return;
    this.last = { iso: new Date(ms).toISOString(), at: performance.now() };
  }

  /** The newest reading when it is younger than `maxAgeMs`, else undefined. */
  fresh(): string | undefined {
    if (!this.last || performance.now() - this.last.at > this.maxAgeMs) return undefined;
    return this.last.iso;
  }

  /** The newest reading, however old. */
  latest(): string | undefined {
    return this.last?.iso;
  }
}

/** Orders two change positions: (changedAt, key), with `key` compared by `compareKeys`. */
export function compareCursors(
  a: ChangeCursor,
  b: ChangeCursor,
  compareKeys: (x: string, y: string) => number = (x, y) => (x < y ? -1 : x > y ? 1 : 0),
): number {
  const t = Date.parse(a.changedAt) - Date.parse(b.changedAt);
  return t !== 0 ? Math.sign(t) : compareKeys(a.key, b.key);
}

/**
 * Rows of a change window in (changedAt, key) order, strictly after `window.after` and changed at or
 * before `window.until`, at most `pageSize`: the keyset page for an ERP that cannot order or bound a
 * read itself (Sage 300 has no `$orderby`); `rows` may hold rows outside the window.
 */
export function keysetPage<T>(
  rows: T[],
  position: (r: T) => ChangeCursor,
  w: ChangeWindow,
  compareKeys?: (x: string, y: string) => number,
): { rows: T[]; next: ChangeCursor | null } {
  const until = Date.parse(w.until);
  const page = rows
    .filter((r) => {
      const p = position(r);
      if (Date.parse(p.changedAt) > until) return false;
      return !w.after || compareCursors(p, w.after, compareKeys) > 0;
    })
    .sort((a, b) => compareCursors(position(a), position(b), compareKeys))
    .slice(0, Math.max(0, w.pageSize));
  const last = page[page.length - 1];
  return { rows: page, next: last === undefined ? null : position(last) };
}
