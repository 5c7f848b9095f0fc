import { randomUUID } from 'node:crypto';
import type avro from 'avsc';
import type { Consumer } from 'kafkajs';
import { errorMessage } from '@connector/core';
import { FeedProcessingFinishedSchema, type FeedProcessingFinished } from '@connector/events';
import { topicOffsets, type KafkaRuntime } from '@connector/kafka';
import type { Logger } from '@connector/observability';
import type { FeedStatusService } from './feed-status.service';

const TOPIC = 'amazon.feed-status.v1';

/**
 * Thin consumer of amazon.feed-status.v1, hands each event to FeedStatusService. Every process reads
 * every event, with a consumer group of its own and no commits (as the mapping loader does): the
 * flusher waiting for a feed may be in any replica, and a shared group would give the event to one
 * of them only. It reads from the end the topic had at start: an older event is of no use (its wait
 * is over), and the poll is the net for whatever it misses.
 */
export class FeedStatusListener {
  private consumer?: Consumer;

  constructor(
    private readonly kafka: KafkaRuntime,
    private readonly service: Pick<FeedStatusService, 'handle'>,
    private readonly logger: Logger,
    private readonly groupPrefix: string,
  ) {}

  /** Resolves once the group is joined and positioned: every event published after it is read. */
  async start(): Promise<void> {
    const topic = this.kafka.topic(TOPIC);
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    let ends: Array<{ partition: number; high: string }>;
    try {
      ends = await topicOffsets(admin, topic);
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.kafka.consumer({
      groupId: `${this.groupPrefix}.feed-status.${randomUUID()}`,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!message.value) return;
        try {
          this.service.handle(
            await this.kafka.codec.decode<FeedProcessingFinished>(
              message.value,
              FeedProcessingFinishedSchema as unknown as avro.Schema,
            ),
          );
        } catch (err) {
          // a signal only: an unreadable one costs its feed one poll interval
          this.logger.error(
            { topic, partition, offset: message.offset, err: errorMessage(err) },
            'feed status record not readable; its feed waits out its poll',
          );
        }
      },
    });
    // run() has joined the group; the first fetch starts where the topic ended before the subscription
    for (const p of ends) consumer.seek({ topic, partition: p.partition, offset: p.high });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
