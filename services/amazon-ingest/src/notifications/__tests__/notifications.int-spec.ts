import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { loadConfig } from '@connector/config';
import type { ConnectionRepository, Db } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import type { AmazonOrder, FeedProcessingFinished } from '@connector/events';
import { RegistryAvroCodec, createKafka } from '@connector/kafka';
import { DB } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import type { SpApiFactory } from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator, simSku } from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { appModule } from '../../app.module';
import { configSchema } from '../../config';
import { KnexIngestStateStore } from '../../ingest-state/ingest-state.store';
import { CONNECTIONS, ORDER_SYNC, SP_API_FACTORY } from '../../ingest/ingest.tokens';
import type { OrderSyncService } from '../../orders/order-sync.service';

/** ElasticMQ of deploy/local/stack.sh (`stack.sh start` or `start-sqs`), unless the environment names another. */
const SQS_ENDPOINT = process.env.SQS_ENDPOINT ?? 'http://127.0.0.1:19324';
const SQS_REGION = process.env.SQS_REGION ?? 'us-east-1';
const DAY = 86_400_000;

/**
 * SP-API notifications end to end on real infrastructure: the SP-API simulator sends Amazon's payloads
 * with a real SQS SendMessage to ElasticMQ; amazon-ingest subscribes through the Notifications API,
 * long-polls the queue, and publishes the order on a real Kafka through the registry. The poller's
 * interval is an hour, so only a notification explains an order arriving within the test.
 */
