import { NonRetriableError, RetriableError, VirtualClock, isRetriable } from '@connector/core';
import { connectionSettingsSchema, type ConnectionSettingsInput } from '@connector/db';
import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import type { AmazonOrder, ErpShipment } from '@connector/events';
import type { ConsumedRecord } from '@connector/kafka';
import { MappingCache } from '@connector/mapping';
import { silentLogger } from '@connector/observability';
import { SpApiRequestError, SpApiRetriableError } from '@connector/sp-api';
import type { ConfirmShipmentRequest } from '@connector/sp-api';
import type { AmazonOrderState, ShipmentApi } from '../amazon-shipments';
import { FakeOrderBook, bookedOrderOf } from '../order-book';
import { OrderBookService } from '../order-book.service';
import {
  SHIPMENT_CONFIRMATION,
  ShipmentConfirmationService,
  packageReferenceIdOf,
} from '../shipment-confirmation.service';

const C = 'c1';
const US = 'ATVPDKIKX0DER';
const ORDER = '111-0000001-0000001';

/** Amazon for one connection: orders' states, the packages accepted, and failures to inject. */
class FakeAmazon implements ShipmentApi {
  readonly states = new Map<string, AmazonOrderState>();
  readonly accepted: Array<{ orderId: string; body: ConfirmShipmentRequest }> = [];
  readonly calls: string[] = [];
  /** thrown by the next confirmShipment after Amazon took the package (a lost answer) */
  loseNextAnswer?: Error;
  /** thrown by the next confirmShipment before Amazon takes it */
  failNext?: Error;

  async orderState(orderId: string): Promise<AmazonOrderState> {
    this.calls.push(`orderState ${orderId}`);
    const s = this.states.get(orderId);
    if (!s) throw new Error(`no order ${orderId}`);
    return structuredClone(s);
  }

  async confirmShipment(orderId: string, body: ConfirmShipmentRequest): Promise<void> {
    this.calls.push(`confirmShipment ${orderId}`);
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    const s = this.states.get(orderId)!;
    const ref = body.packageDetail.packageReferenceId;
    if (
      s.status === 'SHIPPED' ||
      this.accepted.some((a) => a.orderId === orderId && a.body.packageDetail.packageReferenceId === ref)
    )
      throw alreadyFulfilled();
    for (const line of body.packageDetail.orderItems)
      s.items.find((it) => it.orderItemId === line.orderItemId)!.quantityShipped += line.quantity;
    s.status = s.items.every((it) => it.quantityShipped === it.quantityOrdered)
      ? 'SHIPPED'
      : 'PARTIALLY_SHIPPED';
    this.accepted.push({ orderId, body: structuredClone(body) });
    if (this.loseNextAnswer) {
      const e = this.loseNextAnswer;
      this.loseNextAnswer = undefined;
      throw e;
    }
  }
}

const alreadyFulfilled = () =>
  new SpApiRequestError({
    operation: 'confirmShipment',
    status: 400,
    errors: [
      {
        code: 'InvalidInput',
        message: 'Failed to create package due to not finding a matching package or order already fulfilled.',
        details: '',
      },
    ],
  });

function amazonOrder(over: Partial<AmazonOrder> = {}): AmazonOrder {
  return {
    eventId: `${ORDER}@1`,
    connectionId: C,
    amazonOrderId: ORDER,
    sellerId: 'S',
    marketplaceId: US,
    orderStatus: 'UNSHIPPED',
    fulfillmentChannel: 'MFN',
    purchaseDate: 1,
    lastUpdateDate: 1_000,
    items: [
      { orderItemId: 'OI-1', sellerSku: 'SKU-A', asin: 'A1', quantityOrdered: 3, quantityShipped: 0 },
      { orderItemId: 'OI-2', sellerSku: 'SKU-B-6PK', asin: 'A2', quantityOrdered: 2, quantityShipped: 0 },
    ],
    changeType: 'CREATED',
    source: 'ORDERS_API',
    ...over,
  };
}

