import { formatCents, itemTotalCents, type SimOrder } from '../dataset';
import {
  DAY,
  dateParam,
  errorBody,
  invalid,
  iso,
  list,
  nextQueryToken,
  notFound,
  readQueryToken,
  type Answer,
} from '../http';
import { checkMarketplaces } from '../marketplaces';
import type { SimReport, SimState } from '../state';
import type { Route, RouteContext } from './route';

/**
 * Reports API 2021-06-30 (reference/sp-api/FACTS.md §6): settlement reports as Amazon schedules them
 * (listed, never requested) and the all-orders report on request, IN_QUEUE → IN_PROGRESS → DONE.
 */
export function renderReport(state: SimState, r: SimReport) {
  const now = state.now();
  const done = now >= r.readyMs;
  return {
    reportId: r.reportId,
    reportType: r.reportType,
    marketplaceIds: r.marketplaceIds,
    createdTime: iso(r.createdMs),
    processingStatus: done
      ? 'DONE'
      : now >= r.createdMs + (r.readyMs - r.createdMs) / 2
        ? 'IN_PROGRESS'
        : 'IN_QUEUE',
    ...(done
      ? {
          processingStartTime: iso(r.createdMs),
          processingEndTime: iso(r.readyMs),
          reportDocumentId: r.documentId,
        }
      : {}),
    ...(r.dataStartTime ? { dataStartTime: r.dataStartTime } : {}),
    ...(r.dataEndTime ? { dataEndTime: r.dataEndTime } : {}),
  };
}

/** getReports: every filter of the model; with nextToken, no other parameter (FACTS §6). */
function getReports({ state, sellerId, query: q }: RouteContext): Answer {
  const next = q.get('nextToken');
  if (!next && !q.has('reportTypes')) return invalid('reportTypes or nextToken is required.');
  if (next && [...q.keys()].some((k) => k !== 'nextToken'))
    return invalid('nextToken must be the only parameter.');
  const token = readQueryToken(next, q);
  if (!token) return invalid('Invalid nextToken.');
  const query = new URLSearchParams(token.q);
  const types = list(query, 'reportTypes')!;
  const statuses = list(query, 'processingStatuses');
  const marketplaces = list(query, 'marketplaceIds');
  if (marketplaces) {
    const refused = checkMarketplaces(state.seller(sellerId), marketplaces);
    if (refused) return refused;
  }
  const now = state.now();
  const since = dateParam(query, 'createdSince') ?? now - 90 * DAY;
  const until = dateParam(query, 'createdUntil') ?? now;
  if (since > until) return invalid('createdSince must be before createdUntil.');
  const size = Number(query.get('pageSize') ?? 10);
  const matching = state.reports
    .filter(
      (r) =>
        r.sellerId === sellerId &&
        types.includes(r.reportType) &&
        // Amazon keeps reports 90 days
        r.createdMs >= Math.max(since, now - 90 * DAY) &&
        r.createdMs <= Math.min(until, now),
    )
    .filter((r) => !marketplaces || r.marketplaceIds.some((m) => marketplaces.includes(m)))
    .filter((r) => !statuses || statuses.includes(renderReport(state, r).processingStatus))
    .sort((a, b) => b.createdMs - a.createdMs);
  const page = matching.slice(token.offset, token.offset + size);
  const nextToken =
    token.offset + size < matching.length ? nextQueryToken(token.offset + size, token) : undefined;
  return [200, { reports: page.map((r) => renderReport(state, r)), ...(nextToken ? { nextToken } : {}) }];
}

interface CreateReportSpecification {
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: string;
  dataEndTime?: string;
}

