import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { AdaptiveLimit } from '@connector/core';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { EventCodec } from './avro-codec';
import { createProducer } from './kafka-client';
import { KafkaDeadLetterSink } from './dead-letter';
import { connectionLane, runKeyedBatch } from './keyed-batch';
import { RecordProcessor, type RawRecord, type Subscription } from './record-processor';
import { REPLAYED_FROM_HEADER, REPLAY_ID_HEADER, isForGroup } from './replay';

export interface ConsumerHostOptions {
  groupId: string;
  service: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** partitions worked on at once (kafkajs partitionsConsumedConcurrently); order holds within a partition */
  concurrency?: number;
  /**
   * records of different keys worked on at once within a partition, per connection (the key's
   * `<connectionId>/` prefix), same key in order. 1 (the default): one record at a time. A wide
   * setting lets the statements and sends of many records go together (GroupCommit); what the other
   * side may take at once is the handler's to limit (sage-writer's ErpGate), not the consumer's.
   */
  keyConcurrency?: number;
  /** where a new group starts: the earliest offset (default) so nothing published before the first start is missed */
  fromBeginning?: boolean;
  logger: Logger;
  metrics?: ConnectorMetrics;
}

/** Runs subscriptions against a broker; the application's view of a consumer group. */
export interface ConsumerHost {
  subscribe<T>(sub: Subscription<T>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  isRunning(): boolean;
}

function headersOf(
  raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}

/**
 * kafkajs consumer group around a RecordProcessor. The offset of a record is committed only after its
 * outcome is settled (handled, or kept on the dead-letter topic), so a crash replays rather than loses,
 * and a poison record never blocks its partition.
 */
export class KafkaConsumerHost implements ConsumerHost {
  private readonly subs = new Map<string, Subscription<unknown>>();
  private consumer?: Consumer;
  private dlqProducer?: Producer;
  private running = false;
  /** per connection: how many of its records run at once (keyConcurrency, a fixed limit) */
  private readonly limits = new Map<string, AdaptiveLimit>();
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: EventCodec,
    private readonly opts: ConsumerHostOptions,
  ) {}

  private limitFor(lane: string, ceiling: number): AdaptiveLimit {
    let limit = this.limits.get(lane);
    if (!limit) {
      limit = new AdaptiveLimit({ ceiling, adaptive: false });
      this.limits.set(lane, limit);
    }
    return limit;
  }

  subscribe<T>(sub: Subscription<T>): void {
    if (this.running) throw new Error('subscribe before start');
    this.subs.set(sub.topic, sub as Subscription<unknown>);
  }

  isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.run();
  }

  private async run(): Promise<void> {
    if (this.subs.size === 0) return;
    const { logger, metrics, groupId } = this.opts;
    this.dlqProducer = createProducer(this.kafka);
    await this.dlqProducer.connect();
    const processor = new RecordProcessor(
      this.codec,
      new KafkaDeadLetterSink(this.dlqProducer, this.opts.service),
      {
        service: this.opts.service,
        maxAttempts: this.opts.maxAttempts,
        retryBaseMs: this.opts.retryBaseMs,
        retryMaxMs: this.opts.retryMaxMs,
        logger,
        metrics,
      },
    );
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 45_000, heartbeatInterval: 3_000 });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      metrics?.consumerLag.set(
        { group: groupId, topic: payload.topic, partition: String(payload.partition) },
        Number(payload.offsetLag),
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error?.message, restart: payload.restart }, 'consumer crashed');
      // kafkajs gives up on some errors of a broker that was away ("Timeout while acquiring lock",
      // non-retriable connection errors): without this the service would stay up and consume nothing
      if (!payload.restart && this.consumer === consumer) void this.restartAfterCrash(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.subs.keys()],
      fromBeginning: this.opts.fromBeginning ?? true,
    });
    const handle = async (
      topic: string,
      partition: number,
      message: KafkaMessage,
      heartbeat: () => Promise<void>,
    ) => {
      const sub = this.subs.get(topic);
      if (!sub) return;
      if (!isForGroup(headersOf(message.headers), groupId)) {
        logger.debug({ topic, partition, offset: message.offset }, 'replay for another group passed by');
        return;
      }
      const raw: RawRecord = {
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: headersOf(message.headers),
        timestamp: message.timestamp,
      };
      if (raw.headers[REPLAYED_FROM_HEADER])
        logger.info(
          {
            topic,
            partition,
            offset: message.offset,
            replayedFrom: raw.headers[REPLAYED_FROM_HEADER],
            replayId: raw.headers[REPLAY_ID_HEADER],
          },
          'replayed record received',
        );
      await processor.process(raw, sub, heartbeat);
    };
    const keyConcurrency = this.opts.keyConcurrency ?? 1;
    if (keyConcurrency <= 1)
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        partitionsConsumedConcurrently: this.opts.concurrency ?? 1,
        eachMessage: (p) => handle(p.topic, p.partition, p.message, () => p.heartbeat()),
      });
    else
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        partitionsConsumedConcurrently: this.opts.concurrency ?? 1,
        eachBatchAutoResolve: false,
        eachBatch: async (p) => {
          const { batch } = p;
          const heartbeat = () => p.heartbeat();
          await runKeyedBatch(
            batch.messages.map((m) => ({ offset: m.offset, key: m.key?.toString('utf8') ?? null, item: m })),
            {
              laneOf: connectionLane,
              limitFor: (lane) => this.limitFor(lane, keyConcurrency),
              run: async (m) => {
                await handle(batch.topic, batch.partition, m, heartbeat);
                // a failed heartbeat (a rebalance, a broker away) stops the batch through isStale/isRunning
                await heartbeat().catch(() => undefined);
              },
              onDone: (offset) => p.resolveOffset(offset),
              shouldStop: () => !p.isRunning() || p.isStale(),
            },
          );
          await p.commitOffsetsIfNecessary();
        },
      });
    this.running = true;
    logger.info({ groupId, topics: [...this.subs.keys()] }, 'consumer started');
  }

  /** a consumer kafkajs will not restart: a new one, after a pause, until it starts or the host stops */
  private async restartAfterCrash(crashed: Consumer): Promise<void> {
    const { logger } = this.opts;
    this.running = false;
    this.consumer = undefined;
    await crashed.disconnect().catch(() => undefined);
    await this.dlqProducer?.disconnect().catch(() => undefined);
    this.dlqProducer = undefined;
    for (let attempt = 1; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5))));
      if (this.stopped) return;
      try {
        await this.run();
        logger.warn({ groupId: this.opts.groupId, attempt }, 'consumer restarted after a crash');
        return;
      } catch (err) {
        logger.warn(
          { err: err instanceof Error ? err.message : String(err), attempt },
          'consumer restart failed',
        );
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    await this.consumer?.disconnect();
    await this.dlqProducer?.disconnect();
    this.consumer = undefined;
    this.dlqProducer = undefined;
  }
}
