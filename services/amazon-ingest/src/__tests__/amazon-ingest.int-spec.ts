import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@connector/config';
import { systemClock } from '@connector/core';
import type { ConnectionRepository, Db } from '@connector/db';
import type { AmazonOrder, SettlementReportEvent, TopicName } from '@connector/events';
import {
  RegistryAvroCodec,
  createKafka,
  type EventPublisher,
  type OutgoingRecord,
  type TopicValue,
} from '@connector/kafka';
import { sumDecimals } from '@connector/money';
import { DB, EVENT_PUBLISHER } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { ReportRunner } from '@connector/sp-api';
import { appModule } from '../app.module';
import { configSchema } from '../config';
import { KnexIngestStateStore } from '../ingest-state/ingest-state.store';
import { CONNECTIONS, SETTLEMENT_INGEST, SP_API_FACTORY } from '../ingest/ingest.tokens';
import type { SpApiFactory } from '@connector/sp-api';
import { OrderSyncService } from '../orders/order-sync.service';
import type { SettlementIngestService } from '../settlements/settlement-ingest.service';

const DAY = 86_400_000;

/** Forwards to Kafka, but "the process dies" at a chosen publish: before sending, or after Kafka's ack. */
class DyingPublisher implements EventPublisher {
  calls = 0;
  constructor(
    private readonly inner: EventPublisher,
    private readonly dieAt: number,
    private readonly when: 'before-send' | 'after-ack',
  ) {}
  async publish<T extends TopicName>(topic: T, records: OutgoingRecord<TopicValue<T>>[]): Promise<void> {
    const n = ++this.calls;
    if (n === this.dieAt && this.when === 'before-send') throw new Error('killed before send');
    await this.inner.publish(topic, records);
    if (n === this.dieAt && this.when === 'after-ack') throw new Error('killed after the ack');
  }
}

/**
 * amazon-ingest against the SP-API simulator, a real Kafka broker, the schema registry and
 * PostgreSQL: what reaches the topics is read back and decoded.
 */
