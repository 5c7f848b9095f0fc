import { LosslessNumber, stringify } from 'lossless-json';
import { NonRetriableError, errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { ReturnPathSettings } from '@connector/db';
import type { EventPublisher } from '@connector/kafka';
import { decimal } from '@connector/money';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { SpApiRequestError, parseExactJson, type SellingPartnerApi } from '@connector/sp-api';
import type { FeedWaits } from './feed-waits';
import type { ListingDeadLetters } from './listing-dead-letters';
import { publishResults, type ResultArgs } from './listing-results';
import {
  listingId,
  withoutAccepted,
  type CatalogueEntry,
  type ListingIssue,
  type ListingStore,
  type PendingUpdate,
} from './listing.types';

/** The SP-API operations the flusher uses (SellingPartnerApi). */
export type ListingsApi = Pick<
  SellingPartnerApi,
  | 'getListingsItem'
  | 'patchListingsItem'
  | 'createFeedDocument'
  | 'uploadFeedDocument'
  | 'createFeed'
  | 'getFeed'
  | 'getFeedDocument'
  | 'downloadFeedDocument'
> & { readonly client: { readonly sellerId: string } };

export interface FlushConnection {
  id: string;
  settings: { returnPath: ReturnPathSettings };
}

export interface FlusherOptions {
  /** between getFeed calls while Amazon processes a feed (ended early by FEED_PROCESSING_FINISHED, with `feedWaits`) */
  feedPollMs: number;
  /** a feed not done by then is retried (its rows released) */
  feedTimeoutMs: number;
  /** tries of one listing update before it is dead-lettered (throttling, 5xx, feeds that failed) */
  maxAttempts: number;
  /** first retry delay; doubles per attempt */
  retryBaseMs: number;
  /** patchListingsItem calls in flight at once per connection (the rate limiter paces them) */
  patchConcurrency: number;
  /** getListingsItem look-ups per flush for SKUs the listings report has not shown yet */
  lookupBudget: number;
  /** rows claimed per round */
  claimLimit: number;
  /** how many coalescing windows due listings may be held while a burst still arrives */
  burstHoldWindows: number;
}

export const DEFAULT_FLUSHER_OPTIONS: FlusherOptions = {
  feedPollMs: 30_000,
  feedTimeoutMs: 3_600_000,
  maxAttempts: 5,
  retryBaseMs: 30_000,
  patchConcurrency: 5,
  lookupBudget: 50,
  claimLimit: 100_000,
  burstHoldWindows: 10,
};

/** JSON_LISTINGS_FEED allows at most this many messages (FACTS §8). */
export const FEED_MAX_MESSAGES = 25_000;
const FEED_CONTENT_TYPE = 'application/json; charset=UTF-8';

interface Send {
  row: PendingUpdate;
  quantity: number | null;
  price: string | null;
  currency: string | null;
  productType: string;
}

type Outcome =
  | { kind: 'accepted'; send: Send; submissionId: string; via: 'patch' | 'feed' }
  | {
      kind: 'rejected';
      send: Send;
      issues: ListingIssue[];
      submissionId: string | null;
      via: 'patch' | 'feed';
    }
  | { kind: 'retry'; send: Send; error: unknown; via: 'patch' | 'feed' }
  | { kind: 'failed'; send: Send; error: unknown; via: 'patch' | 'feed' };

export interface FlushSummary {
  claimed: number;
  patches: number;
  feeds: number;
  fedMessages: number;
  accepted: number;
  rejected: number;
  retried: number;
  deadLettered: number;
  noops: number;
  skippedFba: number;
  lookups: number;
}

/**
 * Sends a connection's due listing updates to Amazon: up to `feedThreshold` listings one
 * patchListingsItem each, more as JSON_LISTINGS_FEEDs (one per marketplace and 25,000 messages),
 * polled to the end and read from their processing report. Per listing: accepted → remembered;
 * throttled, 5xx, a failed feed → retried later, dead-lettered after `maxAttempts`; rejected with
 * issues → the ERP record to the DLQ with Amazon's issues, and an INVALID result. FBA SKUs never get
 * a quantity: SKUs the listings report has not shown yet are looked up first (getListingsItem).
 */
export class ListingFlusher {
  private readonly opts: FlusherOptions;
  private stopping = false;

  /**
   * Stops waiting for feeds (shutdown): their listings are released to be retried, so a restart does
   * not wait for the claim's lease; Amazon applying them meanwhile makes the retry a no-op for it.
   */
  stop(): void {
    this.stopping = true;
    this.deps.feedWaits?.wakeAll(); // not a whole FEED_POLL_MS more
  }

  constructor(
    private readonly deps: {
      store: ListingStore;
      publisher: EventPublisher;
      deadLetters: ListingDeadLetters;
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
      options?: Partial<FlusherOptions>;
      /**
       * the feeds being waited for, woken by amazon.feed-status.v1 (Amazon's FEED_PROCESSING_FINISHED):
       * the wait between getFeed rounds ends as soon as one of them finishes; without it, or when the
       * notification never comes, the flusher polls every `feedPollMs`
       */
      feedWaits?: FeedWaits;
    },
  ) {
    this.opts = { ...DEFAULT_FLUSHER_OPTIONS, ...deps.options };
  }

  async flush(conn: FlushConnection, api: ListingsApi): Promise<FlushSummary> {
    const rp = conn.settings.returnPath;
    const s: FlushSummary = {
      claimed: 0,
      patches: 0,
      feeds: 0,
      fedMessages: 0,
      accepted: 0,
      rejected: 0,
      retried: 0,
      deadLettered: 0,
      noops: 0,
      skippedFba: 0,
      lookups: 0,
    };
    const lease = this.opts.feedTimeoutMs + 600_000;
    // a burst (a full scan, a price-list change) arrives over seconds: while more listings wait than the
    // threshold and changes are still arriving, the due ones are held (up to `burstHoldWindows` windows
    // past due) so that the burst goes out as a few big feeds: Amazon allows few feeds (createFeed
    // burst 15, getFeedDocument burst 10, then one per minute or two)
    const stats = await this.deps.store.dueStats(conn.id, this.deps.clock.now());
    const windowMs = Math.max(1000, rp.coalesceSec * 1000);
    const now = this.deps.clock.now();
    if (
      stats.due > 0 &&
      stats.waiting > rp.feedThreshold &&
      stats.newestFirstMs !== null &&
      now - stats.newestFirstMs < windowMs &&
      stats.oldestDueMs !== null &&
      now < stats.oldestDueMs + this.opts.burstHoldWindows * windowMs
    )
      return s;
    for (;;) {
      const rows = await this.deps.store.claimDue(
        conn.id,
        this.deps.clock.now(),
        this.opts.claimLimit,
        lease,
      );
      s.claimed += rows.length;
      if (rows.length > 0) await this.send(conn, api, rows, s);
      if (rows.length < this.opts.claimLimit) break;
    }
    return s;
  }

  private async send(
    conn: FlushConnection,
    api: ListingsApi,
    rows: PendingUpdate[],
    s: FlushSummary,
  ): Promise<void> {
    const { store, clock } = this.deps;
    const rp = conn.settings.returnPath;
    const [accepted, catalogue] = await Promise.all([store.accepted(rows), store.catalogue(rows)]);
    const results: ResultArgs[] = [];
    const settled: PendingUpdate[] = [];
    const deferred: PendingUpdate[] = [];
    const outcomes: Outcome[] = [];

    // SKUs the listings report has not shown: ask Amazon whether it fulfils them before any quantity goes
    const unknown = rows.filter((r) => r.quantity !== null && !catalogue.has(listingId(r)));
    for (const r of unknown.slice(0, this.opts.lookupBudget)) {
      s.lookups++;
      try {
        const entry = await this.lookup(api, r);
        catalogue.set(listingId(r), entry);
      } catch (error) {
        const notListed = error instanceof SpApiRequestError && error.context.status === 404;
        const send = {
          row: r,
          quantity: r.quantity,
          price: r.price,
          currency: r.currency,
          productType: 'PRODUCT',
        };
        if (notListed)
          outcomes.push({
            kind: 'rejected',
            send,
            submissionId: null,
            via: 'patch',
            issues: [{ code: 'NOT_FOUND', message: errorMessage(error), severity: 'ERROR' }],
          });
        else outcomes.push({ kind: isRetriable(error) ? 'retry' : 'failed', send, error, via: 'patch' });
      }
    }
    const decided = new Set(outcomes.map((o) => listingId(o.send.row)));

    const sends: Send[] = [];
    for (const r of rows) {
      const id = listingId(r);
      if (decided.has(id)) continue;
      const cat = catalogue.get(id);
      let quantity = r.quantity;
      let price = r.price;
      let currency = r.currency;
      if (quantity !== null && !cat) {
        deferred.push(r);
        continue;
      }
      if (quantity !== null && cat?.fba) {
        results.push(this.result(r, 'SKIPPED_FBA', null, null, 'planner'));
        s.skippedFba++;
        quantity = null;
      }
      ({ quantity, price, currency } = withoutAccepted({ quantity, price, currency }, accepted.get(id)));
      if (quantity === null && price === null) {
        s.noops++;
        this.deps.metrics?.listingNoops.inc();
        settled.push(r);
        continue;
      }
      sends.push({ row: r, quantity, price, currency, productType: cat?.productType ?? 'PRODUCT' });
    }

    if (sends.length > 0 && sends.length <= rp.feedThreshold)
      outcomes.push(...(await this.patchAll(api, sends, s)));
    else if (sends.length > 0) outcomes.push(...(await this.feedAll(api, sends, s)));

    await this.settleOutcomes(outcomes, results, settled, s);
    if (settled.length) await store.settle(settled);
    // not yet in the catalogue and past this flush's look-ups: the next flush (or the report) decides
    if (deferred.length)
      await store.retryLater(deferred, clock.now() + Math.min(this.opts.retryBaseMs, 30_000));
    await publishResults(this.deps.publisher, results, this.deps.metrics);
  }

  private async lookup(api: ListingsApi, r: PendingUpdate): Promise<CatalogueEntry> {
    const item = await api.getListingsItem(r.sellerSku, {
      marketplaceIds: [r.marketplaceId],
      includedData: ['summaries', 'fulfillmentAvailability'],
    });
    const summary = item.summaries?.find((x) => x.marketplaceId === r.marketplaceId) ?? item.summaries?.[0];
    const entry: CatalogueEntry = {
      connectionId: r.connectionId,
      sellerSku: r.sellerSku,
      marketplaceId: r.marketplaceId,
      asin: summary?.asin ?? null,
      fba: (item.fulfillmentAvailability ?? []).some((f) => f.fulfillmentChannelCode !== 'DEFAULT'),
      productType: summary?.productType ?? null,
      source: 'listings-item',
    };
    await this.deps.store.saveCatalogue([entry]);
    return entry;
  }

  /**
   * The patches of one listing; `priceNumber` writes the decimal as a JSON number (LosslessNumber for
   * the feed document, which is serialised digit for digit).
   */
  private patches(x: Send, priceNumber: (price: string) => unknown) {
    const patches: Array<{ op: 'replace'; path: string; value: Array<Record<string, unknown>> }> = [];
    if (x.price !== null)
      patches.push({
        op: 'replace',
        path: '/attributes/purchasable_offer',
        value: [
          {
            marketplace_id: x.row.marketplaceId,
            currency: x.currency,
            audience: 'ALL',
            our_price: [{ schedule: [{ value_with_tax: priceNumber(x.price) }] }],
          },
        ],
      });
    if (x.quantity !== null)
      patches.push({
        op: 'replace',
        path: '/attributes/fulfillment_availability',
        value: [{ fulfillment_channel_code: 'DEFAULT', quantity: x.quantity }],
      });
    return patches;
  }

  private observeLatency(x: Send, via: 'patch' | 'feed'): void {
    const at = Number(x.row.source.timestamp);
    if (Number.isFinite(at))
      this.deps.metrics?.listingEventToCall.observe({ via }, Math.max(0, this.deps.clock.now() - at) / 1000);
  }

  private async patchAll(api: ListingsApi, sends: Send[], s: FlushSummary): Promise<Outcome[]> {
    const out: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < sends.length) {
        const x = sends[next++];
        s.patches++;
        this.observeLatency(x, 'patch');
        try {
          // the client writes its body with JSON.stringify: a price goes as a double, which is sent only
          // when it prints back as exactly the decimal's digits (any decimal(18,4) price does)
          const patches = this.patches(x, (price) => {
            if (String(Number(price)) !== decimal(price).toFixed())
              throw new NonRetriableError(
                'PRICE_NOT_EXACT',
                `price ${price} cannot be sent as an exact JSON number`,
              );
            return Number(price);
          });
          const res = await api.patchListingsItem(
            x.row.sellerSku,
            { marketplaceIds: [x.row.marketplaceId], includedData: ['issues'] },
            { productType: x.productType, patches },
          );
          const errors = (res.issues ?? []).filter((i) => i.severity === 'ERROR');
          if (res.status === 'ACCEPTED' && errors.length === 0)
            out.push({ kind: 'accepted', send: x, submissionId: res.submissionId, via: 'patch' });
          else
            out.push({
              kind: 'rejected',
              send: x,
              submissionId: res.submissionId,
              via: 'patch',
              issues: (res.issues ?? []).map((i) => ({
                code: i.code,
                message: i.message,
                severity: i.severity,
              })),
            });
        } catch (error) {
          out.push({ kind: isRetriable(error) ? 'retry' : 'failed', send: x, error, via: 'patch' });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.patchConcurrency, sends.length) }, worker));
    return out;
  }

  /**
   * One feed per marketplace and 25,000 listings: all submitted first, then polled together (one wait
   * per round for every feed), then each read from its processing report.
   */
  private async feedAll(api: ListingsApi, sends: Send[], s: FlushSummary): Promise<Outcome[]> {
    const byMarketplace = new Map<string, Send[]>();
    for (const x of sends)
      byMarketplace.set(x.row.marketplaceId, [...(byMarketplace.get(x.row.marketplaceId) ?? []), x]);
    const batches: Array<{ marketplaceId: string; xs: Send[]; feedId?: string; done?: Outcome[] }> = [];
    for (const [marketplaceId, xs] of byMarketplace)
      for (let i = 0; i < xs.length; i += FEED_MAX_MESSAGES)
        batches.push({ marketplaceId, xs: xs.slice(i, i + FEED_MAX_MESSAGES) });
    const waits = this.deps.feedWaits;
    try {
      for (const b of batches) {
        try {
          b.feedId = await this.submitFeed(api, b.marketplaceId, b.xs);
          waits?.begin(b.xs[0].row.connectionId, b.feedId);
          s.feeds++;
          s.fedMessages += b.xs.length;
        } catch (error) {
          b.done = this.feedFailed(b.xs, error, undefined);
        }
      }
      await this.awaitFeeds(api, batches);
    } finally {
      for (const b of batches) if (b.feedId) waits?.end(b.feedId);
    }
    return batches.flatMap((b) => b.done ?? []);
  }

  /** getFeed for every feed not done, then one wait for all of them (woken early by FEED_PROCESSING_FINISHED) */
  private async awaitFeeds(
    api: ListingsApi,
    batches: Array<{ xs: Send[]; feedId?: string; done?: Outcome[] }>,
  ): Promise<void> {
    const started = this.deps.clock.now();
    for (;;) {
      for (const b of batches) {
        if (b.done || !b.feedId) continue;
        try {
          b.done = await this.readFeed(api, b.feedId, b.xs);
        } catch (error) {
          b.done = this.feedFailed(b.xs, error, b.feedId);
        }
      }
      const waiting = batches.filter((b) => !b.done);
      if (waiting.length === 0) break;
      if (this.stopping) {
        for (const b of waiting)
          b.done = b.xs.map((x) => ({
            kind: 'retry' as const,
            send: x,
            error: new Error(`stopped while feed ${b.feedId} was processed`),
            via: 'feed' as const,
          }));
        break;
      }
      if (this.deps.clock.now() - started > this.opts.feedTimeoutMs) {
        for (const b of waiting)
          b.done = this.feedFailed(
            b.xs,
            new Error(`feed ${b.feedId} not done after ${this.opts.feedTimeoutMs} ms`),
            b.feedId,
          );
        break;
      }
      const waits = this.deps.feedWaits;
      if (!waits) {
        await this.deps.clock.sleep(this.opts.feedPollMs);
        continue;
      }
      const feedIds = waiting.map((b) => b.feedId!);
      if ((await waits.sleep(feedIds, this.opts.feedPollMs)) === 'woken')
        this.deps.logger.debug({ feedIds }, 'feed finished (notification): read before the poll interval');
    }
  }

  private async submitFeed(api: ListingsApi, marketplaceId: string, xs: Send[]): Promise<string> {
    const content = stringify({
      header: { sellerId: api.client.sellerId, version: '2.0', issueLocale: 'en_US' },
      messages: xs.map((x, i) => ({
        messageId: i + 1,
        sku: x.row.sellerSku,
        operationType: 'PATCH',
        productType: x.productType,
        patches: this.patches(x, (price) => new LosslessNumber(price)),
      })),
    })!;
    const doc = await api.createFeedDocument(FEED_CONTENT_TYPE);
    await api.uploadFeedDocument(doc.url, FEED_CONTENT_TYPE, content);
    for (const x of xs) this.observeLatency(x, 'feed');
    return api.createFeed({
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [marketplaceId],
      inputFeedDocumentId: doc.feedDocumentId,
    });
  }

  /** The feed's outcomes once Amazon is done with it; undefined while it is queued or in progress. */
  private async readFeed(api: ListingsApi, feedId: string, xs: Send[]): Promise<Outcome[] | undefined> {
    const feed = await api.getFeed(feedId);
    if (feed.processingStatus === 'IN_QUEUE' || feed.processingStatus === 'IN_PROGRESS') return undefined;
    this.deps.metrics?.listingFeeds.inc({ outcome: feed.processingStatus });
    if (feed.processingStatus !== 'DONE' || !feed.resultFeedDocumentId) {
      this.deps.logger.warn(
        { feedId, status: feed.processingStatus },
        'listings feed did not complete; its listings are retried',
      );
      return xs.map((x) => ({
        kind: 'retry' as const,
        send: x,
        error: new Error(`feed ${feedId} ended ${feed.processingStatus}`),
        via: 'feed' as const,
      }));
    }
    const report = parseExactJson<{
      issues?: Array<{ messageId?: number; code: string; message: string; severity: string }>;
    }>(
      (await api.downloadFeedDocument(await api.getFeedDocument(feed.resultFeedDocumentId))).toString('utf8'),
    );
    const issues = new Map<number, ListingIssue[]>();
    for (const i of report.issues ?? [])
      if (i.messageId !== undefined)
        issues.set(i.messageId, [
          ...(issues.get(i.messageId) ?? []),
          { code: String(i.code), message: i.message, severity: i.severity },
        ]);
    return xs.map((x, n): Outcome => {
      const found = issues.get(n + 1) ?? [];
      return found.some((i) => i.severity === 'ERROR')
        ? { kind: 'rejected', send: x, issues: found, submissionId: feedId, via: 'feed' }
        : { kind: 'accepted', send: x, submissionId: feedId, via: 'feed' };
    });
  }

  private feedFailed(xs: Send[], error: unknown, feedId: string | undefined): Outcome[] {
    this.deps.metrics?.listingFeeds.inc({ outcome: 'failed' });
    this.deps.logger.warn(
      { feedId, code: errorCode(error), err: errorMessage(error) },
      'listings feed failed; its listings are retried',
    );
    return xs.map((x): Outcome => ({
      kind: isRetriable(error) || !(error instanceof SpApiRequestError) ? 'retry' : 'failed',
      send: x,
      error,
      via: 'feed',
    }));
  }

  private result(
    r: PendingUpdate,
    status: ResultArgs['status'],
    quantity: number | null,
    price: string | null,
    via: ResultArgs['via'],
    extra: { submissionId?: string | null; issues?: ListingIssue[]; currency?: string | null } = {},
  ): ResultArgs {
    return {
      connectionId: r.connectionId,
      sellerSku: r.sellerSku,
      marketplaceId: r.marketplaceId,
      itemCode: r.itemCode,
      status,
      quantity,
      price: price !== null && extra.currency ? { amount: price, currency: extra.currency } : null,
      submissionId: extra.submissionId ?? null,
      issues: extra.issues ?? [],
      submittedAt: this.deps.clock.now(),
      via,
    };
  }

  private async settleOutcomes(
    outcomes: Outcome[],
    results: ResultArgs[],
    settled: PendingUpdate[],
    s: FlushSummary,
  ) {
    const { store, deadLetters, clock, logger } = this.deps;
    const acceptedValues = outcomes.flatMap((o) =>
      o.kind === 'accepted'
        ? [
            {
              ...o.send.row,
              quantity: o.send.quantity,
              price: o.send.price,
              currency: o.send.currency,
              submissionId: o.submissionId,
            },
          ]
        : [],
    );
    if (acceptedValues.length) await store.saveAccepted(acceptedValues);
    const dead = new Map<
      string,
      {
        source: PendingUpdate['source'];
        code: string;
        message: string;
        retriable: boolean;
        attempts: number;
        issues: Array<ListingIssue & { sellerSku: string; marketplaceId: string }>;
      }
    >();
    const retry: PendingUpdate[] = [];
    for (const o of outcomes) {
      const x = o.send;
      const extra = { currency: x.currency, submissionId: 'submissionId' in o ? o.submissionId : null };
      if (o.kind === 'accepted') {
        s.accepted++;
        settled.push(x.row);
        results.push(this.result(x.row, 'ACCEPTED', x.quantity, x.price, o.via, extra));
        continue;
      }
      if (o.kind === 'retry' && x.row.attempts + 1 < this.opts.maxAttempts) {
        s.retried++;
        retry.push(x.row);
        continue;
      }
      const src = x.row.source;
      const key = `${src.topic}/${src.partition}/${src.offset}`;
      const d = dead.get(key) ?? {
        source: src,
        code: '',
        message: '',
        retriable: false,
        attempts: x.row.attempts + 1,
        issues: [],
      };
      if (o.kind === 'rejected') {
        s.rejected++;
        d.code = d.code || 'LISTING_REJECTED';
        d.issues.push(
          ...o.issues.map((i) => ({ ...i, sellerSku: x.row.sellerSku, marketplaceId: x.row.marketplaceId })),
        );
        results.push(
          this.result(x.row, 'INVALID', x.quantity, x.price, o.via, { ...extra, issues: o.issues }),
        );
      } else {
        const code = errorCode(o.error);
        d.code = d.code || code;
        d.retriable = isRetriable(o.error);
        d.issues.push({
          code,
          message: errorMessage(o.error),
          severity: 'ERROR',
          sellerSku: x.row.sellerSku,
          marketplaceId: x.row.marketplaceId,
        });
        results.push(
          this.result(
            x.row,
            code === 'SPAPI_THROTTLED' ? 'THROTTLED' : 'FAILED',
            x.quantity,
            x.price,
            o.via,
            {
              ...extra,
              issues: [{ code, message: errorMessage(o.error), severity: 'ERROR' }],
            },
          ),
        );
      }
      settled.push(x.row);
      dead.set(key, d);
    }
    for (const d of dead.values()) {
      d.message = d.issues.map((i) => `${i.sellerSku} ${i.marketplaceId}: ${i.code} ${i.message}`).join('; ');
      await deadLetters.deadLetter(d.source, d);
      s.deadLettered++;
      this.deps.metrics?.dlqMessages.inc({ topic: d.source.topic, reason: d.code });
      logger.warn(
        {
          item: d.source.value.itemCode,
          connectionId: d.source.value.connectionId,
          code: d.code,
          issues: d.issues,
        },
        'listing update dead-lettered',
      );
    }
    if (retry.length) {
      const attempts = Math.max(...retry.map((r) => r.attempts));
      await store.retryLater(retry, clock.now() + this.opts.retryBaseMs * 2 ** attempts);
    }
  }
}