function createReport({ state, sellerId, body }: RouteContext): Answer {
  const spec = body as CreateReportSpecification;
  const refused = checkMarketplaces(state.seller(sellerId), spec.marketplaceIds);
  if (refused) return refused;
  if (spec.reportType.startsWith('GET_V2_SETTLEMENT_REPORT'))
    return invalid('Settlement reports cannot be requested; they are scheduled by Amazon.');
  if (spec.reportType === 'GET_MERCHANT_LISTINGS_ALL_DATA') {
    const reportId = state.newId();
    const now = state.now();
    const report: SimReport = {
      reportId,
      reportType: spec.reportType,
      sellerId,
      marketplaceIds: spec.marketplaceIds,
      createdMs: now,
      readyMs: now + Math.ceil(120_000 / state.opts.speedFactor),
      documentId: `amzn1.spdoc.1.4.na.sim.${reportId}`,
      content: () => merchantListingsReport(state, sellerId, spec.marketplaceIds[0]),
    };
    state.reports.push(report);
    state.notifications.reportRequested(report);
    return [202, { reportId }];
  }
  if (spec.reportType !== 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL')
    return invalid(`The simulator does not produce ${spec.reportType}.`);
  const now = state.now();
  const from = spec.dataStartTime ? Date.parse(spec.dataStartTime) : now - 30 * DAY;
  const to = spec.dataEndTime ? Date.parse(spec.dataEndTime) : now;
  if (from > now || to > now) return invalid('dataStartTime and dataEndTime cannot be in the future.');
  if (from > to) return invalid('dataStartTime must be before dataEndTime.');
  const reportId = state.newId();
  const report: SimReport = {
    reportId,
    reportType: spec.reportType,
    sellerId,
    marketplaceIds: spec.marketplaceIds,
    createdMs: now,
    readyMs: now + Math.ceil(120_000 / state.opts.speedFactor),
    dataStartTime: iso(from),
    dataEndTime: iso(to),
    documentId: `amzn1.spdoc.1.4.na.sim.${reportId}`,
    content: () => allOrdersReport(state, sellerId, spec.marketplaceIds, from, to),
  };
  state.reports.push(report);
  state.notifications.reportRequested(report);
  return [202, { reportId }];
}

function getReport({ state, sellerId, params: [reportId] }: RouteContext): Answer {
  const r = state.reports.find((x) => x.reportId === reportId && x.sellerId === sellerId);
  if (!r) return notFound(`Report ${reportId} not found.`);
  return [200, renderReport(state, r)];
}

function getReportDocument({ state, sellerId, params: [documentId], query }: RouteContext): Answer {
  const r = state.reports.find(
    (x) => x.documentId === documentId && x.sellerId === sellerId && state.now() >= x.readyMs,
  );
  if (!r) return [404, errorBody('NotFound', `Document ${documentId} not found.`)];
  const url = state.signedUrl(documentId, query.get('enableContentEncodingUrlHeader') === 'true');
  return [200, { reportDocumentId: documentId, url, compressionAlgorithm: 'GZIP' }];
}

const ALL_ORDERS_COLUMNS = [
  'amazon-order-id',
  'merchant-order-id',
  'purchase-date',
  'last-updated-date',
  'order-status',
  'fulfillment-channel',
  'sales-channel',
  'order-channel',
  'url',
  'ship-service-level',
  'product-name',
  'sku',
  'asin',
  'item-status',
  'quantity',
  'currency',
  'item-price',
  'item-tax',
  'shipping-price',
  'shipping-tax',
  'gift-wrap-price',
  'gift-wrap-tax',
  'item-promotion-discount',
  'ship-promotion-discount',
  'ship-city',
  'ship-state',
  'ship-postal-code',
  'ship-country',
  'promotion-ids',
  'is-business-order',
  'purchase-order-number',
  'price-designation',
];

/** GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: one row per order item (FACTS §6, 32 columns). */
function allOrdersReport(
  state: SimState,
  sellerId: string,
  marketplaceIds: string[],
  from: number,
  to: number,
): string {
  const status: Record<SimOrder['status'], string> = {
    PENDING: 'Pending',
    UNSHIPPED: 'Unshipped',
    PARTIALLY_SHIPPED: 'PartiallyShipped',
    SHIPPED: 'Shipped',
    CANCELLED: 'Cancelled',
  };
  const rows = state.orders
    .filter(
      (o) =>
        o.sellerId === sellerId &&
        marketplaceIds.includes(o.marketplaceId) &&
        o.lastUpdatedMs >= from &&
        o.lastUpdatedMs < to,
    )
    .flatMap((o) =>
      o.items.map((it) => {
        const v: Record<string, string> = {
          'amazon-order-id': o.orderId,
          'purchase-date': iso(o.createdMs).replace(/\.\d{3}Z$/, '+00:00'),
          'last-updated-date': iso(o.lastUpdatedMs).replace(/\.\d{3}Z$/, '+00:00'),
          'order-status': status[o.status],
          'fulfillment-channel': o.fulfilledBy === 'AMAZON' ? 'Amazon' : 'Merchant',
          'sales-channel': state.domainOf(o.marketplaceId),
          'ship-service-level': 'Standard',
          'product-name': it.title,
          sku: it.sku,
          asin: it.asin,
          'item-status':
            o.status === 'CANCELLED' ? 'Cancelled' : o.status === 'SHIPPED' ? 'Shipped' : 'Unshipped',
          quantity: String(it.quantity),
          currency: o.status === 'PENDING' ? '' : o.currency,
          'item-price': o.status === 'PENDING' ? '' : formatCents(itemTotalCents(it)),
          'item-tax': o.status === 'PENDING' || !it.taxCents ? '' : formatCents(it.taxCents),
          'shipping-price': o.status === 'PENDING' || !it.shippingCents ? '' : formatCents(it.shippingCents),
          'item-promotion-discount': it.promotionCents ? formatCents(-it.promotionCents) : '',
          'is-business-order': 'false',
        };
        return ALL_ORDERS_COLUMNS.map((c) => v[c] ?? '').join('\t');
      }),
    );
  return [ALL_ORDERS_COLUMNS.join('\t'), ...rows].join('\n') + '\n';
}

/**
 * GET_MERCHANT_LISTINGS_ALL_DATA columns. reference/sp-api names the report (FACTS §6) but not its
 * columns; these are the header commonly documented for it (Seller Central's "All Listings Report").
 */
export const MERCHANT_LISTINGS_COLUMNS = [
  'item-name',
  'item-description',
  'listing-id',
  'seller-sku',
  'price',
  'quantity',
  'open-date',
  'image-url',
  'item-is-marketplace',
  'product-id-type',
  'zshop-shipping-fee',
  'item-note',
  'item-condition',
  'zshop-category1',
  'zshop-browse-path',
  'zshop-storefront-feature',
  'asin1',
  'asin2',
  'asin3',
  'will-ship-internationally',
  'expedited-shipping',
  'zshop-boldface',
  'product-id',
  'bid-for-featured-placement',
  'add-delete',
  'pending-quantity',
  'fulfillment-channel',
  'merchant-shipping-group',
  'status',
];

/**
 * The seller's listings in one marketplace (Amazon builds this report per marketplace): merchant-fulfilled
 * ones with `fulfillment-channel` DEFAULT and their quantity, FBA ones with AMAZON_NA / AMAZON_EU and no
 * quantity (Amazon's stock is not in this report).
 */
function merchantListingsReport(state: SimState, sellerId: string, marketplaceId: string): string {
  const region = state.seller(sellerId).region.toUpperCase();
  const rows: string[] = [];
  for (const [key, l] of state.listings) {
    if (l.marketplaceId !== marketplaceId || !key.startsWith(`${sellerId}/`)) continue;
    const v: Record<string, string> = {
      'item-name': l.itemName,
      'listing-id': `${l.asin.slice(-6)}${l.sku.length}SIM`,
      'seller-sku': l.sku,
      price: l.price,
      quantity: l.fba ? '' : String(l.quantity),
      'open-date': iso(l.createdMs)
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC'),
      'item-is-marketplace': 'y',
      'product-id-type': '1',
      'item-condition': '11',
      asin1: l.asin,
      'will-ship-internationally': '1',
      'product-id': l.asin,
      'fulfillment-channel': l.fba ? `AMAZON_${region}` : 'DEFAULT',
      'merchant-shipping-group': l.fba ? '' : 'Migrated Template',
      status: 'Active',
    };
    rows.push(MERCHANT_LISTINGS_COLUMNS.map((c) => v[c] ?? '').join('\t'));
  }
  return [MERCHANT_LISTINGS_COLUMNS.join('\t'), ...rows].join('\n') + '\n';
}

export const reportsRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/reports\/2021-06-30\/reports$/,
    model: 'reports_2021-06-30',
    operation: 'getReports',
    run: getReports,
  },
  {
    method: 'POST',
    path: /^\/reports\/2021-06-30\/reports$/,
    model: 'reports_2021-06-30',
    operation: 'createReport',
    run: createReport,
  },
  {
    method: 'GET',
    path: /^\/reports\/2021-06-30\/reports\/([^/]+)$/,
    model: 'reports_2021-06-30',
    operation: 'getReport',
    run: getReport,
  },
  {
    method: 'GET',
    path: /^\/reports\/2021-06-30\/documents\/([^/]+)$/,
    model: 'reports_2021-06-30',
    operation: 'getReportDocument',
    run: getReportDocument,
  },
];
