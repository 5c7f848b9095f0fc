import { FakeAuditStore } from '@connector/db/testing';
import type { AmazonOrder } from '@connector/events';
import { NonRetriableError, type ConsumedRecord } from '@connector/kafka';
import { OrderInboxService } from '../order-inbox.service';
import { FakeInboxStore } from '../testing';

function order(overrides: Partial<AmazonOrder> = {}): AmazonOrder {
  return {
    eventId: '111-0000001-0000001@1700000000000',
    connectionId: 'c1',
    amazonOrderId: '111-0000001-0000001',
    sellerId: 'S',
    marketplaceId: 'ATVPDKIKX0DER',
    orderStatus: 'UNSHIPPED',
    fulfillmentChannel: 'MFN',
    purchaseDate: 1_700_000_000_000,
    lastUpdateDate: 1_700_000_000_000,
    orderTotal: { amount: '19.9900', currency: 'USD' },
    items: [{ orderItemId: '1', sellerSku: 'SKU-1', asin: 'B0', quantityOrdered: 1, quantityShipped: 0 }],
    changeType: 'CREATED',
    source: 'ORDERS_API',
    ...overrides,
  };
}

const record = (value: AmazonOrder, offset = '42'): ConsumedRecord<AmazonOrder> => ({
  topic: 'amazon.orders.v1',
  partition: 0,
  offset,
  key: `${value.connectionId}/${value.amazonOrderId}`,
  value,
  headers: {},
  timestamp: '0',
});

describe('OrderInboxService', () => {
  it('when an order arrives twice, then it is stored once and both arrivals are audited with their offsets', async () => {
    const inbox = new FakeInboxStore();
    const audit = new FakeAuditStore();
    const service = new OrderInboxService(inbox, audit);

    expect(await service.receive(record(order(), '42'))).toBe('stored');
    expect(await service.receive(record(order(), '97'))).toBe('duplicate');

    expect(await inbox.count('c1', 'amazon.orders.v1')).toBe(1);
    expect(audit.records.map((r) => [r.stage, r.source?.offset, r.outcome])).toEqual([
      ['consumed', '42', 'stored'],
      ['skipped', '97', 'duplicate'],
    ]);
  });

  it('when an unshipped order has no items, then it is refused as not retriable and nothing is stored', async () => {
    const inbox = new FakeInboxStore();
    const service = new OrderInboxService(inbox, new FakeAuditStore());
    const error = await service.receive(record(order({ items: [] }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error).toMatchObject({ code: 'ORDER_WITHOUT_ITEMS', retriable: false });
    expect(inbox.records.size).toBe(0);
  });

  it('when a pending order has no items yet, then it is stored (Amazon adds them once the payment clears)', async () => {
    const service = new OrderInboxService(new FakeInboxStore(), new FakeAuditStore());
    expect(await service.receive(record(order({ items: [], orderStatus: 'PENDING' })))).toBe('stored');
  });

  it('when an order event was processed, then its next arrival is reported processed (the consumer returns early) and audited as skipped', async () => {
    const audit = new FakeAuditStore();
    const service = new OrderInboxService(new FakeInboxStore(), audit);
    expect(await service.receive(record(order(), '42'))).toBe('stored');
    expect(await service.receive(record(order(), '43'))).toBe('duplicate');
    await service.markProcessed(record(order(), '43'));
    expect(await service.receive(record(order(), '97'))).toBe('processed');
    expect(audit.records.map((r) => [r.stage, r.outcome])).toEqual([
      ['consumed', 'stored'],
      ['skipped', 'duplicate'],
      ['skipped', 'processed'],
    ]);
  });
});
