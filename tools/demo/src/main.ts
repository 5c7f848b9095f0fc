/**
 * `npm run demo`: the connector against its built-in simulators, in one process. This file is the
 * demo's composition root: it starts the SP-API simulator (a North American seller) and the SAP
 * Business One Service Layer simulator, registers the seller as connection `demo` with that ERP,
 * publishes the demo mappings, and starts amazon-ingest, sage-writer and settlement-reconciler through
 * their public entry points with the simulators' endpoints. The services themselves know nothing of
 * simulators: they get endpoints and credentials the way production does (configuration and the
 * connection's stored credentials).
 *
 * Environment: the stack's (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, KAFKA_TOPIC_PREFIX),
 * CREDENTIALS_KEY, and optionally DEMO_CONNECTION_ID, SIM_ORDERS_PER_DAY, SPAPI_SIM_PORT,
 * SAPB1_SIM_PORT, DEMO_LOG_DIR. Logs go to DEMO_LOG_DIR/<service>.log.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino from 'pino';
import * as ingest from '@connector/amazon-ingest';
import { loadConfig, z } from '@connector/config';
import { ConnectionRepository, CredentialsCipher, createDb } from '@connector/db';
import { kafkaRuntimeFromConfig } from '@connector/kafka';
import { defaultGlAccounts, mappingRecords, publishMappings } from '@connector/mapping';
import { startService } from '@connector/nest-common';
import { createLogger, type Logger } from '@connector/observability';
import * as writer from '@connector/sage-writer';
import { SAPB1_SIM_LOGIN, SapB1Simulator } from '@connector/sap-b1-simulator';
import * as reconciler from '@connector/settlement-reconciler';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SIM_SKU_COUNT,
  SpApiSimulator,
  simSku,
} from '@connector/sp-api-simulator';

const demoSchema = z.object({
  DEMO_CONNECTION_ID: z.string().min(1).default('demo'),
  SIM_ORDERS_PER_DAY: z.coerce.number().int().min(1).max(20_000).default(120),
  SPAPI_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18090),
  SAPB1_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18101),
  DEMO_LOG_DIR: z.string().min(1).default('tmp/demo'),
  LOG_LEVEL: z.string().default('info'),
});

/** The demo books each simulated marketplace to one customer (AMZ-US, AMZ-CA) with this receivable. */
const customerOf = (currency: string) => `AMZ-${currency.slice(0, 2)}`;
const AR_ACCOUNT = '1100';
const SERVICE_PORTS = { 'amazon-ingest': 3001, 'sage-writer': 3002, 'settlement-reconciler': 3003 } as const;

