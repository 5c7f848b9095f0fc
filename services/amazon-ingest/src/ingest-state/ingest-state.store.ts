import type { Db } from '@connector/db';

export type Stream = 'orders' | 'financial-events' | 'settlements';

export interface Cursor {
  /** epoch ms: everything updated before this has been read */
  watermark: number;
  state: Record<string, unknown>;
}

export interface PublishedEntry {
  key: string;
  version: number;
  eventId: string;
}

export interface HeldOrder {
  orderId: string;
  status: string;
  lastUpdateMs: number;
}

/**
 * What amazon-ingest remembers between runs: a watermark per connection and stream, the version of
 * each entity already published (so re-reading an overlap or a whole window publishes nothing twice),
 * and the orders held while pending.
 */
export interface IngestStateStore {
  getCursor(connectionId: string, stream: Stream): Promise<Cursor | null>;
  saveCursor(connectionId: string, stream: Stream, cursor: Cursor, overlapSec?: number): Promise<void>;
  publishedVersions(
    connectionId: string,
    stream: Stream,
    keys: readonly string[],
  ): Promise<Map<string, number>>;
  /** Records what was published and, in the same transaction, releases held orders that were published. */
  recordPublished(
    connectionId: string,
    stream: Stream,
    entries: readonly PublishedEntry[],
    held?: readonly HeldOrder[],
  ): Promise<void>;
  heldOrders(connectionId: string): Promise<HeldOrder[]>;
}

/** Rows as pg returns them: bigint columns come back as text. */
interface PollCursorRow {
  connection_id: string;
  stream: string;
  watermark: Date;
  state: Record<string, unknown> | null;
}

interface PublishedRow {
  connection_id: string;
  stream: string;
  entity_key: string;
  version: string;
}

interface HeldOrderRow {
  connection_id: string;
  amazon_order_id: string;
  status: string;
  last_update_ms: string;
}

export class KnexIngestStateStore implements IngestStateStore {
  constructor(private readonly db: Db) {}

  async getCursor(connectionId: string, stream: Stream): Promise<Cursor | null> {
    const row = await this.db<PollCursorRow>('poll_cursors')
      .where({ connection_id: connectionId, stream })
      .first();
    return row ? { watermark: new Date(row.watermark).getTime(), state: row.state ?? {} } : null;
  }

  async saveCursor(connectionId: string, stream: Stream, cursor: Cursor, overlapSec = 0): Promise<void> {
    await this.db('poll_cursors')
      .insert({
        connection_id: connectionId,
        stream,
        watermark: new Date(cursor.watermark),
        overlap_seconds: overlapSec,
        state: JSON.stringify(cursor.state),
        updated_at: this.db.fn.now(),
      })
      .onConflict(['connection_id', 'stream'])
      .merge();
  }

  async publishedVersions(
    connectionId: string,
    stream: Stream,
    keys: readonly string[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!keys.length) return out;
    const rows = await this.db<PublishedRow>('ingest_published')
      .where({ connection_id: connectionId, stream })
      .whereIn('entity_key', keys as string[])
      .select('entity_key', 'version');
    for (const r of rows) out.set(r.entity_key, Number(r.version));
    return out;
  }

  async recordPublished(
    connectionId: string,
    stream: Stream,
    entries: readonly PublishedEntry[],
    held: readonly HeldOrder[] = [],
  ): Promise<void> {
    await this.db.transaction(async (trx) => {
      if (entries.length) {
        await trx('ingest_published')
          .insert(
            entries.map((e) => ({
              connection_id: connectionId,
              stream,
              entity_key: e.key,
              version: e.version,
              event_id: e.eventId,
            })),
          )
          .onConflict(['connection_id', 'stream', 'entity_key'])
          .merge({
            version: trx.raw('greatest(ingest_published.version, excluded.version)'),
            event_id: trx.raw(
              'case when excluded.version >= ingest_published.version then excluded.event_id else ingest_published.event_id end',
            ),
            published_at: trx.fn.now(),
          });
        if (stream === 'orders')
          await trx('held_orders')
            .where({ connection_id: connectionId })
            .whereIn(
              'amazon_order_id',
              entries.map((e) => e.key),
            )
            .delete();
      }
      if (held.length)
        await trx('held_orders')
          .insert(
            held.map((h) => ({
              connection_id: connectionId,
              amazon_order_id: h.orderId,
              status: h.status,
              last_update_ms: h.lastUpdateMs,
            })),
          )
          .onConflict(['connection_id', 'amazon_order_id'])
          .merge(['status', 'last_update_ms']);
    });
  }

  async heldOrders(connectionId: string): Promise<HeldOrder[]> {
    const rows = await this.db<HeldOrderRow>('held_orders')
      .where({ connection_id: connectionId })
      .orderBy('amazon_order_id');
    return rows.map((r) => ({
      orderId: r.amazon_order_id,
      status: r.status,
      lastUpdateMs: Number(r.last_update_ms),
    }));
  }
}
