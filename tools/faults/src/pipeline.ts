import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { baseConfigSchema, loadConfig } from '@connector/config';
import {
  ConnectionRepository,
  CredentialsCipher,
  createDb,
  migrateLatest,
  type ConnectionSettingsInput,
} from '@connector/db';
import { createKafka, kafkaRuntimeFromConfig } from '@connector/kafka';
import { defaultGlAccounts, mappingRecords, publishMappings } from '@connector/mapping';
import { silentLogger } from '@connector/observability';
import { SAPB1_SIM_LOGIN, SapB1Simulator } from '@connector/sap-b1-simulator';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SIM_SKU_COUNT,
  SpApiSimulator,
  simNaSellers,
  simSku,
  type SimSeller,
} from '@connector/sp-api-simulator';
import { PIPELINE_SERVICES, ServiceProcess, type ServiceName } from './services';
import type { PrivateStack } from './stack';
import type { TcpProxy } from './tcp-proxy';

/** the GL account that takes a CAD journal's rounding in USD */
const ROUNDING_ACCOUNT = '7990';

const DAY = 86_400_000;
const KEY = randomBytes(32).toString('base64');

/** the consumer groups of the pipeline and the topics they must drain (lag 0) */
export const GROUP_TOPICS: Partial<Record<ServiceName, string[]>> = {
  'sage-writer': ['amazon.orders.v1', 'ledger.journals.v1', 'ledger.receipts.v1'],
  'settlement-reconciler': ['amazon.settlements.v1', 'amazon.financial-events.v1'],
};

export interface PipelineOptions {
  /** a name for the run (database, topic prefix, log folder) */
  name: string;
  /** orders over `days` days, of all sellers together (rounded to whole days per seller) */
  orders: number;
  /**
   * simulated sellers, one connection each (default 1: the North American seller `A1SIMSELLERNA`
   * alone, connection `faults`); more add sellers of simNaSellers as `faults-2`, `faults-3`, … with
   * their own rate limits and settlements, in the same ERP company (one company, several Amazon accounts)
   */
  sellers?: number;
  /** days of history: each marketplace settles every 14 days, so 28 days give 2 settlements per marketplace */
  days: number;
  /** the services' HTTP ports start here */
  portBase: number;
  logDir: string;
  /** the PostgreSQL every helper shares, reached directly by the runner (admin, truth checks) */
  adminDbUrl: string;
  /** the fault suite's own Kafka and registry, or any other (the shared local stack: the footprint bench) */
  stack: Pick<PrivateStack, 'brokers' | 'registryUrl'>;
  /** the services reach PostgreSQL through this proxy, the fault suite's switch (directly without one) */
  dbProxy?: TcpProxy;
  /** extra environment of the services */
  env?: Record<string, string>;
  /** the services to run (default: PIPELINE_SERVICES); amazon-ingest starts last */
  services?: readonly ServiceName[];
  /** connection settings over the suite's (e.g. `returnPath` for erp-change-poller and inventory-publisher) */
  settings?: Partial<ConnectionSettingsInput>;
}

/**
 * One run of the pipeline: a fresh database and topic prefix, the SP-API simulator (the truth of
 * Amazon: North American sellers' orders and settlements, one seller unless `sellers`), the SAP
 * Business One simulator (the ERP), one connection per seller registered and its mappings published
 * as an operator would, and amazon-ingest, sage-writer and settlement-reconciler as processes with
 * production-like configuration.
 */
export class Pipeline {
  /** the sellers the pipeline reads, one connection each (connectionIds, in the same order) */
  readonly sellers: readonly SimSeller[];
  readonly connectionIds: readonly string[];
  /** the first seller and its connection (the only ones unless `sellers`) */
  readonly seller = SIM_SELLERS[0];
  readonly connectionId = 'faults';
  amazon!: SpApiSimulator;
  erp!: SapB1Simulator;
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly prefix: string;
  readonly dbName: string;
  private kafka!: Kafka;
  private admin!: Admin;
  private readonly adminDb: ReturnType<typeof createDb>;
  private db?: ReturnType<typeof createDb>;

