import {
  Catch,
  UseFilters,
  type ArgumentsHost,
  type DynamicModule,
  type INestApplication,
  type NestApplicationOptions,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BaseRpcContext,
  EventPattern as NestEventPattern,
  Server,
  type CustomTransportStrategy,
} from '@nestjs/microservices';
import { lastValueFrom, isObservable, throwError, type Observable } from 'rxjs';
import type { TopicName, TopicValues } from '@connector/events';
import type { ConsumedRecord, KafkaRuntime } from '@connector/kafka';
import { KAFKA } from './tokens';

/** What a consumer handler is given: the record, its key, offsets and headers, and the decoded value. */
export type TopicRecord<T extends TopicName> = ConsumedRecord<TopicValues[T]>;

type TopicHandler<T extends TopicName> = (record: TopicRecord<T>) => Promise<void>;

/**
 * Nest's RPC exception layer would turn every error into `{ status: 'error', message }`, losing the
 * typed errors (retriable or not) that the record processor retries or dead-letters on. This filter
 * hands the error back unchanged.
 */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * `@EventPattern(topic)` for the connector's topics: Nest's decorator, typed from the generated
 * TopicValues, so that a handler of `amazon.orders.v1` must take an `AmazonOrder` record (a handler
 * typed for another topic does not compile). Topic names are logical; the runtime adds the prefix.
 * Errors leave the handler unchanged (RethrowRpcErrors), for the consumer host to retry or dead-letter.
 */
export function EventPattern<T extends TopicName>(topic: T) {
  return (
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<TopicHandler<T>>,
  ): void => {
    NestEventPattern(topic)(target, key, descriptor);
    UseFilters(RethrowRpcErrors)(target, key, descriptor);
  };
}

/** The context of a consumed record (`@Ctx()`); the record itself is the payload. */
export class KafkaRecordContext extends BaseRpcContext<[ConsumedRecord<unknown>]> {
  get record(): ConsumedRecord<unknown> {
    return this.args[0];
  }
}

/**
 * A Nest microservice transport over the connector's Kafka runtime (libs/kafka): each `@EventPattern`
 * handler becomes a subscription of the runtime's consumer host, which keeps its semantics: retries
 * with backoff and jitter, the dead-letter topic, offsets committed only after the outcome, and
 * `CONSUMER_CONCURRENCY` partitions at once with order held per partition.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  constructor(private readonly runtime: KafkaRuntime) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const [topic, handler] of this.messageHandlers) {
        this.runtime.subscribe<unknown>({
          topic,
          handler: async (record) => {
            const out: unknown = await handler(record, new KafkaRecordContext([record]));
            if (isObservable(out)) await lastValueFrom(out, { defaultValue: undefined });
          },
        });
      }
      await this.runtime.startConsumers();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.runtime.stopConsumers();
  }

  on(): never {
    throw new Error('KafkaTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.runtime as T;
  }
}

export interface StartOptions extends NestApplicationOptions {
  /** listen for HTTP on this port (health, metrics); without it the app is only initialised */
  port?: number;
  host?: string;
  /** called once the application exists, before anything starts (logger, shutdown hooks) */
  configure?: (app: INestApplication) => void;
}

/**
 * Creates a service's Nest application with its Kafka consumers as a connected microservice, runs the
 * lifecycle (migrations, Kafka, the features' bootstrap) and then starts the consumers.
 */
export async function startService(
  module: DynamicModule,
  opts: StartOptions = {},
): Promise<INestApplication> {
  const { port, host, configure, ...appOptions } = opts;
  const app = await NestFactory.create(module, appOptions);
  configure?.(app);
  app.connectMicroservice(
    { strategy: new KafkaTransport(app.get<KafkaRuntime>(KAFKA)) },
    { inheritAppConfig: true },
  );
  if (port === undefined) await app.init();
  else await app.listen(port, host ?? '0.0.0.0');
  await app.startAllMicroservices();
  return app;
}
