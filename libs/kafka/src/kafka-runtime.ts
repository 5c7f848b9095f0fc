import type { Admin, Kafka, Producer } from 'kafkajs';
import type avro from 'avsc';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { RegistryAvroCodec, type EventCodec, type RegistrySettings } from './avro-codec';
import { KafkaConsumerHost, type ConsumerHost } from './consumer-host';
import { createKafka, createProducer, type KafkaSettings } from './kafka-client';
import { KafkaEventPublisher, type EventPublisher, type OutgoingRecord } from './publisher';
import type { Subscription } from './record-processor';
import { ensureTopics, type TopicSpec } from './topics';

export interface CatalogueEntry extends TopicSpec {
  schema: unknown;
}

export interface KafkaRuntimeOptions {
  service: string;
  kafka: KafkaSettings;
  registry: RegistrySettings;
  /** prepended to every topic name (separate environments on one cluster, isolated test runs) */
  topicPrefix?: string;
  catalogue: readonly CatalogueEntry[];
  groupId: string;
  autoRegister: boolean;
  ensureTopics: boolean;
  consumer: {
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    concurrency?: number;
    keyConcurrency?: number;
  };
  logger: Logger;
  metrics?: ConnectorMetrics;
}

/**
 * Everything a service needs from Kafka, free of any framework: topics (created from the catalogue),
 * a schema-aware publisher and a consumer host. Topic names given to it are logical
 * (`amazon.orders.v1`); the prefix is applied here.
 */
export class KafkaRuntime {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly host: ConsumerHost;
  private readonly innerPublisher: KafkaEventPublisher;
  private readonly prefix: string;
  private connected = false;

  constructor(private readonly opts: KafkaRuntimeOptions) {
    this.prefix = opts.topicPrefix ?? '';
    this.kafka = createKafka(opts.kafka, opts.logger);
    this.codec = new RegistryAvroCodec(opts.registry);
    this.admin = this.kafka.admin();
    this.producer = createProducer(this.kafka);
    const schemas = new Map(opts.catalogue.map((t) => [this.topic(t.topic), t.schema as avro.Schema]));
    this.innerPublisher = new KafkaEventPublisher(this.producer, this.codec, schemas, {
      autoRegister: opts.autoRegister,
      onProduced: (topic, n) => opts.metrics?.eventsProduced.inc({ topic }, n),
    });
    this.host = new KafkaConsumerHost(this.kafka, this.codec, {
      groupId: opts.groupId,
      service: opts.service,
      ...opts.consumer,
      logger: opts.logger,
      metrics: opts.metrics,
    });
  }

  /** the physical name of a logical topic */
  topic(logical: string): string {
    return `${this.prefix}${logical}`;
  }

  readonly publisher: EventPublisher = {
    publish: <V>(topic: string, records: OutgoingRecord<V>[]) =>
      this.innerPublisher.publish(this.topic(topic), records),
  };

  /** subscribe to a logical topic; the reader schema defaults to the catalogue's */
  subscribe<T>(sub: Subscription<T>): void {
    const entry = this.opts.catalogue.find((t) => t.topic === sub.topic);
    this.host.subscribe({
      ...sub,
      topic: this.topic(sub.topic),
      readerSchema: sub.readerSchema ?? (entry?.schema as avro.Schema),
    });
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    if (this.opts.ensureTopics) {
      const created = await ensureTopics(
        this.admin,
        this.opts.catalogue.map((t) => ({ ...t, topic: this.topic(t.topic) })),
      );
      if (created.length > 0) this.opts.logger.info({ created }, 'topics created');
    }
    this.connected = true;
  }

  async startConsumers(): Promise<void> {
    await this.host.start();
  }

  async stopConsumers(): Promise<void> {
    await this.host.stop();
  }

  /** for readiness: the broker answers a metadata request */
  async ping(): Promise<void> {
    if (!this.connected) throw new Error('kafka not connected yet');
    await this.admin.describeCluster();
  }

  async disconnect(): Promise<void> {
    await this.host.stop();
    await this.producer.disconnect();
    await this.admin.disconnect();
    this.connected = false;
  }
}
