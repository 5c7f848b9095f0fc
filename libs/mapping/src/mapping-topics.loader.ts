import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { errorMessage } from '@connector/core';
import { topicOffsets, type KafkaRuntime } from '@connector/kafka';
import type { Logger } from '@connector/observability';
import { MAPPING_TOPICS, MappingCache } from './mapping-cache';

/**
 * Reads the compacted mapping topics from the beginning into the MappingCache and keeps following
 * them. `ready` resolves once every partition has been read up to the end it had at start, so no
 * order is mapped against a half-loaded cache. Each process reads with a group of its own and
 * commits nothing: the topics are the state.
 */
export class MappingTopicsLoader {
  private consumer?: Consumer;
  private resolveReady!: () => void;
  readonly ready: Promise<void> = new Promise((r) => (this.resolveReady = r));

  constructor(
    private readonly kafka: KafkaRuntime,
    private readonly cache: MappingCache,
    private readonly logger: Logger,
    private readonly groupPrefix: string,
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    const pending = new Map<string, bigint>(); // topic|partition → offset that must be reached
    try {
      for (const logical of MAPPING_TOPICS) {
        const topic = this.kafka.topic(logical);
        for (const p of await topicOffsets(admin, topic))
          if (BigInt(p.high) > BigInt(p.low)) pending.set(`${topic}|${p.partition}`, BigInt(p.high) - 1n);
      }
    } finally {
      await admin.disconnect();
    }
    const byPhysical = new Map(MAPPING_TOPICS.map((t) => [this.kafka.topic(t), t]));
    const check = () => {
      if (pending.size === 0) {
        this.logger.info({ mappings: this.cache.size }, 'mapping topics loaded');
        this.resolveReady();
      }
    };
    check();
    this.consumer = this.kafka.kafka.consumer({ groupId: `${this.groupPrefix}.mappings.${randomUUID()}` });
    await this.consumer.connect();
    for (const t of byPhysical.keys()) await this.consumer.subscribe({ topic: t, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const logical = byPhysical.get(topic)!;
        const key = message.key?.toString() ?? '';
        try {
          const value = message.value ? await this.kafka.codec.decode<never>(message.value) : null;
          this.cache.apply(logical, key, value);
        } catch (err) {
          // a mapping that cannot be decoded is skipped, loudly: orders needing it fail as unmapped and wait in the DLQ
          this.logger.error(
            { topic, partition, offset: message.offset, key, err: errorMessage(err) },
            'mapping record not readable',
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

/**
 * The mapping topics read once, to their end, into a fresh cache (command-line tools such as
 * `connection ping`): the loader stops when it is ready, or fails after `timeoutMs`.
 */
export async function readMappingsOnce(
  kafka: KafkaRuntime,
  logger: Logger,
  groupPrefix: string,
  timeoutMs = 30_000,
): Promise<MappingCache> {
  const cache = new MappingCache();
  const loader = new MappingTopicsLoader(kafka, cache, logger, groupPrefix);
  let timer: NodeJS.Timeout | undefined;
  try {
    await loader.start();
    await Promise.race([
      loader.ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the mapping topics were not read within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    return cache;
  } finally {
    clearTimeout(timer);
    await loader.stop().catch(() => undefined);
  }
}
