import type { Db } from '@connector/db';
import type { Arrival, InboundKey, InboundRecord, InboxStore } from './order-inbox.store-type';

const TABLE = 'inbound_records';
/** The part of an inbound_records row read back. */
interface InboundRow {
  connection_id: string;
  topic: string;
  event_id: string;
  processed_at: Date | null;
}
const where = (k: InboundKey) => ({ connection_id: k.connectionId, topic: k.topic, event_id: k.eventId });

export class KnexInboxStore implements InboxStore {
  constructor(private readonly db: Db) {}

  async insertIfAbsent(r: InboundRecord): Promise<Arrival> {
    const inserted = await this.db(TABLE)
      .insert({
        connection_id: r.connectionId,
        topic: r.topic,
        record_key: r.recordKey,
        event_id: r.eventId,
        payload: JSON.stringify(r.payload),
      })
      .onConflict(['connection_id', 'topic', 'event_id'])
      .ignore()
      .returning('event_id');
    if (inserted.length > 0) return 'stored';
    const row = await this.db<InboundRow>(TABLE).where(where(r)).first('processed_at');
    return row?.processed_at ? 'processed' : 'duplicate';
  }

  async markProcessed(key: InboundKey): Promise<void> {
    await this.db(TABLE)
      .where(where(key))
      .whereNull('processed_at')
      .update({ processed_at: this.db.fn.now() });
  }

  async count(connectionId: string, topic: string): Promise<number> {
    const [{ n }] = await this.db(TABLE)
      .where({ connection_id: connectionId, topic })
      .count<{ n: string }[]>({ n: '*' });
    return Number(n);
  }

  async payloads(connectionId: string, topic: string, recordKey: string): Promise<unknown[]> {
    const rows: Array<{ payload: unknown }> = await this.db(TABLE)
      .where({ connection_id: connectionId, record_key: recordKey })
      .whereRaw('(topic = ? or topic like ?)', [topic, `%.${topic}`])
      .orderBy('received_at')
      .select('payload');
    return rows.map((r) => r.payload);
  }
}
