import type { Db } from '../knex';

export type LedgerState = 'reserved' | 'written' | 'confirmed' | 'failed';

export interface LedgerEntry {
  connectionId: string;
  documentKind: string;
  naturalKey: string;
  state: LedgerState;
  documentNumber?: string | null;
  internalId?: string | null;
  erpStatus?: string | null;
  attempts: number;
  lastError?: string | null;
}

export type LedgerKey = Pick<LedgerEntry, 'connectionId' | 'documentKind' | 'naturalKey'>;

/**
 * One row per target document (DESIGN: State): reserved before the ERP is called, written with the
 * ERP's document number when it answers, confirmed once the outcome is audited and published. A row
 * left `reserved` means a crash or an error between the call and the answer: the writer then asks
 * the ERP by natural key before it writes again, so no document is created twice.
 */
export interface IdempotencyLedger {
  /** Creates the row as `reserved` if absent, counts an attempt, and returns the row as it now is. */
  reserve(key: LedgerKey): Promise<LedgerEntry>;
  get(key: LedgerKey): Promise<LedgerEntry | null>;
  markWritten(
    key: LedgerKey,
    doc: { documentNumber: string; internalId: string; erpStatus: string },
  ): Promise<void>;
  markConfirmed(key: LedgerKey): Promise<void>;
  markFailed(key: LedgerKey, error: string): Promise<void>;
  setStatus(key: LedgerKey, erpStatus: string): Promise<void>;
}

const TABLE = 'idempotency_ledger';
const where = (k: LedgerKey) => ({
  connection_id: k.connectionId,
  document_kind: k.documentKind,
  natural_key: k.naturalKey,
});

function toEntry(r: Record<string, unknown>): LedgerEntry {
  return {
    connectionId: String(r.connection_id),
    documentKind: String(r.document_kind),
    naturalKey: String(r.natural_key),
    state: r.state as LedgerState,
    documentNumber: (r.erp_document_number as string | null) ?? null,
    internalId: (r.erp_internal_id as string | null) ?? null,
    erpStatus: (r.erp_status as string | null) ?? null,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
  };
}

export class KnexIdempotencyLedger implements IdempotencyLedger {
  constructor(private readonly db: Db) {}

  async reserve(key: LedgerKey): Promise<LedgerEntry> {
    const [row] = await this.db(TABLE)
      .insert({ ...where(key), state: 'reserved', attempts: 1 })
      .onConflict(['connection_id', 'document_kind', 'natural_key'])
      .merge({ attempts: this.db.raw(`${TABLE}.attempts + 1`), updated_at: this.db.fn.now() })
      .returning('*');
    return toEntry(row);
  }

  async get(key: LedgerKey): Promise<LedgerEntry | null> {
    const row = await this.db(TABLE).where(where(key)).first();
    return row ? toEntry(row) : null;
  }

  async markWritten(key: LedgerKey, doc: { documentNumber: string; internalId: string; erpStatus: string }) {
    await this.db(TABLE).where(where(key)).update({
      state: 'written',
      erp_document_number: doc.documentNumber,
      erp_internal_id: doc.internalId,
      erp_status: doc.erpStatus,
      last_error: null,
      updated_at: this.db.fn.now(),
    });
  }

  async markConfirmed(key: LedgerKey) {
    await this.db(TABLE)
      .where(where(key))
      .whereIn('state', ['written', 'confirmed'])
      .update({ state: 'confirmed', updated_at: this.db.fn.now() });
  }

  async markFailed(key: LedgerKey, error: string) {
    await this.db(TABLE)
      .where(where(key))
      .whereIn('state', ['reserved', 'failed'])
      .update({ state: 'failed', last_error: error.slice(0, 2000), updated_at: this.db.fn.now() });
  }

  async setStatus(key: LedgerKey, erpStatus: string) {
    await this.db(TABLE).where(where(key)).update({ erp_status: erpStatus, updated_at: this.db.fn.now() });
  }
}

export class FakeIdempotencyLedger implements IdempotencyLedger {
  readonly rows = new Map<string, LedgerEntry>();
  private id = (k: LedgerKey) => `${k.connectionId}|${k.documentKind}|${k.naturalKey}`;

  async reserve(key: LedgerKey) {
    const row = this.rows.get(this.id(key)) ?? { ...key, state: 'reserved' as const, attempts: 0 };
    row.attempts++;
    this.rows.set(this.id(key), row);
    return { ...row };
  }
  async get(key: LedgerKey) {
    const r = this.rows.get(this.id(key));
    return r ? { ...r } : null;
  }
  async markWritten(key: LedgerKey, doc: { documentNumber: string; internalId: string; erpStatus: string }) {
    const r = this.rows.get(this.id(key))!;
    Object.assign(r, { state: 'written', ...doc, lastError: null });
  }
  async markConfirmed(key: LedgerKey) {
    const r = this.rows.get(this.id(key));
    if (r && (r.state === 'written' || r.state === 'confirmed')) r.state = 'confirmed';
  }
  async markFailed(key: LedgerKey, error: string) {
    const r = this.rows.get(this.id(key));
    if (r && (r.state === 'reserved' || r.state === 'failed'))
      Object.assign(r, { state: 'failed', lastError: error });
  }
  async setStatus(key: LedgerKey, erpStatus: string) {
    const r = this.rows.get(this.id(key));
    if (r) r.erpStatus = erpStatus;
  }
}
