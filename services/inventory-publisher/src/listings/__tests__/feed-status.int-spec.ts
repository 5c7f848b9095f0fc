import { recordKey, TOPIC_CATALOGUE } from '@connector/events';
import { KafkaRuntime } from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { ProcessingWakeups } from '@connector/sp-api';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { FeedStatusListener } from '../feed-status.listener';
import { FeedStatusService, type FeedStatusOutcome } from '../feed-status.service';
import { FeedWaits } from '../feed-waits';
import {
  HeldClock,
  NA,
  feedInFlight,
  finished,
  startFrozenSimulator,
  type FrozenSimulator,
} from './feed-fixtures';
import { US } from './fixtures';

/**
 * amazon.feed-status.v1 on the real Kafka and registry: an event published on the topic reaches every
 * inventory-publisher process (two listeners here, as two replicas), and the one whose listing flusher
 * waits for the feed reads it at once; the flusher's poll interval (an hour, on a clock that never
 * ends a sleep by itself) does not run out.
 */
describe('amazon.feed-status.v1 wakes the listing flusher (real Kafka, registry, SP-API simulator)', () => {
  const prefix = `${uniqueName('feedstatus')}.`;
  const runtime = new KafkaRuntime({
    service: 'feed-status-test',
    kafka: { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'feed-status-test' },
    registry: { url: infraEnv('SCHEMA_REGISTRY_URL') },
    topicPrefix: prefix,
    catalogue: TOPIC_CATALOGUE.filter((t) => t.topic === 'amazon.feed-status.v1'),
    groupId: `${prefix}g`,
    autoRegister: true,
    ensureTopics: true,
    consumer: { maxAttempts: 1, retryBaseMs: 1, retryMaxMs: 1 },
    logger: silentLogger(),
  });
  let sim: FrozenSimulator;
  const listeners: FeedStatusListener[] = [];

  beforeAll(async () => {
    sim = await startFrozenSimulator();
    await runtime.connect();
  }, 60_000);
  afterAll(async () => {
    for (const l of listeners) await l.stop();
    await runtime.disconnect();
    await sim?.close();
  });

  /** one inventory-publisher process: its feed waits and its listener, recording what it did with each event */
  async function replica(clock = new HeldClock()) {
    const waits = new FeedWaits(new ProcessingWakeups(clock));
    const service = new FeedStatusService({ waits, logger: silentLogger() });
    const outcomes: Array<[string, FeedStatusOutcome]> = [];
    const listener = new FeedStatusListener(
      runtime,
      {
        handle: (e) => {
          const outcome = service.handle(e);
          outcomes.push([e.feedId, outcome]);
          return outcome;
        },
      },
      silentLogger(),
      `${prefix}inventory-publisher`,
    );
    listeners.push(listener);
    await listener.start();
    return { clock, waits, outcomes };
  }

  it('when FEED_PROCESSING_FINISHED is published for a feed a flusher waits for, then that flusher reads the feed before its poll interval ends, and the other replica ignores it', async () => {
    // an event from before the processes started is not read (the topic is followed from its end)
    await runtime.publisher.publish('amazon.feed-status.v1', [
      { key: recordKey('c1', 'OLD'), value: finished({ feedId: 'OLD', eventId: 'OLD#DONE' }) },
    ]);
    const waiting = await replica();
    const other = await replica();
    const { flush, feedId, getFeedCalls, skus } = await feedInFlight(
      sim,
      'INT-WAKE-',
      waiting.clock,
      waiting.waits,
    );
    expect(getFeedCalls()).toBe(1);
    sim.time.advance(600_000); // Amazon is done with the feed

    await runtime.publisher.publish('amazon.feed-status.v1', [
      { key: recordKey('c1', feedId), value: finished({ feedId, eventId: `${feedId}#DONE` }) },
    ]);

    // resolves only if the event woke the wait: the clock never ends the hour-long sleep by itself
    await expect(flush).resolves.toMatchObject({ feeds: 1, fedMessages: 15, accepted: 15 });
    expect(getFeedCalls()).toBe(2);
    expect(waiting.clock.released).toBe(0);
    expect(waiting.outcomes).toEqual([[feedId, 'woken']]);
    expect(sim.sim.listing(NA.sellerId, skus[0], US)!.quantity).toBe(4);
    // the other replica got the same event and left it alone; neither saw the event from before it started
    await waitFor(() => other.outcomes.length > 0, { what: 'the other replica read the event' });
    expect(other.outcomes).toEqual([[feedId, 'not-awaited']]);
  }, 60_000);
});
