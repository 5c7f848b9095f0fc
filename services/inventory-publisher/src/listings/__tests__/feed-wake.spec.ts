import { SettableTime, VirtualClock, type Clock } from '@connector/core';
import type { FeedProcessingFinished } from '@connector/events';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { ProcessingWakeups, SpApiFactory, feedWakeKey, type SellingPartnerApi } from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { FeedStatusService } from '../feed-status.service';
import { FeedWaits } from '../feed-waits';
import { MemoryListingDeadLetters } from '../listing-dead-letters';
import { ListingFlusher } from '../listing-flusher';
import { MemoryListingStore } from '../memory-listing.store';
import { US, itemChange, settings } from './fixtures';

/**
 * amazon.feed-status.v1 → FeedStatusService → FeedWaits → the listing flusher's wait for its feed.
 * The flusher's clock never ends a sleep by itself (the poll interval is an hour): its feed is read
 * again before the poll only if the event woke it.
 */

const NA = SIM_SELLERS[0];

const finished = (over: Partial<FeedProcessingFinished> = {}): FeedProcessingFinished => ({
  eventId: 'F1#DONE',
  connectionId: 'c1',
  sellerId: NA.sellerId,
  feedId: 'F1',
  feedType: 'JSON_LISTINGS_FEED',
  processingStatus: 'DONE',
  resultFeedDocumentId: 'F1-result',
  finishedAt: 0,
  notificationId: 'n1',
  observedAt: 0,
  ...over,
});

/** A clock whose sleeps end only when the test says so; it records who is sleeping. */
class HeldClock implements Clock {
  readonly sleeping: Array<() => void> = [];
  private onSleep?: () => void;
  released = 0;
  now(): number {
    return Date.now();
  }
  sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.sleeping.push(() => {
        this.released++;
        resolve();
      });
      this.onSleep?.();
    });
  }
  /** resolves once something sleeps on this clock */
  nextSleep(): Promise<void> {
    if (this.sleeping.length) return Promise.resolve();
    return new Promise((resolve) => (this.onSleep = resolve));
  }
  release(): void {
    for (const r of this.sleeping.splice(0)) r();
  }
}

describe('FeedStatusService', () => {
  it('when the feed is one the flusher waits for, then its wait ends at once', async () => {
    const frozen: Clock = { now: () => 0, sleep: () => new Promise<void>(() => undefined) };
    const waits = new FeedWaits(new ProcessingWakeups(frozen));
    waits.begin('c1', 'F1');
    const sleeping = waits.sleep(['F0', 'F1'], 3_600_000);
    expect(new FeedStatusService({ waits, logger: silentLogger() }).handle(finished())).toBe('woken');
    await expect(sleeping).resolves.toBe('woken');
  });

  it('when the feed is not one this process waits for, then it is ignored and no wake is remembered for it', async () => {
    const wakeups = new ProcessingWakeups(new VirtualClock(0));
    const waits = new FeedWaits(wakeups);
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    expect(service.handle(finished({ feedId: 'F9' }))).toBe('not-awaited');
    await expect(wakeups.sleep(feedWakeKey('F9'), 10)).resolves.toBe('slept');
  });

  it('when the feed id is awaited for another connection, then the event is ignored', () => {
    const waits = new FeedWaits(new ProcessingWakeups(new VirtualClock(0)));
    waits.begin('c1', 'F1');
    expect(
      new FeedStatusService({ waits, logger: silentLogger() }).handle(finished({ connectionId: 'c2' })),
    ).toBe('not-awaited');
  });

  it('when the event arrives while the flusher is reading the feed (not sleeping), then its next sleep returns at once', async () => {
    const waits = new FeedWaits(new ProcessingWakeups(new VirtualClock(0)));
    waits.begin('c1', 'F1');
    new FeedStatusService({ waits, logger: silentLogger() }).handle(finished());
    await expect(waits.sleep(['F1'], 3_600_000)).resolves.toBe('woken');
  });
});

