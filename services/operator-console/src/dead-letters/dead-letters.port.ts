import { randomUUID } from 'node:crypto';
import { redriveDeadLetter, redriveDeadLetters, topicOffsets, type KafkaRuntime } from '@connector/kafka';
import type { Logger } from '@connector/observability';

export interface RawDeadLetter {
  /** logical origin topic (prefix removed) */
  topic: string;
  partition: number;
  offset: string;
  key: string;
  headers: Record<string, string>;
  value: unknown;
  /** the value could not be decoded (a poison record): its size only */
  undecodable?: number;
}

/** The dead-letter topics (Kafka in production, an array in unit tests). */
export interface DeadLetterPort {
  /** every record of every `*.dlq` topic, and how far each redrive group has gone */
  readAll(): Promise<{
    records: RawDeadLetter[];
    redrivenBefore: (topic: string, code: string, partition: number) => bigint;
  }>;
  redriveGroup(topic: string, code: string): Promise<{ redriven: number; skipped: number }>;
  redriveOne(topic: string, partition: number, offset: string): Promise<void>;
}

/** Group id of a code's redrive from the console: per code, so redriving one code never passes over another. */
export const redriveGroupOf = (physicalTopic: string, code: string) =>
  `connector.redrive.${physicalTopic}.${code}`;

export class KafkaDeadLetterPort implements DeadLetterPort {
  constructor(
    private readonly kafka: KafkaRuntime,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly readTimeoutMs = 20_000,
  ) {}

  async readAll() {
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    const ends = new Map<string, bigint>();
    const committed = new Map<string, bigint>();
    const dlqs: string[] = [];
    try {
      for (const t of await admin.listTopics())
        if (t.startsWith(this.prefix) && t.endsWith('.dlq')) {
          dlqs.push(t);
          for (const p of await topicOffsets(admin, t))
            if (BigInt(p.high) > BigInt(p.low)) ends.set(`${t}|${p.partition}`, BigInt(p.high));
        }
      // where the CLI's group (connector.redrive.<topic>) and the console's per-code groups stand
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith('connector.redrive.'));
      for (const groupId of groups)
        for (const t of await admin.fetchOffsets({ groupId, topics: dlqs }))
          for (const p of t.partitions)
            if (p.offset !== '-1') committed.set(`${groupId}|${t.topic}|${p.partition}`, BigInt(p.offset));
    } finally {
      await admin.disconnect();
    }
    const records: RawDeadLetter[] = [];
    if (ends.size > 0) {
      const consumer = this.kafka.kafka.consumer({
        groupId: `connector.operator-console.dlq.${randomUUID()}`,
      });
      await consumer.connect();
      try {
        for (const t of dlqs) await consumer.subscribe({ topic: t, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          // a partition whose end cannot be reached (records deleted meanwhile) must not hang the page
          const timer = setTimeout(() => {
            this.logger.warn(
              { partitions: [...ends.keys()] },
              'dead-letter topics not read to their end in time',
            );
            resolve();
          }, this.readTimeoutMs);
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ topic, partition, message }) => {
                const end = ends.get(`${topic}|${partition}`);
                if (end === undefined || BigInt(message.offset) >= end) return;
                const headers = Object.fromEntries(
                  Object.entries(message.headers ?? {}).map(([k, v]) => [
                    k,
                    v === undefined ? '' : String(v),
                  ]),
                );
                let value: unknown = null;
                let undecodable: number | undefined;
                try {
                  value = message.value ? await this.kafka.codec.decode<unknown>(message.value) : null;
                } catch {
                  undecodable = message.value?.length ?? 0;
                }
                records.push({
                  topic: topic.slice(this.prefix.length, -'.dlq'.length),
                  partition,
                  offset: message.offset,
                  key: message.key?.toString() ?? '',
                  headers,
                  value,
                  undecodable,
                });
                if (BigInt(message.offset) + 1n >= end) ends.delete(`${topic}|${partition}`);
                if (ends.size === 0) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect();
      }
    }
    const prefix = this.prefix;
    return {
      records,
      redrivenBefore: (topic: string, code: string, partition: number) => {
        const physical = `${prefix}${topic}`;
        const dlq = `${physical}.dlq`;
        const cli = committed.get(`connector.redrive.${physical}|${dlq}|${partition}`) ?? 0n;
        const byCode = committed.get(`${redriveGroupOf(physical, code)}|${dlq}|${partition}`) ?? 0n;
        return cli > byCode ? cli : byCode;
      },
    };
  }

  redriveGroup(topic: string, code: string) {
    const physical = this.kafka.topic(topic);
    return redriveDeadLetters(this.kafka.kafka, {
      topic: physical,
      codes: [code],
      groupId: redriveGroupOf(physical, code),
      logger: this.logger,
    });
  }

  async redriveOne(topic: string, partition: number, offset: string): Promise<void> {
    await redriveDeadLetter(this.kafka.kafka, {
      topic: this.kafka.topic(topic),
      partition,
      offset,
      logger: this.logger,
    });
  }
}
