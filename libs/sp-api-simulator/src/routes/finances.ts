import { LosslessNumber } from 'lossless-json';
import type { SimOrder } from '../dataset';
import { exactJson, groupIdOf, renderEventGroup, renderShipmentEvents, renderTransaction } from '../finances';
import {
  DAY,
  RawJson,
  TWO_MINUTES,
  dateParam,
  invalid,
  nextQueryToken,
  notFound,
  readQueryToken,
  type Answer,
} from '../http';
import { checkMarketplaces } from '../marketplaces';
import type { Route, RouteContext } from './route';

/** Finances v0 and 2024-06-19 (reference/sp-api/FACTS.md §5): amounts are JSON numbers written digit for digit. */
const MAX_RANGE = 180 * DAY;

/**
 * listFinancialEventGroups (FACTS §5.1): groups started in [after, before); before defaults to now
 * minus two minutes and must lie that far back; a range over 180 days holds no groups.
 */
function listFinancialEventGroups({ state, sellerId, query: q }: RouteContext): Answer {
  const token = readQueryToken(q.get('NextToken'), q);
  if (!token) return invalid('Invalid NextToken.');
  const query = new URLSearchParams(token.q);
  const size = Number(query.get('MaxResultsPerPage') ?? 10);
  const latest = state.now() - TWO_MINUTES;
  const after = dateParam(query, 'FinancialEventGroupStartedAfter') ?? 0;
  const before = dateParam(query, 'FinancialEventGroupStartedBefore') ?? latest;
  if (after > latest)
    return invalid('FinancialEventGroupStartedAfter must be at least two minutes before now.');
  if (before > latest)
    return invalid('FinancialEventGroupStartedBefore must be at least two minutes before now.');
  if (before <= after) return invalid('Date range is invalid.');
  const groups =
    query.has('FinancialEventGroupStartedAfter') && before - after > MAX_RANGE
      ? []
      : state.settlements
          .filter(
            (s) =>
              s.sellerId === sellerId &&
              s.startMs >= after &&
              s.startMs < before &&
              s.depositMs <= state.now(),
          )
          .map(renderEventGroup);
  const page = groups.slice(token.offset, token.offset + size);
  const nextToken =
    token.offset + size < groups.length ? nextQueryToken(token.offset + size, token) : undefined;
  return [
    200,
    new RawJson(
      exactJson({
        payload: { FinancialEventGroupList: page, ...(nextToken ? { NextToken: nextToken } : {}) },
      }),
    ),
  ];
}

/** listFinancialEventsByGroupId (FACTS §5.1): the group's shipments and refunds, PostedAfter/Before honoured. */
function listFinancialEventsByGroupId({
  state,
  sellerId,
  params: [groupId],
  query: q,
}: RouteContext): Answer {
  const s = state.settlements.find((x) => x.sellerId === sellerId && groupIdOf(x.settlementId) === groupId);
  if (!s) return notFound(`Financial event group ${groupId} not found.`);
  const token = readQueryToken(q.get('NextToken'), q);
  if (!token) return invalid('Invalid NextToken.');
  const query = new URLSearchParams(token.q);
  const size = Number(query.get('MaxResultsPerPage') ?? 100);
  const latest = state.now() - TWO_MINUTES;
  const postedAfter = dateParam(query, 'PostedAfter') ?? 0;
  const postedBefore = dateParam(query, 'PostedBefore') ?? latest;
  if (query.has('PostedBefore') && !query.has('PostedAfter'))
    return invalid('PostedAfter is required when PostedBefore is set.');
  if (postedBefore > latest) return invalid('PostedBefore must be at least two minutes before now.');
  if (postedBefore <= postedAfter) return invalid('PostedAfter must be before PostedBefore.');
  const orders = state.orders.filter(
    (o: SimOrder) =>
      o.sellerId === sellerId &&
      o.marketplaceId === s.marketplaceId &&
      o.status === 'SHIPPED' &&
      o.lastUpdatedMs >= s.startMs &&
      o.lastUpdatedMs < s.endMs &&
      o.lastUpdatedMs >= postedAfter &&
      o.lastUpdatedMs < postedBefore,
  );
  const page = orders.slice(token.offset, token.offset + size);
  const { shipments, refunds } = renderShipmentEvents(page, state.domainOf(s.marketplaceId));
  const last = token.offset + size >= orders.length;
  // the subscription fee is posted at the end of the period
  const feePosted = s.endMs - 1000;
  const withFee = last && feePosted >= postedAfter && feePosted < postedBefore;
  const events = {
    ShipmentEventList: shipments,
    RefundEventList: refunds,
    ...(withFee
      ? {
          ServiceFeeEventList: [
            {
              FeeReason: 'Subscription',
              FeeList: [
                {
                  FeeType: 'Subscription',
                  FeeAmount: { CurrencyCode: s.currency, CurrencyAmount: new LosslessNumber('-39.99') },
                },
              ],
            },
          ],
        }
      : {}),
  };
  const nextToken = last ? undefined : nextQueryToken(token.offset + size, token);
  return [
    200,
    new RawJson(
      exactJson({ payload: { FinancialEvents: events, ...(nextToken ? { NextToken: nextToken } : {}) } }),
    ),
  ];
}

