/**
 * Seconds, not minutes, from Amazon: the time from an order appearing in the SP-API simulator to its
 * sales order in the SAP Business One simulator, through amazon-ingest → Kafka → sage-writer, with
 * SP-API notifications (ORDER_CHANGE on a real SQS queue, ElasticMQ) and with the poller alone.
 * Real Kafka, registry, PostgreSQL and ElasticMQ (deploy/local/stack.sh, started when needed).
 * Target: median ≤ 5 s with notifications.
 */
import { execFileSync } from 'node:child_process';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { appModule as ingestModule, configSchema as ingestConfig } from '@connector/amazon-ingest';
import { loadConfig } from '@connector/config';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase } from '@connector/db/testing';
import { sapB1UnderTest } from '@connector/erp/testing';
import type { EventPublisher } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { appModule as writerModule, configSchema as writerConfig } from '@connector/sage-writer';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator, simSku } from '@connector/sp-api-simulator';
import { uniqueName, waitFor } from '@connector/testing';
import { stackEnv } from './writer-e2e-bench';

const NOTIFIED_ORDERS = Number(process.env.BENCH_NOTIF_ORDERS ?? 20);
/** polling alone waits out Amazon's two-minute rule and the interval: a few orders tell the story */
const POLLED_ORDERS = Number(process.env.BENCH_POLL_ORDERS ?? 5);
/** the connection's poll interval in the polling-only run (the smallest the settings allow) */
const POLL_INTERVAL_SEC = 30;
const KEY = Buffer.alloc(32, 9).toString('base64');
const DAY = 86_400_000;

