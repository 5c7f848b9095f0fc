import type { AmazonOrder, AmazonOrderTypes } from '@connector/events';
import { decimal, sumDecimals } from '@connector/money';
import type { Order } from '@connector/sp-api';

type OrderStatus = AmazonOrderTypes.ConnectorAmazon.OrderStatus;
type OrderItem = AmazonOrderTypes.ConnectorAmazon.OrderItem;
type Money = { amount: string; currency: string };

const STATUSES: readonly OrderStatus[] = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
  'INVOICE_UNCONFIRMED',
];

/** Report spellings (all-orders report, Orders v0) → the 2026-01-01 names the event uses. */
const REPORT_STATUS: Record<string, OrderStatus> = {
  PendingAvailability: 'PENDING_AVAILABILITY',
  Pending: 'PENDING',
  Unshipped: 'UNSHIPPED',
  PartiallyShipped: 'PARTIALLY_SHIPPED',
  Shipped: 'SHIPPED',
  Canceled: 'CANCELLED',
  Cancelled: 'CANCELLED',
  Unfulfillable: 'UNFULFILLABLE',
  InvoiceUnconfirmed: 'INVOICE_UNCONFIRMED',
};

export interface MappingIssue {
  orderId: string;
  field: string;
  value: string;
}

/** Unexpected values are not fatal: the event says UNKNOWN and the caller logs the issue. */
export interface Mapped {
  order: AmazonOrder;
  issues: MappingIssue[];
}

export const orderEventId = (orderId: string, lastUpdateMs: number) => `${orderId}@${lastUpdateMs}`;

/** An order still waiting for payment carries no prices (FACTS §3.3): it is held until it does. */
export const isPending = (o: AmazonOrder) =>
  o.orderStatus === 'PENDING' || o.orderStatus === 'PENDING_AVAILABILITY';

/** Discounts are carried as positive amounts whatever sign the source uses. */
const positive = (m: Money | null): Money | null => m && { ...m, amount: decimal(m.amount).abs().toFixed() };

function money(m: { amount: string | number; currencyCode: string } | undefined): Money | null {
  return m ? { amount: decimal(String(m.amount)).toFixed(), currency: m.currencyCode } : null;
}

/** Orders API 2026-01-01 Order → AmazonOrder (no buyer PII: the PII store keeps that, see piiRef). */
export function mapApiOrder(
  o: Order,
  ctx: { connectionId: string; sellerId: string; observedAt: number },
): Mapped {
  const issues: MappingIssue[] = [];
  const rawStatus = o.fulfillment?.fulfillmentStatus ?? '';
  const orderStatus = (STATUSES as readonly string[]).includes(rawStatus)
    ? (rawStatus as OrderStatus)
    : 'UNKNOWN';
  if (orderStatus === 'UNKNOWN')
    issues.push({ orderId: o.orderId, field: 'fulfillmentStatus', value: rawStatus });
  const by = o.fulfillment?.fulfilledBy;
  const fulfillmentChannel = by === 'AMAZON' ? 'AFN' : by === 'MERCHANT' ? 'MFN' : 'UNKNOWN';
  if (fulfillmentChannel === 'UNKNOWN')
    issues.push({ orderId: o.orderId, field: 'fulfilledBy', value: String(by) });
  const lastUpdateDate = Date.parse(o.lastUpdatedTime);

  const items: OrderItem[] = o.orderItems.map((it) => {
    const parts = new Map<string, Money>();
    for (const b of it.proceeds?.breakdowns ?? []) {
      const m = money(b.subtotal)!;
      const prev = parts.get(b.type);
      parts.set(b.type, prev ? { ...m, amount: sumDecimals([prev.amount, m.amount]).toFixed() } : m);
      if (!['ITEM', 'SHIPPING', 'TAX', 'DISCOUNT', 'GIFT_WRAP', 'COD_FEE', 'OTHER'].includes(b.type))
        issues.push({ orderId: o.orderId, field: 'proceeds.breakdowns.type', value: b.type });
    }
    const discount = parts.get('DISCOUNT');
    return {
      orderItemId: it.orderItemId,
      sellerSku: it.product.sellerSku ?? '',
      asin: it.product.asin ?? '',
      title: it.product.title ?? null,
      quantityOrdered: it.quantityOrdered,
      quantityShipped: it.fulfillment?.quantityFulfilled ?? 0,
      itemPrice: parts.get('ITEM') ?? null,
      itemTax: parts.get('TAX') ?? null,
      shippingPrice: parts.get('SHIPPING') ?? null,
      shippingTax: null,
      shippingDiscount: null,
      // Amazon sends discounts negative; the event carries them as positive amounts
      promotionDiscount: positive(discount ?? null),
      promotionDiscountTax: null,
      promotionIds: [],
    };
  });

  const programs = o.programs ?? [];
  return {
    order: {
      eventId: orderEventId(o.orderId, lastUpdateDate),
      connectionId: ctx.connectionId,
      amazonOrderId: o.orderId,
      sellerId: ctx.sellerId,
      marketplaceId: o.salesChannel.marketplaceId ?? '',
      salesChannel:
        o.salesChannel.channelName === 'NON_AMAZON' ? 'NON_AMAZON' : (o.salesChannel.marketplaceName ?? null),
      orderStatus,
      fulfillmentChannel,
      purchaseDate: Date.parse(o.createdTime),
      lastUpdateDate,
      orderTotal: money(o.proceeds?.grandTotal),
      isBusinessOrder: programs.includes('AMAZON_BUSINESS'),
      isPrime: programs.includes('PRIME'),
      isReplacementOrder: (o.associatedOrders ?? []).some(
        (a) => a.associationType === 'REPLACEMENT_ORIGINAL_ID',
      ),
      replacedOrderId:
        (o.associatedOrders ?? []).find((a) => a.associationType === 'REPLACEMENT_ORIGINAL_ID')?.orderId ??
        null,
      shipServiceLevel: o.fulfillment?.fulfillmentServiceLevel ?? null,
      earliestShipDate: null,
      latestShipDate: null,
      shipTo: null,
      piiRef: null,
      items,
      changeType: 'UNKNOWN',
      source: 'ORDERS_API',
      observedAt: ctx.observedAt,
    },
    issues,
  };
}

