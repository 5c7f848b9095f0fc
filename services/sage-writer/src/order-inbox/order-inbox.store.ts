import { GroupCommit, byKey } from '@connector/core';
import type { Db } from '@connector/db';
import type { Arrival, InboundKey, InboundRecord, InboxStore } from './order-inbox.store-type';

const TABLE = 'inbound_records';
const KEY_COLUMNS = ['connection_id', 'topic', 'event_id'];
const keyOf = (k: InboundKey) => `${k.connectionId}\u0000${k.topic}\u0000${k.eventId}`;
const tupleOf = (k: InboundKey) => [k.connectionId, k.topic, k.eventId];
/** the key columns of a row as read back */
interface KeyRow {
  connection_id: string;
  topic: string;
  event_id: string;
}
const rowKey = (row: KeyRow) =>
  keyOf({ connectionId: row.connection_id, topic: row.topic, eventId: row.event_id });

/**
 * The inbox in PostgreSQL. Arrivals and marks made while one is in flight go together in the next
 * statement (GroupCommit): the records of a batch are taken in with one insert and marked processed
 * with one update, and each arrival still learns what it found.
 */
export class KnexInboxStore implements InboxStore {
  constructor(private readonly db: Db) {}

  insertIfAbsent(r: InboundRecord): Promise<Arrival> {
    return this.arrivals.add(r);
  }

  markProcessed(key: InboundKey): Promise<void> {
    return this.processed.add(key);
  }

  private readonly arrivals = new GroupCommit<InboundRecord, Arrival>(async (records) => {
    const groups = byKey(records, keyOf);
    const firsts = [...groups.values()].map(([i]) => records[i]);
    // one JSON parameter for the batch, each payload nested as it is (no string per column and row);
    // in key order: two writers taking in overlapping batches (a rebalance) lock them in the same order
    const rows = firsts.map((r) => ({
      connection_id: r.connectionId,
      topic: r.topic,
      record_key: r.recordKey,
      event_id: r.eventId,
      payload: r.payload,
    }));
    const inserted = await this.db.raw<{ rows: KeyRow[] }>(
      `insert into ${TABLE} (connection_id, topic, record_key, event_id, payload)
       select connection_id, topic, record_key, event_id, payload
       from jsonb_to_recordset(?::jsonb)
         as x(connection_id text, topic text, record_key text, event_id text, payload jsonb)
       order by ${KEY_COLUMNS.join(', ')}
       on conflict (${KEY_COLUMNS.join(', ')}) do nothing
       returning ${KEY_COLUMNS.join(', ')}`,
      [JSON.stringify(rows)],
    );
    const stored = new Set(inserted.rows.map(rowKey));
    // the rows that were there before: taken in earlier, finished or not
    const before = firsts.filter((r) => !stored.has(keyOf(r)));
    const processed = new Set<string>();
    if (before.length > 0) {
      const rows: KeyRow[] = await this.db(TABLE)
        .whereIn(KEY_COLUMNS, before.map(tupleOf))
        .whereNotNull('processed_at')
        .select(KEY_COLUMNS);
      for (const row of rows) processed.add(rowKey(row));
    }
    const answers = new Array<PromiseSettledResult<Arrival>>(records.length);
    for (const [key, [first, ...again]] of groups) {
      const found: Arrival = stored.has(key) ? 'stored' : processed.has(key) ? 'processed' : 'duplicate';
      answers[first] = { status: 'fulfilled', value: found };
      // the same event twice in one batch: the second finds the first
      for (const i of again)
        answers[i] = { status: 'fulfilled', value: found === 'processed' ? 'processed' : 'duplicate' };
    }
    return answers;
  });

  private readonly processed = new GroupCommit<InboundKey>(async (keys) => {
    await this.db(TABLE)
      .whereIn(
        KEY_COLUMNS,
        [...byKey(keys, keyOf).values()].map(([i]) => tupleOf(keys[i])),
      )
      .whereNull('processed_at')
      .update({ processed_at: this.db.fn.now() });
  });

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
