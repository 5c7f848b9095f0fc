import type { Db } from '@connector/db';
import { settlementOptionsOf, type SettlementOptions } from '@connector/mapping';
import { decimal, fromUnscaled, toUnscaled } from '@connector/money';
import type {
  Bucket,
  FinancialKind,
  OrderRefunds,
  OrderTotals,
} from '../journals/settlement-journal.builder';

/** The financial event types that refund an order (Finances v0 RefundEventList; 2024-06-19 transactionType Refund). */
export const REFUND_EVENT_TYPES = ['RefundEvent', 'Refund'];

export const SCALE = 4;
const str = (v: bigint) => decimal(fromUnscaled(v, SCALE)).toFixed();

export interface StoredChunk {
  buckets: Bucket[];
  orders: OrderTotals;
  refunds: OrderRefunds;
  lineCount: number;
}

/** What the bank received for a settlement in the home currency (`npm run settlement -- deposit`). */
export interface DepositRecord {
  connectionId: string;
  settlementId: string;
  homeAmount: string;
  homeCurrency: string | null;
  recordedBy: string;
  note?: string | null;
  recordedAt?: Date;
}

export interface FinancialEventRow {
  eventId: string;
  amazonOrderId: string | null;
  groupId: string | null;
  eventType: string;
  postedAt: number;
  byKind: Partial<Record<FinancialKind | 'UNKNOWN', string>>;
  currency: string;
}

export interface ReconciliationRow {
  connectionId: string;
  settlementId: string;
  marketplaceId: string;
  currency: string;
  expectedDeposit: string;
  postedTotal: string;
  difference: string;
  status: string;
  report: unknown;
}

/** What the reconciler keeps between records: folded chunks, financial events, results. */
export interface ReconcilerStore {
  saveChunk(
    connectionId: string,
    settlementId: string,
    chunkIndex: number,
    chunk: StoredChunk,
  ): Promise<void>;
  loadChunks(connectionId: string, settlementId: string): Promise<StoredChunk[]>;
  saveFinancialEvent(connectionId: string, e: FinancialEventRow): Promise<void>;
  /** Σ by kind per order, for the given orders */
  financialTotals(
    connectionId: string,
    orderIds: readonly string[],
  ): Promise<Map<string, Map<string, bigint>>>;
  /** Σ of the refund financial events (REFUND_EVENT_TYPES, every kind) per order, for the given orders */
  refundTotals(connectionId: string, orderIds: readonly string[]): Promise<Map<string, bigint>>;
  /** orders with financial events posted in [from, to) */
  ordersWithEvents(connectionId: string, from: number, to: number): Promise<string[]>;
  saveResult(row: ReconciliationRow): Promise<void>;
  /** the connection's settlement options (settings.orderToCash), defaults when the connection has none */
  settlementOptions(connectionId: string): Promise<SettlementOptions>;
  /** appends a deposit record; the latest one of a settlement is the one used */
  recordDeposit(d: DepositRecord): Promise<void>;
  latestDeposit(connectionId: string, settlementId: string): Promise<DepositRecord | null>;
}

export const chunkToJson = (c: StoredChunk) => ({
  buckets: c.buckets.map((b) => ({ ...b, total: str(b.total) })),
  orders: Object.fromEntries(
    [...c.orders].map(([o, kinds]) => [o, Object.fromEntries([...kinds].map(([k, v]) => [k, str(v)]))]),
  ),
  refunds: Object.fromEntries([...c.refunds].map(([o, v]) => [o, str(v)])),
});
export const chunkFromJson = (row: {
  buckets: Array<Omit<Bucket, 'total'> & { total: string }>;
  orders: Record<string, Record<string, string>>;
  /** absent in chunks stored before the refund tie-out */
  refunds?: Record<string, string> | null;
  line_count: number;
}): StoredChunk => ({
  refunds: new Map(Object.entries(row.refunds ?? {}).map(([o, v]) => [o, toUnscaled(v, SCALE)])),
  buckets: row.buckets.map((b) => ({ ...b, total: toUnscaled(b.total, SCALE) })),
  orders: new Map(
    Object.entries(row.orders).map(([o, kinds]) => [
      o,
      new Map(Object.entries(kinds).map(([k, v]) => [k as FinancialKind, toUnscaled(v, SCALE)])),
    ]),
  ),
  lineCount: row.line_count,
});

export class KnexReconcilerStore implements ReconcilerStore {
  constructor(private readonly db: Db) {}

  async saveChunk(connectionId: string, settlementId: string, chunkIndex: number, chunk: StoredChunk) {
    const json = chunkToJson(chunk);
    await this.db('settlement_chunks')
      .insert({
        connection_id: connectionId,
        settlement_id: settlementId,
        chunk_index: chunkIndex,
        buckets: JSON.stringify(json.buckets),
        orders: JSON.stringify(json.orders),
        refunds: JSON.stringify(json.refunds),
        line_count: chunk.lineCount,
      })
      .onConflict(['connection_id', 'settlement_id', 'chunk_index'])
      .merge();
  }

