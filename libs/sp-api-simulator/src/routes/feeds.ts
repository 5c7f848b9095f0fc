import { randomBytes } from 'node:crypto';
import { errorBody, invalid, iso, notFound, type Answer } from '../http';
import { applyPatches } from '../listings';
import { checkMarketplaces } from '../marketplaces';
import type { SimFeed, SimState } from '../state';
import type { Route, RouteContext } from './route';

/**
 * Feeds API 2021-06-30 with JSON_LISTINGS_FEED (reference/sp-api/FACTS.md §8): a feed document, its upload
 * to the pre-signed URL (routes/documents.ts), the feed IN_QUEUE → IN_PROGRESS → DONE, and a processing
 * report (schema v2) behind another pre-signed URL.
 */
function createFeedDocument({ state, sellerId, body }: RouteContext): Answer {
  const { contentType } = body as { contentType: string };
  const feedDocumentId = `amzn1.tortuga.4.na.${randomBytes(8).toString('hex')}`;
  state.feedDocuments.set(feedDocumentId, { sellerId, contentType });
  return [201, { feedDocumentId, url: state.signedUrl(feedDocumentId) }];
}

function createFeed({ state, sellerId, body }: RouteContext): Answer {
  const spec = body as { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string };
  const refused = checkMarketplaces(state.seller(sellerId), spec.marketplaceIds);
  if (refused) return refused;
  if (spec.feedType !== 'JSON_LISTINGS_FEED')
    return invalid(`The simulator does not process ${spec.feedType}.`);
  const doc = state.feedDocuments.get(spec.inputFeedDocumentId);
  if (!doc?.content || doc.sellerId !== sellerId) return invalid('The input feed document was not uploaded.');
  const feedId = state.newId();
  const now = state.now();
  const feed = {
    feedId,
    sellerId,
    feedType: spec.feedType,
    marketplaceIds: spec.marketplaceIds,
    createdMs: now,
    readyMs: now + Math.ceil(120_000 / state.opts.speedFactor),
    input: doc.content.toString('utf8'),
  };
  state.feeds.push(feed);
  state.notifications.feedCreated(feed);
  return [202, { feedId }];
}

type FeedMessage = {
  messageId?: number;
  sku?: string;
  operationType?: string;
  productType?: string;
  patches?: Array<{ op?: string; path?: string; value?: unknown[] }>;
};

/** Processes a JSON_LISTINGS_FEED once it is due; the result is a processing report (schema v2). */
function processFeed(state: SimState, f: SimFeed): void {
  if (f.result) return;
  const issues: Array<Record<string, unknown>> = [];
  let accepted = 0;
  let invalidCount = 0;
  let messages: FeedMessage[] = [];
  try {
    const doc = JSON.parse(f.input) as {
      header?: { sellerId?: string; version?: string };
      messages?: FeedMessage[];
    };
    messages = doc.messages ?? [];
    if (
      doc.header?.version !== '2.0' ||
      doc.header.sellerId !== f.sellerId ||
      messages.length === 0 ||
      messages.length > 25_000
    )
      throw new Error('header');
  } catch {
    f.result = JSON.stringify({
      header: { sellerId: f.sellerId, version: '2.0', feedId: f.feedId },
      issues: [
        {
          code: '100001',
          severity: 'ERROR',
          message: 'The feed document is not a valid JSON_LISTINGS_FEED.',
        },
      ],
      summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
    });
    return;
  }
  for (const m of messages) {
    const listing = m.sku ? state.listing(f.sellerId, m.sku, f.marketplaceIds[0]) : undefined;
    const found = !listing
      ? [{ code: '18', severity: 'ERROR', message: `SKU '${m.sku}' not found.` }]
      : m.operationType !== 'PATCH'
        ? [
            {
              code: '100002',
              severity: 'ERROR',
              message: `The simulator processes PATCH messages only, not ${m.operationType}.`,
            },
          ]
        : applyPatches(listing, m.patches ?? [], true, state.now()).map((i) => ({
            code: i.code,
            severity: i.severity,
            message: i.message,
            attributeName: i.attributeNames[0],
          }));
    if (found.length) invalidCount++;
    else accepted++;
    for (const i of found) issues.push({ messageId: m.messageId, sku: m.sku, ...i });
  }
  f.result = JSON.stringify({
    header: { sellerId: f.sellerId, version: '2.0', feedId: f.feedId },
    issues,
    summary: {
      errors: issues.length,
      warnings: 0,
      messagesProcessed: messages.length,
      messagesAccepted: accepted,
      messagesInvalid: invalidCount,
    },
  });
}

/** The feed's status: IN_QUEUE for the first half of its processing time, IN_PROGRESS for the second, then DONE. */
function getFeed({ state, sellerId, params: [feedId] }: RouteContext): Answer {
  const f = state.feeds.find((x) => x.feedId === feedId && x.sellerId === sellerId);
  if (!f) return notFound(`Feed ${feedId} not found.`);
  const now = state.now();
  const done = now >= f.readyMs;
  const started = now >= f.createdMs + (f.readyMs - f.createdMs) / 2;
  if (done) processFeed(state, f);
  return [
    200,
    {
      feedId,
      feedType: f.feedType,
      marketplaceIds: f.marketplaceIds,
      createdTime: iso(f.createdMs),
      processingStatus: done ? 'DONE' : started ? 'IN_PROGRESS' : 'IN_QUEUE',
      ...(started ? { processingStartTime: iso(f.createdMs + (f.readyMs - f.createdMs) / 2) } : {}),
      ...(done ? { processingEndTime: iso(f.readyMs), resultFeedDocumentId: `${feedId}-result` } : {}),
    },
  ];
}

function getFeedDocument({ state, sellerId, params: [id], query }: RouteContext): Answer {
  const f = state.feeds.find((x) => `${x.feedId}-result` === id && x.sellerId === sellerId && x.result);
  if (!f) return [404, errorBody('NotFound', `Feed document ${id} not found.`)];
  const url = state.signedUrl(id, query.get('enableContentEncodingUrlHeader') === 'true');
  return [200, { feedDocumentId: id, url, compressionAlgorithm: 'GZIP' }];
}

export const feedsRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/feeds\/2021-06-30\/documents$/,
    model: 'feeds_2021-06-30',
    operation: 'createFeedDocument',
    run: createFeedDocument,
  },
  {
    method: 'POST',
    path: /^\/feeds\/2021-06-30\/feeds$/,
    model: 'feeds_2021-06-30',
    operation: 'createFeed',
    run: createFeed,
  },
  {
    method: 'GET',
    path: /^\/feeds\/2021-06-30\/feeds\/([^/]+)$/,
    model: 'feeds_2021-06-30',
    operation: 'getFeed',
    run: getFeed,
  },
  {
    method: 'GET',
    path: /^\/feeds\/2021-06-30\/documents\/([^/]+)$/,
    model: 'feeds_2021-06-30',
    operation: 'getFeedDocument',
    run: getFeedDocument,
  },
];
