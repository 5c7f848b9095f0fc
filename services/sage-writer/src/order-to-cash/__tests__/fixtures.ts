import { VirtualClock } from '@connector/core';
import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import { orderToCashSettingsSchema, type OrderToCashSettings } from '@connector/db';
import { FakeErp } from '@connector/erp/testing';
import type { AmazonOrder, FinancialEvent } from '@connector/events';
import type { ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { MappingCache } from '@connector/mapping';
import { sumDecimals } from '@connector/money';
import { silentLogger } from '@connector/observability';
import { DocumentWriter } from '../../writer/document-writer';
import { OrderWriterService } from '../../writer/order-writer.service';
import { FakeInboxStore } from '../../order-inbox/testing';
import { CreditNoteWriterService } from '../credit-note-writer.service';
import { CustomerResolver, MemoryBuyerCustomerStore, type BuyerPiiOf } from '../customers';
import { MemoryParkedRefundStore } from '../parked-refunds.store';

export const US = 'ATVPDKIKX0DER';
export const ORDER_ID = '111-0000000-0000001';
const money = (amount: string, currency = 'USD') => ({ amount, currency });

/** A shipped order: 2 × SKU-A at 20.00 (tax 3.20, shipping 5.00, promotion 2.00) and 1 × SKU-B at 9.99. */
export function order(status: AmazonOrder['orderStatus'], over: Partial<AmazonOrder> = {}): AmazonOrder {
  const currency = over.orderTotal?.currency ?? 'USD';
  return {
    eventId: `${over.amazonOrderId ?? ORDER_ID}@${status}`,
    connectionId: 'c1',
    amazonOrderId: ORDER_ID,
    sellerId: 'S',
    marketplaceId: US,
    salesChannel: 'Amazon.com',
    orderStatus: status,
    fulfillmentChannel: 'MFN',
    purchaseDate: Date.UTC(2026, 10, 1),
    lastUpdateDate: Date.UTC(2026, 10, 1, status === 'CANCELLED' ? 5 : status === 'SHIPPED' ? 3 : 1),
    orderTotal: money('56.19', currency),
    items: [
      {
        orderItemId: 'OI-1',
        sellerSku: 'SKU-A',
        asin: 'B000',
        title: 'Widget',
        quantityOrdered: 2,
        quantityShipped: 2,
        itemPrice: money('40.00', currency),
        itemTax: money('3.20', currency),
        shippingPrice: money('5.00', currency),
        promotionDiscount: money('2.00', currency),
        promotionIds: ['PROMO-1'],
      },
      {
        orderItemId: 'OI-2',
        sellerSku: 'SKU-B',
        asin: 'B001',
        quantityOrdered: 1,
        quantityShipped: 1,
        itemPrice: money('9.99', currency),
      },
    ],
    changeType: 'UPDATED',
    source: 'ORDERS_API',
    ...over,
  };
}

type Item = NonNullable<FinancialEvent['items']>[number];
const charge = (componentType: string, amount: string, currency = 'USD') => ({
  componentType,
  kind: 'CHARGE' as const,
  amount: money(amount, currency),
});

/** A RefundEvent as amazon-ingest maps it: amounts signed as Amazon signs them. */
export function refund(id: string, items: Item[], over: Partial<FinancialEvent> = {}): FinancialEvent {
  const components = items.flatMap((i) => i.components ?? []);
  const currency = components[0]?.amount.currency ?? 'USD';
  return {
    eventId: `G1/RefundEvent/${id}`,
    connectionId: 'c1',
    financialEventGroupId: 'G1',
    transactionId: null,
    eventType: 'RefundEvent',
    postedDate: Date.UTC(2026, 10, 10),
    amazonOrderId: ORDER_ID,
    sellerSku: null,
    marketplaceId: US,
    components,
    total: {
      amount: sumDecimals(components.map((c) => c.amount.amount)).toFixed(),
      currency,
    },
    observedAt: null,
    items,
    ...over,
  };
}

/** One unit of SKU-A given back: 20.00 + 1.60 tax, with its withheld tax and fees (not credited). */
export const oneWidget = (currency = 'USD'): Item => ({
  sellerSku: 'SKU-A',
  orderItemId: 'OI-1',
  orderAdjustmentItemId: 'ADJ-1',
  quantity: 1,
  components: [
    charge('Principal', '-20.00', currency),
    charge('Tax', '-1.60', currency),
    {
      componentType: 'MarketplaceFacilitatorTax-Principal',
      kind: 'TAX_WITHHELD',
      amount: money('1.60', currency),
    },
    { componentType: 'Commission', kind: 'FEE', amount: money('3.00', currency) },
    { componentType: 'RefundCommission', kind: 'FEE', amount: money('-0.60', currency) },
  ],
});

/** The rest of the order: the second SKU-A with its promotion given back, SKU-B, and the shipping. */
export const theRest = (): Item[] => [
  {
    sellerSku: 'SKU-A',
    orderItemId: 'OI-1',
    orderAdjustmentItemId: 'ADJ-2',
    quantity: 1,
    components: [
      charge('Principal', '-20.00'),
      charge('Tax', '-1.60'),
      charge('ShippingCharge', '-5.00'),
      { componentType: 'PromotionMetaDataDefinitionValue', kind: 'PROMOTION', amount: money('2.00') },
    ],
  },
  {
    sellerSku: 'SKU-B',
    orderItemId: 'OI-2',
    orderAdjustmentItemId: 'ADJ-3',
    quantity: 1,
    components: [charge('Principal', '-9.99')],
  },
];

let offset = 0;
export function rec<T>(topic: string, value: T, key = 'k'): ConsumedRecord<T> {
  return { topic, partition: 0, offset: String(offset++), key, value, headers: {}, timestamp: '0' };
}

/** sage-writer's order and credit-note writers over fakes, sharing one ledger, inbox and ERP. */
export function world(
  opts: {
    erp?: FakeErp;
    settings?: Partial<OrderToCashSettings>;
    buyerPii?: BuyerPiiOf;
    keepsPii?: boolean;
  } = {},
) {
  const erp =
    opts.erp ??
    new FakeErp(undefined, {
      items: new Set(['ITEM-A', 'ITEM-B']),
      customers: new Set(['AMZ-US', 'AMZ-CA']),
      rates: new Map([['CAD', '0.7312']]),
    });
  const ledger = new FakeIdempotencyLedger();
  const audit = new FakeAuditStore();
  const publisher = new FakeEventPublisher();
  const mapping = new MappingCache();
  for (const [sku, itemCode] of [
    ['SKU-A', 'ITEM-A'],
    ['SKU-B', 'ITEM-B'],
  ])
    mapping.apply('mapping.skus.v1', `c1/${sku}`, {
      eventId: sku,
      connectionId: 'c1',
      sellerSku: sku,
      itemCode,
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
  const settingsValue = orderToCashSettingsSchema.parse(opts.settings ?? {});
  const settings = async () => settingsValue;
  const inbox = new FakeInboxStore();
  const parked = new MemoryParkedRefundStore();
  const buyers = new MemoryBuyerCustomerStore();
  const customers = new CustomerResolver({
    store: buyers,
    buyerPii: opts.buyerPii,
    keepsPii: async () => opts.keepsPii ?? false,
  });
  const writer = new DocumentWriter(ledger);
  const clock = new VirtualClock(Date.UTC(2026, 10, 12));
  const orderVersions = async (connectionId: string, orderId: string) =>
    (await inbox.payloads(connectionId, 'amazon.orders.v1', `${connectionId}/${orderId}`)) as AmazonOrder[];
  const common = {
    erps: { forConnection: async () => erp },
    mapping,
    writer,
    audit,
    publisher,
    clock,
    settings,
    customers,
    orderVersions,
  };
  const creditNotes = new CreditNoteWriterService({ ...common, parked });
  const orders = new OrderWriterService({ ...common, logger: silentLogger(), creditNotes });
  /** an order event as the consumer handles it: taken into the inbox, then written */
  const handleOrder = async (o: AmazonOrder) => {
    await inbox.insertIfAbsent({
      connectionId: o.connectionId,
      topic: 'amazon.orders.v1',
      recordKey: `${o.connectionId}/${o.amazonOrderId}`,
      eventId: o.eventId,
      payload: o,
    });
    await orders.handle(rec('amazon.orders.v1', o));
  };
  const handleRefund = (ev: FinancialEvent) => creditNotes.handle(rec('amazon.financial-events.v1', ev));
  const results = () =>
    publisher.on('erp.write-results.v1').map((r) => [r.value.operation, r.value.outcome, r.value.naturalKey]);
  return {
    erp,
    ledger,
    audit,
    publisher,
    mapping,
    parked,
    buyers,
    customers,
    creditNotes,
    orders,
    handleOrder,
    handleRefund,
    results,
  };
}