function shipment(over: Partial<ErpShipment> = {}): ErpShipment {
  return {
    eventId: `${C}/100@x`,
    connectionId: C,
    erpKind: 'SAP_B1',
    shipmentId: '100',
    shipmentNumber: 'D100',
    amazonOrderId: ORDER,
    erpCarrierCode: 'UPSG',
    shippingMethod: null,
    trackingNumber: '1Z999',
    shipDate: Date.UTC(2026, 10, 27, 9),
    changedAt: Date.UTC(2026, 10, 27, 9),
    lines: [
      { itemCode: 'ITEM-A', quantity: 3 },
      { itemCode: 'ITEM-B', quantity: 12 },
    ],
    ...over,
  };
}

let offset = 0;
const rec = <T>(topic: string, value: T): ConsumedRecord<T> => ({
  topic,
  partition: 0,
  offset: String(offset++),
  key: null,
  value,
  headers: {},
  timestamp: '0',
});

function setup(settings: ConnectionSettingsInput = {}) {
  const clock = new VirtualClock(1_000_000);
  const mapping = new MappingCache();
  const sku = (sellerSku: string, itemCode: string, unitsPerSku = 1, marketplaceId: string | null = null) =>
    mapping.apply('mapping.skus.v1', `${C}/${sellerSku}`, {
      eventId: `${C}/${sellerSku}@1`,
      connectionId: C,
      sellerSku,
      marketplaceId,
      itemCode,
      unitsPerSku,
      active: true,
      updatedAt: 1,
    });
  sku('SKU-A', 'ITEM-A');
  sku('SKU-B-6PK', 'ITEM-B', 6);
  mapping.apply('mapping.carriers.v1', `${C}/UPSG`, {
    eventId: `${C}/UPSG@1`,
    connectionId: C,
    erpCarrierCode: 'UPSG',
    carrierCode: 'UPS',
    carrierName: null,
    shippingMethod: 'Ground',
    active: true,
    updatedAt: 1,
  });
  const book = new FakeOrderBook();
  const amazon = new FakeAmazon();
  const ledger = new FakeIdempotencyLedger({ now: () => clock.now() });
  const audit = new FakeAuditStore();
  const parsed = connectionSettingsSchema.parse(settings);
  const make = (owner = 'me') =>
    new ShipmentConfirmationService(
      {
        connections: { get: async (id) => ({ id, settings: parsed }) },
        orders: book,
        amazon: { forConnection: async () => amazon },
        mapping,
        ledger,
        audit,
        clock,
        logger: silentLogger(),
      },
      { orderWaitMs: 60_000, orderPollMs: 5_000, leaseMs: 30_000, confirmMarginMs: 10_000, owner },
    );
  const orders = new OrderBookService(book);
  const addOrder = async (o: AmazonOrder) => {
    await orders.take(rec('amazon.orders.v1', o));
    if (!amazon.states.has(o.amazonOrderId))
      amazon.states.set(o.amazonOrderId, {
        status: o.orderStatus,
        items: o.items.map((it) => ({
          orderItemId: it.orderItemId,
          quantityOrdered: it.quantityOrdered,
          quantityShipped: it.quantityShipped ?? 0,
        })),
      });
  };
  return { clock, mapping, sku, book, amazon, ledger, audit, service: make(), make, addOrder };
}

const outcomes = (audit: FakeAuditStore) => audit.records.map((r) => `${r.stage} ${r.outcome ?? ''}`.trim());

