import { createHash } from 'node:crypto';
import { NonRetriableError } from '@connector/core';
import type { AmazonOrder, AmazonOrderTypes } from '@connector/events';
import { InvalidAmountError, decimal, sumDecimals } from '@connector/money';
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

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The buyer key of an order (AmazonOrder.buyerKey, docs/order-to-cash.md): base32 of SHA-256 over
 * `<sellerId>:<BuyerEmail>`. BuyerEmail is Amazon's anonymised relay address of the buyer
 * (…@marketplace.amazon.com), the same for every order of one buyer with one seller; the hash cannot
 * be turned back into it, and the seller id in it keeps keys of two sellers apart. Null without an
 * e-mail (Amazon gives none without the BUYER data, nor in reports). The address is lower-cased and
 * trimmed first, so a change of case does not make a new buyer.
 */
export function buyerKeyOf(sellerId: string, buyerEmail: unknown): string | null {
  if (typeof buyerEmail !== 'string' || buyerEmail.trim() === '') return null;
  return base32(
    createHash('sha256').update(`${sellerId}:${buyerEmail.trim().toLowerCase()}`, 'utf8').digest(),
  );
}

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

/**
 * An order Amazon sent that cannot become an event: a required field missing or of the wrong type,
 * an impossible date, an amount that is not an exact decimal(18,4). Final for this version of the
 * order; the sync rejects it (logged and counted, no buyer data) and goes on with the others.
 */
