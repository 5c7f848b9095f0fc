import type { INestApplication } from '@nestjs/common';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as ingest from '@connector/amazon-ingest';
import { loadConfig } from '@connector/config';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { recordKey, type ErpItemChange } from '@connector/events';
import * as publisher from '@connector/inventory-publisher';
import type { EventPublisher } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';

const KEY = Buffer.alloc(32, 6).toString('base64');
const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const CONN = 'feedwake';
const SKUS = 12;
/** ElasticMQ of deploy/local/stack.sh, unless the environment names another. */
const SQS_ENDPOINT = process.env.SQS_ENDPOINT ?? 'http://127.0.0.1:19324';
const SQS_REGION = process.env.SQS_REGION ?? 'us-east-1';

/**
 * FEED_PROCESSING_FINISHED end to end on real ElasticMQ, Kafka, the registry and PostgreSQL:
 * inventory-publisher sends a JSON_LISTINGS_FEED to the SP-API simulator and polls it only once an
 * hour (FEED_POLL_MS); the simulator's notification goes through SQS to amazon-ingest, which publishes
 * it on amazon.feed-status.v1, and inventory-publisher's flusher reads the feed at once. The listings
 * can only be settled within the test through that chain.
 */
describe('a finished feed wakes inventory-publisher through amazon-ingest (ElasticMQ, Kafka, registry, PostgreSQL)', () => {
  const prefix = `${uniqueName('feedwake')}.`;
  const queueName = uniqueName('sp-api-notifications');
  const sqs = new SQSClient({
    endpoint: SQS_ENDPOINT,
    region: SQS_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let queueUrl = '';
  let dlqUrl = '';
  let tdb: TestDatabase;
  let sim: SpApiSimulator;
  const apps: INestApplication[] = [];
  let skus: string[] = [];

  beforeAll(async () => {
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${queueName}-dlq` }))).QueueUrl!;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    sim = new SpApiSimulator({
      days: 1,
      ordersPerDay: 1,
      speedFactor: 200,
      notifications: { sqsEndpoint: SQS_ENDPOINT, region: SQS_REGION },
    });
    await sim.start();
    skus = sim.addListings(NA.sellerId, US, SKUS, { prefix: 'FW-' });
    tdb = await createTestDatabase();
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: CONN,
        name: CONN,
        sellerId: NA.sellerId,
        region: 'na',
        marketplaceIds: [US],
        erpKind: 'SAP_B1',
        erpCompany: 'co',
        enabled: true,
        settings: {
          ordersMode: 'api',
          backfillDays: 1,
          ordersIntervalSec: 3600,
          financesIntervalSec: 3600,
          settlementsIntervalSec: 3600,
          returnPath: {
            prices: { [US]: { priceList: '1', currency: 'USD', floor: '1.00', ceiling: '1000.00' } },
            coalesceSec: 0,
            feedThreshold: 1,
            listingsRefreshSec: 3600,
          },
        },
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: NA.refreshToken,
        },
      },
    );
    const base = (service: string) => ({
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      DATABASE_MIGRATE_ON_BOOT: 'true',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}${service}`,
      CREDENTIALS_KEY: KEY,
      SPAPI_ENDPOINT: sim.url,
      LWA_TOKEN_URL: `${sim.url}/auth/o2/token`,
      REPORT_POLL_MS: '100',
    });
    apps.push(
      await startService(
        publisher.appModule(
          loadConfig(publisher.configSchema, {
            ...base('inventory-publisher'),
            // an hour: within this test only the notification can end the wait for the feed
            FEED_POLL_MS: '3600000',
            LISTINGS_FLUSH_MS: '200',
          }),
          { logger: silentLogger() },
        ),
        { logger: false },
      ),
      await startService(
        ingest.appModule(
          loadConfig(ingest.configSchema, {
            ...base('amazon-ingest'),
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
          }),
          { logger: silentLogger() },
        ),
        { logger: false },
      ),
    );
    // amazon-ingest's first round subscribes the seller, FEED_PROCESSING_FINISHED included
    await waitFor(
      () => sim.notifications.subscriptions.some((s) => s.notificationType === 'FEED_PROCESSING_FINISHED'),
      { what: 'the feed subscription', timeoutMs: 30_000 },
    );
    // inventory-publisher has read the listings report: the catalogue knows the FW- SKUs are not FBA
    await waitFor(
      async () =>
        Number(
          (await tdb.db('listing_catalogue').where('seller_sku', 'like', 'FW-%').count({ n: '*' }))[0].n,
        ) === SKUS,
      { what: 'the listings catalogue', timeoutMs: 30_000 },
    );
  }, 120_000);

  afterAll(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    await sim?.close();
    await tdb?.drop();
    for (const url of [queueUrl, dlqUrl]) if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    sqs.destroy();
  });

  it('when more listings change than the feed threshold, then their feed is read as soon as Amazon notifies it is done, not after the hour-long poll', async () => {
    const events = apps[0].get<EventPublisher>(EVENT_PUBLISHER);
    await publishMappings(
      events,
      mappingRecords(
        { connectionId: CONN, skus: skus.map((sellerSku, i) => ({ sellerSku, itemCode: `FW-ITEM-${i}` })) },
        Date.now(),
      ),
    );
    const getFeedBefore = sim.control.stats.calls.getFeed ?? 0;
    const changedAt = Date.now();
    const changes: ErpItemChange[] = skus.map((_, i) => ({
      eventId: `${CONN}/FW-ITEM-${i}@${changedAt}`,
      connectionId: CONN,
      itemCode: `FW-ITEM-${i}`,
      erpKind: 'SAP_B1',
      description: null,
      active: true,
      prices: [],
      warehouses: [{ warehouseCode: '01', onHand: 30 + i, committed: 0 }],
      safetyStock: 0,
      available: 30 + i,
      changedAt,
      source: 'CHANGE_POLL',
      observedAt: null,
    }));
    // one produce request: the items arrive together and leave as a feed (an item read before its
    // mapping is planned when the mapping arrives)
    await events.publish(
      'erp.item-changes.v1',
      changes.map((c) => ({ key: recordKey(CONN, c.itemCode), value: c })),
    );

    await waitFor(
      async () =>
        Number((await tdb.db('listing_accepted').where({ connection_id: CONN }).count({ n: '*' }))[0].n) ===
        SKUS,
      { what: 'every listing accepted', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(skus.map((sku) => sim.listing(NA.sellerId, sku, US)!.quantity)).toEqual(
      skus.map((_, i) => 30 + i),
    );
    expect(sim.control.stats.calls.createFeed ?? 0).toBeGreaterThanOrEqual(1);
    expect(sim.notifications.stats.sent.FEED_PROCESSING_FINISHED).toBeGreaterThanOrEqual(1);
    // each feed was read right after it was created (IN_QUEUE) and once more when woken: never by the poll
    const feeds = sim.state.feeds.filter((f) => f.sellerId === NA.sellerId).length;
    expect((sim.control.stats.calls.getFeed ?? 0) - getFeedBefore).toBeLessThanOrEqual(2 * feeds);
  }, 60_000);
});