describe('ShipmentConfirmationService', () => {
  it('when an MFN order ships in one package, then Amazon gets one confirmation with mapped items, pack units and carrier', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    const r = await t.service.handle(rec('erp.shipments.v1', shipment()));
    expect(r.outcome).toBe('CONFIRMED');
    expect(t.amazon.accepted).toEqual([
      {
        orderId: ORDER,
        body: {
          marketplaceId: US,
          packageDetail: {
            packageReferenceId: '100',
            carrierCode: 'UPS',
            shippingMethod: 'Ground',
            trackingNumber: '1Z999',
            shipDate: '2026-11-27T09:00:00.000Z',
            orderItems: [
              { orderItemId: 'OI-1', quantity: 3 },
              { orderItemId: 'OI-2', quantity: 2 }, // 12 ERP units / 6 per pack
            ],
          },
        },
      },
    ]);
    const row = await t.ledger.get({
      connectionId: C,
      documentKind: SHIPMENT_CONFIRMATION,
      naturalKey: `${ORDER}/100`,
    });
    expect(row).toMatchObject({ state: 'confirmed', documentNumber: '100', erpStatus: 'CONFIRMED' });
    expect(outcomes(t.audit)).toEqual(['posted confirmed']);
    expect(t.audit.records[0].recordKey).toBe(`${C}/${ORDER}/100`);
  });

  it('when the same package is delivered again, then the ledger answers and Amazon is not called', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    await t.service.handle(rec('erp.shipments.v1', shipment()));
    const calls = t.amazon.calls.length;
    const again = await t.make('other').handle(rec('erp.shipments.v1', shipment()));
    expect(again).toMatchObject({ outcome: 'ALREADY_SHIPPED', reason: 'ledger' });
    expect(t.amazon.calls).toHaveLength(calls);
    expect(t.amazon.accepted).toHaveLength(1);
  });

  it('when an order ships in two packages, then each is confirmed once with its own units', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    const first = shipment({ shipmentId: '101', lines: [{ itemCode: 'ITEM-A', quantity: 2 }] });
    const second = shipment({
      shipmentId: '102',
      lines: [
        { itemCode: 'ITEM-A', quantity: 1 },
        { itemCode: 'ITEM-B', quantity: 12 },
      ],
    });
    expect((await t.service.handle(rec('erp.shipments.v1', first))).outcome).toBe('CONFIRMED');
    expect((await t.service.handle(rec('erp.shipments.v1', second))).outcome).toBe('CONFIRMED');
    expect((await t.service.handle(rec('erp.shipments.v1', first))).outcome).toBe('ALREADY_SHIPPED');
    expect(
      t.amazon.accepted.map((a) => [
        a.body.packageDetail.packageReferenceId,
        a.body.packageDetail.orderItems,
      ]),
    ).toEqual([
      ['101', [{ orderItemId: 'OI-1', quantity: 2 }]],
      [
        '102',
        [
          { orderItemId: 'OI-1', quantity: 1 },
          { orderItemId: 'OI-2', quantity: 2 },
        ],
      ],
    ]);
    expect(t.amazon.states.get(ORDER)!.status).toBe('SHIPPED');
  });

  it('when Amazon took the package but its answer was lost, then the retry reads the order, sends nothing and marks it shipped', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    t.amazon.loseNextAnswer = new SpApiRetriableError({
      operation: 'confirmShipment',
      status: 503,
      errors: [],
    });
    const s = shipment({ lines: [{ itemCode: 'ITEM-A', quantity: 3 }] });
    await expect(t.service.handle(rec('erp.shipments.v1', s))).rejects.toMatchObject({
      code: 'SPAPI_UNAVAILABLE',
    });
    const r = await t.service.handle(rec('erp.shipments.v1', s));
    expect(r).toMatchObject({ outcome: 'ALREADY_SHIPPED', reason: 'amazon-state' });
    expect(t.amazon.accepted).toHaveLength(1);
    expect(t.amazon.calls.filter((c) => c.startsWith('confirmShipment'))).toHaveLength(1);
    expect(outcomes(t.audit)).toEqual(['consumed retry', 'posted already_shipped:amazon-state']);
  });

  it('when the lost package left units open for another package, then Amazon refuses the resend as already fulfilled and that counts as shipped', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    t.amazon.loseNextAnswer = new SpApiRetriableError({
      operation: 'confirmShipment',
      status: 503,
      errors: [],
    });
    const s = shipment({ lines: [{ itemCode: 'ITEM-A', quantity: 1 }] });
    await expect(t.service.handle(rec('erp.shipments.v1', s))).rejects.toBeDefined();
    const r = await t.service.handle(rec('erp.shipments.v1', s));
    expect(r).toMatchObject({ outcome: 'ALREADY_SHIPPED', reason: 'amazon-answer' });
    expect(t.amazon.accepted).toHaveLength(1);
    const row = await t.ledger.get({
      connectionId: C,
      documentKind: SHIPMENT_CONFIRMATION,
      naturalKey: `${ORDER}/100`,
    });
    expect(row).toMatchObject({ state: 'confirmed', erpStatus: 'ALREADY_SHIPPED' });
  });

  it('when another instance holds the package, then this one waits (retriable) and never calls Amazon', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    await t.ledger.claim(
      { connectionId: C, documentKind: SHIPMENT_CONFIRMATION, naturalKey: `${ORDER}/100` },
      'them',
      30_000,
    );
    const err: unknown = await t.service.handle(rec('erp.shipments.v1', shipment())).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LEASE_HELD' });
    expect(isRetriable(err)).toBe(true);
    expect(t.amazon.calls).toEqual([]);
  });

  it('when the order is fulfilled by Amazon, then the shipment is skipped with the reason and Amazon is not called', async () => {
    const t = setup();
    await t.addOrder(amazonOrder({ fulfillmentChannel: 'AFN' }));
    const r = await t.service.handle(rec('erp.shipments.v1', shipment()));
    expect(r).toMatchObject({ outcome: 'SKIPPED', reason: expect.stringMatching(/AFN/) as unknown });
    expect(t.amazon.calls).toEqual([]);
    expect(outcomes(t.audit)).toEqual([expect.stringMatching(/^skipped skipped: .*fulfilled by Amazon/)]);
  });

  it('when the order is cancelled (in the order book or on Amazon), then the shipment is skipped with the reason', async () => {
    const t = setup();
    await t.addOrder(amazonOrder({ orderStatus: 'CANCELLED' }));
    expect(await t.service.handle(rec('erp.shipments.v1', shipment()))).toMatchObject({
      outcome: 'SKIPPED',
      reason: expect.stringMatching(/cancelled/) as unknown,
    });
    expect(t.amazon.calls).toEqual([]);

    const u = setup();
    await u.addOrder(amazonOrder());
    u.amazon.states.get(ORDER)!.status = 'CANCELLED';
    expect((await u.service.handle(rec('erp.shipments.v1', shipment()))).outcome).toBe('SKIPPED');
    expect(u.amazon.accepted).toEqual([]);
    expect(outcomes(u.audit)).toEqual([expect.stringMatching(/^skipped .*cancelled on Amazon/)]);
  });

  it("when the connection's confirmShipments is off, then nothing is confirmed", async () => {
    const t = setup({ returnPath: { confirmShipments: false } });
    await t.addOrder(amazonOrder());
    expect((await t.service.handle(rec('erp.shipments.v1', shipment()))).outcome).toBe('SKIPPED');
    expect(t.amazon.calls).toEqual([]);
    expect(outcomes(t.audit)).toEqual(['skipped skipped: confirmShipments is off for the connection']);
  });

  it('when the order has not arrived, then the shipment waits (retryAfterMs) and after the bound is dead-lettered with the reason', async () => {
    const t = setup();
    const r = rec('erp.shipments.v1', shipment());
    const first: unknown = await t.service.handle(r).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetriableError);
    expect(first).toMatchObject({ code: 'ORDER_NOT_YET_KNOWN', retryAfterMs: 5_000 });
    t.clock.advance(58_000);
    expect(await t.service.handle(r).catch((e: unknown) => e)).toMatchObject({ retryAfterMs: 2_000 });
    t.clock.advance(2_000);
    const last: unknown = await t.service.handle(r).catch((e: unknown) => e);
    expect(last).toBeInstanceOf(NonRetriableError);
    expect(last).toMatchObject({
      code: 'ORDER_UNKNOWN',
      message: expect.stringMatching(/not on amazon.orders.v1 after 60 s/) as unknown,
    });
    expect(outcomes(t.audit)).toEqual(['consumed waiting_for_order', 'dead_lettered failed']);
    expect(t.amazon.calls).toEqual([]);
  });

  it('when the order arrives during the wait, then the shipment is confirmed', async () => {
    const t = setup();
    const r = rec('erp.shipments.v1', shipment());
    await expect(t.service.handle(r)).rejects.toMatchObject({ code: 'ORDER_NOT_YET_KNOWN' });
    await t.addOrder(amazonOrder());
    t.clock.advance(5_000);
    expect((await t.service.handle(r)).outcome).toBe('CONFIRMED');
  });

  it('when a line maps to no item of the order, then it is dead-lettered with a clear reason and Amazon is not called', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    const err: unknown = await t.service
      .handle(rec('erp.shipments.v1', shipment({ lines: [{ itemCode: 'ITEM-Z', quantity: 1 }] })))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetriableError);
    expect(err).toMatchObject({
      code: 'SHIPMENT_LINE_UNMATCHED',
      message: expect.stringMatching(/ERP item ITEM-Z matches no item of order/) as unknown,
    });
    expect(t.amazon.calls).toEqual([]);
    expect(outcomes(t.audit)).toEqual(['dead_lettered failed']);
  });

  it('when a line is not whole packs, then it is dead-lettered', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    await expect(
      t.service.handle(rec('erp.shipments.v1', shipment({ lines: [{ itemCode: 'ITEM-B', quantity: 7 }] }))),
    ).rejects.toMatchObject({ code: 'SHIPMENT_PARTIAL_PACK' });
  });

  it('when a marketplace-specific SKU mapping is for another marketplace, then it does not match', async () => {
    const t = setup();
    t.sku('SKU-C', 'ITEM-C', 1, 'A1PA6795UKMFR9');
    await t.addOrder(
      amazonOrder({
        items: [
          { orderItemId: 'OI-3', sellerSku: 'SKU-C', asin: 'A3', quantityOrdered: 1, quantityShipped: 0 },
        ],
      }),
    );
    await expect(
      t.service.handle(rec('erp.shipments.v1', shipment({ lines: [{ itemCode: 'ITEM-C', quantity: 1 }] }))),
    ).rejects.toMatchObject({ code: 'SHIPMENT_LINE_UNMATCHED' });
  });

  it('when the ERP carrier has no mapping, then Other is sent with the ERP code as carrierName', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    await t.service.handle(
      rec('erp.shipments.v1', shipment({ erpCarrierCode: 'OWNVAN', shippingMethod: 'Van' })),
    );
    expect(t.amazon.accepted[0].body.packageDetail).toMatchObject({
      carrierCode: 'Other',
      carrierName: 'OWNVAN',
      shippingMethod: 'Van',
    });
  });

  it('when Amazon refuses the request for good, then the package is marked failed and dead-lettered', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    t.amazon.failNext = new SpApiRequestError({
      operation: 'confirmShipment',
      status: 400,
      errors: [{ code: 'InvalidInput', message: 'OrderItemId is invalid' }],
    });
    await expect(t.service.handle(rec('erp.shipments.v1', shipment()))).rejects.toBeInstanceOf(
      NonRetriableError,
    );
    const row = await t.ledger.get({
      connectionId: C,
      documentKind: SHIPMENT_CONFIRMATION,
      naturalKey: `${ORDER}/100`,
    });
    expect(row).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/OrderItemId is invalid/) as unknown,
    });
    expect(outcomes(t.audit)).toEqual(['dead_lettered failed']);
  });

  it('when the shipment has no tracking number, then it is dead-lettered (Amazon requires one)', async () => {
    const t = setup();
    await t.addOrder(amazonOrder());
    await expect(
      t.service.handle(rec('erp.shipments.v1', shipment({ trackingNumber: null }))),
    ).rejects.toMatchObject({
      code: 'SHIPMENT_NO_TRACKING',
    });
  });
});

