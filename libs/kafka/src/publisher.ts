import type { Producer, TopicMessages } from 'kafkajs';
import type avro from 'avsc';
import { GroupCommit, RetriableError } from '@connector/core';
import type { CompactedTopicName, TopicName, TopicValues } from '@connector/events';
import type { EventCodec } from './avro-codec';

export type Headers = Record<string, string>;

export interface OutgoingRecord<V = unknown> {
  key: string;
  value: V;
  headers?: Headers;
}

/** What a topic carries: its generated value type, or on a compacted topic also a tombstone (null). */
export type TopicValue<T extends TopicName> = TopicValues[T] | (T extends CompactedTopicName ? null : never);

/**
 * Publishes typed events; the Kafka implementation encodes them with the topic's registered schema.
 * The topic names the value type (TopicValues, generated from schemas/), so a record of one topic
 * cannot be published on another.
 */
export interface EventPublisher {
  publish<T extends TopicName>(topic: T, records: OutgoingRecord<TopicValue<T>>[]): Promise<void>;
}

export interface TopicSchema {
  topic: string;
  schema: avro.Schema;
}

/**
 * Encodes with the schema registered for `<topic>-value` (TopicNameStrategy) and sends with the
 * idempotent producer (acks=all). Schema ids are resolved once per topic. Publishes made while a send
 * is in flight go together in the next one (GroupCommit), in the order they were made.
 */
export class KafkaEventPublisher {
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    private readonly producer: Producer,
    private readonly codec: EventCodec,
    private readonly schemas: ReadonlyMap<string, avro.Schema>,
    private readonly opts: { autoRegister: boolean; onProduced?: (topic: string, count: number) => void },
  ) {}

  private schemaId(topic: string): Promise<number> {
    let id = this.ids.get(topic);
    if (!id) {
      const schema = this.schemas.get(topic);
      const subject = `${topic}-value`;
      id =
        schema && this.opts.autoRegister
          ? this.codec.register(subject, schema)
          : this.codec.latestId(subject);
      id.catch(() => this.ids.delete(topic));
      this.ids.set(topic, id);
    }
    return id;
  }

  /** `topic` is the physical name (with any prefix); the typed, logical view is KafkaRuntime.publisher. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const id = await this.schemaId(topic);
    const messages = await Promise.all(
      records.map(async (r) => ({
        key: r.key,
        // null is a tombstone: it deletes the key from a compacted topic
        value: r.value === null ? null : await this.codec.encode(id, r.value),
        headers: r.headers,
      })),
    );
    await this.sends.add({ topic, messages });
    this.opts.onProduced?.(topic, records.length);
  }

  /** publishes made at once (records of different keys running together) go in one request */
  private readonly sends = new GroupCommit<TopicMessages>(async (batch) => {
    const byTopic = new Map<string, TopicMessages['messages']>();
    for (const b of batch) {
      const messages = byTopic.get(b.topic);
      if (messages) messages.push(...b.messages);
      else byTopic.set(b.topic, [...b.messages]);
    }
    await this.producer
      .sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 })
      .catch((err: unknown) => {
        throw brokerAway(err);
      });
  });
}

/** How long a record whose publish found the broker away waits before it is tried again. */
export const BROKER_AWAY_RETRY_AFTER_MS = 5_000;

const AWAY =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|Connection error|Connection timeout|Closed connection|not connected|Request timed out|broker not found|no brokers? available|leader/i;

/**
 * A broker that is away (killed, restarting, unreachable) is a passing condition, whatever kafkajs
 * calls it once its own retries are spent (KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded,
 * both `retriable: false`). Left as is, a consumer whose handler publishes would dead-letter its record
 * at once; as a RetriableError naming a wait, the record processor waits for the broker within its
 * retry-after budget. Other errors pass unchanged.
 */
export function brokerAway(err: unknown): unknown {
  if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) return err;
  const cause = (err as { cause?: unknown }).cause;
  const text = `${err.message} ${cause instanceof Error ? cause.message : ''}`;
  if (!AWAY.test(text)) return err;
  return new RetriableError('KAFKA_UNAVAILABLE', `Kafka is away: ${err.message}`, {
    cause: err,
    retryAfterMs: BROKER_AWAY_RETRY_AFTER_MS,
  });
}
