import type avro from 'avsc';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { EventCodec } from './avro-codec';
import type { Headers } from './publisher';
import {
  PoisonRecordError,
  RetriesExhaustedError,
  type RetryOptions,
  errorCode,
  errorMessage,
  isRetriable,
  retry,
  sleep as realSleep,
} from '@connector/core';

/** A record as it arrives from the broker, before decoding. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  timestamp: string;
}

export interface ConsumedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  headers: Headers;
  /** broker timestamp (ms since epoch, as a string) */
  timestamp: string;
}

export type RecordHandler<T> = (record: ConsumedRecord<T>) => Promise<void>;

export interface Subscription<T = unknown> {
  topic: string;
  /** the schema the handler's type was generated from; the writer's schema is resolved into it */
  readerSchema?: avro.Schema;
  handler: RecordHandler<T>;
}

export interface Failure {
  error: unknown;
  code: string;
  message: string;
  retriable: boolean;
  attempts: number;
  stage: 'decode' | 'handle';
}

/** Where records that cannot be processed go, with the reason. Must not lose the record: throw if it cannot keep it. */
export interface DeadLetterSink {
  deadLetter(record: RawRecord, failure: Failure): Promise<void>;
}

export type Outcome = 'ok' | 'dead_lettered';

export interface ProcessorOptions {
  service: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  logger: Logger;
  metrics?: ConnectorMetrics;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * How long a record whose error names its own wait (a lease another writer holds) is waited for
   * without using attempts (default 10 minutes); the group is heartbeated at every step.
   */
  retryAfterBudgetMs?: number;
  /** called between attempts so that the group coordinator knows the consumer is alive */
  heartbeat?: () => Promise<void>;
}

/**
 * The consumer's logic, free of Kafka: decode, call the handler, retry retriable failures with capped
 * exponential backoff and full jitter, and dead-letter the record when decoding fails, the error is not
 * retriable, or the attempts run out. It returns only when the record's outcome is settled, so the
 * caller can commit the offset; it throws only when the dead-letter sink itself fails (then the
 * record is redelivered, never dropped).
 */
export class RecordProcessor {
  constructor(
    private readonly codec: EventCodec,
    private readonly dlq: DeadLetterSink,
    private readonly opts: ProcessorOptions,
  ) {}

  async process<T>(raw: RawRecord, sub: Subscription<T>, heartbeat?: () => Promise<void>): Promise<Outcome> {
    const started = process.hrtime.bigint();
    const where = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
    let value: T;
    try {
      if (raw.value === null)
        throw new PoisonRecordError('record has no value (tombstone) on a topic that expects one');
      value = await this.decodeWithRetry<T>(raw.value, sub.readerSchema, heartbeat);
    } catch (error) {
      return this.fail(raw, { error, stage: 'decode', attempts: 1 }, started);
    }
    const record: ConsumedRecord<T> = {
      ...where,
      key: raw.key ? raw.key.toString('utf8') : null,
      value,
      headers: raw.headers,
      timestamp: raw.timestamp,
    };
    let attemptsUsed = 1;
    try {
      await retry(
        () => sub.handler(record),
        this.retryOptions(heartbeat, (err, attempt, delayMs) => {
          attemptsUsed = attempt + 1;
          this.opts.metrics?.eventsConsumed.inc({ topic: raw.topic, outcome: 'retried' });
          this.opts.logger.warn(
            { ...where, attempt, delayMs, code: errorCode(err), err: errorMessage(err) },
            'handler failed; retrying',
          );
        }),
      );
    } catch (err) {
      const error = err instanceof RetriesExhaustedError ? err.lastError : err;
      const attempts = err instanceof RetriesExhaustedError ? err.attempts : attemptsUsed;
      return this.fail(raw, { error, stage: 'handle', attempts }, started);
    }
    this.opts.metrics?.eventsConsumed.inc({ topic: raw.topic, outcome: 'ok' });
    this.observeDuration(raw.topic, started);
    return 'ok';
  }

  /** Registry outages are retried like handler failures; a record that is not decodable is not. */
  private async decodeWithRetry<T>(
    value: Buffer,
    readerSchema: avro.Schema | undefined,
    heartbeat?: () => Promise<void>,
  ): Promise<T> {
    const { value: decoded } = await retry(
      () => this.codec.decode<T>(value, readerSchema),
      this.retryOptions(heartbeat),
    ).catch((err: unknown) => {
      throw err instanceof RetriesExhaustedError ? err.lastError : err;
    });
    return decoded;
  }

  /** The consumer's retry policy; every wait between attempts also heartbeats the group. */
  private retryOptions(
    heartbeat: (() => Promise<void>) | undefined,
    onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
  ): RetryOptions {
    return {
      maxAttempts: this.opts.maxAttempts,
      retryAfterBudgetMs: this.opts.retryAfterBudgetMs ?? 600_000,
      baseMs: this.opts.retryBaseMs,
      maxMs: this.opts.retryMaxMs,
      random: this.opts.random,
      sleep: this.opts.sleep ?? realSleep,
      shouldRetry: isRetriable,
      onRetry: async (err, attempt, delayMs) => {
        onRetry?.(err, attempt, delayMs);
        // a heartbeat that cannot reach the broker (it is away) must not settle the record: the wait
        // goes on, and if the group moved on meanwhile the offset is not committed and the record comes again
        await (heartbeat ?? this.opts.heartbeat)?.().catch((hbErr: unknown) =>
          this.opts.logger.debug({ err: errorMessage(hbErr) }, 'heartbeat failed between attempts'),
        );
      },
    };
  }

  private async fail(
    raw: RawRecord,
    f: { error: unknown; stage: Failure['stage']; attempts: number },
    started: bigint,
  ): Promise<Outcome> {
    const failure: Failure = {
      ...f,
      code: errorCode(f.error),
      message: errorMessage(f.error),
      retriable: isRetriable(f.error),
    };
    await this.dlq.deadLetter(raw, failure);
    this.opts.metrics?.eventsConsumed.inc({ topic: raw.topic, outcome: 'dead_lettered' });
    this.opts.metrics?.dlqMessages.inc({ topic: raw.topic, reason: failure.code });
    this.observeDuration(raw.topic, started);
    this.opts.logger.warn(
      {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        stage: f.stage,
        attempts: f.attempts,
        code: failure.code,
        err: failure.message,
      },
      'record sent to the dead-letter topic',
    );
    return 'dead_lettered';
  }

  private observeDuration(topic: string, started: bigint): void {
    this.opts.metrics?.handlerDuration.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
