import type { Db } from '@connector/db';
import type { InboundRecord, InboxStore } from './order-inbox.store-type';

const TABLE = 'inbound_records';

export class KnexInboxStore implements InboxStore {
  constructor(private readonly db: Db) {}

  async insertIfAbsent(r: InboundRecord): Promise<boolean> {
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
    return inserted.length > 0;
  }

  async count(connectionId: string, topic: string): Promise<number> {
    const [{ n }] = await this.db(TABLE)
      .where({ connection_id: connectionId, topic })
      .count<{ n: string }[]>({ n: '*' });
    return Number(n);
  }
}

export class FakeInboxStore implements InboxStore {
  readonly records = new Map<string, InboundRecord>();

  async insertIfAbsent(r: InboundRecord): Promise<boolean> {
    const id = `${r.connectionId}|${r.topic}|${r.eventId}`;
    if (this.records.has(id)) return false;
    this.records.set(id, r);
    return true;
  }

  async count(connectionId: string, topic: string): Promise<number> {
    return [...this.records.values()].filter((r) => r.connectionId === connectionId && r.topic === topic)
      .length;
  }
}