export interface NotificationsBenchResult {
  mode: 'notifications' | 'polling only';
  orders: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

/** ElasticMQ's endpoint, starting it (stack.sh start-sqs) unless the environment names one. */
function sqsEndpoint(): string {
  if (!process.env.SQS_ENDPOINT) {
    const out = execFileSync('bash', ['deploy/local/stack.sh', 'start-sqs'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const m = /^(SQS_[A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] ??= m[2];
    }
  }
  return process.env.SQS_ENDPOINT!;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function run(mode: NotificationsBenchResult['mode'], count: number): Promise<NotificationsBenchResult> {
  const notifications = mode === 'notifications';
  const region = 'us-east-1';
  const endpoint = sqsEndpoint();
  const sqs = new SQSClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const queueName = uniqueName('bench-notifications');
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${queueName}-dlq` }))).QueueUrl!;
  const seller = SIM_SELLERS[0];
  const marketplaceId = seller.marketplaces[0].id;
  const amazon = new SpApiSimulator({
    startMs: Date.now() - DAY,
    days: 1,
    ordersPerDay: 1,
    notifications: { sqsEndpoint: endpoint, region },
  });
  await amazon.start();
  const erp = sapB1UnderTest();
  await erp.start();
  const tdb = await createTestDatabase();
  const prefix = `${uniqueName('bench-notif')}.`;
  const common = {
    HTTP_PORT: '0',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    CREDENTIALS_KEY: KEY,
    LOG_LEVEL: 'error',
  };
  const writer = await startService(
    writerModule(loadConfig(writerConfig, { ...common, KAFKA_GROUP_ID: `${prefix}sage-writer` }), {
      logger: silentLogger(),
    }),
    { logger: false },
  );
  const ingest = await startService(
    ingestModule(
      loadConfig(ingestConfig, {
        ...common,
        KAFKA_GROUP_ID: `${prefix}amazon-ingest`,
        SPAPI_ENDPOINT: amazon.url,
        LWA_TOKEN_URL: `${amazon.url}/auth/o2/token`,
        NOTIFICATIONS: String(notifications),
        SQS_ENDPOINT: endpoint,
        SQS_REGION: region,
        SQS_QUEUE_URL: queueUrl,
        SQS_QUEUE_ARN: `arn:aws:sqs:${region}:000000000000:${queueName}`,
        SQS_DLQ_URL: dlqUrl,
        SQS_ACCESS_KEY_ID: 'bench',
        SQS_SECRET_ACCESS_KEY: 'bench',
        SQS_WAIT_SEC: '20',
      }),
      { logger: silentLogger() },
    ),
    { logger: false },
  );
  try {
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: 'bench',
        name: 'bench',
        sellerId: seller.sellerId,
        region: 'na',
        marketplaceIds: [marketplaceId],
        erpKind: erp.kind,
        erpCompany: 'bench',
        enabled: true,
        settings: { ordersMode: 'api', backfillDays: 0, ordersIntervalSec: POLL_INTERVAL_SEC },
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: seller.refreshToken,
        },
        erp: erp.credentials(),
      },
    );
    await publishMappings(
      writer.get<EventPublisher>(EVENT_PUBLISHER),
      mappingRecords(
        {
          connectionId: 'bench',
          skus: erp.items.map((itemCode, i) => ({ sellerSku: simSku(i), itemCode })),
          customers: [{ marketplaceId, customerCode: erp.customer, currency: 'USD' }],
        },
        Date.now(),
      ),
    );
    if (notifications)
      await waitFor(() => amazon.notifications.subscriptions.length === 3, {
        what: 'the subscriptions',
        timeoutMs: 60_000,
      });
    await new Promise((r) => setTimeout(r, 3000)); // the writer follows the mapping topics; the first poll ends

    const appeared = new Map<string, number>();
    const latencies: number[] = [];
    const pending = new Set<string>();
    const watch = setInterval(() => {
      void erp.documents('SALES_ORDER').then((keys) => {
        const now = Date.now();
        for (const k of keys) if (pending.delete(k)) latencies.push(now - appeared.get(k)!);
      });
    }, 100);
    try {
      for (let n = 0; n < count; n++) {
        const orderId = `902-${String(Date.now() % 1e7).padStart(7, '0')}-${String(n).padStart(7, '0')}`;
        appeared.set(orderId, Date.now());
        pending.add(orderId);
        amazon.addOrder({
          orderId,
          sellerId: seller.sellerId,
          marketplaceId,
          items: [
            {
              orderItemId: `${Date.now()}${n}`.slice(-14),
              sku: simSku(n % erp.items.length),
              asin: `B0SIM${String(n % erp.items.length).padStart(5, '0')}`,
              title: 'Bench item',
              quantity: 1,
              unitCents: 1500 + n,
              taxCents: 105,
              shippingCents: 399,
              promotionCents: 0,
            },
          ],
        });
        // spread over the interval, so polling shows its average wait and not one lucky moment
        await new Promise((r) => setTimeout(r, notifications ? 500 : (POLL_INTERVAL_SEC * 1000) / count));
      }
      await waitFor(() => pending.size === 0, {
        what: `${count} sales orders in ${erp.name}`,
        timeoutMs: notifications ? 120_000 : 600_000,
        intervalMs: 200,
      });
    } finally {
      clearInterval(watch);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      mode,
      orders: count,
      medianMs: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted[sorted.length - 1],
    };
  } finally {
    await ingest.close();
    await writer.close();
    await erp.stop();
    await amazon.close();
    await tdb.drop();
    for (const url of [queueUrl, dlqUrl]) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    sqs.destroy();
  }
}

export async function notificationsBench(): Promise<NotificationsBenchResult[]> {
  stackEnv();
  const results = [await run('notifications', NOTIFIED_ORDERS)];
  if (POLLED_ORDERS > 0) results.push(await run('polling only', POLLED_ORDERS));
  return results;
}

export function printNotificationsBench(results: NotificationsBenchResult[]): void {
  console.log(
    `\nOrder in Amazon → sales order in the ERP (SP-API simulator → amazon-ingest → Kafka → sage-writer → SAP B1 simulator); poll interval ${POLL_INTERVAL_SEC} s, Amazon's two-minute rule applies to polling`,
  );
  console.log('| mode | orders | median | p95 | max | target median ≤ 5 s |');
  console.log('|---|---|---|---|---|---|');
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (const r of results)
    console.log(
      `| ${r.mode} | ${r.orders} | ${s(r.medianMs)} | ${s(r.p95Ms)} | ${s(r.maxMs)} | ${r.mode === 'notifications' ? (r.medianMs <= 5000 ? 'met' : 'NOT met') : '–'} |`,
    );
}

if (require.main === module)
  notificationsBench()
    .then(printNotificationsBench)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