export class AmazonOrderShapeError extends NonRetriableError {
  constructor(
    readonly orderId: string,
    readonly field: string,
    reason: string,
  ) {
    super('SPAPI_ORDER_MALFORMED', `order ${orderId}: ${field} ${reason}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks an answer's fields before they are read, so that a bad one names itself instead of a TypeError. */
class Shape {
  constructor(private readonly orderId: string) {}
  fail(field: string, reason: string): never {
    throw new AmazonOrderShapeError(this.orderId, field, reason);
  }
  object(v: unknown, field: string): Record<string, unknown> {
    if (!isObject(v)) this.fail(field, `is ${v === null ? 'null' : typeof v}, expected an object`);
    return v;
  }
  optObject(v: unknown, field: string): Record<string, unknown> | undefined {
    return v === undefined || v === null ? undefined : this.object(v, field);
  }
  array(v: unknown, field: string, optional = false): unknown[] {
    if (optional && (v === undefined || v === null)) return [];
    if (!Array.isArray(v)) this.fail(field, `is ${typeof v}, expected an array`);
    return v;
  }
  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v === '') this.fail(field, 'is missing or not a string');
    return v;
  }
  optString(v: unknown, field: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(field, `is ${typeof v}, expected a string`);
    return v;
  }
  count(v: unknown, field: string, optional = false): number {
    if (optional && (v === undefined || v === null)) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2_147_483_647)
      this.fail(field, 'is not a whole number of units');
    return v;
  }
  time(v: unknown, field: string): number {
    const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) this.fail(field, 'is not an ISO 8601 date-time');
    return ms;
  }
  /** Money as Amazon sends it: amount a decimal string (or a safe integer), a three-letter currency. */
  money(v: unknown, field: string): Money | null {
    if (v === undefined || v === null) return null;
    const m = this.object(v, field);
    const raw = m.amount;
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isSafeInteger(raw)))
      this.fail(`${field}.amount`, 'is not an exact decimal');
    let amount: string;
    try {
      amount = decimal(String(raw)).toFixed();
    } catch (err) {
      if (err instanceof InvalidAmountError) this.fail(`${field}.amount`, 'is not a plain decimal');
      throw err;
    }
    const [whole, fraction = ''] = amount.replace('-', '').split('.');
    if (fraction.length > 4 || whole.length > 14) this.fail(`${field}.amount`, 'does not fit decimal(18,4)');
    if (typeof m.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(m.currencyCode))
      this.fail(`${field}.currencyCode`, 'is not an ISO 4217 code');
    return { amount, currency: m.currencyCode };
  }
}

/** Orders API 2026-01-01 Order → AmazonOrder (no buyer PII: the PII store keeps that, see piiRef). */
export function mapApiOrder(
  o: Order,
  ctx: { connectionId: string; sellerId: string; observedAt: number },
): Mapped {
  const issues: MappingIssue[] = [];
  const orderId =
    isObject(o) && typeof o.orderId === 'string' && o.orderId !== '' ? o.orderId : '(no orderId)';
  const shape = new Shape(orderId);
  shape.object(o, 'order');
  shape.string(o.orderId, 'orderId');
  const createdTime = shape.time(o.createdTime, 'createdTime');
  const lastUpdateDate = shape.time(o.lastUpdatedTime, 'lastUpdatedTime');
  const salesChannel = shape.object(o.salesChannel, 'salesChannel');
  shape.optString(salesChannel.marketplaceId, 'salesChannel.marketplaceId');
  shape.optString(salesChannel.marketplaceName, 'salesChannel.marketplaceName');
  const fulfillment = shape.optObject(o.fulfillment, 'fulfillment');
  shape.optString(fulfillment?.fulfillmentServiceLevel, 'fulfillment.fulfillmentServiceLevel');
  const proceeds = shape.optObject(o.proceeds, 'proceeds');
  const orderTotal = shape.money(proceeds?.grandTotal, 'proceeds.grandTotal');
  const programs = shape.array(o.programs, 'programs', true);
  const associated = shape.array(o.associatedOrders, 'associatedOrders', true).map((a, i) => {
    const x = shape.object(a, `associatedOrders[${i}]`);
    return { orderId: shape.optString(x.orderId, `associatedOrders[${i}].orderId`), type: x.associationType };
  });
  const rawItems = shape.array(o.orderItems, 'orderItems').map((it, i) => {
    const item = shape.object(it, `orderItems[${i}]`);
    shape.string(item.orderItemId, `orderItems[${i}].orderItemId`);
    shape.count(item.quantityOrdered, `orderItems[${i}].quantityOrdered`);
    const product = shape.object(item.product ?? {}, `orderItems[${i}].product`);
    for (const f of ['sellerSku', 'asin', 'title'])
      shape.optString(product[f], `orderItems[${i}].product.${f}`);
    const f = shape.optObject(item.fulfillment, `orderItems[${i}].fulfillment`);
    shape.count(f?.quantityFulfilled, `orderItems[${i}].fulfillment.quantityFulfilled`, true);
    const p = shape.optObject(item.proceeds, `orderItems[${i}].proceeds`);
    const breakdowns = shape
      .array(p?.breakdowns, `orderItems[${i}].proceeds.breakdowns`, true)
      .map((b, k) => {
        const at = `orderItems[${i}].proceeds.breakdowns[${k}]`;
        const x = shape.object(b, at);
        return {
          type: shape.string(x.type, `${at}.type`),
          subtotal: shape.money(x.subtotal, `${at}.subtotal`),
        };
      });
    return { breakdowns };
  });
  const rawStatus = String(o.fulfillment?.fulfillmentStatus ?? '');
  const orderStatus = (STATUSES as readonly string[]).includes(rawStatus)
    ? (rawStatus as OrderStatus)
    : 'UNKNOWN';
  if (orderStatus === 'UNKNOWN')
    issues.push({ orderId: o.orderId, field: 'fulfillmentStatus', value: rawStatus });
  const by = o.fulfillment?.fulfilledBy;
  const fulfillmentChannel = by === 'AMAZON' ? 'AFN' : by === 'MERCHANT' ? 'MFN' : 'UNKNOWN';
  if (fulfillmentChannel === 'UNKNOWN')
    issues.push({ orderId: o.orderId, field: 'fulfilledBy', value: String(by) });

  const items: OrderItem[] = o.orderItems.map((it, i) => {
    const parts = new Map<string, Money>();
    for (const b of rawItems[i].breakdowns) {
      const m = b.subtotal;
      if (!m) continue;
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
      purchaseDate: createdTime,
      lastUpdateDate,
      orderTotal,
      isBusinessOrder: programs.includes('AMAZON_BUSINESS'),
      isPrime: programs.includes('PRIME'),
      isReplacementOrder: associated.some((a) => a.type === 'REPLACEMENT_ORIGINAL_ID'),
      replacedOrderId: associated.find((a) => a.type === 'REPLACEMENT_ORIGINAL_ID')?.orderId ?? null,
      shipServiceLevel: o.fulfillment?.fulfillmentServiceLevel ?? null,
      earliestShipDate: null,
      latestShipDate: null,
      shipTo: null,
      piiRef: null,
      items,
      changeType: 'UNKNOWN',
      source: 'ORDERS_API',
      observedAt: ctx.observedAt,
      buyerKey: buyerKeyOf(ctx.sellerId, (o.buyer as { buyerEmail?: unknown } | undefined)?.buyerEmail),
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
          buyerKey: null,
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
