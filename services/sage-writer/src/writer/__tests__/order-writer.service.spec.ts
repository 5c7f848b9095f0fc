import { VirtualClock, isRetriable } from '@connector/core';
import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import { capabilitiesOf, type InvoiceDraft, type SalesDocumentDraft } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import type { AmazonOrder } from '@connector/events';
import { type ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { MappingCache } from '@connector/mapping';
import { DocumentWriter } from '../document-writer';
import { orderToDraft } from '../order-draft.mapper';
import { OrderWriterService } from '../order-writer.service';

const US = 'ATVPDKIKX0DER';
const money = (amount: string) => ({ amount, currency: 'USD' });

function order(status: AmazonOrder['orderStatus'], over: Partial<AmazonOrder> = {}): AmazonOrder {
  return {
    eventId: `111-0000000-0000001@${status}`,
    connectionId: 'c1',
    amazonOrderId: '111-0000000-0000001',
    sellerId: 'S',
    marketplaceId: US,
    salesChannel: 'Amazon.com',
    orderStatus: status,
    fulfillmentChannel: 'MFN',
    purchaseDate: Date.UTC(2026, 10, 1),
    lastUpdateDate: Date.UTC(2026, 10, 1, 1),
    orderTotal: money('61.97'),
    items: [
      {
        orderItemId: 'OI-1',
        sellerSku: 'SKU-A',
        asin: 'B000',
        title: 'Widget',
        quantityOrdered: 3,
        quantityShipped: 0,
        itemPrice: money('50.00'),
        itemTax: money('4.00'),
        shippingPrice: money('5.99'),
        promotionDiscount: money('2.00'),
        promotionIds: ['PROMO-1'],
      },
      {
        orderItemId: 'OI-2',
        sellerSku: 'SKU-B',
        asin: 'B001',
        quantityOrdered: 1,
        itemPrice: money('3.98'),
        shippingPrice: money('1.00'),
      },
    ],
    changeType: 'CREATED',
    source: 'ORDERS_API',
    ...over,
  };
}

describe('OrderWriterService', () => {
  let erp: FakeErp;
  let ledger: FakeIdempotencyLedger;
  let audit: FakeAuditStore;
  let publisher: FakeEventPublisher;
  let mapping: MappingCache;
  let service: OrderWriterService;
  let offset = 0;
  const rec = (value: AmazonOrder): ConsumedRecord<AmazonOrder> => ({
    topic: 'amazon.orders.v1',
    partition: 0,
    offset: String(offset++),
    key: `c1/${value.amazonOrderId}`,
    value,
    headers: {},
    timestamp: '0',
  });
  const results = () => publisher.on('erp.write-results.v1').map((r) => [r.value.operation, r.value.outcome]);
  const mapSku = (sku: string, itemCode: string) =>
    mapping.apply('mapping.skus.v1', `c1/${sku}`, {
      eventId: sku,
      connectionId: 'c1',
      sellerSku: sku,
      itemCode,
      updatedAt: 0,
    });

  beforeEach(() => {
    erp = new FakeErp(undefined, { items: new Set(['ITEM-A', 'ITEM-B']) });
    ledger = new FakeIdempotencyLedger();
    audit = new FakeAuditStore();
    publisher = new FakeEventPublisher();
    mapping = new MappingCache();
    mapSku('SKU-A', 'ITEM-A');
    mapSku('SKU-B', 'ITEM-B');
    mapping.apply('mapping.customers.v1', `c1/${US}`, {
      eventId: 'm',
      connectionId: 'c1',
      marketplaceId: US,
      customerCode: 'AMZ-US',
      currency: 'USD',
      updatedAt: 0,
    });
    service = writerService();
  });

  /** The service over this test's fakes, with what a test adds (the ship-to lookup). */
  const writerService = (extra: Partial<ConstructorParameters<typeof OrderWriterService>[0]> = {}) =>
    new OrderWriterService({
      erps: { forConnection: async () => erp },
      mapping,
      writer: new DocumentWriter(ledger),
      audit,
      publisher,
      clock: new VirtualClock(Date.UTC(2026, 10, 2)),
      logger: silentLogger(),
      ...extra,
    });

  it('when an unshipped order arrives twice, then one sales order is written and the replay is recognised from the ledger', async () => {
    await service.handle(rec(order('UNSHIPPED')));
    await service.handle(rec(order('UNSHIPPED')));
    expect(erp.of('SALES_ORDER')).toHaveLength(1);
    expect(results()).toEqual([
      ['CREATE_SALES_ORDER', 'CREATED'],
      ['CREATE_SALES_ORDER', 'ALREADY_EXISTS'],
    ]);
    // neither the first write (the ledger row was new) nor the replay (the ledger knew it) asked the ERP
    expect(erp.calls.filter((c) => c.startsWith('find'))).toHaveLength(0);
    expect(audit.records.map((r) => [r.stage, r.outcome])).toEqual([
      ['posted', 'created'],
      ['posted', 'already_exists:ledger'],
    ]);
    expect(audit.records[0].source).toEqual({
      topic: 'amazon.orders.v1',
      partition: 0,
      offset: expect.any(String) as unknown,
    });
    expect(ledger.rows.get('c1|SALES_ORDER|111-0000000-0000001')).toMatchObject({
      state: 'confirmed',
      documentNumber: '1001',
    });
  });

  it('when the order ships, then the invoice is copied from the sales order', async () => {
    await service.handle(rec(order('UNSHIPPED')));
    await service.handle(rec(order('SHIPPED')));
    const [inv] = erp.of('INVOICE');
    expect((inv.draft as InvoiceDraft).baseOrder).toMatchObject({ kind: 'SALES_ORDER', internalId: '1' });
    expect(erp.of('SALES_ORDER')[0].ref.status).toBe('CLOSED');
    expect(results()).toEqual([
      ['CREATE_SALES_ORDER', 'CREATED'],
      ['CREATE_SALES_ORDER', 'ALREADY_EXISTS'],
      ['CREATE_INVOICE', 'CREATED'],
    ]);
  });

  it('when the order ships, then the sales order its claim found is the base of the invoice: the ledger is not read again', async () => {
    await service.handle(rec(order('UNSHIPPED')));
    const reads = jest.spyOn(ledger, 'get');
    await service.handle(rec(order('SHIPPED')));
    expect(reads).not.toHaveBeenCalled();
    expect((erp.of('INVOICE')[0].draft as InvoiceDraft).baseOrder).toMatchObject({
      kind: 'SALES_ORDER',
      internalId: '1',
      documentNumber: '1001',
    });
  });

  it('when an order is cancelled, then its sales order is cancelled; a cancellation of an order never written writes nothing; one after the invoice is credited in full', async () => {
    await service.handle(rec(order('UNSHIPPED')));
    await service.handle(rec(order('CANCELLED')));
    expect(erp.of('SALES_ORDER')[0].ref.status).toBe('CANCELLED');

    await service.handle(rec(order('CANCELLED', { amazonOrderId: '111-0000000-0000009' })));
    expect(erp.documents).toHaveLength(1);

    await service.handle(rec(order('SHIPPED', { amazonOrderId: '111-0000000-0000002' })));
    await service.handle(rec(order('CANCELLED', { amazonOrderId: '111-0000000-0000002' })));
    expect(erp.of('CREDIT_NOTE').map((d) => d.ref.naturalKey)).toEqual(['111-0000000-0000002/C']);
  });

  it('when an order is first seen shipped and the ERP writes it shipped and invoiced in one call (Sage 300), then no separate sales order is written', async () => {
    erp = new FakeErp(
      { ...capabilitiesOf('SAGE300')!, shippedOrderInOneCall: true },
      { items: new Set(['ITEM-A', 'ITEM-B']) },
    );
    await service.handle(rec(order('SHIPPED')));
    await service.handle(rec(order('SHIPPED')));
    expect(erp.of('SALES_ORDER')).toHaveLength(0);
    expect(erp.of('INVOICE')).toHaveLength(1);
    expect((erp.of('INVOICE')[0].draft as InvoiceDraft).baseOrder).toBeUndefined();
    // an order the ERP holds already (written while unshipped) keeps the two steps
    await service.handle(rec(order('UNSHIPPED', { amazonOrderId: '111-0000000-0000003' })));
    await service.handle(rec(order('SHIPPED', { amazonOrderId: '111-0000000-0000003' })));
    expect(erp.of('SALES_ORDER').map((d) => d.ref.naturalKey)).toEqual(['111-0000000-0000003']);
    expect(erp.of('INVOICE')).toHaveLength(2);
  });

  it('when a connection keeps no buyer PII (no piiRef), then even a merchant-fulfilled order carries no ship-to and the vault is not asked', async () => {
    const asked: string[] = [];
    const withVault = writerService({
      shipTo: async (_c, id) => {
        asked.push(id);
        return { name: 'Jane Doe' };
      },
    });
    await withVault.handle(rec(order('UNSHIPPED')));
    expect((erp.of('SALES_ORDER')[0].draft as { shipTo?: unknown }).shipTo).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('when the ERP cannot cancel orders (Sage 300), then the cancellation goes to the DLQ saying which order to cancel by hand', async () => {
    Object.assign(erp.capabilities, { kind: 'SAGE300', cancelOrder: false });
    await service.handle(rec(order('UNSHIPPED')));
    const err = await service.handle(rec(order('CANCELLED'))).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'ERP_UNSUPPORTED', retriable: false });
    expect((err as Error).message).toContain(
      `cancel sales order ${erp.of('SALES_ORDER')[0].ref.documentNumber}`,
    );
    expect(erp.of('SALES_ORDER')[0].ref.status).toBe('OPEN');
  });

  it('when a SKU is not mapped, then the record fails for the DLQ with the reason, and after the mapping arrives the replay writes it', async () => {
    mapping.apply('mapping.skus.v1', 'c1/SKU-B', null); // tombstone
    const err = await service.handle(rec(order('UNSHIPPED'))).catch((e: Error) => e);
    expect(err).toMatchObject({
      code: 'UNMAPPED_SKU',
      retriable: false,
      message: expect.stringContaining('SKU-B') as unknown,
    });
    expect(erp.documents).toHaveLength(0);
    expect(audit.records.at(-1)).toMatchObject({
      stage: 'dead_lettered',
      error: expect.stringContaining('UNMAPPED_SKU') as unknown,
    });
    expect(results()).toEqual([['CREATE_SALES_ORDER', 'FAILED']]);

    mapSku('SKU-B', 'ITEM-B');
    await service.handle(rec(order('UNSHIPPED')));
    expect(erp.of('SALES_ORDER')).toHaveLength(1);
  });

  it('when the ERP wrote but its answer was lost, then the retry finds the document by natural key and writes nothing twice', async () => {
    erp.loseNextAnswer = true;
    const err = await service.handle(rec(order('UNSHIPPED'))).catch((e: Error) => e);
    expect(isRetriable(err)).toBe(true);
    expect(ledger.rows.get('c1|SALES_ORDER|111-0000000-0000001')!.state).toBe('reserved');
    await service.handle(rec(order('UNSHIPPED')));
    expect(erp.of('SALES_ORDER')).toHaveLength(1);
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'already_exists:erp-lookup' });
  });

  it('when the ERP reports a record lock, then the error is retriable and the retry lands the document once', async () => {
    erp.lockNext(1);
    const err = await service.handle(rec(order('UNSHIPPED'))).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'ERP_RECORD_LOCKED', retriable: true });
    await service.handle(rec(order('UNSHIPPED')));
    expect(erp.of('SALES_ORDER')).toHaveLength(1);
  });

  it('when the write took two attempts, then the published result says so', async () => {
    erp.lockNext(1);
    await service.handle(rec(order('UNSHIPPED'))).catch(() => undefined);
    await service.handle(rec(order('UNSHIPPED')));
    const published = publisher.on('erp.write-results.v1').map((r) => r.value);
    expect(published.map((v) => [v.outcome, v.attempts])).toEqual([['CREATED', 2]]);
  });

  it('when a merchant-fulfilled order has buyer PII kept, then its sales order carries the ship-to address; FBA orders and purged PII carry none', async () => {
    const address = { name: 'Jane Doe', addressLine1: '410 Terry Ave N', city: 'Seattle', countryCode: 'US' };
    const asked: string[] = [];
    const withPii = writerService({
      shipTo: async (_c, id) => {
        asked.push(id);
        return id.endsWith('1') ? address : null; // …2: purged after its retention
      },
    });
    const ids = ['111-0000000-0000001', '111-0000000-0000002', '111-0000000-0000003'];
    await withPii.handle(rec(order('UNSHIPPED', { amazonOrderId: ids[0], piiRef: `pii:c1/${ids[0]}` })));
    await withPii.handle(rec(order('UNSHIPPED', { amazonOrderId: ids[1], piiRef: `pii:c1/${ids[1]}` })));
    await withPii.handle(
      rec(
        order('UNSHIPPED', { amazonOrderId: ids[2], piiRef: `pii:c1/${ids[2]}`, fulfillmentChannel: 'AFN' }),
      ),
    );
    const shipTo = (id: string) => (erp.of('SALES_ORDER', id)[0].draft as { shipTo?: unknown }).shipTo;
    expect(shipTo(ids[0])).toEqual(address);
    expect(shipTo(ids[1])).toBeUndefined();
    expect(shipTo(ids[2])).toBeUndefined();
    // the vault is not asked for an FBA order
    expect(asked).toEqual(ids.slice(0, 2));
  });

  it('when a pending order comes by, then nothing is written and the skip is audited', async () => {
    await service.handle(rec(order('PENDING')));
    expect(erp.calls).toEqual([]);
    expect(audit.records[0]).toMatchObject({ stage: 'skipped' });
  });
});

