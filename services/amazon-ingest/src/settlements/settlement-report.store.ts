import type { Db } from '@connector/db';

export type SettlementReportState = 'archived' | 'published' | 'rejected';

export interface SettlementReportRecord {
  connectionId: string;
  reportId: string;
  settlementId?: string | null;
  state: SettlementReportState;
  archiveUri?: string | null;
  lineCount?: number | null;
  chunkCount?: number | null;
  totalAmount?: string | null;
  detailTotal?: string | null;
  currency?: string | null;
  tiesOut?: boolean | null;
  error?: string | null;
}

/** Which settlement reports were archived, published or rejected (with the reason). */
export interface SettlementReportStore {
  get(connectionId: string, reportId: string): Promise<SettlementReportRecord | null>;
  save(record: SettlementReportRecord): Promise<void>;
  list(connectionId: string): Promise<SettlementReportRecord[]>;
}

export class KnexSettlementReportStore implements SettlementReportStore {
  constructor(private readonly db: Db) {}

  async get(connectionId: string, reportId: string) {
    const row = await this.db('settlement_reports')
      .where({ connection_id: connectionId, report_id: reportId })
      .first<Record<string, unknown> | undefined>();
    return row ? toRecord(row) : null;
  }

  async save(r: SettlementReportRecord) {
    const row = {
      connection_id: r.connectionId,
      report_id: r.reportId,
      settlement_id: r.settlementId ?? null,
      state: r.state,
      archive_uri: r.archiveUri ?? null,
      line_count: r.lineCount ?? null,
      chunk_count: r.chunkCount ?? null,
      total_amount: r.totalAmount ?? null,
      detail_total: r.detailTotal ?? null,
      currency: r.currency ?? null,
      ties_out: r.tiesOut ?? null,
      error: r.error ?? null,
      updated_at: this.db.fn.now(),
    };
    await this.db('settlement_reports').insert(row).onConflict(['connection_id', 'report_id']).merge();
  }

  async list(connectionId: string) {
    const rows = await this.db('settlement_reports')
      .where({ connection_id: connectionId })
      .orderBy('report_id');
    return rows.map(toRecord);
  }
}

function toRecord(row: Record<string, unknown>): SettlementReportRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  // pg answers a numeric column as a string; a number is written out the way String() did
  const dec = (v: unknown) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    throw new TypeError(`settlement_reports: a decimal column came back as ${typeof v}`);
  };
  return {
    connectionId: String(row.connection_id),
    reportId: String(row.report_id),
    settlementId: (row.settlement_id as string | null) ?? null,
    state: row.state as SettlementReportState,
    archiveUri: (row.archive_uri as string | null) ?? null,
    lineCount: num(row.line_count),
    chunkCount: num(row.chunk_count),
    totalAmount: dec(row.total_amount),
    detailTotal: dec(row.detail_total),
    currency: (row.currency as string | null) ?? null,
    tiesOut: (row.ties_out as boolean | null) ?? null,
    error: (row.error as string | null) ?? null,
  };
}