describe('amazon-ingest notifications (real ElasticMQ, Kafka, registry, PostgreSQL)', () => {
  const prefix = `${uniqueName('notif')}.`;
  const queueName = uniqueName('sp-api-notifications');
  const sqs = new SQSClient({
    endpoint: SQS_ENDPOINT,
    region: SQS_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let queueUrl = '';
  let dlqUrl = '';
  let sim: SpApiSimulator;
  let tdb: TestDatabase;
  let app: INestApplication;
  const seller = SIM_SELLERS[0];
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const kafka = createKafka(
    { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'notif-int' },
    silentLogger(),
  );
  const consumer = kafka.consumer({ groupId: uniqueName('notif-reader') });
  const published: AmazonOrder[] = [];
  const feedStatus: Array<{ key: string; value: FeedProcessingFinished }> = [];
  const arrived = (orderId: string) => published.find((o) => o.amazonOrderId === orderId);

  let nextOrder = 0;
  /** an order id of Amazon's 3-7-7 form, unique to this run */
  const newOrderId = () =>
    `9${String(Date.now() % 100).padStart(2, '0')}-${String(Date.now() % 1e7).padStart(7, '0')}-${String(++nextOrder).padStart(7, '0')}`;
  const newOrder = (orderId: string, lastUpdatedMs?: number) =>
    sim.addOrder({
      orderId,
      sellerId: seller.sellerId,
      marketplaceId: seller.marketplaces[0].id,
      ...(lastUpdatedMs ? { createdMs: lastUpdatedMs, lastUpdatedMs } : {}),
      items: [
        {
          orderItemId: `${orderId.replace(/-/g, '').slice(0, 14)}`,
          sku: simSku(7),
          asin: 'B0SIM00007',
          title: 'Yoga mat #7',
          quantity: 2,
          unitCents: 1999,
          taxCents: 280,
          shippingCents: 399,
          promotionCents: 0,
        },
      ],
    });

  const queueDepth = async (url: string) => {
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };

  beforeAll(async () => {
    await sqs.send(new ListQueuesCommand({})).catch((err: unknown) => {
      throw new Error(
        `no SQS answers at ${SQS_ENDPOINT} (start ElasticMQ: bash deploy/local/stack.sh start-sqs): ${String(err)}`,
      );
    });
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${queueName}-dlq` }))).QueueUrl!;
    const dlqArn = `arn:aws:sqs:${SQS_REGION}:000000000000:${queueName}-dlq`;
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: queueName,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
        }),
      )
    ).QueueUrl!;

    sim = new SpApiSimulator({
      startMs: Date.now() - 2 * DAY,
      days: 2,
      ordersPerDay: 20,
      speedFactor: 100,
      notifications: { sqsEndpoint: SQS_ENDPOINT, region: SQS_REGION },
    });
    await sim.start();
    tdb = await createTestDatabase();

    const env = {
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      CREDENTIALS_KEY: Buffer.alloc(32, 5).toString('base64'),
      SPAPI_ENDPOINT: sim.url,
      LWA_TOKEN_URL: `${sim.url}/auth/o2/token`,
      INGEST_SCHEDULER: 'true',
      NOTIFICATIONS: 'true',
      SQS_ENDPOINT,
      SQS_REGION,
      SQS_QUEUE_URL: queueUrl,
      SQS_QUEUE_ARN: `arn:aws:sqs:${SQS_REGION}:000000000000:${queueName}`,
      SQS_DLQ_URL: dlqUrl,
      SQS_ACCESS_KEY_ID: 'test',
      SQS_SECRET_ACCESS_KEY: 'test',
      SQS_WAIT_SEC: '1',
      NOTIFICATIONS_ORDERS_INTERVAL_SEC: '3600',
    };
    app = await NestFactory.create(appModule(loadConfig(configSchema, env), { logger: silentLogger() }), {
      logger: false,
    });
    await app.init(); // creates the topics
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}amazon.orders.v1`, fromBeginning: true });
    await consumer.subscribe({ topic: `${prefix}amazon.feed-status.v1`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === `${prefix}amazon.feed-status.v1`)
          feedStatus.push({
            key: message.key!.toString(),
            value: await codec.decode<FeedProcessingFinished>(message.value!),
          });
        else published.push(await codec.decode<AmazonOrder>(message.value!));
      },
    });
    await app.get<ConnectionRepository>(CONNECTIONS).upsert(
      {
        id: 'notif',
        name: 'notif',
        sellerId: seller.sellerId,
        region: 'na',
        marketplaceIds: seller.marketplaces.map((m) => m.id),
        erpKind: 'SAP_B1',
        erpCompany: 'SBO-notif',
        enabled: true,
        settings: { ordersMode: 'api', backfillDays: 1, ordersIntervalSec: 60 },
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: seller.refreshToken,
        },
      },
    );
    // the scheduler's first round: the subscriptions made, and the poller's first read done
    await waitFor(() => sim.notifications.subscriptions.length === 3, {
      what: 'three subscriptions',
      timeoutMs: 30_000,
    });
    await waitFor(
      async () => (await new KnexIngestStateStore(app.get<Db>(DB)).getCursor('notif', 'orders')) !== null,
      { what: "the poller's first run", timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await consumer.disconnect();
    await sim?.close();
    await tdb?.drop();
    for (const url of [queueUrl, dlqUrl]) if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    sqs.destroy();
  });

  it('when the connection starts, then one SQS destination and the three subscriptions point at the queue', () => {
    expect(sim.notifications.destinations).toEqual([
      expect.objectContaining({ arn: `arn:aws:sqs:${SQS_REGION}:000000000000:${queueName}` }),
    ]);
    const destinationId = sim.notifications.destinations[0].destinationId;
    expect(
      sim.notifications.subscriptions
        .map((s) => [s.notificationType, s.payloadVersion, s.destinationId])
        .sort(),
    ).toEqual([
      ['FEED_PROCESSING_FINISHED', '2020-09-04', destinationId],
      ['ORDER_CHANGE', '1.0', destinationId],
      ['REPORT_PROCESSING_FINISHED', '2020-09-04', destinationId],
    ]);
  });

  it('when an order appears in the simulator, then it reaches amazon.orders.v1 through its notification (getOrder, no search), and the message is deleted', async () => {
    const searchesBefore = sim.stats.calls.searchOrders ?? 0;
    const getOrdersBefore = sim.stats.calls.getOrder ?? 0;
    const orderId = newOrderId();
    newOrder(orderId);

    const order = await waitFor(() => arrived(orderId), {
      what: `order ${orderId} on Kafka`,
      timeoutMs: 30_000,
    });
    expect(order.connectionId).toBe('notif');
    expect(order.changeType).toBe('CREATED');
    expect(order.items.map((i) => [i.sellerSku, i.quantityOrdered])).toEqual([[simSku(7), 2]]);
    expect(sim.notifications.stats.sent.ORDER_CHANGE).toBeGreaterThanOrEqual(1);
    expect(sim.stats.calls.getOrder ?? 0).toBe(getOrdersBefore + 1);
    expect(sim.stats.calls.searchOrders ?? 0).toBe(searchesBefore);
    await waitFor(async () => (await queueDepth(queueUrl)) === 0, { what: 'the queue emptied' });
  });

  it('when a notification is dropped, then the poller (the safety net) publishes the order on its next run, and the notified order is not published twice', async () => {
    const notified = newOrderId();
    newOrder(notified);
    await waitFor(() => arrived(notified), { what: 'the notified order', timeoutMs: 30_000 });

    const dropped = newOrderId();
    sim.notifications.configure({ drop: (_type, key) => key === dropped });
    // changed 150 s ago: inside the next poll's window (Amazon's two-minute rule keeps the last two out)
    newOrder(dropped, Date.now() - 150_000);
    await sim.notifications.idle();
    expect(sim.notifications.stats.dropped.ORDER_CHANGE).toBe(1);
    expect(arrived(dropped)).toBeUndefined();

    // the poller's next run, as the scheduler does it an interval later
    const repo = app.get<ConnectionRepository>(CONNECTIONS);
    const conn = await repo.get('notif');
    const api = app.get<SpApiFactory>(SP_API_FACTORY).forConnection(conn, await repo.credentials('notif'));
    const run = await app.get<OrderSyncService>(ORDER_SYNC).sync(conn, api);
    expect(run.published).toBeGreaterThanOrEqual(1);

    const order = await waitFor(() => arrived(dropped), {
      what: 'the dropped order on Kafka',
      timeoutMs: 30_000,
    });
    expect(order.changeType).toBe('CREATED');
    // another poll publishes neither again (same versions: skipped)
    const again = await app.get<OrderSyncService>(ORDER_SYNC).sync(conn, api);
    expect(again.published).toBe(0);
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would show up by now
    expect(published.filter((o) => o.amazonOrderId === dropped)).toHaveLength(1);
    expect(published.filter((o) => o.amazonOrderId === notified)).toHaveLength(1);
  });

  it('when Amazon finishes a feed, then its FEED_PROCESSING_FINISHED reaches amazon.feed-status.v1 for the connection, keyed <connectionId>/<feedId>', async () => {
    const repo = app.get<ConnectionRepository>(CONNECTIONS);
    const conn = await repo.get('notif');
    const api = app.get<SpApiFactory>(SP_API_FACTORY).forConnection(conn, await repo.credentials('notif'));
    const contentType = 'application/json; charset=UTF-8';
    const doc = await api.createFeedDocument(contentType);
    await api.uploadFeedDocument(
      doc.url,
      contentType,
      JSON.stringify({ header: { sellerId: seller.sellerId, version: '2.0' }, messages: [] }),
    );
    const feedId = await api.createFeed({
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [seller.marketplaces[0].id],
      inputFeedDocumentId: doc.feedDocumentId,
    });

    const event = await waitFor(() => feedStatus.find((e) => e.value.feedId === feedId), {
      what: `feed ${feedId} on amazon.feed-status.v1`,
      timeoutMs: 30_000,
    });
    expect(event.key).toBe(`notif/${feedId}`);
    expect(event.value).toMatchObject({
      eventId: `${feedId}#DONE`,
      connectionId: 'notif',
      sellerId: seller.sellerId,
      feedType: 'JSON_LISTINGS_FEED',
      processingStatus: 'DONE',
      resultFeedDocumentId: `${feedId}-result`,
    });
    expect(sim.notifications.stats.sent.FEED_PROCESSING_FINISHED).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await queueDepth(queueUrl)) === 0, { what: 'the queue emptied' });
  });

  it('when malformed messages arrive, then each is recorded in the dead-letter queue with its reason and deleted from the queue', async () => {
    const missingOrderId = {
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: '1.0',
      EventTime: new Date().toISOString(),
      Payload: { OrderChangeNotification: { NotificationLevel: 'OrderLevel', SellerId: seller.sellerId } },
      NotificationMetadata: {
        ApplicationId: 'app',
        SubscriptionId: 'sub',
        PublishTime: new Date().toISOString(),
        NotificationId: 'n-malformed',
      },
    };
    for (const body of [
      '{"cut off',
      JSON.stringify(missingOrderId),
      JSON.stringify({ NotificationType: 'ANY_OFFER_CHANGED' }),
    ])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

    const dead: Message[] = [];
    await waitFor(
      async () => {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
          }),
        );
        dead.push(...(res.Messages ?? []));
        return dead.length >= 3;
      },
      { what: 'three dead letters', timeoutMs: 30_000 },
    );
    const reasons: Record<string, string | undefined> = Object.fromEntries(
      dead.map((m) => [m.Body ?? '', m.MessageAttributes?.['x-dlq-reason']?.StringValue]),
    );
    expect(reasons).toEqual({
      '{"cut off': 'MALFORMED_NOTIFICATION_NOT_JSON',
      [JSON.stringify(missingOrderId)]: 'MALFORMED_NOTIFICATION_SHAPE',
      [JSON.stringify({ NotificationType: 'ANY_OFFER_CHANGED' })]:
        'MALFORMED_NOTIFICATION_UNSUPPORTED_NOTIFICATION_TYPE',
    });
    const shape = dead.find((m) => m.Body === JSON.stringify(missingOrderId))!;
    expect(shape.MessageAttributes?.['x-dlq-message']?.StringValue).toContain(
      'Payload.OrderChangeNotification.AmazonOrderId',
    );
    await waitFor(async () => (await queueDepth(queueUrl)) === 0, { what: 'the queue emptied' });
  });
});
