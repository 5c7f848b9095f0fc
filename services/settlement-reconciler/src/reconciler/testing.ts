/** The reconciler's store in memory, with the same folding as KnexReconcilerStore (unit tests). */
import { settlementOptionsOf, type SettlementOptions } from '@connector/mapping';
import { toUnscaled } from '@connector/money';
import {
  REFUND_EVENT_TYPES,
  SCALE,
  type DepositRecord,
  chunkFromJson,
  chunkToJson,
  type FinancialEventRow,
  type ReconciliationRow,
  type ReconcilerStore,
  type StoredChunk,
} from './reconciler.store';

type ChunkJson = ReturnType<typeof chunkToJson> & { line_count: number };

export class FakeReconcilerStore implements ReconcilerStore {
  readonly chunks = new Map<string, Map<number, ChunkJson>>();
  readonly events = new Map<string, FinancialEventRow & { connectionId: string }>();
  readonly results = new Map<string, ReconciliationRow>();
  readonly deposits: DepositRecord[] = [];
  /** connection id → its `settings` as stored (settlementOptions reads `orderToCash`) */
  readonly settings = new Map<string, unknown>();

  async saveChunk(connectionId: string, settlementId: string, chunkIndex: number, chunk: StoredChunk) {
    const k = `${connectionId}|${settlementId}`;
    const m = this.chunks.get(k) ?? new Map<number, ChunkJson>();
    m.set(chunkIndex, { ...chunkToJson(chunk), line_count: chunk.lineCount });
    this.chunks.set(k, m);
  }
  async loadChunks(connectionId: string, settlementId: string) {
    const m = this.chunks.get(`${connectionId}|${settlementId}`) ?? new Map<number, ChunkJson>();
    return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => chunkFromJson(v));
  }
  async saveFinancialEvent(connectionId: string, e: FinancialEventRow) {
    if (!this.events.has(`${connectionId}|${e.eventId}`))
      this.events.set(`${connectionId}|${e.eventId}`, { ...e, connectionId });
  }
  async financialTotals(connectionId: string, orderIds: readonly string[]) {
    const want = new Set(orderIds);
    const out = new Map<string, Map<string, bigint>>();
    for (const e of this.events.values()) {
      if (e.connectionId !== connectionId || !e.amazonOrderId || !want.has(e.amazonOrderId)) continue;
      const m = out.get(e.amazonOrderId) ?? new Map<string, bigint>();
      for (const [k, v] of Object.entries(e.byKind)) m.set(k, (m.get(k) ?? 0n) + toUnscaled(v, SCALE));
      out.set(e.amazonOrderId, m);
    }
    return out;
  }
  async refundTotals(connectionId: string, orderIds: readonly string[]) {
    const want = new Set(orderIds);
    const out = new Map<string, bigint>();
    for (const e of this.events.values()) {
      if (e.connectionId !== connectionId || !e.amazonOrderId || !want.has(e.amazonOrderId)) continue;
      if (!REFUND_EVENT_TYPES.includes(e.eventType)) continue;
      for (const v of Object.values(e.byKind))
        out.set(e.amazonOrderId, (out.get(e.amazonOrderId) ?? 0n) + toUnscaled(v, SCALE));
    }
    return out;
  }
  async ordersWithEvents(connectionId: string, from: number, to: number) {
    return [
      ...new Set(
        [...this.events.values()]
          .filter(
            (e) =>
              e.connectionId === connectionId && e.amazonOrderId && e.postedAt >= from && e.postedAt < to,
          )
          .map((e) => e.amazonOrderId!),
      ),
    ];
  }
  async saveResult(r: ReconciliationRow) {
    this.results.set(`${r.connectionId}|${r.settlementId}|${r.marketplaceId}|${r.currency}`, r);
  }
  async settlementOptions(connectionId: string): Promise<SettlementOptions> {
    return settlementOptionsOf(this.settings.get(connectionId));
  }
  async recordDeposit(d: DepositRecord) {
    this.deposits.push({ ...d, recordedAt: new Date(0) });
  }
  async latestDeposit(connectionId: string, settlementId: string) {
    return (
      this.deposits
        .filter((d) => d.connectionId === connectionId && d.settlementId === settlementId)
        .at(-1) ?? null
    );
  }
}
