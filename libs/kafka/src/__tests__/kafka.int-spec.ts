import type avro from 'avsc';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import {
  DLQ_HEADERS,
  KafkaConsumerHost,
  KafkaEventPublisher,
  NonRetriableError,
  RegistryAvroCodec,
  REDRIVEN_FROM_HEADER,
  createKafka,
  createProducer,
  dlqTopic,
  ensureTopics,
  redriveDeadLetter,
  redriveDeadLetters,
} from '../index';

const schema = {
  type: 'record',
  name: 'Payment',
  namespace: 'connector.test',
  doc: 'test event',
  fields: [
    { name: 'id', type: 'string', doc: 'id' },
    {
      name: 'amount',
      type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 },
      doc: 'amount',
    },
  ],
} as unknown as avro.Schema;

interface Payment {
  id: string;
  amount: string;
}

describe('kafka library against a real broker and schema registry', () => {
  const logger = silentLogger();
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const hosts: KafkaConsumerHost[] = [];

  beforeAll(async () => {
    kafka = createKafka(
      { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'kafka-int-test' },
      logger,
    );
    admin = kafka.admin();
    await admin.connect();
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('when topics are ensured, then compacted topics and dead-letter topics exist with their policy', async () => {
    const topic = uniqueName('test.mapping');
    const created = await ensureTopics(admin, [
      { topic, partitions: 1, cleanupPolicy: 'compact', dlq: true },
    ]);
    expect(created.sort()).toEqual([topic, dlqTopic(topic)].sort());
    expect(
      await ensureTopics(admin, [{ topic, partitions: 1, cleanupPolicy: 'compact', dlq: true }]),
    ).toEqual([]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }],
    });
    expect(resources[0].configEntries[0].configValue).toBe('compact');
  });

  it('when an event is published and consumed, then it crosses Kafka in the Confluent wire format with exact decimals', async () => {
    const topic = uniqueName('test.payments');
    await ensureTopics(admin, [{ topic, partitions: 3, cleanupPolicy: 'delete', dlq: true }]);
    const publisher = new KafkaEventPublisher(producer, codec, new Map([[topic, schema]]), {
      autoRegister: true,
    });
    await publisher.publish(topic, [
      { key: 'p-1', value: { id: 'p-1', amount: '12345.67' } },
      { key: 'p-2', value: { id: 'p-2', amount: '-0.01' } },
    ]);

    const seen: Payment[] = [];
    const host = new KafkaConsumerHost(kafka, codec, {
      groupId: uniqueName('g'),
      service: 'test',
      maxAttempts: 2,
      retryBaseMs: 10,
      retryMaxMs: 50,
      logger,
    });
    hosts.push(host);
    host.subscribe<Payment>({ topic, readerSchema: schema, handler: async (r) => void seen.push(r.value) });
    await host.start();
    await waitFor(() => seen.length === 2, { what: 'two payments' });
    expect(seen.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'p-1', amount: '12345.6700' },
      { id: 'p-2', amount: '-0.0100' },
    ]);
  });

  it('when a poison record and a failing record arrive, then both go to the DLQ with reasons and the partition keeps moving', async () => {
    const topic = uniqueName('test.poison');
    await ensureTopics(admin, [{ topic, partitions: 1, cleanupPolicy: 'delete', dlq: true }]);
    const publisher = new KafkaEventPublisher(producer, codec, new Map([[topic, schema]]), {
      autoRegister: true,
    });
    await publisher.publish(topic, [{ key: 'a', value: { id: 'a', amount: '1' } }]);
    await producer.send({ topic, messages: [{ key: 'poison', value: Buffer.from('{"not":"avro"}') }] });
    await publisher.publish(topic, [
      { key: 'bad', value: { id: 'bad', amount: '2' } },
      { key: 'b', value: { id: 'b', amount: '3' } },
    ]);

    const handled: string[] = [];
    const host = new KafkaConsumerHost(kafka, codec, {
      groupId: uniqueName('g'),
      service: 'test',
      maxAttempts: 2,
      retryBaseMs: 10,
      retryMaxMs: 50,
      logger,
    });
    hosts.push(host);
    host.subscribe<Payment>({
      topic,
      readerSchema: schema,
      handler: async (r) => {
        if (r.value.id === 'bad') throw new NonRetriableError('UNMAPPED', 'no mapping for bad');
        handled.push(r.value.id);
      },
    });
    await host.start();
    await waitFor(() => handled.length === 2, { what: 'records after the poison one' });
    expect(handled).toEqual(['a', 'b']);

    const dead: Array<{ key: string; headers: Record<string, string>; value: Buffer }> = [];
    const dlqConsumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: dlqTopic(topic), fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        dead.push({ key: String(message.key), headers, value: message.value as Buffer });
      },
    });
    await waitFor(() => dead.length === 2, { what: 'two dead letters' });
    await dlqConsumer.disconnect();
    const [poison, bad] = dead;
    expect(poison.key).toBe('poison');
    expect(poison.value.toString()).toBe('{"not":"avro"}');
    expect(poison.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'POISON_RECORD',
      [DLQ_HEADERS.stage]: 'decode',
      [DLQ_HEADERS.topic]: topic,
      [DLQ_HEADERS.partition]: '0',
      [DLQ_HEADERS.offset]: '1',
    });
    expect(bad.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'UNMAPPED',
      [DLQ_HEADERS.retriable]: 'false',
      [DLQ_HEADERS.attempts]: '1',
      [DLQ_HEADERS.offset]: '2',
    });
    expect(bad.headers[DLQ_HEADERS.error]).toContain('no mapping for bad');
  });

  it('when dead letters are redriven after the fix, then the handler gets them and a second redrive sends nothing', async () => {
    const topic = uniqueName('test.redrive');
    await ensureTopics(admin, [{ topic, partitions: 1, cleanupPolicy: 'delete', dlq: true }]);
    const publisher = new KafkaEventPublisher(producer, codec, new Map([[topic, schema]]), {
      autoRegister: true,
    });
    let fixed = false;
    const handled: Array<{ id: string; redriven?: string }> = [];
    const host = new KafkaConsumerHost(kafka, codec, {
      groupId: uniqueName('g'),
      service: 'test',
      maxAttempts: 1,
      retryBaseMs: 1,
      retryMaxMs: 1,
      logger,
    });
    hosts.push(host);
    host.subscribe<Payment>({
      topic,
      readerSchema: schema,
      handler: async (r) => {
        if (!fixed && r.value.id.startsWith('unmapped'))
          throw new NonRetriableError('UNMAPPED_SKU', 'no mapping yet');
        handled.push({ id: r.value.id, redriven: r.headers[REDRIVEN_FROM_HEADER] });
      },
    });
    await host.start();
    await publisher.publish(topic, [
      { key: 'u1', value: { id: 'unmapped-1', amount: '5' }, headers: { 'x-trace': 't1' } },
      { key: 'ok', value: { id: 'ok', amount: '6' } },
      { key: 'u2', value: { id: 'unmapped-2', amount: '7' } },
    ]);
    await waitFor(() => handled.length === 1, { what: 'the mapped record' });

    fixed = true;
    await waitFor(async () => (await admin.fetchTopicOffsets(dlqTopic(topic)))[0].high === '2', {
      what: 'two dead letters',
    });
    expect(await redriveDeadLetters(kafka, { topic, logger })).toEqual({ redriven: 2, skipped: 0 });
    await waitFor(() => handled.length === 3, { what: 'redriven records handled' });
    expect(handled.slice(1)).toEqual([
      { id: 'unmapped-1', redriven: `${dlqTopic(topic)}/0/0` },
      { id: 'unmapped-2', redriven: `${dlqTopic(topic)}/0/1` },
    ]);
    expect(await redriveDeadLetters(kafka, { topic, logger })).toEqual({ redriven: 0, skipped: 0 });
  });

  it('when one dead letter is redriven, then only it goes back, unchanged but for the DLQ headers, and the redrive group has not moved', async () => {
    const topic = uniqueName('one');
    await ensureTopics(admin, [{ topic, partitions: 1, cleanupPolicy: 'delete', dlq: true }]);
    const dead = (n: number) => ({
      key: `k${n}`,
      value: Buffer.from(`raw-${n}`),
      headers: { 'x-trace': `t${n}`, [DLQ_HEADERS.code]: 'UNMAPPED_SKU', [DLQ_HEADERS.topic]: topic },
    });
    await producer.send({ topic: dlqTopic(topic), messages: [dead(0), dead(1), dead(2)] });

    expect(await redriveDeadLetter(kafka, { topic, partition: 0, offset: '1', logger })).toEqual({
      redriven: true,
    });
    const back: Array<{ key: string; value: string; headers: Record<string, string> }> = [];
    const consumer = kafka.consumer({ groupId: uniqueName('check') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void back.push({
          key: String(message.key),
          value: String(message.value),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        }),
    });
    await waitFor(() => back.length === 1, { what: 'the redriven record' });
    expect(back).toEqual([
      {
        key: 'k1',
        value: 'raw-1',
        headers: { 'x-trace': 't1', [REDRIVEN_FROM_HEADER]: `${dlqTopic(topic)}/0/1` },
      },
    ]);
    // the replay CLI's redrive still has all three ahead of it
    expect(await redriveDeadLetters(kafka, { topic, logger })).toEqual({ redriven: 3, skipped: 0 });
    await waitFor(() => back.length === 4, { what: 'the group redrive' });
    await consumer.disconnect();
    await expect(
      redriveDeadLetter(kafka, { topic, partition: 0, offset: '9', logger, timeoutMs: 3000 }),
    ).rejects.toThrow(/no such dead letter/);
  });
});
