/**
 * `npm run demo`: the connector against its built-in simulators, in one process. This file is the
 * demo's composition root: it starts the SP-API simulator (a North American seller) and an ERP's
 * simulators (DEMO_ERP: `sap-b1`, the SAP Business One Service Layer, by default; `sage100`, Sage
 * 100's eBusiness Web Services and the agent over its BOI; `sage500`, Sage 500's SQL Server schema
 * stood in by PostgreSQL), registers the seller as connection `demo` with that ERP,
 * publishes the demo mappings, and starts amazon-ingest, sage-writer, settlement-reconciler,
 * erp-change-poller, inventory-publisher and operator-console through their public entry points with
 * the simulators' endpoints. Then it shows the return path: a price change and a goods receipt in the ERP reach the
 * Amazon listing (written to DEMO_LOG_DIR/return-path.txt). The services themselves know nothing of
 * simulators: they get endpoints and credentials the way production does (configuration and the
 * connection's stored credentials).
 *
 * Environment: the stack's (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, KAFKA_TOPIC_PREFIX),
 * CREDENTIALS_KEY, and optionally DEMO_ERP, DEMO_CONNECTION_ID, SIM_ORDERS_PER_DAY, SPAPI_SIM_PORT,
 * SAPB1_SIM_PORT, SAGE100_SIM_PORT, SAGE100_AGENT_PORT, DEMO_LOG_DIR. Logs go to DEMO_LOG_DIR/<service>.log.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { writeFileSync } from 'node:fs';
import * as ingest from '@connector/amazon-ingest';
import { loadConfig, z } from '@connector/config';
import { ConnectionRepository, CredentialsCipher, createDb } from '@connector/db';
import { kafkaRuntimeFromConfig } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { startService } from '@connector/nest-common';
import * as poller from '@connector/erp-change-poller';
import * as publisher from '@connector/inventory-publisher';
import * as operatorConsole from '@connector/operator-console';
import { createLogger, type Logger } from '@connector/observability';
import * as writer from '@connector/sage-writer';
import * as reconciler from '@connector/settlement-reconciler';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SIM_SKU_COUNT,
  SpApiSimulator,
  confirmedShipments,
  simSku,
} from '@connector/sp-api-simulator';
import { sage100Demo, sage500Demo, sapB1Demo, type DemoErp } from './erps';

const demoSchema = z.object({
  DEMO_ERP: z.enum(['sap-b1', 'sage100', 'sage500']).default('sap-b1'),
  DEMO_CONNECTION_ID: z.string().min(1).default('demo'),
  SIM_ORDERS_PER_DAY: z.coerce.number().int().min(1).max(20_000).default(120),
  SPAPI_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18090),
  SAPB1_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18101),
  SAGE100_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18103),
  SAGE100_AGENT_PORT: z.coerce.number().int().min(0).max(65535).default(18104),
  DEMO_LOG_DIR: z.string().min(1).default('tmp/demo'),
  LOG_LEVEL: z.string().default('info'),
});

const SERVICE_PORTS = {
  'amazon-ingest': 3001,
  'sage-writer': 3002,
  'settlement-reconciler': 3003,
  'inventory-publisher': 3004,
  'erp-change-poller': 3005,
  'operator-console': 3006,
} as const;
const US = 'ATVPDKIKX0DER';

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
  // each simulated marketplace books to one customer of the ERP (AMZ-US, AMZ-CA) with one receivable
  const currencies = seller.marketplaces.map((m) => m.currency);
  const erp: DemoErp =
    demo.DEMO_ERP === 'sage100'
      ? await sage100Demo(
          demo.SAGE100_SIM_PORT,
          demo.SAGE100_AGENT_PORT,
          skus,
          currencies,
          randomBytes(24).toString('base64'),
        )
      : demo.DEMO_ERP === 'sage500'
        ? await sage500Demo(
            skus,
            currencies,
            loadConfig(z.object({ DATABASE_URL: z.string().min(1) })).DATABASE_URL,
          )
        : await sapB1Demo(demo.SAPB1_SIM_PORT, skus, currencies);
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
      erpKind: erp.kind,
      erpCompany: erp.company,
      enabled: true,
      settings: {
        ordersIntervalSec: 60,
        ordersMode: 'api',
        backfillDays: 2,
        financesIntervalSec: 300,
        settlementsIntervalSec: 600,
        ...erp.settings,
        // the return path, quick for a demo: ERP reads every 5 s, a full stock scan every minute
        returnPath: {
          erpPollIntervalSec: 5,
          erpSafetyLagSec: 2,
          fullScanIntervalSec: 60,
          prices: { [US]: { priceList: erp.priceList, currency: 'USD' } },
          coalesceSec: 2,
          listingsRefreshSec: 600,
        },
      },
    },
    {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: seller.refreshToken,
      },
      erp: erp.credentials,
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
        customerCode: erp.customerOf(m.currency),
        currency: m.currency,
        arAccount: erp.arAccount,
      })),
      carriers: [{ erpCarrierCode: erp.upsCarrier, carrierCode: 'UPS' }],
    },
    Date.now(),
  );
  await publishMappings(runtime.publisher, mappings);
  await runtime.disconnect();
  log.info(
    {
      connectionId: demo.DEMO_CONNECTION_ID,
      amazon: spApiUrl,
      erp: erp.credentials.baseUrl,
      orders: amazon.orders.length,
    },
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
  await start(
    'erp-change-poller',
    poller.appModule(loadConfig(poller.configSchema, env('erp-change-poller')), {
      logger: loggerOf('erp-change-poller'),
    }),
  );
  await start(
    'inventory-publisher',
    publisher.appModule(
      loadConfig(publisher.configSchema, {
        ...env('inventory-publisher'),
        SPAPI_ENDPOINT: spApiUrl,
        LWA_TOKEN_URL: `${spApiUrl}/auth/o2/token`,
        FEED_POLL_MS: '1000',
      }),
      { logger: loggerOf('inventory-publisher') },
    ),
  );
  // the operator console; its first administrator comes from CONSOLE_ADMIN_EMAIL/PASSWORD (demo.sh)
  await start(
    'operator-console',
    operatorConsole.appModule(
      loadConfig(operatorConsole.configSchema, {
        ...env('operator-console'),
        // the demo serves plain http on 127.0.0.1: cookies cannot be Secure there
        CONSOLE_COOKIE_SECURE: 'false',
        // ping from the page, against the simulator (it decrypts the demo connection's credentials)
        CONSOLE_PING: 'true',
        SPAPI_ENDPOINT: spApiUrl,
        LWA_TOKEN_URL: `${spApiUrl}/auth/o2/token`,
      }),
      { logger: loggerOf('operator-console') },
    ),
  );
  log.info('services started');

  // 5. the return path: a price change and a goods receipt in the ERP reach the Amazon listing
  const sku = skus.find((s) => amazon.listing(seller.sellerId, s, US)?.fba === false);
  if (!sku) throw new Error('the simulated US catalogue has no merchant-fulfilled SKU');
  const listing = () => amazon.listing(seller.sellerId, sku, US)!;
  const until = async (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 120_000) => {
    const t0 = Date.now();
    while (!(await ok())) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`demo: ${what} did not reach Amazon in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return ((Date.now() - t0) / 1000).toFixed(1);
  };
  const report: string[] = [];
  const synced = await until(
    'the first stock sync',
    () => (listing().writes?.fulfillment_availability ?? 0) > 0,
  );
  report.push(
    `first sync: ${sku} on Amazon US shows the ERP's price ${listing().price} and quantity ${listing().quantity} (${synced} s)`,
  );
  await erp.changePrice(sku, '24.99');
  const priced = await until('the price change', () => listing().price === '24.99');
  report.push(
    `price 10.00 → 24.99 on ${erp.label} price list ${erp.priceList}: listing price ${listing().price} after ${priced} s`,
  );
  const before = listing().quantity;
  await erp.receiveStock(sku, '25');
  // orders keep arriving and committing stock meanwhile: the listing follows the ERP's figure
  const stocked = await until(
    'the goods receipt',
    async () => listing().quantity > before && listing().quantity === (await erp.available(sku)),
  );
  report.push(
    `goods receipt of 25 in warehouse ${erp.warehouse} (no change date: found by the full scan): listing quantity ${before} → ${listing().quantity} (the ERP's available to sell) after ${stocked} s`,
  );

  // a warehouse clerk ships an Amazon order in the ERP (SAP B1: a delivery copied from its sales
  // order; Sage 100: the order's invoice with a tracking number)
  const unshipped = amazon.orders.filter(
    (o) => o.sellerId === seller.sellerId && o.fulfilledBy === 'MERCHANT' && o.status === 'UNSHIPPED',
  );
  const shippedId = await erp.shipOneOf(
    unshipped.map((o) => o.orderId),
    '1Z999AA10123456784',
  );
  const order = unshipped.find((o) => o.orderId === shippedId);
  if (order) {
    const shipped = await until('the shipment', () => confirmedShipments(order).length > 0);
    const [pkg] = confirmedShipments(order);
    report.push(
      `shipment of order ${order.orderId} in ${erp.label}: confirmed to Amazon as package ${pkg.packageReferenceId}, ${pkg.carrierCode} ${pkg.trackingNumber}, after ${shipped} s`,
    );
  } else report.push('no unshipped merchant-fulfilled order with an open sales order to ship');
  writeFileSync(path.join(demo.DEMO_LOG_DIR, 'return-path.txt'), `${report.join('\n')}\n`);
  log.info({ sku, report }, 'return path shown');
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
