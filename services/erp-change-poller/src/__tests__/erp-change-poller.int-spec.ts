import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import type { ConnectionScheduler } from '@connector/core';
import { ConnectionRepository, CredentialsCipher, type Connection } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import type { ErpPort } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import type { ErpItemChange } from '@connector/events';
import { RegistryAvroCodec, createKafka, topicOffsets } from '@connector/kafka';
import { startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { appModule } from '../app.module';
import { configSchema } from '../config';
import { POLL_SCHEDULER } from '../poller/poller.module';

const KEY = Buffer.alloc(32, 9).toString('base64');

/**
 * erp-change-poller on real Kafka, the registry and PostgreSQL, with an ERP in memory (the ERP
 * simulators' own runs are in tools/e2e): a replica that dies midway and one that takes over
 * publish every item exactly once.
 */
describe('erp-change-poller (real Kafka, registry, PostgreSQL)', () => {
  const prefix = `${uniqueName('poller')}.`;
  let tdb: TestDatabase;
  const apps: INestApplication[] = [];
  const erp = new FakeErp();
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const kafka = createKafka(
    { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'poller-int' },
    silentLogger(),
  );
  const seen: ErpItemChange[] = [];

  async function startPoller(): Promise<ConnectionScheduler<Connection, ErpPort>> {
    const env = {
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}erp-change-poller`,
      CREDENTIALS_KEY: KEY,
      POLLER_SCHEDULER: 'false', // the test ticks
      POLL_LEASE_MS: '5000',
    };
    const app = await startService(
      appModule(
        loadConfig(configSchema, env),
        { logger: silentLogger() },
        { factories: { SAP_B1: () => erp } },
      ),
      { logger: false },
    );
    apps.push(app);
    return app.get(POLL_SCHEDULER);
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: 'c1',
        name: 'c1',
        sellerId: 'S',
        region: 'na',
        marketplaceIds: ['ATVPDKIKX0DER'],
        erpKind: 'SAP_B1',
        erpCompany: 'SBO',
        enabled: true,
        settings: { returnPath: { erpPageSize: 50, erpSafetyLagSec: 0, erpPollIntervalSec: 5 } },
      },
      {
        amazon: { lwaClientId: 'x', lwaClientSecret: 'y', refreshToken: 'z' },
        erp: { baseUrl: 'http://erp.invalid', user: 'u', password: 'p' },
      },
    );
  });
  const afterAllStops: Array<() => Promise<void>> = [];
  /** Follows erp.item-changes.v1 (created by the first poller's boot) into `seen`. */
  async function follow(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    await topicOffsets(admin, `${prefix}erp.item-changes.v1`); // waits for the new topic's leaders
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}erp.item-changes.v1`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(await codec.decode(message.value!)),
    });
    afterAllStops.push(() => consumer.disconnect());
  }
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const stop of afterAllStops) await stop();
    await tdb?.drop();
  });

  it('when a replica dies midway and another takes over, then every item is published once, with its stock', async () => {
    erp.clock = '2026-11-01T12:00:00.000Z';
    for (let i = 0; i < 300; i++) {
      const code = `ITEM-${String(i).padStart(4, '0')}`;
      erp.items.set(code, {
        itemCode: code,
        active: true,
        changedAt: '2026-11-01T10:00:00.000Z',
        prices: [{ priceList: '1', price: `${10 + i}.5`, currency: 'USD' }],
        quantities: [{ warehouseCode: '01', onHand: String(i), committed: '1' }],
      });
    }
    const a = await startPoller();
    await follow();
    // A's ERP connection drops on the 3rd page of its scan (pages 1 and 2 are published)
    const scan = erp.scanItems.bind(erp);
    let pages = 0;
    erp.scanItems = (after, size) =>
      ++pages === 3 ? Promise.reject(new Error('connection reset')) : scan(after, size);
    await a.tick();
    const afterCrash = await waitFor(() => seen.length === 100 && seen.length, {
      what: 'the first two pages',
    });
    const b = await startPoller();
    await b.tick(); // A still holds the stream's lease: B reads nothing
    expect(seen).toHaveLength(afterCrash);
    await apps[0].close(); // A stops and gives its leases up; B takes the stream over
    apps.shift();
    expect(Number((await tdb.db('poll_leases').count({ n: '*' }))[0].n)).toBe(0);
    await waitFor(
      async () => {
        await b.tick();
        return new Set(seen.map((e) => e.itemCode)).size === 300;
      },
      { what: '300 items on erp.item-changes.v1', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(seen).toHaveLength(300);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length);
    const item7 = seen.find((e) => e.itemCode === 'ITEM-0007')!;
    expect(item7).toMatchObject({ available: 6, prices: [{ priceList: '1', price: { amount: '17.5000' } }] });

    // a price change is one more event, read by the change poll
    erp.items.get('ITEM-0007')!.prices[0].price = '99.99';
    erp.items.get('ITEM-0007')!.changedAt = '2026-11-01T12:00:30.000Z';
    erp.clock = '2026-11-01T12:01:00.000Z';
    await waitFor(
      async () => {
        await b.tick(); // runs when the stream is due again (5 s)
        return seen.length === 301;
      },
      { what: 'the price change', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(seen[300]).toMatchObject({ itemCode: 'ITEM-0007', source: 'CHANGE_POLL' });
    const cursor = await tdb
      .db<{ connection_id: string; stream: string; state: { after: unknown } }>('poll_cursors')
      .where({ connection_id: 'c1', stream: 'erp-items' })
      .first();
    expect(cursor?.state.after).toEqual({ changedAt: '2026-11-01T12:00:30.000Z', key: 'ITEM-0007' });
  }, 120_000);
});