describe('listing flusher woken by amazon.feed-status.v1 (SP-API simulator)', () => {
  // the simulator's time stands still: its feed is done only when the test moves it on
  const simTime = new SettableTime();
  let sim: SpApiSimulator;
  let api: SellingPartnerApi;

  beforeAll(async () => {
    simTime.set(Date.now());
    sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1000, now: () => simTime.now() });
    await sim.start();
    api = new SpApiFactory({
      endpoint: sim.url,
      lwaTokenUrl: `${sim.url}/auth/o2/token`,
      maxAttempts: 2,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
    }).forConnection(
      { id: 'c1', sellerId: NA.sellerId, region: 'na' },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: NA.refreshToken,
        },
      },
    );
  });
  afterAll(() => sim.close());

  async function feedInFlight(prefix: string) {
    const clock = new HeldClock();
    const waits = new FeedWaits(new ProcessingWakeups(clock));
    const store = new MemoryListingStore();
    const flusher = new ListingFlusher({
      store,
      publisher: new FakeEventPublisher(),
      deadLetters: new MemoryListingDeadLetters(),
      clock,
      logger: silentLogger(),
      feedWaits: waits,
      options: { feedPollMs: 3_600_000 },
    });
    const skus = sim.addListings(NA.sellerId, US, 15, { prefix });
    await store.saveCatalogue(
      skus.map((sellerSku) => ({
        connectionId: 'c1',
        sellerSku,
        marketplaceId: US,
        asin: null,
        fba: false,
        productType: null,
        source: 'report' as const,
      })),
    );
    await store.upsertPending(
      skus.map((sellerSku) => ({
        connectionId: 'c1',
        sellerSku,
        marketplaceId: US,
        itemCode: 'ITEM-1',
        quantity: 4,
        price: null,
        currency: null,
        source: {
          topic: 't',
          partition: 0,
          offset: '1',
          timestamp: String(Date.now()),
          key: 'c1/ITEM-1',
          headers: {},
          value: itemChange(),
        },
      })),
      0,
      0,
    );
    const getFeedBefore = sim.control.stats.calls.getFeed ?? 0;
    const flush = flusher.flush({ id: 'c1', settings: { returnPath: settings({ feedThreshold: 10 }) } }, api);
    await clock.nextSleep(); // the feed was submitted, read once (IN_QUEUE), and the flusher sleeps
    const feedId = sim.state.feeds.at(-1)!.feedId;
    const getFeedCalls = () => (sim.control.stats.calls.getFeed ?? 0) - getFeedBefore;
    return { clock, waits, flush, feedId, getFeedCalls, skus };
  }

  it('when FEED_PROCESSING_FINISHED arrives for its feed, then the flusher reads the feed at once, not after its hour-long poll', async () => {
    const { clock, waits, flush, feedId, getFeedCalls, skus } = await feedInFlight('WAKE-');
    expect(waits.awaits('c1', feedId)).toBe(true);
    expect(getFeedCalls()).toBe(1);
    simTime.advance(600_000); // Amazon is done with the feed
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    expect(service.handle(finished({ feedId, eventId: `${feedId}#DONE` }))).toBe('woken');
    const s = await flush;
    expect(s).toMatchObject({ feeds: 1, fedMessages: 15, accepted: 15 });
    expect(getFeedCalls()).toBe(2);
    expect(clock.released).toBe(0); // no sleep ran its course: the wait was woken
    expect(sim.listing(NA.sellerId, skus[0], US)!.quantity).toBe(4);
    expect(waits.size).toBe(0); // settled feeds are forgotten
  });

  it('when no notification comes, then the poll is the net: the feed is read when the interval ends', async () => {
    const { clock, waits, flush, feedId, getFeedCalls } = await feedInFlight('POLL-');
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    expect(service.handle(finished({ feedId: `${feedId}-other` }))).toBe('not-awaited');
    simTime.advance(600_000);
    expect(getFeedCalls()).toBe(1);
    clock.release(); // the poll interval ends
    await expect(flush).resolves.toMatchObject({ feeds: 1, accepted: 15 });
    expect(getFeedCalls()).toBe(2);
    expect(clock.released).toBe(1);
  });
});
