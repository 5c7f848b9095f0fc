import { dateParam, invalid, iso, list, notFound, TWO_MINUTES, type Answer } from '../http';
import { checkMarketplaces } from '../marketplaces';
import { renderOrder2026 } from '../render';
import type { Route, RouteContext } from './route';

/**
 * Orders API 2026-01-01 (reference/sp-api/FACTS.md §3.6): searchOrders and getOrder. The pagination token
 * is bound to the query's filters but not to maxResultsPerPage or includedData, which the model lets a
 * caller change from one page to the next.
 */
const PAGE_FREE = new Set(['paginationToken', 'maxResultsPerPage', 'includedData']);

/** a token lives 24 hours (FACTS §0) */
const TOKEN_LIFE = 86_400_000;

interface PageToken {
  offset: number;
  /** the filters of the first page */
  q: string;
  /** the end of the window as the first page fixed it */
  before: number;
  /** when the first page was served */
  issued: number;
}

const fingerprintOf = (q: URLSearchParams) =>
  [...q.entries()]
    .filter(([k]) => !PAGE_FREE.has(k))
    .sort()
    .join('&');

function searchOrders({ state, sellerId, query: q }: RouteContext): Answer {
  const token = q.get('paginationToken');
  let filters = q;
  let offset = 0;
  let pinnedBefore: number | undefined;
  let issued = state.now();
  if (token) {
    let t: PageToken;
    try {
      t = JSON.parse(Buffer.from(token, 'base64url').toString()) as PageToken;
    } catch {
      return invalid('Invalid paginationToken.');
    }
    if (state.now() - t.issued > TOKEN_LIFE) return invalid('The paginationToken has expired.');
    filters = new URLSearchParams(t.q);
    offset = t.offset;
    pinnedBefore = t.before;
    issued = t.issued;
    // the token stands for its query; a caller may resend the same filters with it, not others
    const resent = fingerprintOf(q);
    if (resent && resent !== fingerprintOf(filters))
      return invalid('paginationToken does not belong to this query.');
  }
  const created = filters.has('createdAfter');
  const updated = filters.has('lastUpdatedAfter');
  if (created === updated) return invalid('Exactly one of createdAfter and lastUpdatedAfter is required.');
  if (created && (filters.has('lastUpdatedBefore') || filters.has('lastUpdatedAfter')))
    return invalid('lastUpdatedBefore cannot be set with createdAfter.');
  if (updated && filters.has('createdBefore'))
    return invalid('createdBefore cannot be set with lastUpdatedAfter.');
  const afterName = created ? 'createdAfter' : 'lastUpdatedAfter';
  const beforeName = created ? 'createdBefore' : 'lastUpdatedBefore';
  const after = dateParam(filters, afterName)!;
  const latest = state.now() - TWO_MINUTES;
  const before = dateParam(filters, beforeName) ?? pinnedBefore ?? latest;
  if (Number.isNaN(after)) return invalid(`${afterName} must be an ISO 8601 date-time.`);
  if (Number.isNaN(before)) return invalid(`${beforeName} must be an ISO 8601 date-time.`);
  if (before > latest) return invalid(`${beforeName} must be at least 2 minutes before now.`);
  if (after > before) return invalid(`${afterName} must be before ${beforeName}.`);
  const limit = Number(q.get('maxResultsPerPage') ?? 100);
  const marketplaces = list(filters, 'marketplaceIds');
  if (marketplaces) {
    const refused = checkMarketplaces(state.seller(sellerId), marketplaces);
    if (refused) return refused;
  }
  const statuses = list(filters, 'fulfillmentStatuses');
  const fulfilledBy = list(filters, 'fulfilledBy');
  const field = created ? 'createdMs' : 'lastUpdatedMs';
  const matching = state.orders
    .filter((o) => o.sellerId === sellerId && o[field] >= after && o[field] < before)
    .filter((o) => !marketplaces || marketplaces.includes(o.marketplaceId))
    .filter((o) => !statuses || statuses.includes(o.status))
    .filter((o) => !fulfilledBy || fulfilledBy.includes(o.fulfilledBy))
    .sort((a, b) => a[field] - b[field] || a.orderId.localeCompare(b.orderId));
  const page = matching.slice(offset, offset + limit);
  const includedData = list(q, 'includedData') ?? [];
  const nextToken =
    offset + limit < matching.length
      ? Buffer.from(
          JSON.stringify({
            offset: offset + limit,
            q: filters.toString(),
            before,
            issued,
          } satisfies PageToken),
        ).toString('base64url')
      : undefined;
  return [
    200,
    {
      orders: page.map((o) => renderOrder2026(o, includedData, state.sellers)),
      ...(nextToken ? { pagination: { nextToken } } : {}),
      [beforeName]: iso(before),
    },
  ];
}

function getOrder({ state, sellerId, params: [orderId], query }: RouteContext): Answer {
  const o = state.order(sellerId, orderId);
  if (!o) return notFound(`Order ${orderId} not found.`);
  return [200, { order: renderOrder2026(o, list(query, 'includedData') ?? [], state.sellers) }];
}

export const orders2026Routes: Route[] = [
  {
    method: 'GET',
    path: /^\/orders\/2026-01-01\/orders$/,
    model: 'orders_2026-01-01',
    operation: 'searchOrders',
    run: searchOrders,
  },
  {
    method: 'GET',
    path: /^\/orders\/2026-01-01\/orders\/([^/]+)$/,
    model: 'orders_2026-01-01',
    operation: 'getOrder',
    run: getOrder,
  },
];