/** listTransactions (FACTS §5.2): shipped orders as released Shipment transactions, 100 a page. */
function listTransactions({ state, sellerId, query: q }: RouteContext): Answer {
  // the model: "call the operation with this token and include the same arguments as the call that produced the token"
  const token = readQueryToken(q.get('nextToken'), q);
  if (!token) return invalid('Invalid nextToken.');
  const query = new URLSearchParams(token.q);
  const relName = query.get('relatedIdentifierName');
  const relValue = query.get('relatedIdentifierValue');
  if (!query.has('postedAfter') && !relName) return invalid('Start date cannot be null');
  if (relName && !relValue) return invalid('relatedIdentifierValue is required with relatedIdentifierName.');
  const after = dateParam(query, 'postedAfter') ?? 0;
  const latest = state.now() - TWO_MINUTES;
  const before = dateParam(query, 'postedBefore') ?? latest;
  if (Number.isNaN(after) || Number.isNaN(before))
    return invalid('postedAfter and postedBefore must be ISO 8601 date-times.');
  if (after > latest) return invalid('postedAfter must be at least two minutes before now.');
  if (before > latest) return invalid('postedBefore must be at least two minutes before now.');
  if (relName && relName !== 'ORDER_ID' && relName !== 'FINANCIAL_EVENT_GROUP_ID')
    return invalid('relatedIdentifierName must be ORDER_ID or FINANCIAL_EVENT_GROUP_ID.');
  const status = query.get('transactionStatus');
  if (status && !['DEFERRED', 'RELEASED', 'DEFERRED_RELEASED'].includes(status))
    return invalid('transactionStatus must be DEFERRED, RELEASED or DEFERRED_RELEASED.');
  // omitting marketplaceId gives US orders (FACTS §5.2)
  const marketplaceId = query.get('marketplaceId') ?? 'ATVPDKIKX0DER';
  if (query.has('marketplaceId')) {
    const refused = checkMarketplaces(state.seller(sellerId), [marketplaceId]);
    if (refused) return refused;
  }
  const outOfRange = query.has('postedAfter') && before - after > MAX_RANGE;
  const rows = outOfRange
    ? []
    : state.orders.filter((o) => {
        const settlement = state.settlementOf(o)?.settlementId;
        return (
          o.sellerId === sellerId &&
          o.status === 'SHIPPED' &&
          (relName ? true : o.marketplaceId === marketplaceId) &&
          o.lastUpdatedMs >= after &&
          o.lastUpdatedMs < before &&
          (!status || status === 'RELEASED') &&
          (relName !== 'ORDER_ID' || o.orderId === relValue) &&
          (relName !== 'FINANCIAL_EVENT_GROUP_ID' ||
            (settlement !== undefined && groupIdOf(settlement) === relValue))
        );
      });
  const size = 100;
  const page = rows.slice(token.offset, token.offset + size);
  const nextToken =
    token.offset + size < rows.length ? nextQueryToken(token.offset + size, token) : undefined;
  const transactions = page.map((o) =>
    renderTransaction(o, state.domainOf(o.marketplaceId), state.settlementOf(o)?.settlementId),
  );
  return [200, new RawJson(exactJson({ payload: { transactions, ...(nextToken ? { nextToken } : {}) } }))];
}

export const financesRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/finances\/v0\/financialEventGroups$/,
    model: 'financesV0',
    operation: 'listFinancialEventGroups',
    run: listFinancialEventGroups,
  },
  {
    method: 'GET',
    path: /^\/finances\/v0\/financialEventGroups\/([^/]+)\/financialEvents$/,
    model: 'financesV0',
    operation: 'listFinancialEventsByGroupId',
    run: listFinancialEventsByGroupId,
  },
  {
    method: 'GET',
    path: /^\/finances\/2024-06-19\/transactions$/,
    model: 'finances_2024-06-19',
    operation: 'listTransactions',
    run: listTransactions,
  },
];