  async loadChunks(connectionId: string, settlementId: string) {
    const rows = await this.db('settlement_chunks')
      .where({ connection_id: connectionId, settlement_id: settlementId })
      .orderBy('chunk_index');
    return rows.map(chunkFromJson);
  }

  async saveFinancialEvent(connectionId: string, e: FinancialEventRow) {
    await this.db('financial_event_lines')
      .insert({
        connection_id: connectionId,
        event_id: e.eventId,
        amazon_order_id: e.amazonOrderId,
        group_id: e.groupId,
        event_type: e.eventType,
        posted_at: new Date(e.postedAt),
        by_kind: JSON.stringify(e.byKind),
        currency: e.currency,
      })
      .onConflict(['connection_id', 'event_id'])
      .ignore();
  }

  async financialTotals(connectionId: string, orderIds: readonly string[]) {
    const out = new Map<string, Map<string, bigint>>();
    for (let i = 0; i < orderIds.length; i += 5000) {
      // whereIn on order ids: amazon_order_id is never null here
      const rows = await this.db('financial_event_lines')
        .where({ connection_id: connectionId })
        .whereIn('amazon_order_id', orderIds.slice(i, i + 5000))
        .select<Array<{ amazon_order_id: string; by_kind: Record<string, string> }>>(
          'amazon_order_id',
          'by_kind',
        );
      for (const r of rows) {
        const m = out.get(r.amazon_order_id) ?? new Map<string, bigint>();
        for (const [k, v] of Object.entries(r.by_kind)) m.set(k, (m.get(k) ?? 0n) + toUnscaled(v, SCALE));
        out.set(r.amazon_order_id, m);
      }
    }
    return out;
  }

  async refundTotals(connectionId: string, orderIds: readonly string[]) {
    const out = new Map<string, bigint>();
    for (let i = 0; i < orderIds.length; i += 5000) {
      const rows = await this.db('financial_event_lines')
        .where({ connection_id: connectionId })
        .whereIn('event_type', REFUND_EVENT_TYPES)
        .whereIn('amazon_order_id', orderIds.slice(i, i + 5000))
        .select<Array<{ amazon_order_id: string; by_kind: Record<string, string> }>>(
          'amazon_order_id',
          'by_kind',
        );
      for (const r of rows)
        out.set(
          r.amazon_order_id,
          Object.values(r.by_kind).reduce(
            (s, v) => s + toUnscaled(v, SCALE),
            out.get(r.amazon_order_id) ?? 0n,
          ),
        );
    }
    return out;
  }

  async ordersWithEvents(connectionId: string, from: number, to: number) {
    const rows = await this.db('financial_event_lines')
      .where({ connection_id: connectionId })
      .whereNotNull('amazon_order_id')
      .where('posted_at', '>=', new Date(from))
      .where('posted_at', '<', new Date(to))
      .distinct<Array<{ amazon_order_id: string }>>('amazon_order_id');
    return rows.map((r) => r.amazon_order_id);
  }

  async saveResult(r: ReconciliationRow) {
    await this.db('reconciliation_results')
      .insert({
        connection_id: r.connectionId,
        settlement_id: r.settlementId,
        marketplace_id: r.marketplaceId,
        currency: r.currency,
        expected_deposit: r.expectedDeposit,
        posted_total: r.postedTotal,
        difference: r.difference,
        status: r.status,
        report: JSON.stringify(r.report),
      })
      .onConflict(['connection_id', 'settlement_id', 'marketplace_id', 'currency'])
      .merge();
  }

  async settlementOptions(connectionId: string) {
    const row = await this.db('connections')
      .where({ id: connectionId })
      .first<{ settings: unknown } | undefined>('settings');
    return settlementOptionsOf(row?.settings);
  }

  async recordDeposit(d: DepositRecord) {
    await this.db('settlement_deposits').insert({
      connection_id: d.connectionId,
      settlement_id: d.settlementId,
      home_amount: d.homeAmount,
      home_currency: d.homeCurrency,
      recorded_by: d.recordedBy,
      note: d.note ?? null,
    });
  }

  async latestDeposit(connectionId: string, settlementId: string): Promise<DepositRecord | null> {
    const row = await this.db('settlement_deposits')
      .where({ connection_id: connectionId, settlement_id: settlementId })
      .orderBy('id', 'desc')
      .first<
        | {
            home_amount: string;
            home_currency: string | null;
            recorded_by: string;
            note: string | null;
            recorded_at: Date;
          }
        | undefined
      >();
    return row
      ? {
          connectionId,
          settlementId,
          homeAmount: decimal(row.home_amount).toFixed(),
          homeCurrency: row.home_currency,
          recordedBy: row.recorded_by,
          note: row.note,
          recordedAt: row.recorded_at,
        }
      : null;
  }
}
