import type { Db } from '@connector/db';

export interface ResultRow {
  connectionId: string;
  settlementId: string;
  currency: string;
  expectedDeposit: string;
  postedTotal: string;
  difference: string;
  status: string;
  unmapped: Array<{ key: string; amount: string; lines: number }>;
  generatedAt: Date;
}

export interface LedgerRow {
  connectionId: string;
  documentKind: string;
  naturalKey: string;
  state: string;
  erpDocumentNumber: string | null;
  lastError: string | null;
  updatedAt: Date;
}

/** Reads of the reconciler's and the writer's tables (never written by the console). */
export interface SettlementsStore {
  results(connectionId?: string): Promise<ResultRow[]>;
  result(connectionId: string, settlementId: string): Promise<ResultRow | undefined>;
  /** settlements with chunks stored but no reconciliation yet */
  waiting(
    connectionId?: string,
  ): Promise<Array<{ connectionId: string; settlementId: string; chunks: number }>>;
  /** `<connection>|<settlement>` of every settlement with a journal the ERP has taken (written/confirmed) */
  postedSettlements(connectionId?: string): Promise<Set<string>>;
  /** idempotency-ledger rows of journals and receipts of a settlement (natural keys `<settlement>/…`) */
  ledgerForSettlement(connectionId: string, settlementId: string): Promise<LedgerRow[]>;
}

interface RawResult {
  connection_id: string;
  settlement_id: string;
  currency: string;
  expected_deposit: string;
  posted_total: string;
  difference: string;
  status: string;
  unmapped: ResultRow['unmapped'] | null;
  created_at: Date;
}

const toResult = (r: RawResult): ResultRow => ({
  connectionId: r.connection_id,
  settlementId: r.settlement_id,
  currency: r.currency,
  expectedDeposit: r.expected_deposit,
  postedTotal: r.posted_total,
  difference: r.difference,
  status: r.status,
  unmapped: r.unmapped ?? [],
  generatedAt: r.created_at,
});

export const toLedgerRow = (r: Record<string, unknown>): LedgerRow => ({
  connectionId: r.connection_id as string,
  documentKind: r.document_kind as string,
  naturalKey: r.natural_key as string,
  state: r.state as string,
  erpDocumentNumber: (r.erp_document_number as string | null) ?? null,
  lastError: (r.last_error as string | null) ?? null,
  updatedAt: r.updated_at as Date,
});

export class KnexSettlementsStore implements SettlementsStore {
  constructor(private readonly db: Db) {}

  private base() {
    // decimals as text: money never passes through a JavaScript number
    return this.db('reconciliation_results').select(
      'connection_id',
      'settlement_id',
      'currency',
      this.db.raw('expected_deposit::text as expected_deposit'),
      this.db.raw('posted_total::text as posted_total'),
      this.db.raw('difference::text as difference'),
      'status',
      this.db.raw("report->'unmapped' as unmapped"),
      'created_at',
    );
  }

  async results(connectionId?: string): Promise<ResultRow[]> {
    const q = this.base().orderBy('settlement_id', 'desc').limit(500);
    if (connectionId) void q.where({ connection_id: connectionId });
    return ((await q) as RawResult[]).map(toResult);
  }

  async result(connectionId: string, settlementId: string): Promise<ResultRow | undefined> {
    const r = (await this.base()
      .where({ connection_id: connectionId, settlement_id: settlementId })
      .first()) as RawResult | undefined;
    return r && toResult(r);
  }

  async waiting(connectionId?: string) {
    const q = this.db('settlement_chunks as c')
      .select('c.connection_id', 'c.settlement_id')
      .count<Array<{ connection_id: string; settlement_id: string; n: string }>>({ n: '*' })
      .whereNotExists(
        this.db('reconciliation_results as r')
          .select(this.db.raw('1'))
          .whereRaw('r.connection_id = c.connection_id and r.settlement_id = c.settlement_id'),
      )
      .groupBy('c.connection_id', 'c.settlement_id');
    if (connectionId) void q.where('c.connection_id', connectionId);
    return (await q).map((r) => ({
      connectionId: r.connection_id,
      settlementId: r.settlement_id,
      chunks: Number(r.n),
    }));
  }

  async postedSettlements(connectionId?: string): Promise<Set<string>> {
    const q = this.db('idempotency_ledger')
      .distinct('connection_id', this.db.raw("split_part(natural_key, '/', 1) as settlement_id"))
      .where({ document_kind: 'JOURNAL' })
      .whereIn('state', ['written', 'confirmed']);
    if (connectionId) void q.where({ connection_id: connectionId });
    const rows = (await q) as Array<{ connection_id: string; settlement_id: string }>;
    return new Set(rows.map((r) => `${r.connection_id}|${r.settlement_id}`));
  }

  async ledgerForSettlement(connectionId: string, settlementId: string): Promise<LedgerRow[]> {
    const rows = (await this.db('idempotency_ledger')
      .where({ connection_id: connectionId })
      .whereIn('document_kind', ['JOURNAL', 'RECEIPT'])
      .andWhere('natural_key', 'like', `${settlementId.replace(/[\\%_]/g, '\\$&')}/%`)
      .orderBy('natural_key')) as Array<Record<string, unknown>>;
    return rows.map(toLedgerRow);
  }
}
