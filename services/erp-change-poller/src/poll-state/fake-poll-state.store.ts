import type { ChangeCursor } from '@connector/erp';
import type { PollStateStore, PollStream, SnapshotStream, StoredSnapshot } from './poll-state.store';

/** PollStateStore in memory, for the poller's unit tests. */
export class FakePollStateStore implements PollStateStore {
  readonly cursors = new Map<string, { after: ChangeCursor | null; fullScanAt: string | null }>();
  readonly stored = new Map<string, StoredSnapshot>();
  readonly leases = new Map<string, { owner: string; until: number }>();
  now = () => Date.now();

  async cursor(connectionId: string, stream: PollStream) {
    return structuredClone(
      this.cursors.get(`${connectionId}|${stream}`) ?? { after: null, fullScanAt: null },
    );
  }
  async saveCursor(connectionId: string, stream: PollStream, after: ChangeCursor | null) {
    const c = await this.cursor(connectionId, stream);
    this.cursors.set(`${connectionId}|${stream}`, { ...c, after });
  }
  async saveFullScanAt(connectionId: string, stream: PollStream, at: string) {
    const c = await this.cursor(connectionId, stream);
    this.cursors.set(`${connectionId}|${stream}`, { ...c, fullScanAt: at });
  }
  async snapshots(connectionId: string, stream: SnapshotStream, keys: readonly string[]) {
    const out = new Map<string, StoredSnapshot>();
    for (const k of keys) {
      const s = this.stored.get(`${connectionId}|${stream}|${k}`);
      if (s) out.set(k, structuredClone(s));
    }
    return out;
  }
  async saveSnapshots(
    connectionId: string,
    stream: SnapshotStream,
    rows: ReadonlyArray<{ key: string } & StoredSnapshot>,
  ) {
    for (const { key, ...s } of rows) this.stored.set(`${connectionId}|${stream}|${key}`, structuredClone(s));
  }
  async lease(connectionId: string, stream: PollStream, owner: string, ttlMs: number) {
    const k = `${connectionId}|${stream}`;
    const held = this.leases.get(k);
    if (held && held.owner !== owner && held.until >= this.now()) return false;
    this.leases.set(k, { owner, until: this.now() + ttlMs });
    return true;
  }
  async release(connectionId: string, stream: PollStream, owner: string) {
    if (this.leases.get(`${connectionId}|${stream}`)?.owner === owner)
      this.leases.delete(`${connectionId}|${stream}`);
  }
  async releaseAll(owner: string) {
    for (const [k, v] of this.leases) if (v.owner === owner) this.leases.delete(k);
  }
}
