import type { Producer } from 'kafkajs';
import type avro from 'avsc';
import type { EventCodec } from './avro-codec';

export type Headers = Record<string, string>;

export interface OutgoingRecord<V = unknown> {
  key: string;
  value: V;
  headers?: Headers;
}

/** Publishes typed events; the Kafka implementation encodes them with the topic's registered schema. */
export interface EventPublisher {
  publish<V>(topic: string, records: OutgoingRecord<V>[]): Promise<void>;
}

export interface TopicSchema {
  topic: string;
  schema: avro.Schema;
}

/**
 * Encodes with the schema registered for `<topic>-value` (TopicNameStrategy) and sends with the
 * idempotent producer (acks=all). Schema ids are resolved once per topic.
 */
export class KafkaEventPublisher implements EventPublisher {
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

  async publish<V>(topic: string, records: OutgoingRecord<V>[]): Promise<void> {
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
    await this.producer.send({ topic, messages, acks: -1 });
    this.opts.onProduced?.(topic, records.length);
  }
}

/** In-memory publisher for service unit tests. */
export class FakeEventPublisher implements EventPublisher {
  readonly published: Array<{ topic: string } & OutgoingRecord> = [];

  async publish<V>(topic: string, records: OutgoingRecord<V>[]): Promise<void> {
    for (const r of records) this.published.push({ topic, ...r });
  }

  on<V>(topic: string): Array<OutgoingRecord<V>> {
    return this.published.filter((p) => p.topic === topic) as Array<OutgoingRecord<V>>;
  }
}
