import { VirtualClock, type Clock } from '@connector/core';
import { silentLogger } from '@connector/observability';
import { ProcessingWakeups, feedWakeKey } from '@connector/sp-api';
import { FeedStatusService } from '../feed-status.service';
import { FeedWaits } from '../feed-waits';
import { NA, feedInFlight, finished, startFrozenSimulator, type FrozenSimulator } from './feed-fixtures';
import { US } from './fixtures';

/**
 * amazon.feed-status.v1 → FeedStatusService → FeedWaits → the listing flusher's wait for its feed.
 * The flusher's clock never ends a sleep by itself (the poll interval is an hour): its feed is read
 * again before the poll only if the event woke it.
 */

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
  let sim: FrozenSimulator;
  beforeAll(async () => {
    sim = await startFrozenSimulator();
  });
  afterAll(() => sim.close());

  it('when FEED_PROCESSING_FINISHED arrives for its feed, then the flusher reads the feed at once, not after its hour-long poll', async () => {
    const { clock, waits, flush, feedId, getFeedCalls, skus } = await feedInFlight(sim, 'WAKE-');
    expect(waits.awaits('c1', feedId)).toBe(true);
    expect(getFeedCalls()).toBe(1);
    sim.time.advance(600_000); // Amazon is done with the feed
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    expect(service.handle(finished({ feedId, eventId: `${feedId}#DONE` }))).toBe('woken');
    const s = await flush;
    expect(s).toMatchObject({ feeds: 1, fedMessages: 15, accepted: 15 });
    expect(getFeedCalls()).toBe(2);
    expect(clock.released).toBe(0); // no sleep ran its course: the wait was woken
    expect(sim.sim.listing(NA.sellerId, skus[0], US)!.quantity).toBe(4);
    expect(waits.size).toBe(0); // settled feeds are forgotten
  });

  it('when no notification comes, then the poll is the net: the feed is read when the interval ends', async () => {
    const { clock, waits, flush, feedId, getFeedCalls } = await feedInFlight(sim, 'POLL-');
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    expect(service.handle(finished({ feedId: `${feedId}-other` }))).toBe('not-awaited');
    sim.time.advance(600_000);
    expect(getFeedCalls()).toBe(1);
    clock.release(); // the poll interval ends
    await expect(flush).resolves.toMatchObject({ feeds: 1, accepted: 15 });
    expect(getFeedCalls()).toBe(2);
    expect(clock.released).toBe(1);
  });

  it("when the service stops while a feed is awaited, then the wait ends at once and the feed's listings are released to be retried", async () => {
    const { clock, flusher, flush, waits } = await feedInFlight(sim, 'STOP-');
    flusher.stop();
    await expect(flush).resolves.toMatchObject({ feeds: 1, accepted: 0, retried: 15 });
    expect(clock.released).toBe(0);
    expect(waits.size).toBe(0);
  });
});