  constructor(private readonly opts: PipelineOptions) {
    const n = opts.sellers ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new Error(`sellers must be a whole number ≥ 1, not ${n}`);
    this.sellers = [this.seller, ...simNaSellers(n - 1)];
    this.connectionIds = this.sellers.map((_, i) =>
      i === 0 ? this.connectionId : `${this.connectionId}-${i + 1}`,
    );
    const tag = `${opts.name}-${Date.now().toString(36)}`;
    this.prefix = `faults-${tag}.`;
    this.dbName = `faults_${tag.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    this.adminDb = createDb({ url: opts.adminDbUrl, poolMax: 1, applicationName: 'faults' });
  }

  private urlOf(port: number): string {
    const url = new URL(this.opts.adminDbUrl);
    url.port = String(port);
    url.pathname = `/${this.dbName}`;
    return url.toString();
  }

  /** the database as the runner reads it (directly, not through the proxy) */
  get truthDb() {
    return this.db!;
  }

  async start(): Promise<void> {
    const { opts } = this;
    mkdirSync(opts.logDir, { recursive: true });
    await this.adminDb.raw('create database ??', [this.dbName]);
    this.db = createDb({ url: this.urlOf(Number(new URL(opts.adminDbUrl).port || 5432)), poolMax: 2 });
    await migrateLatest(this.db);

    // the truth: Amazon's history ends five days ago, so every order and settlement report is there from the start
    const days = Math.max(14, opts.days);
    const many = this.sellers.length > 1;
    this.amazon = new SpApiSimulator({
      port: 0,
      startMs: Date.now() - (days + 5) * DAY,
      days,
      ordersPerDay: Math.max(1, Math.round(opts.orders / days / this.sellers.length)),
      speedFactor: 50,
      // one seller: the simulator's default dataset, as always; more: these sellers only
      ...(many ? { sellers: this.sellers } : {}),
    });
    await this.amazon.start();
    const skus = Array.from({ length: SIM_SKU_COUNT }, (_, i) => simSku(i));
    const customerOf = (currency: string) => `AMZ-${currency.slice(0, 2)}`;
    const currencies = this.seller.marketplaces.map((m) => m.currency);
    this.erp = new SapB1Simulator({
      port: 0,
      items: skus.map((ItemCode) => ({ ItemCode })),
      customers: currencies.map(customerOf),
      accounts: [...new Set(['1100', ROUNDING_ACCOUNT, ...defaultGlAccounts()])],
      // the company's rate table holds a CAD rate every day, as the demo's: SAP refuses a CAD document without one
      standingRates: { CAD: '0.7312' },
    });
    await this.erp.start();

    const env: Record<string, string> = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: opts.stack.brokers,
      SCHEMA_REGISTRY_URL: opts.stack.registryUrl,
      DATABASE_URL: this.urlOf(opts.dbProxy?.port ?? Number(new URL(opts.adminDbUrl).port || 5432)),
      KAFKA_TOPIC_PREFIX: this.prefix,
      CREDENTIALS_KEY: KEY,
      SPAPI_ENDPOINT: this.amazon.url,
      LWA_TOKEN_URL: `${this.amazon.url}/auth/o2/token`,
      REPORT_POLL_MS: '1000',
      ARCHIVE_DIR: path.join(opts.logDir, 'archive'),
      DATABASE_MIGRATE_ON_BOOT: 'false',
      ...opts.env,
    };
    const connections = new ConnectionRepository(this.db, new CredentialsCipher('k1', { k1: KEY }));
    for (const [i, seller] of this.sellers.entries())
      await this.registerConnection(connections, this.connectionIds[i], seller, days);

    // the mappings, published before the services first read the topics (npm run mapping -- load)
    const config = loadConfig(baseConfigSchema, { ...process.env, ...env, HTTP_PORT: '0' });
    const runtime = kafkaRuntimeFromConfig(config, 'faults', { logger: silentLogger() });
    await runtime.connect();
    for (const [i, seller] of this.sellers.entries())
      await publishMappings(
        runtime.publisher,
        mappingRecords(
          {
            connectionId: this.connectionIds[i],
            skus: skus.map((sellerSku) => ({ sellerSku, itemCode: sellerSku })),
            customers: seller.marketplaces.map((m) => ({
              marketplaceId: m.id,
              customerCode: customerOf(m.currency),
              currency: m.currency,
              arAccount: '1100',
            })),
          },
          Date.now(),
        ),
      );
    await runtime.disconnect();
    this.kafka = createKafka({ brokers: [opts.stack.brokers], clientId: 'faults' }, silentLogger());
    this.admin = this.kafka.admin();
    await this.admin.connect();

    const names = opts.services ?? PIPELINE_SERVICES;
    names.forEach((name, i) => {
      const groupEnv = { KAFKA_GROUP_ID: `${this.prefix}${name}` };
      this.services.set(
        name,
        new ServiceProcess(name, opts.portBase + i, { ...env, ...groupEnv }, opts.logDir),
      );
    });
    // the consumers first, then the reader of Amazon
    for (const name of [...names.filter((n) => n !== 'amazon-ingest'), 'amazon-ingest'] as const)
      if (names.includes(name)) this.services.get(name)!.start();
  }

  /** A seller's connection as an operator registers it, writing to the one SAP B1 company. */
  private async registerConnection(
    connections: ConnectionRepository,
    id: string,
    seller: SimSeller,
    days: number,
  ): Promise<void> {
    const { opts } = this;
    await connections.upsert(
      {
        id,
        name: id === this.connectionId ? 'Fault suite seller' : `Fault suite seller ${id}`,
        sellerId: seller.sellerId,
        region: seller.region,
        marketplaceIds: seller.marketplaces.map((m) => m.id),
        erpKind: 'SAP_B1',
        erpCompany: SAPB1_SIM_LOGIN.companyDb,
        enabled: true,
        settings: {
          ordersIntervalSec: 30,
          ordersMode: 'api',
          backfillDays: days + 6,
          financesIntervalSec: 60,
          settlementsIntervalSec: 300,
          // a USD company: CAD documents and journals carry the ERP's rate, journals in both currencies
          orderToCash: { homeCurrency: 'USD', fx: { rateSource: 'erp', roundingAccount: ROUNDING_ACCOUNT } },
          ...opts.settings,
        },
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: seller.refreshToken,
        },
        erp: {
          baseUrl: `${this.erp.url}/b1s/v1`,
          user: SAPB1_SIM_LOGIN.user,
          password: SAPB1_SIM_LOGIN.password,
          company: SAPB1_SIM_LOGIN.companyDb,
        },
      },
    );
  }

  service(name: ServiceName): ServiceProcess {
    return this.services.get(name)!;
  }

  /** every service answers ready */
  async allReady(): Promise<boolean> {
    const states = await Promise.all([...this.services.values()].map((s) => s.ready()));
    return states.every(Boolean);
  }

  /** the readiness of each service, for the timeline */
  async readiness(): Promise<Record<string, boolean>> {
    const all = [...this.services.values()];
    const states = await Promise.all(all.map((s) => s.ready()));
    return Object.fromEntries(all.map((s, i) => [s.name, states[i]]));
  }

  /** records not yet committed by each group, summed over its topics' partitions */
  async lag(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [service, topics] of Object.entries(GROUP_TOPICS)) {
      const groupId = `${this.prefix}${service}`;
      let total = 0;
      const physical = topics.map((t) => `${this.prefix}${t}`);
      const committed = await this.admin.fetchOffsets({ groupId, topics: physical });
      for (const t of committed) {
        const ends = await this.admin.fetchTopicOffsets(t.topic);
        for (const p of ends) {
          const c = t.partitions.find((x) => x.partition === p.partition);
          const from = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(p.low);
          total += Math.max(0, Number(p.high) - from);
        }
      }
      out[service] = total;
    }
    return out;
  }

  /** records on each of the run's dead-letter topics */
  async deadLetters(): Promise<Record<string, number>> {
    const topics = (await this.admin.listTopics()).filter(
      (t) => t.startsWith(this.prefix) && t.endsWith('.dlq'),
    );
    const out: Record<string, number> = {};
    for (const topic of topics) {
      const n = (await this.admin.fetchTopicOffsets(topic)).reduce(
        (sum, p) => sum + Number(p.high) - Number(p.low),
        0,
      );
      if (n > 0) out[topic.slice(this.prefix.length)] = n;
    }
    return out;
  }

  /** reconnects the runner's admin client (after the broker came back) */
  async reconnectAdmin(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  /** stops everything; `deleteTopics` also removes the run's topics (on a stack others share) */
  async stop(opts: { deleteTopics?: boolean } = {}): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    if (opts.deleteTopics && this.admin) {
      const mine = (await this.admin.listTopics().catch(() => [])).filter((t) => t.startsWith(this.prefix));
      if (mine.length > 0) await this.admin.deleteTopics({ topics: mine }).catch(() => undefined);
    }
    await this.admin?.disconnect().catch(() => undefined);
    await this.amazon?.close().catch(() => undefined);
    await this.erp?.close().catch(() => undefined);
    await this.db?.destroy();
    await this.adminDb.raw('drop database if exists ?? with (force)', [this.dbName]).catch(() => undefined);
    await this.adminDb.destroy();
  }
}
