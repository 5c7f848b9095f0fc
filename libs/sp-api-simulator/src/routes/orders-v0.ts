import { formatCents, itemTotalCents, orderTotalCents, type SimOrder } from '../dataset';
import {
  DAY,
  TWO_MINUTES,
  dateParam,
  invalid,
  iso,
  list,
  nextQueryToken,
  notFound,
  readQueryToken,
  type Answer,
} from '../http';
import { amazonMarketplace, checkMarketplaces } from '../marketplaces';
import { shippedQuantity } from '../render';
import type { Route, RouteContext } from './route';

/**
 * Orders API v0 (reference/sp-api/FACTS.md §3.1–3.5): getOrders, getOrder, getOrderItems (deprecated,
 * served until v0's retirement on 2027-03-27, FACTS §0) and confirmShipment (which stays in v0).
 */
const STATUS: Record<SimOrder['status'], string> = {
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
};
const ORDER_STATUSES = [
  'PendingAvailability',
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'InvoiceUnconfirmed',
  'Canceled',
  'Unfulfillable',
];
const money = (cents: number, CurrencyCode: string) => ({ CurrencyCode, Amount: formatCents(cents) });
const channelOf = (o: SimOrder) => (o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN');
/** the anonymised relay address Amazon gives the buyer (no real PII) */
const buyerEmailOf = (o: SimOrder) => `${o.orderId.replace(/-/g, '')}@marketplace.amazon.com`;
/** merchant-fulfilled orders carry ship and delivery windows; Amazon-fulfilled ones do not (FACTS §3.2) */
const deliveryWindow = (o: SimOrder) =>
  o.fulfilledBy === 'MERCHANT'
    ? {
        earliestShip: o.createdMs,
        latestShip: o.createdMs + 2 * DAY,
        earliestDelivery: o.createdMs + 3 * DAY,
        latestDelivery: o.createdMs + 7 * DAY,
      }
    : undefined;

/** An order as v0 returns it (definitions/Order), without the restricted BuyerInfo and ShippingAddress. */
export function renderOrderV0(o: SimOrder) {
  const mp = amazonMarketplace(o.marketplaceId)!;
  const shipped = o.items.reduce((n, it) => n + shippedQuantity(o, it), 0);
  const ordered = o.items.reduce((n, it) => n + it.quantity, 0);
  const window = deliveryWindow(o);
  return {
    AmazonOrderId: o.orderId,
    SellerOrderId: o.orderId,
    PurchaseDate: iso(o.createdMs),
    LastUpdateDate: iso(o.lastUpdatedMs),
    OrderStatus: STATUS[o.status],
    FulfillmentChannel: channelOf(o),
    SalesChannel: mp.name,
    ShipServiceLevel: 'Std Dom',
    // no order total while Pending (FACTS §3.2)
    ...(o.status === 'PENDING' ? {} : { OrderTotal: money(orderTotalCents(o), o.currency) }),
    NumberOfItemsShipped: shipped,
    NumberOfItemsUnshipped: o.status === 'CANCELLED' ? 0 : ordered - shipped,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: o.marketplaceId,
    ShipmentServiceLevelCategory: 'Standard',
    OrderType: 'StandardOrder',
    ...(window
      ? {
          EarliestShipDate: iso(window.earliestShip),
          LatestShipDate: iso(window.latestShip),
          EarliestDeliveryDate: iso(window.earliestDelivery),
          LatestDeliveryDate: iso(window.latestDelivery),
        }
      : {}),
    IsBusinessOrder: false,
    IsPrime: false,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsSoldByAB: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
  };
}

/** The items of an order as v0 returns them: no prices, taxes, shipping or promotions while Pending (FACTS §3.3). */
export function renderOrderItemsV0(o: SimOrder) {
  const pending = o.status === 'PENDING';
  const taxed = o.items.some((it) => it.taxCents > 0);
  return o.items.map((it) => ({
    ASIN: it.asin,
    SellerSKU: it.sku,
    OrderItemId: it.orderItemId,
    Title: it.title,
    QuantityOrdered: it.quantity,
    QuantityShipped: shippedQuantity(o, it),
    ProductInfo: { NumberOfItems: '1' },
    ...(pending
      ? {}
      : {
          ItemPrice: money(itemTotalCents(it), o.currency),
          ItemTax: money(it.taxCents, o.currency),
          ShippingPrice: money(it.shippingCents, o.currency),
          ShippingTax: money(0, o.currency),
          ShippingDiscount: money(0, o.currency),
          ShippingDiscountTax: money(0, o.currency),
          PromotionDiscount: money(it.promotionCents, o.currency),
          PromotionDiscountTax: money(0, o.currency),
          ...(it.promotionCents ? { PromotionIds: ['SIM-PROMO'] } : {}),
        }),
    IsGift: 'false',
    ConditionId: 'New',
    ConditionSubtypeId: 'New',
    IsTransparency: false,
    SerialNumberRequired: false,
    ...(taxed && !pending
      ? { TaxCollection: { Model: 'MarketplaceFacilitator', ResponsibleParty: 'Amazon Services, Inc.' } }
      : {}),
  }));
}

/** getOrders: every filter of the model (FACTS §3.1); NextToken carries the first page's query. */
function getOrders({ state, sellerId, query: q }: RouteContext): Answer {
  const token = readQueryToken(q.get('NextToken'), q);
  if (!token) return invalid('Invalid NextToken.');
  const query = new URLSearchParams(token.q);
  const marketplaces = list(query, 'MarketplaceIds') ?? [];
  const refused = checkMarketplaces(state.seller(sellerId), marketplaces);
  if (refused) return refused;
  const created = query.has('CreatedAfter');
  const updated = query.has('LastUpdatedAfter');
  if (!created && !updated)
    return invalid('Either CreatedAfter or LastUpdatedAfter is required. Both cannot be empty.');
  if (created && (updated || query.has('LastUpdatedBefore')))
    return invalid('LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter is set.');
  if (updated && query.has('CreatedBefore'))
    return invalid('CreatedBefore cannot be set when LastUpdatedAfter is set.');
  const prefix = created ? 'Created' : 'LastUpdated';
  const after = dateParam(query, `${prefix}After`)!;
  if (Number.isNaN(after)) return invalid(`${prefix}After is not a valid ISO 8601 date-time.`);
  const latest = state.now() - TWO_MINUTES;
  const before = dateParam(query, `${prefix}Before`) ?? latest;
  if (Number.isNaN(before)) return invalid(`${prefix}Before is not a valid ISO 8601 date-time.`);
  if (before > latest)
    return invalid(`${prefix}Before must be at least two minutes before the current time.`);
  if (after > before) return invalid(`${prefix}After must be before ${prefix}Before.`);
  if (after > latest) return invalid(`${prefix}After must be at least two minutes before the current time.`);
  const size = Number(query.get('MaxResultsPerPage') ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    return invalid('MaxResultsPerPage must be between 1 and 100.');
  const statuses = list(query, 'OrderStatuses');
  const unknownStatus = statuses?.find((s) => !ORDER_STATUSES.includes(s));
  if (unknownStatus) return invalid(`${unknownStatus} is not a valid value for OrderStatuses.`);
  const channels = list(query, 'FulfillmentChannels');
  if (channels?.some((c) => c !== 'AFN' && c !== 'MFN'))
    return invalid('FulfillmentChannels must be AFN or MFN.');
  const payments = list(query, 'PaymentMethods');
  if (payments?.some((m) => !['COD', 'CVS', 'Other'].includes(m)))
    return invalid('PaymentMethods must be COD, CVS or Other.');
  const sellerOrderId = query.get('SellerOrderId');
  if (
    sellerOrderId &&
    [
      'FulfillmentChannels',
      'OrderStatuses',
      'PaymentMethods',
      'LastUpdatedAfter',
      'LastUpdatedBefore',
      'BuyerEmail',
    ].some((k) => query.has(k))
  )
    return invalid(
      'SellerOrderId cannot be combined with FulfillmentChannels, OrderStatuses, PaymentMethods, LastUpdated dates or BuyerEmail.',
    );
  const orderIds = list(query, 'AmazonOrderIds');
  if (orderIds && orderIds.length > 50) return invalid('AmazonOrderIds takes at most 50 ids.');
  const buyerEmail = query.get('BuyerEmail');
  const delivery = [
    'EarliestDeliveryDateBefore',
    'EarliestDeliveryDateAfter',
    'LatestDeliveryDateBefore',
    'LatestDeliveryDateAfter',
  ].map((k) => dateParam(query, k));
  if (delivery.some((d) => d !== undefined && Number.isNaN(d)))
    return invalid('Delivery date filters must be ISO 8601 date-times.');
  const [edBefore, edAfter, ldBefore, ldAfter] = delivery;
  // the simulated sellers have no Easy Ship (India), e-invoicing (Brazil) or in-store pickup orders
  const noneMatch =
    query.has('EasyShipShipmentStatuses') ||
    query.has('ElectronicInvoiceStatuses') ||
    query.has('StoreChainStoreId') ||
    query.has('ActualFulfillmentSupplySourceId') ||
    query.get('IsISPU') === 'true' ||
    Boolean(payments && !payments.includes('Other'));
  const field = created ? 'createdMs' : 'lastUpdatedMs';
  const matching = noneMatch
    ? []
    : state.orders.filter((o) => {
        if (o.sellerId !== sellerId || !marketplaces.includes(o.marketplaceId)) return false;
        if (o[field] < after || o[field] >= before) return false;
        if (statuses && !statuses.includes(STATUS[o.status])) return false;
        if (channels && !channels.includes(channelOf(o))) return false;
        if (orderIds && !orderIds.includes(o.orderId)) return false;
        if (sellerOrderId && o.orderId !== sellerOrderId) return false;
        if (buyerEmail && buyerEmailOf(o) !== buyerEmail) return false;
        if (delivery.some((d) => d !== undefined)) {
          const w = deliveryWindow(o);
          if (!w) return false;
          if (edBefore !== undefined && w.earliestDelivery >= edBefore) return false;
          if (edAfter !== undefined && w.earliestDelivery < edAfter) return false;
          if (ldBefore !== undefined && w.latestDelivery >= ldBefore) return false;
          if (ldAfter !== undefined && w.latestDelivery < ldAfter) return false;
        }
        return true;
      });
  // the first page fixes the window's end, so later pages see the same orders
  if (!query.has(`${prefix}Before`)) query.set(`${prefix}Before`, iso(before));
  const pinned = { offset: token.offset, q: query.toString() };
  const page = matching.slice(token.offset, token.offset + size);
  return [
    200,
    {
      payload: {
        Orders: page.map(renderOrderV0),
        ...(token.offset + size < matching.length
          ? { NextToken: nextQueryToken(token.offset + size, pinned) }
          : {}),
        [`${prefix}Before`]: iso(before),
      },
    },
  ];
}

function getOrder({ state, sellerId, params: [orderId] }: RouteContext): Answer {
  const o = state.order(sellerId, orderId);
  if (!o) return notFound(`Order ${orderId} not found.`);
  return [200, { payload: renderOrderV0(o) }];
}

function getOrderItems({ state, sellerId, params: [orderId] }: RouteContext): Answer {
  const o = state.order(sellerId, orderId);
  if (!o) return notFound(`Order ${orderId} not found.`);
  return [200, { payload: { AmazonOrderId: o.orderId, OrderItems: renderOrderItemsV0(o) } }];
}

interface ConfirmShipmentRequest {
  marketplaceId: string;
  packageDetail: {
    packageReferenceId: string;
    carrierCode: string;
    carrierName?: string;
    shippingMethod?: string;
    trackingNumber: string;
    shipDate: string;
    orderItems: Array<{ orderItemId: string; quantity?: number }>;
  };
}

/** One package Amazon accepted for an order (confirmShipment answered 204). */
export interface SimShipment {
  packageReferenceId: string;
  carrierCode: string;
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber: string;
  shipDate: string;
  /** units per order item, as confirmed */
  orderItems: Array<{ orderItemId: string; quantity: number }>;
  confirmedAtMs: number;
}

/** The packages confirmed per order, kept beside the order so tests can count them. */
const SHIPMENTS = new WeakMap<SimOrder, SimShipment[]>();

/** The packages Amazon accepted for an order, in the order they were confirmed. */
export function confirmedShipments(o: SimOrder): readonly SimShipment[] {
  return SHIPMENTS.get(o) ?? [];
}

/**
 * What Amazon answers when a package cannot be created because the order is already fulfilled or the
 * package is already on it ([I] amzn/selling-partner-api-models issue 5037, 2025-11: "Failed to create
 * package due to not finding a matching package or order already fulfilled."). The status and code
 * (400 InvalidInput) are the model's for a refused confirmation; the exact wording for a repeated
 * packageReferenceId is not documented [?], so the simulator gives both cases this one message.
 */
export const ALREADY_FULFILLED_MESSAGE =
  'Failed to create package due to not finding a matching package or order already fulfilled.';

/**
 * confirmShipment (FACTS §3.5): the model checked the body's shape already; here what only the order can
 * tell. A merchant-fulfilled order that is neither Pending nor cancelled, in the marketplace named, items
 * of that order in quantities still to ship. The order then shows the shipment.
 */
function confirmShipment({ state, sellerId, params: [orderId], body }: RouteContext): Answer {
  const o = state.order(sellerId, orderId);
  if (!o) return notFound(`Order ${orderId} not found.`);
  const req = body as ConfirmShipmentRequest;
  const pkg = req.packageDetail;
  if (req.marketplaceId !== o.marketplaceId)
    return invalid(`Order ${orderId} does not belong to marketplace ${req.marketplaceId}.`);
  if (!/^[1-9]\d*$/.test(pkg.packageReferenceId))
    return invalid('packageReferenceId must be a positive number.');
  if (pkg.carrierCode === 'Other' && !pkg.carrierName)
    return invalid('carrierName is required when carrierCode is Other.');
  if (o.status === 'CANCELLED') return invalid(`Order ${orderId} is canceled; it cannot be shipped.`);
  if (o.status === 'PENDING') return invalid(`Order ${orderId} is pending; it cannot be shipped yet.`);
  if (o.fulfilledBy === 'AMAZON')
    return invalid(`Order ${orderId} is fulfilled by Amazon; Amazon confirms its shipment.`);
  // packageReferenceId identifies a package within the order: the same package is never created twice
  const packages = SHIPMENTS.get(o) ?? [];
  if (o.status === 'SHIPPED' || packages.some((p) => p.packageReferenceId === pkg.packageReferenceId))
    return invalid(ALREADY_FULFILLED_MESSAGE);
  const shipped = new Map(o.items.map((it) => [it, shippedQuantity(o, it)]));
  // an empty list ships every unit still to ship (an assumption: the model requires the list, not its length)
  const lines = pkg.orderItems.length
    ? pkg.orderItems
    : o.items
        .filter((it) => shipped.get(it)! < it.quantity)
        .map((it): { orderItemId: string; quantity?: number } => ({ orderItemId: it.orderItemId }));
  const confirmed: SimShipment['orderItems'] = [];
  for (const line of lines) {
    const it = o.items.find((x) => x.orderItemId === line.orderItemId);
    if (!it) return invalid(`Order item ${line.orderItemId} is not part of order ${orderId}.`);
    const quantity = line.quantity ?? it.quantity - shipped.get(it)!;
    if (quantity < 1 || shipped.get(it)! + quantity > it.quantity)
      return invalid(
        `Order item ${line.orderItemId} has ${it.quantity - shipped.get(it)!} unit(s) left to ship.`,
      );
    shipped.set(it, shipped.get(it)! + quantity);
    confirmed.push({ orderItemId: it.orderItemId, quantity });
  }
  for (const [it, n] of shipped) it.shippedQuantity = n;
  SHIPMENTS.set(o, [
    ...packages,
    {
      packageReferenceId: pkg.packageReferenceId,
      carrierCode: pkg.carrierCode,
      ...(pkg.carrierName ? { carrierName: pkg.carrierName } : {}),
      ...(pkg.shippingMethod ? { shippingMethod: pkg.shippingMethod } : {}),
      trackingNumber: pkg.trackingNumber,
      shipDate: pkg.shipDate,
      orderItems: confirmed,
      confirmedAtMs: state.now(),
    },
  ]);
  o.status = o.items.every((it) => it.shippedQuantity === it.quantity) ? 'SHIPPED' : 'PARTIALLY_SHIPPED';
  o.lastUpdatedMs = state.now();
  return [204, undefined];
}

export const ordersV0Routes: Route[] = [
  {
    method: 'GET',
    path: /^\/orders\/v0\/orders$/,
    model: 'ordersV0',
    operation: 'getOrders',
    run: getOrders,
  },
  {
    method: 'GET',
    path: /^\/orders\/v0\/orders\/([^/]+)$/,
    model: 'ordersV0',
    operation: 'getOrder',
    run: getOrder,
  },
  {
    method: 'GET',
    path: /^\/orders\/v0\/orders\/([^/]+)\/orderItems$/,
    model: 'ordersV0',
    operation: 'getOrderItems',
    run: getOrderItems,
  },
  {
    method: 'POST',
    path: /^\/orders\/v0\/orders\/([^/]+)\/shipmentConfirmation$/,
    model: 'ordersV0',
    operation: 'confirmShipment',
    run: confirmShipment,
  },
];