describe('amazon-ingest → Kafka (real broker, registry, PostgreSQL)', () => {
  const prefix = `${uniqueName('ingest')}.`;
  const started = Date.now();
  let sim: SpApiSimulator;
  let tdb: TestDatabase;
  let app: INestApplication;
  let archiveDir: string;
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const kafka = createKafka(
    { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'ingest-int' },
    silentLogger(),
  );

  /** Every record on a topic so far, decoded, waiting until `expected` have arrived (and a moment more). */
  async function readTopic<T>(topic: string, expected: number): Promise<Array<{ key: string; value: T }>> {
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    const out: Array<{ key: string; value: T }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${topic}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: String(message.key), value: await codec.decode<T>(message.value!) });
      },
    });
    await waitFor(() => out.length >= expected, {
      what: `${expected} records on ${topic}`,
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1500)); // anything extra would show up now
    await consumer.disconnect();
    return out;
  }

  const seller = SIM_SELLERS[0];
  const register = (id: string, settings: Record<string, unknown>) =>
    app.get<ConnectionRepository>(CONNECTIONS).upsert(
      {
        id,
        name: id,
        sellerId: seller.sellerId,
        region: 'na',
        marketplaceIds: seller.marketplaces.map((m) => m.id),
        erpKind: 'SAP_B1',
        erpCompany: `SBO-${id}`,
        enabled: true,
        settings,
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: seller.refreshToken,
        },
      },
    );
  const apiFor = async (id: string) => {
    const repo = app.get<ConnectionRepository>(CONNECTIONS);
    return app
      .get<SpApiFactory>(SP_API_FACTORY)
      .forConnection(await repo.get(id), await repo.credentials(id));
  };
  const orderSync = (publisher: EventPublisher) =>
    new OrderSyncService({
      store: new KnexIngestStateStore(app.get<Db>(DB)),
      publisher,
      reports: new ReportRunner(systemClock, { pollMs: 200 }),
      clock: systemClock,
      logger: silentLogger(),
    });
  /** The orders Amazon changed in [from, to) that carry prices. */
  const expectedIds = (from: number, to: number) =>
    sim.orders
      .filter(
        (o) =>
          o.sellerId === seller.sellerId &&
          o.status !== 'PENDING' &&
          o.lastUpdatedMs >= from &&
          o.lastUpdatedMs < to,
      )
      .map((o) => o.orderId)
      .sort();

  beforeAll(async () => {
    sim = new SpApiSimulator({ startMs: started - 30 * DAY, days: 30, ordersPerDay: 400, speedFactor: 2000 });
    await sim.start();
    tdb = await createTestDatabase();
    archiveDir = mkdtempSync(join(tmpdir(), 'ingest-archive-'));
    const env = {
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      CREDENTIALS_KEY: Buffer.alloc(32, 3).toString('base64'),
      INGEST_SCHEDULER: 'false',
      SPAPI_ENDPOINT: sim.url,
      LWA_TOKEN_URL: `${sim.url}/auth/o2/token`,
      ARCHIVE_DIR: archiveDir,
      SETTLEMENT_CHUNK_LINES: '100',
    };
    app = await NestFactory.create(appModule(loadConfig(configSchema, env), { logger: silentLogger() }), {
      logger: false,
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await tdb?.drop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it('when a full day of orders is read, then each priced order arrives on amazon.orders.v1 exactly once, and a second run adds nothing', async () => {
    await register('day', { ordersMode: 'api', ordersOverlapSec: 0, backfillDays: 1 });
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    const first = await orderSync(publisher).sync(
      await app.get<ConnectionRepository>(CONNECTIONS).get('day'),
      await apiFor('day'),
    );
    const expected = expectedIds(first.windowStart, first.windowEnd);
    expect(expected.length).toBeGreaterThan(300);
    expect(first.published).toBe(expected.length);

    const again = await orderSync(publisher).sync(
      await app.get<ConnectionRepository>(CONNECTIONS).get('day'),
      await apiFor('day'),
    );
    expect(again.published).toBe(0);

    const records = (await readTopic<AmazonOrder>('amazon.orders.v1', expected.length)).filter(
      (r) => r.value.connectionId === 'day',
    );
    expect(records.map((r) => r.value.amazonOrderId).sort()).toEqual(expected);
    expect(records.every((r) => r.key === `day/${r.value.amazonOrderId}`)).toBe(true);
    const priced = records.find((r) => r.value.items[0]?.itemPrice)!;
    expect(priced.value.items[0].itemPrice!.amount).toMatch(/^\d+\.\d{4}$/); // exact decimal(18,4) on the wire
  });

  it.each([
    // repeats: event ids Kafka may see twice. None when the process dies before a send; after an ack,
    // the one window a dual write cannot close: the batch Kafka took but the database never recorded
    // is sent again, byte-identical, with the same event ids that consumers de-duplicate on
    ['before a batch is sent', 'before-send' as const, 2, 0],
    ['after Kafka acknowledged a batch, before the database recorded it', 'after-ack' as const, 2, 100],
  ])(
    'when the process dies %s and restarts, then no order is lost and no order is published under two event ids',
    async (_when, mode, dieAt, repeats) => {
      const id = `crash-${mode}`;
      await register(id, { ordersMode: 'api', ordersOverlapSec: 0, backfillDays: 1 });
      const conn = await app.get<ConnectionRepository>(CONNECTIONS).get(id);
      const real = app.get<EventPublisher>(EVENT_PUBLISHER);
      const dying = new DyingPublisher(real, dieAt, mode);
      const crashed = await orderSync(dying)
        .sync(conn, await apiFor(id))
        .catch((e: Error) => e);
      expect(crashed).toBeInstanceOf(Error);
      const restarted = await orderSync(real).sync(conn, await apiFor(id));
      const expected = expectedIds(restarted.windowStart, restarted.windowEnd);
      const records = (await readTopic<AmazonOrder>('amazon.orders.v1', 1)).filter(
        (r) => r.value.connectionId === id,
      );
      const eventIds = records.map((r) => r.value.eventId);
      expect([...new Set(records.map((r) => r.value.amazonOrderId))].sort()).toEqual(expected);
      const distinct = new Set(eventIds).size;
      expect(eventIds.length - distinct).toBeLessThanOrEqual(repeats);
      expect(distinct).toBe(expected.length);
    },
  );

  it('when settlements are read (EU decimal commas, reserves, refunds), then chunks and a closing record reach Kafka and the lines sum to the deposit', async () => {
    const eu = SIM_SELLERS[1];
    await app.get<ConnectionRepository>(CONNECTIONS).upsert(
      {
        id: 'eu',
        name: 'eu',
        sellerId: eu.sellerId,
        region: 'eu',
        marketplaceIds: eu.marketplaces.map((m) => m.id),
        erpKind: 'SAGE300',
        erpCompany: 'SAMLTD',
        enabled: true,
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: eu.refreshToken,
        },
      },
    );
    const result = await app
      .get<SettlementIngestService>(SETTLEMENT_INGEST)
      .sync(await app.get<ConnectionRepository>(CONNECTIONS).get('eu'), await apiFor('eu'));
    // the second German settlement: it releases the reserve the first one held
    const de = sim.settlements.filter(
      (s) => s.sellerId === eu.sellerId && s.currency === 'EUR' && s.depositMs <= Date.now(),
    )[1];
    expect(result.rejected).toEqual([]);
    expect(result.published).toContain(de.settlementId);
    const closedCount = result.published.length;
    const events = (await readTopic<SettlementReportEvent>('amazon.settlements.v1', closedCount)).filter(
      (e) => e.value.connectionId === 'eu',
    );
    const mine = events.filter((e) => e.value.settlementId === de.settlementId);
    const closed = mine.find((e) => e.value.payload['connector.amazon.SettlementClosed'])!.value.payload[
      'connector.amazon.SettlementClosed'
    ]!;
    const lines = mine.flatMap((e) => e.value.payload['connector.amazon.SettlementChunk']?.lines ?? []);
    expect(closed.tiesOut).toBe(true);
    expect(lines).toHaveLength(de.lineCount);
    expect(mine).toHaveLength(Math.ceil(de.lineCount / 100) + 1);
    expect(sumDecimals(lines.map((l) => l.amount.amount)).toFixed(2)).toBe(
      sumDecimals([closed.header.totalAmount.amount]).toFixed(2),
    );
    expect(closed.header.totalAmount.currency).toBe('EUR');
    expect(lines.some((l) => l.amountDescription === 'Previous Reserve Amount Balance')).toBe(true);
    expect(lines.some((l) => l.transactionType === 'Refund')).toBe(true);
    expect(mine[0].key).toBe(`eu/${de.settlementId}`);
  });
});
