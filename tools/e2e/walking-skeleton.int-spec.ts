import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Knex } from 'knex';
import request from 'supertest';
import { loadConfig } from '@connector/config';
import { KnexAuditStore } from '@connector/db';
import { DLQ_HEADERS, createKafka, createProducer } from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { appModule as ingestModule, configSchema as ingestConfig } from '@connector/amazon-ingest';
import { recordKey, type AmazonOrder } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { demoOrders } from '@connector/testing';
import { appModule as writerModule, configSchema as writerConfig } from '@connector/sage-writer';

/**
 * The walking skeleton: amazon-ingest publishes Avro order events with a registered schema, they cross
 * the real broker, and sage-writer consumes, stores and audits them. A poison record goes to the DLQ
 * and the partition keeps moving.
 */
describe('walking skeleton: amazon-ingest → Kafka → sage-writer', () => {
  const prefix = `${uniqueName('e2e')}.`;
  const ordersTopic = `${prefix}amazon.orders.v1`;
  let tdb: TestDatabase;
  let ingest: INestApplication;
  let writer: INestApplication;
  /** Nest types the HTTP server `any`; under the Express adapter it is a node http.Server */
  const http = (app: INestApplication) => app.getHttpServer() as Server;

  const env = () => ({
    HTTP_PORT: '0',
    KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
    SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}sage-writer`,
    CONSUMER_MAX_ATTEMPTS: '2',
    CONSUMER_RETRY_BASE_MS: '10',
    CONSUMER_RETRY_MAX_MS: '50',
    CREDENTIALS_KEY: Buffer.alloc(32, 1).toString('base64'),
    INGEST_SCHEDULER: 'false',
    ERP_WRITES: 'false', // this test is about the pipe; ERP writes have their own tests
  });
  /** What amazon-ingest's readers publish, without reading Amazon: this test is about the pipe. */
  const publishOrders = (orders: AmazonOrder[]) =>
    ingest.get<EventPublisher>(EVENT_PUBLISHER).publish(
      'amazon.orders.v1',
      orders.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
    );

  const inboxCount = (db: Knex, connectionId: string) =>
    db('inbound_records')
      .where({ connection_id: connectionId })
      .count<{ n: string }[]>({ n: '*' })
      .then(([{ n }]) => Number(n));

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const logger = silentLogger();
    ingest = await startService(ingestModule(loadConfig(ingestConfig, env()), { logger }), {
      logger: false,
      port: 0,
      host: '127.0.0.1',
    });
    writer = await startService(writerModule(loadConfig(writerConfig, env()), { logger }), {
      logger: false,
      port: 0,
      host: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await writer?.close();
    await ingest?.close();
    await tdb?.drop();
  });

  it('when orders are published, then each is stored once and audited with its source offset, and a replay adds nothing', async () => {
    const orders = demoOrders('conn-a', 25);
    await publishOrders(orders);
    await waitFor(async () => (await inboxCount(tdb.db, 'conn-a')) === 25, { what: '25 stored orders' });

    const audit = new KnexAuditStore(tdb.db);
    const trail = await audit.findByRecordKey('conn-a', `conn-a/${orders[0].amazonOrderId}`);
    expect(trail).toEqual([
      expect.objectContaining({
        service: 'sage-writer',
        stage: 'consumed',
        outcome: 'stored',
        source: expect.objectContaining({ topic: ordersTopic }) as unknown,
      }),
    ]);
    const stored = (await tdb.db('inbound_records').where({ event_id: orders[3].eventId }).first()) as {
      payload: AmazonOrder;
    };
    const { orderTotal } = orders[3];
    const exactDecimal: unknown = expect.stringMatching(/^\d+\.\d{4}$/);
    expect(stored.payload.orderTotal).toEqual(orderTotal && { ...orderTotal, amount: exactDecimal });

    await publishOrders(orders.slice(0, 5));
    await waitFor(
      async () =>
        (await tdb.db('audit_trail').where({ connection_id: 'conn-a', stage: 'skipped' })).length === 5,
      { what: 'five duplicates recognised' },
    );
    expect(await inboxCount(tdb.db, 'conn-a')).toBe(25);
  });

  it('when a poison record arrives, then it lands on the DLQ with its origin and later orders still flow', async () => {
    const kafka = createKafka(
      { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'e2e' },
      silentLogger(),
    );
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: ordersTopic,
      messages: [{ key: 'conn-b/poison', value: Buffer.from('not an avro record') }],
    });
    await producer.disconnect();
    await publishOrders(demoOrders('conn-b', 3));
    await waitFor(async () => (await inboxCount(tdb.db, 'conn-b')) === 3, {
      what: 'orders after the poison record',
    });

    const consumer = kafka.consumer({ groupId: uniqueName('dlq-check') });
    const dead: Array<Record<string, string>> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${ordersTopic}.dlq`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
      },
    });
    await waitFor(() => dead.length >= 1, { what: 'the dead letter' });
    await consumer.disconnect();
    expect(dead[0]).toMatchObject({
      [DLQ_HEADERS.code]: 'POISON_RECORD',
      [DLQ_HEADERS.topic]: ordersTopic,
      [DLQ_HEADERS.service]: 'sage-writer',
    });
  });

  it('when probed, then both services are ready and expose their metrics', async () => {
    for (const app of [ingest, writer]) {
      const ready = await request(http(app)).get('/health/ready').expect(200);
      expect((ready.body as { info?: unknown }).info).toMatchObject({
        database: { status: 'up' },
        kafka: { status: 'up' },
        'schema-registry': { status: 'up' },
      });
      await request(http(app)).get('/health/live').expect(200);
    }
    const writerMetrics = await request(http(writer)).get('/metrics').expect(200);
    expect(writerMetrics.text).toMatch(
      new RegExp(
        `connector_events_consumed_total\\{topic="${ordersTopic.replace(/\./g, '\\.')}",outcome="ok",service="sage-writer"\\} 3[0-9]`,
      ),
    );
    expect(writerMetrics.text).toContain('connector_dlq_messages_total');
    const ingestMetrics = await request(http(ingest)).get('/metrics').expect(200);
    expect(ingestMetrics.text).toContain(
      `connector_events_produced_total{topic="${ordersTopic}",service="amazon-ingest"}`,
    );
  });
});
