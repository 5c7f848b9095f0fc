import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { silentLogger } from '@connector/observability';
import type { EventCodec } from '../avro-codec';
import { KafkaConsumerHost } from '../consumer-host';

/** a kafkajs consumer that records its life and lets the test crash it */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash', END_BATCH_PROCESS: 'consumer.end_batch_process' };
  connected = false;
  runs = 0;
  connect = async () => void (this.connected = true);
  disconnect = async () => void (this.connected = false);
  subscribe = async () => undefined;
  run = async () => void this.runs++;
}

function fakeKafka() {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c;
    },
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  } as unknown as Kafka;
  return { kafka, consumers };
}

describe('KafkaConsumerHost after a crash kafkajs will not restart', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const host = (kafka: Kafka) => {
    const h = new KafkaConsumerHost(kafka, {} as EventCodec, {
      groupId: 'g',
      service: 's',
      maxAttempts: 1,
      retryBaseMs: 1,
      retryMaxMs: 1,
      logger: silentLogger(),
    });
    h.subscribe({ topic: 't', handler: async () => undefined });
    return h;
  };

  it('when the consumer crashes with restart false, then a new consumer is started', async () => {
    const { kafka, consumers } = fakeKafka();
    const h = host(kafka);
    await h.start();
    expect(consumers).toHaveLength(1);
    consumers[0].emit('consumer.crash', {
      payload: { error: new Error('Timeout while acquiring lock'), restart: false },
    });
    expect(h.isRunning()).toBe(false);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(consumers).toHaveLength(2);
    expect(consumers[0].connected).toBe(false);
    expect(consumers[1]).toMatchObject({ connected: true, runs: 1 });
    expect(h.isRunning()).toBe(true);
    await h.stop();
  });

  it('when kafkajs restarts on its own, or the host was stopped, then no second consumer is made', async () => {
    const { kafka, consumers } = fakeKafka();
    const h = host(kafka);
    await h.start();
    consumers[0].emit('consumer.crash', { payload: { error: new Error('retriable'), restart: true } });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
    await h.stop();
    consumers[0].emit('consumer.crash', { payload: { error: new Error('late'), restart: false } });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
  });
});
