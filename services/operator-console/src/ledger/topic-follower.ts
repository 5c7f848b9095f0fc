import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { errorMessage } from '@connector/core';
import { topicOffsets, type KafkaRuntime } from '@connector/kafka';
import type { Logger } from '@connector/observability';

export type FollowedRecord = { topic: string; key: string; value: unknown; timestamp: string };

/**
 * Reads topics from the beginning and keeps following them with a group of its own that commits
 * nothing (the pattern of libs/mapping's MappingTopicsLoader): the topics are the state. `ready`
 * resolves once every partition was read up to the end it had at start.
 */
export class TopicFollower {
  private consumer?: Consumer;
  private resolveReady!: () => void;
  readonly ready: Promise<void> = new Promise((r) => (this.resolveReady = r));

  constructor(
    private readonly kafka: KafkaRuntime,
    private readonly logger: Logger,
    private readonly logicalTopics: readonly string[],
    private readonly onRecord: (r: FollowedRecord) => void,
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    const pending = new Map<string, bigint>();
    try {
      const existing = new Set(await admin.listTopics());
      for (const logical of this.logicalTopics) {
        const topic = this.kafka.topic(logical);
        if (!existing.has(topic)) continue;
        for (const p of await topicOffsets(admin, topic))
          if (BigInt(p.high) > BigInt(p.low)) pending.set(`${topic}|${p.partition}`, BigInt(p.high) - 1n);
      }
    } finally {
      await admin.disconnect();
    }
    const logicalOf = new Map(this.logicalTopics.map((t) => [this.kafka.topic(t), t]));
    const check = () => pending.size === 0 && this.resolveReady();
    check();
    this.consumer = this.kafka.kafka.consumer({ groupId: `connector.operator-console.${randomUUID()}` });
    await this.consumer.connect();
    for (const t of logicalOf.keys()) await this.consumer.subscribe({ topic: t, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        try {
          const value = message.value ? await this.kafka.codec.decode<unknown>(message.value) : null;
          this.onRecord({
            topic: logicalOf.get(topic)!,
            key: message.key?.toString() ?? '',
            value,
            timestamp: message.timestamp,
          });
        } catch (err) {
          this.logger.warn(
            { topic, partition, offset: message.offset, err: errorMessage(err) },
            'record not readable',
          );
        }
        const target = pending.get(`${topic}|${partition}`);
        if (target !== undefined && BigInt(message.offset) >= target) {
          pending.delete(`${topic}|${partition}`);
          check();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