describe('orderToDraft', () => {
  const mapping = new MappingCache();
  mapping.apply('mapping.skus.v1', 'c1/SKU-A', {
    eventId: 'a',
    connectionId: 'c1',
    sellerSku: 'SKU-A',
    itemCode: 'ITEM-A',
    updatedAt: 0,
  });
  mapping.apply('mapping.skus.v1', 'c1/SKU-B/US', {
    eventId: 'b',
    connectionId: 'c1',
    sellerSku: 'SKU-B',
    marketplaceId: US,
    itemCode: 'ITEM-B-US',
    unitsPerSku: 2,
    updatedAt: 0,
  });
  mapping.apply('mapping.customers.v1', `c1/${US}`, {
    eventId: 'm',
    connectionId: 'c1',
    marketplaceId: US,
    customerCode: 'AMZ-US',
    currency: 'USD',
    updatedAt: 0,
  });

  it('when mapped, then unit prices divide exactly, multipacks multiply units, and shipping and promotions become one charge each', () => {
    const d: SalesDocumentDraft = orderToDraft(order('UNSHIPPED'), mapping);
    expect(d).toMatchObject({
      naturalKey: '111-0000000-0000001',
      customerCode: 'AMZ-US',
      currency: 'USD',
      documentDate: '2026-11-01',
    });
    expect(d.lines).toEqual([
      expect.objectContaining({
        itemCode: 'ITEM-A',
        quantity: 3,
        unitPrice: '16.666667',
        taxAmount: '4',
        sourceLineId: 'OI-1',
      }),
      expect.objectContaining({ itemCode: 'ITEM-B-US', quantity: 2, unitPrice: '1.99' }),
    ]);
    expect(d.charges).toEqual([
      expect.objectContaining({ kind: 'SHIPPING', amount: '6.99' }),
      expect.objectContaining({ kind: 'PROMOTION', amount: '-2' }),
    ]);
  });

  it('when the order currency differs from the customer’s, then it is refused with both named', () => {
    const eur = order('UNSHIPPED', { orderTotal: { amount: '1', currency: 'EUR' } });
    expect(() => orderToDraft(eur, mapping)).toThrow(/in EUR but customer AMZ-US .* USD/);
  });
});