describe('order book', () => {
  it('when an older version of an order arrives after a newer one, then the newer one is kept', async () => {
    const book = new FakeOrderBook();
    const svc = new OrderBookService(book);
    expect(
      await svc.take(
        rec('amazon.orders.v1', amazonOrder({ lastUpdateDate: 2_000, orderStatus: 'CANCELLED' })),
      ),
    ).toBe(true);
    expect(await svc.take(rec('amazon.orders.v1', amazonOrder({ lastUpdateDate: 1_000 })))).toBe(false);
    expect((await book.get(C, ORDER))?.orderStatus).toBe('CANCELLED');
    expect(bookedOrderOf(amazonOrder()).items[1]).toEqual({
      orderItemId: 'OI-2',
      sellerSku: 'SKU-B-6PK',
      quantityOrdered: 2,
      quantityShipped: 0,
    });
  });
});

describe('packageReferenceIdOf', () => {
  it('when the ERP id is numeric, its digits or neither, then a stable positive number results', () => {
    expect(packageReferenceIdOf('4711')).toBe('4711');
    expect(packageReferenceIdOf('SH0000123')).toBe('123');
    const hashed = packageReferenceIdOf('ABC');
    expect(hashed).toMatch(/^[1-9]\d*$/);
    expect(packageReferenceIdOf('ABC')).toBe(hashed);
  });
});