async function main(): Promise<void> {
  const demo = loadConfig(demoSchema);
  mkdirSync(demo.DEMO_LOG_DIR, { recursive: true });
  const loggerOf = (service: string): Logger =>
    createLogger({
      service,
      level: demo.LOG_LEVEL,
      destination: pino.destination({ dest: path.join(demo.DEMO_LOG_DIR, `${service}.log`), sync: false }),
    });
  const log = loggerOf('demo');
  const closers: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  // 1. the simulators: Amazon (56 days of a seller's history, its clock the real one) and the ERP
  const seller = SIM_SELLERS[0];
  const skus = Array.from({ length: SIM_SKU_COUNT }, (_, i) => simSku(i));
  const amazon = new SpApiSimulator({
    port: demo.SPAPI_SIM_PORT,
    startMs: Date.now() - 56 * 86_400_000,
    days: 56,
    ordersPerDay: demo.SIM_ORDERS_PER_DAY,
    speedFactor: 50,
  });
  await amazon.start();
  closers.push(() => amazon.close());
  const erp = new SapB1Simulator({
    port: demo.SAPB1_SIM_PORT,
    items: skus.map((ItemCode) => ({ ItemCode })),
    customers: seller.marketplaces.map((m) => customerOf(m.currency)),
    accounts: [...new Set([AR_ACCOUNT, ...defaultGlAccounts()])],
  });
  await erp.start();
  closers.push(() => erp.close());
  const spApiUrl = `http://127.0.0.1:${demo.SPAPI_SIM_PORT}`;

  // 2. the demo connection (the simulated seller → the simulated ERP), stored as an operator would
  const ingestConfig = loadConfig(ingest.configSchema, {
    ...process.env,
    HTTP_PORT: String(SERVICE_PORTS['amazon-ingest']),
    SPAPI_ENDPOINT: spApiUrl,
    LWA_TOKEN_URL: `${spApiUrl}/auth/o2/token`,
  });
  const db = createDb({ url: ingestConfig.DATABASE_URL, poolMax: 2, applicationName: 'demo' });
  closers.push(() => db.destroy());
  await new ConnectionRepository(db, CredentialsCipher.fromConfig(ingestConfig)).upsert(
    {
      id: demo.DEMO_CONNECTION_ID,
      name: 'Simulated North American seller',
      sellerId: seller.sellerId,
      region: seller.region,
      marketplaceIds: seller.marketplaces.map((m) => m.id),
      erpKind: 'SAP_B1',
      erpCompany: SAPB1_SIM_LOGIN.companyDb,
      enabled: true,
      settings: {
        ordersIntervalSec: 60,
        ordersMode: 'api',
        backfillDays: 2,
        financesIntervalSec: 300,
        settlementsIntervalSec: 600,
      },
    },
    {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: seller.refreshToken,
      },
      erp: {
        baseUrl: `${erp.url}/b1s/v1`,
        user: SAPB1_SIM_LOGIN.user,
        password: SAPB1_SIM_LOGIN.password,
        company: SAPB1_SIM_LOGIN.companyDb,
      },
    },
  );

  // 3. its mappings (SKU → the item of the same code, marketplace → customer and receivable), as
  //    `npm run mapping -- load` would publish them, before the writer's first read of the topics
  const runtime = kafkaRuntimeFromConfig(ingestConfig, 'demo', { logger: log });
  await runtime.connect();
  const mappings = mappingRecords(
    {
      connectionId: demo.DEMO_CONNECTION_ID,
      skus: skus.map((sellerSku) => ({ sellerSku, itemCode: sellerSku })),
      customers: seller.marketplaces.map((m) => ({
        marketplaceId: m.id,
        customerCode: customerOf(m.currency),
        currency: m.currency,
        arAccount: AR_ACCOUNT,
      })),
    },
    Date.now(),
  );
  await publishMappings(runtime.publisher, mappings);
  await runtime.disconnect();
  log.info(
    { connectionId: demo.DEMO_CONNECTION_ID, amazon: spApiUrl, erp: erp.url, orders: amazon.orders.length },
    'simulators started, the demo connection registered and its mappings published',
  );

  // 4. the services, each with its own configuration, logger and HTTP port
  const start = async (
    service: keyof typeof SERVICE_PORTS,
    module: DynamicModule,
  ): Promise<INestApplication> => {
    const app = await startService(module, {
      port: SERVICE_PORTS[service],
      bufferLogs: true,
      configure: (a) => a.useLogger(a.get(NestPinoLogger)),
    });
    closers.push(() => app.close());
    return app;
  };
  const env = (service: keyof typeof SERVICE_PORTS) => ({
    ...process.env,
    HTTP_PORT: String(SERVICE_PORTS[service]),
  });
  await start(
    'sage-writer',
    writer.appModule(loadConfig(writer.configSchema, env('sage-writer')), {
      logger: loggerOf('sage-writer'),
    }),
  );
  await start(
    'settlement-reconciler',
    reconciler.appModule(loadConfig(reconciler.configSchema, env('settlement-reconciler')), {
      logger: loggerOf('settlement-reconciler'),
    }),
  );
  await start('amazon-ingest', ingest.appModule(ingestConfig, { logger: loggerOf('amazon-ingest') }));
  log.info('services started');
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
