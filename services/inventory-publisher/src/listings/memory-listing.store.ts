import {
  listingId,
  type AcceptedValues,
  type CatalogueEntry,
  type ListingKey,
  type ListingStore,
  type ListingValues,
  type PendingUpdate,
  type SourceRecord,
} from './listing.types';

/** ListingStore in memory: unit tests and benchmarks (the service uses KnexListingStore). */
export class MemoryListingStore implements ListingStore {
  readonly catalogueRows = new Map<string, CatalogueEntry>();
  readonly acceptedRows = new Map<string, AcceptedValues>();
  readonly pendingRows = new Map<string, PendingUpdate & { claimedUntilMs: number }>();
  readonly unmappedRows = new Map<string, { connectionId: string; itemCode: string; times: number }>();

  private pick<T>(m: Map<string, T>, keys: ListingKey[]): Map<string, T> {
    const out = new Map<string, T>();
    for (const k of keys) {
      const v = m.get(listingId(k));
      if (v) out.set(listingId(k), v);
    }
    return out;
  }

  async catalogue(keys: ListingKey[]) {
    return this.pick(this.catalogueRows, keys);
  }
  async saveCatalogue(entries: CatalogueEntry[]) {
    for (const e of entries) this.catalogueRows.set(listingId(e), { ...e });
  }
  /** Tests and benches: merchant-fulfilled SKUs as the listings report names them (no ASIN or type yet). */
  seedCatalogue(connectionId: string, marketplaceId: string, skus: string[]): Promise<void> {
    return this.saveCatalogue(
      skus.map((sellerSku) => ({
        connectionId,
        sellerSku,
        marketplaceId,
        asin: null,
        fba: false,
        productType: null,
        source: 'report' as const,
      })),
    );
  }
  async accepted(keys: ListingKey[]) {
    return this.pick(this.acceptedRows, keys);
  }
  async saveAccepted(values: AcceptedValues[]) {
    for (const v of values) {
      const old = this.acceptedRows.get(listingId(v));
      this.acceptedRows.set(listingId(v), {
        ...v,
        quantity: v.quantity ?? old?.quantity ?? null,
        price: v.price ?? old?.price ?? null,
        currency: v.price !== null ? v.currency : (old?.currency ?? null),
      });
    }
  }
  async pending(keys: ListingKey[]) {
    return this.pick(this.pendingRows, keys) as Map<string, PendingUpdate>;
  }
  async upsertPending(
    updates: Array<ListingKey & ListingValues & { itemCode: string; source: SourceRecord }>,
    nowMs: number,
    windowMs: number,
  ) {
    for (const u of updates) {
      const old = this.pendingRows.get(listingId(u));
      this.pendingRows.set(listingId(u), {
        ...u,
        quantity: u.quantity ?? old?.quantity ?? null,
        price: u.price ?? old?.price ?? null,
        currency: u.price !== null ? u.currency : (old?.currency ?? null),
        firstMs: old?.firstMs ?? nowMs,
        dueMs: old ? Math.min(old.dueMs, old.firstMs + windowMs) : nowMs + windowMs,
        version: (old?.version ?? 0) + 1,
        attempts: old?.attempts ?? 0,
        claimedUntilMs: old?.claimedUntilMs ?? 0,
      });
    }
  }
  async dueStats(connectionId: string, nowMs: number) {
    const rows = [...this.pendingRows.values()].filter((r) => r.connectionId === connectionId);
    const due = rows.filter((r) => r.dueMs <= nowMs && r.claimedUntilMs <= nowMs);
    return {
      waiting: rows.length,
      due: due.length,
      oldestDueMs: due.length ? Math.min(...due.map((r) => r.dueMs)) : null,
      newestFirstMs: rows.length ? Math.max(...rows.map((r) => r.firstMs)) : null,
    };
  }
  async claimDue(connectionId: string, nowMs: number, limit: number, leaseMs: number) {
    const out: PendingUpdate[] = [];
    const due = [...this.pendingRows.values()]
      .filter((r) => r.connectionId === connectionId && r.dueMs <= nowMs && r.claimedUntilMs <= nowMs)
      .sort((a, b) => a.dueMs - b.dueMs);
    for (const r of due.slice(0, limit)) {
      r.claimedUntilMs = nowMs + leaseMs;
      const { claimedUntilMs: _c, ...row } = r;
      out.push({ ...row });
    }
    return out;
  }
  async settle(rows: PendingUpdate[]) {
    for (const r of rows) {
      const cur = this.pendingRows.get(listingId(r));
      if (cur && cur.version === r.version) this.pendingRows.delete(listingId(r));
      else if (cur) cur.claimedUntilMs = 0;
    }
  }
  async retryLater(rows: PendingUpdate[], dueMs: number) {
    for (const r of rows) {
      const cur = this.pendingRows.get(listingId(r));
      if (!cur) continue;
      cur.attempts++;
      cur.dueMs = cur.version === r.version ? dueMs : Math.min(cur.dueMs, dueMs);
      cur.claimedUntilMs = 0;
    }
  }
  readonly unmappedSources = new Map<string, SourceRecord>();
  async noteUnmapped(connectionId: string, itemCode: string, source: SourceRecord) {
    const k = `${connectionId}|${itemCode}`;
    const row = this.unmappedRows.get(k) ?? { connectionId, itemCode, times: 0 };
    row.times++;
    this.unmappedRows.set(k, row);
    this.unmappedSources.set(k, structuredClone(source));
  }
  async unmappedSource(connectionId: string, itemCode: string) {
    return structuredClone(this.unmappedSources.get(`${connectionId}|${itemCode}`) ?? null);
  }
  async clearUnmapped(connectionId: string, itemCode: string) {
    this.unmappedRows.delete(`${connectionId}|${itemCode}`);
    this.unmappedSources.delete(`${connectionId}|${itemCode}`);
  }
  async unmapped(connectionId?: string) {
    return [...this.unmappedRows.values()].filter((r) => !connectionId || r.connectionId === connectionId);
  }
}
