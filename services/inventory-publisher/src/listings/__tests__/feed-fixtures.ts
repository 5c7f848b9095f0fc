import { SettableTime, type Clock } from '@connector/core';
import type { FeedProcessingFinished } from '@connector/events';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { ProcessingWakeups, SpApiFactory, type SellingPartnerApi } from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { FeedWaits } from '../feed-waits';
import { MemoryListingDeadLetters } from '../listing-dead-letters';
import { ListingFlusher } from '../listing-flusher';
import { MemoryListingStore } from '../memory-listing.store';
import { US, itemChange, settings } from './fixtures';

/** Test helpers for the flusher's feed waits (feed-wake.spec.ts, feed-status.int-spec.ts). */

export const NA = SIM_SELLERS[0];

export const finished = (over: Partial<FeedProcessingFinished> = {}): FeedProcessingFinished => ({
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
export class HeldClock implements Clock {
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

/** The SP-API simulator with its time standing still: a feed is done only when the test moves it on. */
export interface FrozenSimulator {
  sim: SpApiSimulator;
  time: SettableTime;
  api: SellingPartnerApi;
  close(): Promise<void>;
}

export async function startFrozenSimulator(): Promise<FrozenSimulator> {
  const time = new SettableTime();
  time.set(Date.now());
  const sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1000, now: () => time.now() });
  await sim.start();
  const api = new SpApiFactory({
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
  return { sim, time, api, close: () => sim.close() };
}

/**
 * A ListingFlusher (poll interval an hour, on a HeldClock) flushing 15 listings of connection c1 as
 * one JSON_LISTINGS_FEED; returns once it has read the feed once (IN_QUEUE) and sleeps.
 */
export async function feedInFlight(
  s: FrozenSimulator,
  prefix: string,
  clock = new HeldClock(),
  feedWaits = new FeedWaits(new ProcessingWakeups(clock)),
) {
  const store = new MemoryListingStore();
  const flusher = new ListingFlusher({
    store,
    publisher: new FakeEventPublisher(),
    deadLetters: new MemoryListingDeadLetters(),
    clock,
    logger: silentLogger(),
    feedWaits,
    options: { feedPollMs: 3_600_000 },
  });
  const skus = s.sim.addListings(NA.sellerId, US, 15, { prefix });
  await store.seedCatalogue('c1', US, skus);
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
  const getFeedBefore = s.sim.control.stats.calls.getFeed ?? 0;
  const flush = flusher.flush({ id: 'c1', settings: { returnPath: settings({ feedThreshold: 10 }) } }, s.api);
  await clock.nextSleep(); // the feed was submitted, read once (IN_QUEUE), and the flusher sleeps
  const feedId = s.sim.state.feeds.at(-1)!.feedId;
  const getFeedCalls = () => (s.sim.control.stats.calls.getFeed ?? 0) - getFeedBefore;
  return { clock, waits: feedWaits, flusher, flush, feedId, getFeedCalls, skus };
}
