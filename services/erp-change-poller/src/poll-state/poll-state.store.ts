import type { Db } from '@connector/db';
import type { ChangeCursor } from '@connector/erp';

/** What the poller reads per connection: item changes (with the full scan) and shipments. */
export type PollStream = 'erp-items' | 'erp-shipments';
/** The snapshot families the poller diffs against. */
export type SnapshotStream = 'items' | 'shipments';

export interface StoredSnapshot {
  hash: string;
  state: Record<string, unknown>;
}

/**
 * What erp-change-poller remembers between runs: a change cursor per (connection, stream), when the
 * last full scan finished, the state last published per item and shipment, and which replica runs a
 * stream (a lease, so two replicas never interleave the events of one stream).
 */
export interface PollStateStore {
  cursor(
    connectionId: string,
    stream: PollStream,
  ): Promise<{ after: ChangeCursor | null; fullScanAt: string | null }>;
  /** Moves the cursor; called only after the events read before it are acknowledged. */
  saveCursor(connectionId: string, stream: PollStream, after: ChangeCursor | null): Promise<void>;
  saveFullScanAt(connectionId: string, stream: PollStream, at: string): Promise<void>;
  snapshots(
    connectionId: string,
    stream: SnapshotStream,
    keys: readonly string[],
  ): Promise<Map<string, StoredSnapshot>>;
  saveSnapshots(
    connectionId: string,
    stream: SnapshotStream,
    rows: ReadonlyArray<{ key: string } & StoredSnapshot>,
  ): Promise<void>;
  /** Takes or renews the stream's lease for `ttlMs`; false while another owner holds it. */
  lease(connectionId: string, stream: PollStream, owner: string, ttlMs: number): Promise<boolean>;
  release(connectionId: string, stream: PollStream, owner: string): Promise<void>;
  /** Gives up every lease of `owner` (a replica shutting down: another takes its streams at once). */
  releaseAll(owner: string): Promise<void>;
}

interface CursorRow {
  connection_id: string;
  stream: string;
  watermark: Date;
  state: { after?: ChangeCursor | null; fullScanAt?: string | null } | null;
}

interface SnapshotRow {
  connection_id: string;
  stream: string;
  key: string;
  hash: string;
  state: Record<string, unknown>;
}

const EPOCH = new Date(0);

export class KnexPollStateStore implements PollStateStore {
  constructor(private readonly db: Db) {}

  async cursor(connectionId: string, stream: PollStream) {
    const row = await this.db<CursorRow>('poll_cursors')
      .where({ connection_id: connectionId, stream })
      .first();
    return { after: row?.state?.after ?? null, fullScanAt: row?.state?.fullScanAt ?? null };
  }

  private async merge(
    connectionId: string,
    stream: PollStream,
    patch: object,
    watermark?: Date,
  ): Promise<void> {
    await this.db('poll_cursors')
      .insert({
        connection_id: connectionId,
        stream,
        watermark: watermark ?? EPOCH,
        state: JSON.stringify(patch),
        updated_at: this.db.fn.now(),
      })
      .onConflict(['connection_id', 'stream'])
      .merge({
        ...(watermark ? { watermark } : {}),
        state: this.db.raw('poll_cursors.state || excluded.state'),
        updated_at: this.db.fn.now(),
      });
  }

  async saveCursor(connectionId: string, stream: PollStream, after: ChangeCursor | null): Promise<void> {
    await this.merge(connectionId, stream, { after }, after ? new Date(after.changedAt) : EPOCH);
  }

  async saveFullScanAt(connectionId: string, stream: PollStream, at: string): Promise<void> {
    await this.merge(connectionId, stream, { fullScanAt: at });
  }

  async snapshots(connectionId: string, stream: SnapshotStream, keys: readonly string[]) {
    const out = new Map<string, StoredSnapshot>();
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = await this.db<SnapshotRow>('erp_snapshots')
        .select('key', 'hash', 'state')
        .where({ connection_id: connectionId, stream })
        .whereIn('key', keys.slice(i, i + 1000));
      for (const r of rows) out.set(r.key, { hash: r.hash, state: r.state });
    }
    return out;
  }

  async saveSnapshots(
    connectionId: string,
    stream: SnapshotStream,
    rows: ReadonlyArray<{ key: string } & StoredSnapshot>,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += 500)
      await this.db('erp_snapshots')
        .insert(
          rows.slice(i, i + 500).map((r) => ({
            connection_id: connectionId,
            stream,
            key: r.key,
            hash: r.hash,
            state: JSON.stringify(r.state),
            published_at: this.db.fn.now(),
          })),
        )
        .onConflict(['connection_id', 'stream', 'key'])
        .merge(['hash', 'state', 'published_at']);
  }

  async lease(connectionId: string, stream: PollStream, owner: string, ttlMs: number): Promise<boolean> {
    const res = await this.db.raw<{ rows: unknown[] }>(
      `insert into poll_leases (connection_id, stream, owner, expires_at)
       values (?, ?, ?, now() + (? * interval '1 millisecond'))
       on conflict (connection_id, stream) do update
         set owner = excluded.owner, expires_at = excluded.expires_at
         where poll_leases.owner = excluded.owner or poll_leases.expires_at < now()
       returning owner`,
      [connectionId, stream, owner, ttlMs],
    );
    return res.rows.length === 1;
  }

  async release(connectionId: string, stream: PollStream, owner: string): Promise<void> {
    await this.db('poll_leases').where({ connection_id: connectionId, stream, owner }).delete();
  }

  async releaseAll(owner: string): Promise<void> {
    await this.db('poll_leases').where({ owner }).delete();
  }
}
