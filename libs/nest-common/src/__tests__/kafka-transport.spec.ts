import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RetriableError } from '@connector/core';
import type { AmazonOrder, JournalEntry } from '@connector/events';
import type { ConsumedRecord, EventPublisher, KafkaRuntime, Subscription } from '@connector/kafka';
import { EventPattern, KafkaTransport, type TopicRecord } from '../kafka-transport';

/** The runtime's consumer side, in memory: what the transport subscribes and whether it started. */
class RecordingRuntime {
  readonly subs = new Map<string, Subscription<unknown>>();
  started = false;
  subscribe<T>(sub: Subscription<T>): void {
    this.subs.set(sub.topic, sub as Subscription<unknown>);
  }
  async startConsumers(): Promise<void> {
    this.started = true;
  }
  async stopConsumers(): Promise<void> {
    this.started = false;
  }
  deliver<T>(topic: string, value: T): Promise<void> {
    const record: ConsumedRecord<T> = {
      topic,
      partition: 0,
      offset: '7',
      key: 'k',
      value,
      headers: {},
      timestamp: '0',
    };
    return this.subs.get(topic)!.handler(record);
  }
}

const seen: string[] = [];

@Controller()
class OrdersConsumer {
  @EventPattern('amazon.orders.v1')
  async order(record: TopicRecord<'amazon.orders.v1'>): Promise<void> {
    if (record.value.amazonOrderId === 'locked') throw new RetriableError('ERP_LOCKED', 'record in use');
    seen.push(`${record.value.amazonOrderId}@${record.offset}`);
  }

  @EventPattern('ledger.journals.v1')
  async journal(record: TopicRecord<'ledger.journals.v1'>): Promise<void> {
    seen.push(record.value.journalId);
  }

  // A handler typed for another topic's records does not compile:
  // @ts-expect-error an order handler cannot subscribe to the journals topic
  @EventPattern('ledger.journals.v1')
  async wrongTopic(_record: TopicRecord<'amazon.orders.v1'>): Promise<void> {}
}

@Module({ controllers: [OrdersConsumer] })
class TestModule {}

describe('KafkaTransport (Nest microservice over the consumer host)', () => {
  let app: INestApplication;
  const runtime = new RecordingRuntime();

  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    app.connectMicroservice(
      { strategy: new KafkaTransport(runtime as unknown as KafkaRuntime) },
      { inheritAppConfig: true },
    );
    await app.init();
    await app.startAllMicroservices();
  });
  afterAll(() => app.close());

  it('when the microservice starts, then every @EventPattern becomes a subscription and the consumers start', () => {
    expect([...runtime.subs.keys()].sort()).toEqual(['amazon.orders.v1', 'ledger.journals.v1']);
    expect(runtime.started).toBe(true);
  });

  it('when a record arrives, then its handler gets the whole record (value, offset)', async () => {
    await runtime.deliver('amazon.orders.v1', { amazonOrderId: '111-1' } as AmazonOrder);
    await runtime.deliver('ledger.journals.v1', { journalId: 'S1/ATVPDKIKX0DER/USD' } as JournalEntry);
    expect(seen).toEqual(['111-1@7', 'S1/ATVPDKIKX0DER/USD']);
  });

  it('when a handler throws a typed error, then the consumer host gets it unchanged (retriable stays retriable)', async () => {
    const err = await runtime
      .deliver('amazon.orders.v1', { amazonOrderId: 'locked' } as AmazonOrder)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriableError);
    expect(err).toMatchObject({ code: 'ERP_LOCKED', retriable: true });
  });

  // eslint-disable-next-line jest/expect-expect -- the assertions are the @ts-expect-error lines, checked when tsc (tsconfig.json) type-checks this file, not by jest
  it('when a topic and a value do not belong together, then publishing does not compile', () => {
    const publisher: EventPublisher = { publish: async () => undefined };
    const order = { amazonOrderId: '111-1' } as AmazonOrder;
    // @ts-expect-error an order cannot be published on the journals topic
    void publisher.publish('ledger.journals.v1', [{ key: 'k', value: order }]);
    void publisher.publish('amazon.orders.v1', [{ key: 'k', value: order }]);
    // @ts-expect-error only compacted topics take tombstones
    void publisher.publish('amazon.orders.v1', [{ key: 'k', value: null }]);
    void publisher.publish('mapping.skus.v1', [{ key: 'k', value: null }]);
  });

  it('when the application closes, then the consumers stop', async () => {
    await app.close();
    expect(runtime.started).toBe(false);
  });
});