/**
 * GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL (FACTS §6): one tab-separated row per order
 * item, columns by name; rows of one order are grouped into one AmazonOrder.
 */
export function* mapAllOrdersReport(
  text: string,
  ctx: {
    connectionId: string;
    sellerId: string;
    observedAt: number;
    marketplaceByChannel: (salesChannel: string) => string | undefined;
  },
): Generator<Mapped> {
  const rows = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const header = (rows.shift() ?? '').replace(/^\uFEFF/, '').split('\t');
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  for (const need of ['amazon-order-id', 'last-updated-date', 'order-status', 'sku', 'quantity'])
    if (!col.has(need)) throw new Error(`all-orders report without column ${need}`);
  let current: Mapped | undefined;
  for (const line of rows) {
    if (!line.trim()) continue;
    const cells = line.split('\t');
    const v = (c: string) => (cells[col.get(c) ?? -1] ?? '').trim();
    const orderId = v('amazon-order-id');
    if (current && current.order.amazonOrderId !== orderId) {
      yield withTotals(current);
      current = undefined;
    }
    const currency = v('currency');
    const amt = (c: string, negate = false): Money | null => {
      const raw = v(c);
      if (!raw || !currency) return null;
      const d = decimal(raw);
      return { amount: (negate ? d.neg() : d).toFixed(), currency };
    };
    if (!current) {
      const issues: MappingIssue[] = [];
      const status = REPORT_STATUS[v('order-status')] ?? 'UNKNOWN';
      if (status === 'UNKNOWN') issues.push({ orderId, field: 'order-status', value: v('order-status') });
      const channel = v('fulfillment-channel');
      const lastUpdateDate = Date.parse(v('last-updated-date'));
      const salesChannel = v('sales-channel');
      current = {
        order: {
          eventId: orderEventId(orderId, lastUpdateDate),
          connectionId: ctx.connectionId,
          amazonOrderId: orderId,
          sellerId: ctx.sellerId,
          marketplaceId: ctx.marketplaceByChannel(salesChannel) ?? '',
          salesChannel: salesChannel || null,
          orderStatus: status,
          fulfillmentChannel: channel === 'Amazon' ? 'AFN' : channel === 'Merchant' ? 'MFN' : 'UNKNOWN',
          purchaseDate: Date.parse(v('purchase-date')),
          lastUpdateDate,
          orderTotal: null,
          isBusinessOrder: v('is-business-order') === 'true',
          isPrime: false,
          isReplacementOrder: false,
          replacedOrderId: null,
          shipServiceLevel: v('ship-service-level') || null,
          earliestShipDate: null,
          latestShipDate: null,
          shipTo: null,
          piiRef: null,
          items: [],
          changeType: 'UNKNOWN',
          source: 'ORDERS_REPORT',
          observedAt: ctx.observedAt,
        },
        issues,
      };
      if (!current.order.marketplaceId) issues.push({ orderId, field: 'sales-channel', value: salesChannel });
    }
    current.order.items.push({
      orderItemId: `${orderId}/${current.order.items.length + 1}`,
      sellerSku: v('sku'),
      asin: v('asin'),
      title: v('product-name') || null,
      quantityOrdered: Number(v('quantity') || 0),
      quantityShipped: v('item-status') === 'Shipped' ? Number(v('quantity') || 0) : 0,
      itemPrice: amt('item-price'),
      itemTax: amt('item-tax'),
      shippingPrice: amt('shipping-price'),
      shippingTax: amt('shipping-tax'),
      shippingDiscount: positive(amt('ship-promotion-discount')),
      promotionDiscount: positive(amt('item-promotion-discount')),
      promotionDiscountTax: null,
      promotionIds: v('promotion-ids')
        ? v('promotion-ids')
            .split(',')
            .map((s) => s.trim())
        : [],
    });
  }
  if (current) yield withTotals(current);
}

/** The report has no order total: it is the sum of what the buyer pays per line, once prices exist. */
function withTotals(m: Mapped): Mapped {
  const items = m.order.items;
  const currency = items.find((i) => i.itemPrice)?.itemPrice?.currency;
  if (!currency) return m;
  const plus = items.flatMap((i) => [i.itemPrice, i.itemTax, i.shippingPrice, i.shippingTax]);
  const minus = items.flatMap((i) => [i.promotionDiscount, i.shippingDiscount]);
  const total = sumDecimals(plus.filter((x) => x).map((x) => x!.amount)).minus(
    sumDecimals(minus.filter((x) => x).map((x) => x!.amount)),
  );
  m.order.orderTotal = { amount: total.toFixed(), currency };
  return m;
}
