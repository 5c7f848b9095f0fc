/**
 * `npm run demo`: the connector against its built-in simulators, in one process. This file is the
 * demo's composition root: it starts the SP-API simulator (a North American seller) and the SAP
 * Business One Service Layer simulator, registers the seller as connection `demo` with that ERP,
 * publishes the demo mappings, and starts amazon-ingest, sage-writer, settlement-reconciler,
 * erp-change-poller, inventory-publisher and operator-console through their public entry points with
 * the simulators' endpoints. Then it shows the return path: a price change and a goods receipt in the ERP reach the
 * Amazon listing (written to DEMO_LOG_DIR/return-path.txt). The services themselves know nothing of
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
import { writeFileSync } from 'node:fs';
import * as ingest from '@connector/amazon-ingest';
import { loadConfig, z } from '@connector/config';
import { ConnectionRepository, CredentialsCipher, createDb } from '@connector/db';
import { kafkaRuntimeFromConfig } from '@connector/kafka';
import { defaultGlAccounts, mappingRecords, publishMappings } from '@connector/mapping';
import { startService } from '@connector/nest-common';
import * as poller from '@connector/erp-change-poller';
import * as publisher from '@connector/inventory-publisher';
import * as operatorConsole from '@connector/operator-console';
import { createLogger, type Logger } from '@connector/observability';
import * as writer from '@connector/sage-writer';
import { SAPB1_SIM_LOGIN, SapB1Simulator } from '@connector/sap-b1-simulator';
import * as reconciler from '@connector/settlement-reconciler';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SIM_SKU_COUNT,
  SpApiSimulator,
  confirmedShipments,
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
const SERVICE_PORTS = {
  'amazon-ingest': 3001,
  'sage-writer': 3002,
  'settlement-reconciler': 3003,
  'inventory-publisher': 3004,
  'erp-change-poller': 3005,
  'operator-console': 3006,
} as const;
const US = 'ATVPDKIKX0DER';
/** SAP B1 price list 1 is the demo's Amazon US price; the simulator stocks each item in warehouse 01. */
const PRICE_LIST = '1';
const WAREHOUSE = '01';

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
        // the return path, quick for a demo: ERP reads every 5 s, a full stock scan every minute
        returnPath: {
          erpPollIntervalSec: 5,
          erpSafetyLagSec: 2,
          fullScanIntervalSec: 60,
          prices: { [US]: { priceList: PRICE_LIST, currency: 'USD' } },
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
      // SAP B1 shipping type 2 (OSHP) is UPS
      carriers: [{ erpCarrierCode: '2', carrierCode: 'UPS' }],
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
  const until = async (what: string, ok: () => boolean, timeoutMs = 120_000) => {
    const t0 = Date.now();
    while (!ok()) {
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
  erp.updateItem(sku, { prices: { [PRICE_LIST]: '24.99' } });
  const priced = await until('the price change', () => listing().price === '24.99');
  report.push(
    `price 10.00 → 24.99 on SAP B1 price list ${PRICE_LIST}: listing price ${listing().price} after ${priced} s`,
  );
  // what Amazon may sell of the item by the connection's rule: on hand − committed in warehouse 01
  const erpAvailable = () => {
    const item = erp.documents('Items').find((i) => i.ItemCode === sku);
    const w = (item?.ItemWarehouseInfoCollection as Array<Record<string, unknown>> | undefined)?.find(
      (x) => x.WarehouseCode === WAREHOUSE,
    );
    return w ? Math.max(0, Math.floor(Number(w.InStock)) - Math.ceil(Number(w.Committed))) : 0;
  };
  const before = listing().quantity;
  erp.postStock({ itemCode: sku, warehouse: WAREHOUSE, quantity: '25' });
  // orders keep arriving and committing stock meanwhile: the listing follows the ERP's figure
  const stocked = await until(
    'the goods receipt',
    () => listing().quantity > before && listing().quantity === erpAvailable(),
  );
  report.push(
    `goods receipt of 25 in warehouse ${WAREHOUSE} (no change date: found by the full scan): listing quantity ${before} → ${listing().quantity} (the ERP's available to sell) after ${stocked} s`,
  );

  // a warehouse clerk ships an Amazon order in the ERP: a delivery copied from its sales order
  const order = amazon.orders.find(
    (o) =>
      o.sellerId === seller.sellerId &&
      o.fulfilledBy === 'MERCHANT' &&
      o.status === 'UNSHIPPED' &&
      erp.documents('Orders').some((d) => d.NumAtCard === o.orderId && d.DocumentStatus === 'bost_Open'),
  );
  if (order) {
    const so = erp.documents('Orders').find((d) => d.NumAtCard === order.orderId)!;
    erp.create('DeliveryNotes', {
      CardCode: so.CardCode,
      NumAtCard: so.NumAtCard,
      TrackingNumber: '1Z999AA10123456784',
      TransportationCode: 2,
      DocumentLines: (so.DocumentLines as Array<Record<string, unknown>>).map((l) => ({
        BaseType: 17,
        BaseEntry: Number(so.DocEntry),
        BaseLine: Number(l.LineNum),
      })),
    });
    const shipped = await until('the shipment', () => confirmedShipments(order).length > 0);
    const [pkg] = confirmedShipments(order);
    report.push(
      `delivery of order ${order.orderId} in SAP B1: confirmed to Amazon as package ${pkg.packageReferenceId}, ${pkg.carrierCode} ${pkg.trackingNumber}, after ${shipped} s`,
    );
  } else report.push('no unshipped merchant-fulfilled order with an open sales order to ship');
  writeFileSync(path.join(demo.DEMO_LOG_DIR, 'return-path.txt'), `${report.join('\n')}\n`);
  log.info({ sku, report }, 'return path shown');
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
