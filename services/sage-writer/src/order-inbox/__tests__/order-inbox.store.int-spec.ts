import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { KnexInboxStore } from '../order-inbox.store';
import type { InboundRecord } from '../order-inbox.store-type';

let tdb: TestDatabase;
let store: KnexInboxStore;
beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KnexInboxStore(tdb.db);
});
afterAll(async () => tdb?.drop());

const TOPIC = 'amazon.orders.v1';
const rec = (eventId: string, orderId = eventId): InboundRecord => ({
  connectionId: 'c1',
  topic: TOPIC,
  recordKey: `c1/${orderId}`,
  eventId,
  payload: { amazonOrderId: orderId, eventId },
});

describe('KnexInboxStore (PostgreSQL): arrivals taken in together', () => {
  it('when records arrive at the same moment, then each learns what it found: new, taken in before, or processed', async () => {
    await store.insertIfAbsent(rec('e-old'));
    await store.insertIfAbsent(rec('e-done'));
    await store.markProcessed({ connectionId: 'c1', topic: TOPIC, eventId: 'e-done' });

    // one batch: two new events, one of them twice, one seen before, one already processed
    const arrivals = await Promise.all(
      [rec('e-1'), rec('e-2'), rec('e-1'), rec('e-old'), rec('e-done')].map((r) => store.insertIfAbsent(r)),
    );
    expect(arrivals).toEqual(['stored', 'stored', 'duplicate', 'duplicate', 'processed']);
    expect(await store.count('c1', TOPIC)).toBe(4);
    expect(await store.payloads('c1', TOPIC, 'c1/e-1')).toEqual([{ amazonOrderId: 'e-1', eventId: 'e-1' }]);
  });

  it('when many records are marked processed at the same moment, then each of them, and no other, is', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `m-${i}`);
    await Promise.all(ids.map((id) => store.insertIfAbsent(rec(id))));
    await Promise.all(
      ids.slice(0, 6).map((eventId) => store.markProcessed({ connectionId: 'c1', topic: TOPIC, eventId })),
    );
    const again = await Promise.all(ids.map((id) => store.insertIfAbsent(rec(id))));
    expect(again).toEqual([...Array<string>(6).fill('processed'), 'duplicate', 'duplicate']);
  });
});
