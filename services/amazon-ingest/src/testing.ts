/** amazon-ingest's in-memory stores (`@connector/amazon-ingest/testing`): unit tests and benches. */
import type {
  Cursor,
  HeldOrder,
  IngestStateStore,
  PublishedEntry,
  Stream,
} from './ingest-state/ingest-state.store';
import type { SettlementReportRecord, SettlementReportStore } from './settlements/settlement-report.store';

/** In memory, for the services' unit tests. */
export class FakeIngestStateStore implements IngestStateStore {
  readonly cursors = new Map<string, Cursor>();
  readonly published = new Map<string, PublishedEntry>();
  readonly held = new Map<string, HeldOrder>();

  async getCursor(connectionId: string, stream: Stream) {
    return this.cursors.get(`${connectionId}|${stream}`) ?? null;
  }
  async saveCursor(connectionId: string, stream: Stream, cursor: Cursor) {
    this.cursors.set(`${connectionId}|${stream}`, structuredClone(cursor));
  }
  async publishedVersions(connectionId: string, stream: Stream, keys: readonly string[]) {
    const out = new Map<string, number>();
    for (const k of keys) {
      const e = this.published.get(`${connectionId}|${stream}|${k}`);
      if (e) out.set(k, e.version);
    }
    return out;
  }
  async recordPublished(
    connectionId: string,
    stream: Stream,
    entries: readonly PublishedEntry[],
    held: readonly HeldOrder[] = [],
  ) {
    for (const e of entries) {
      const id = `${connectionId}|${stream}|${e.key}`;
      const prev = this.published.get(id);
      if (!prev || e.version >= prev.version) this.published.set(id, { ...e });
      if (stream === 'orders') this.held.delete(`${connectionId}|${e.key}`);
    }
    for (const h of held) this.held.set(`${connectionId}|${h.orderId}`, { ...h });
  }
  async heldOrders(connectionId: string) {
    return [...this.held.entries()].filter(([k]) => k.startsWith(`${connectionId}|`)).map(([, v]) => v);
  }
}

/** In memory, for the services' unit tests. */
export class FakeSettlementReportStore implements SettlementReportStore {
  readonly rows = new Map<string, SettlementReportRecord>();
  async get(connectionId: string, reportId: string) {
    return this.rows.get(`${connectionId}|${reportId}`) ?? null;
  }
  async save(r: SettlementReportRecord) {
    this.rows.set(`${r.connectionId}|${r.reportId}`, { ...r });
  }
  async list(connectionId: string) {
    return [...this.rows.values()].filter((r) => r.connectionId === connectionId);
  }
}
