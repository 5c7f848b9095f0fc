import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import type { FinancialEvent } from '@connector/events';
import { KnexParkedRefundStore } from '../parked-refunds.store';

let tdb: TestDatabase;
let store: KnexParkedRefundStore;
beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KnexParkedRefundStore(tdb.db);
  for (const id of ['c1', 'c2'])
    await tdb.db('connections').insert({
      id,
      name: id,
      seller_id: `S-${id}`,
      region: 'na',
      marketplace_ids: ['ATVPDKIKX0DER'],
      erp_kind: 'SAP_B1',
      erp_company: 'X',
    });
});
afterAll(async () => tdb?.drop());

const refund = (connectionId: string, amazonOrderId: string, eventId: string) =>
  ({ connectionId, amazonOrderId, eventId, eventType: 'RefundEvent' }) as unknown as FinancialEvent;
const source = (offset: number) => ({
  topic: 'amazon.financial-events.v1',
  partition: 0,
  offset: String(offset),
});

describe('KnexParkedRefundStore (PostgreSQL)', () => {
  it('when the refunds of many orders are asked for at the same moment, then each order gets its own, oldest first', async () => {
    await store.park(refund('c1', 'A', 'r-a1'), source(1));
    await store.park(refund('c1', 'B', 'r-b1'), source(2));
    await store.park(refund('c1', 'A', 'r-a2'), source(3));
    await store.park(refund('c2', 'A', 'r-other-connection'), source(4));
    await store.park(refund('c1', 'A', 'r-a1'), source(5)); // parked twice: kept once

    const [a, b, none, other] = await Promise.all([
      store.of('c1', 'A'),
      store.of('c1', 'B'),
      store.of('c1', 'C'),
      store.of('c2', 'A'),
    ]);
    expect(a.map((r) => [r.event.eventId, r.source.offset])).toEqual([
      ['r-a1', '1'],
      ['r-a2', '3'],
    ]);
    expect(b.map((r) => r.event.eventId)).toEqual(['r-b1']);
    expect(none).toEqual([]);
    expect(other.map((r) => r.event.eventId)).toEqual(['r-other-connection']);

    await store.remove('c1', 'r-a1');
    expect((await store.of('c1', 'A')).map((r) => r.event.eventId)).toEqual(['r-a2']);
  });
});
