import type { INestApplication } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '@connector/config';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { recordKey, type ErpItemChange, type ListingUpdateResult } from '@connector/events';
import {
  DLQ_HEADERS,
  createKafka,
  redriveDeadLetters,
  topicOffsets,
  type EventPublisher,
  type KafkaRuntime,
} from '@connector/kafka';
import { mappingRecords, publishMappings, type MappingCache } from '@connector/mapping';
import { EVENT_PUBLISHER, KAFKA, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  startSpApiSimulator,
  type SpApiSimulator,
} from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { appModule } from '../app.module';
import { configSchema } from '../config';
import { DLQ_ISSUES_HEADER } from '../listings/listing-dead-letters';
import { MAPPING_CACHE } from '../common/common.tokens';

/**
 * inventory-publisher on real Kafka, the registry and PostgreSQL against the SP-API simulator (issue 11):
 * a price and a stock change reach the listing, an FBA SKU never gets a quantity, 5,000 changed items go
 * out as feeds, and a rejected listing lands in the DLQ and goes through when replayed after the fix.
 */
const KEY = Buffer.alloc(32, 9).toString('base64');
const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const CONN = 'lp1';
const BULK = 5000;

describe('inventory-publisher listings (real Kafka, registry, PostgreSQL, SP-API simulator)', () => {
  const prefix = `${uniqueName('listings')}.`;
  const kafka = createKafka(
    { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'listings-int' },
    silentLogger(),
  );
  let tdb: TestDatabase;
  let sim: SpApiSimulator;
  let app: INestApplication;
  let results: Consumer;
  const seen: ListingUpdateResult[] = [];
  let bulkSkus: string[] = [];

  const publisher = () => app.get<EventPublisher>(EVENT_PUBLISHER);
  let changedAt = Date.UTC(2026, 10, 27);
  const change = (itemCode: string, available: number | null, price?: string): ErpItemChange => ({
    eventId: `${CONN}/${itemCode}@${++changedAt}`,
    connectionId: CONN,
    itemCode,
    erpKind: 'SAP_B1',
    description: null,
    active: true,
    prices: price ? [{ priceList: '1', price: { amount: price, currency: 'USD' } }] : [],
    warehouses: available === null ? null : [{ warehouseCode: '01', onHand: available, committed: 0 }],
    safetyStock: 0,
    available,
    changedAt,
    source: 'CHANGE_POLL',
    observedAt: null,
  });
  const publishChanges = async (changes: ErpItemChange[]) => {
    for (let i = 0; i < changes.length; i += 1000)
      await publisher().publish(
        'erp.item-changes.v1',
        changes.slice(i, i + 1000).map((c) => ({ key: recordKey(c.connectionId, c.itemCode), value: c })),
      );
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    sim = await startSpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 200 });
    bulkSkus = sim.addListings(NA.sellerId, US, BULK, { prefix: 'BULK-' });
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
          returnPath: {
            prices: { [US]: { priceList: '1', currency: 'USD', floor: '1.00', ceiling: '1000.00' } },
            coalesceSec: 1,
            feedThreshold: 50,
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
    const config = loadConfig(configSchema, {
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      DATABASE_MIGRATE_ON_BOOT: 'true',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}inventory-publisher`,
      CREDENTIALS_KEY: KEY,
      SPAPI_ENDPOINT: sim.url,
      LWA_TOKEN_URL: `${sim.url}/auth/o2/token`,
      REPORT_POLL_MS: '100',
      FEED_POLL_MS: '200',
      LISTINGS_FLUSH_MS: '200',
      LISTINGS_RETRY_BASE_MS: '100',
      CONSUMER_RETRY_BASE_MS: '5',
      CONSUMER_RETRY_MAX_MS: '50',
    });
    app = await startService(appModule(config, { logger: silentLogger() }), {
      logger: false,
      port: 0,
      host: '127.0.0.1',
    });
    await publishMappings(
      publisher(),
      mappingRecords(
        {
          connectionId: CONN,
          skus: [
            { sellerSku: 'SIM-0001', itemCode: 'MFN-1' },
            { sellerSku: 'SIM-0004', itemCode: 'PACK-6', unitsPerSku: 6 },
            { sellerSku: 'SIM-0003', itemCode: 'FBA-3' },
            { sellerSku: 'SIM-0002', itemCode: 'REJ-2' },
            ...bulkSkus.map((sellerSku, i) => ({ sellerSku, itemCode: `BULK-ITEM-${i}` })),
          ],
        },
        Date.now(),
      ),
    );
    const cache = app.get<MappingCache>(MAPPING_CACHE);
    await waitFor(() => cache.skusOfItem(CONN, `BULK-ITEM-${BULK - 1}`).length === 1, {
      what: 'mappings loaded',
      timeoutMs: 30_000,
    });
    // the listings report has been read: the catalogue knows the FBA SKUs
    await waitFor(
      async () => Number((await tdb.db('listing_catalogue').count({ n: '*' }))[0].n) >= 200 + BULK,
      {
        what: 'the listings catalogue',
        timeoutMs: 30_000,
      },
    );
    results = kafka.consumer({ groupId: uniqueName('results-reader') });
    await results.connect();
    await results.subscribe({ topic: `${prefix}inventory.listing-results.v1`, fromBeginning: true });
    const codec = app.get<KafkaRuntime>(KAFKA).codec;
    await results.run({
      eachMessage: async ({ message }) => {
        if (message.value) seen.push(await codec.decode<ListingUpdateResult>(message.value));
      },
    });
  }, 90_000);

  afterAll(async () => {
    await results?.disconnect();
    await app?.close();
    await sim?.close();
    await tdb?.drop();
  });

  it('when an item’s price and stock change, then the simulated listing shows them (a 6-pack gets whole packs)', async () => {
    await publishChanges([change('MFN-1', 42, '23.4500'), change('PACK-6', 10, '60.00')]);
    await waitFor(() => sim.listing(NA.sellerId, 'SIM-0001', US)!.quantity === 42, {
      what: 'quantity 42 on SIM-0001',
    });
    expect(sim.listing(NA.sellerId, 'SIM-0001', US)).toMatchObject({ quantity: 42, price: '23.45' });
    await waitFor(() => sim.listing(NA.sellerId, 'SIM-0004', US)!.price === '60', {
      what: 'the 6-pack price',
    });
    expect(sim.listing(NA.sellerId, 'SIM-0004', US)!.quantity).toBe(1);
    await waitFor(
      () => seen.some((r) => r.sellerSku === 'SIM-0001' && r.status === 'ACCEPTED' && r.quantity === 42),
      {
        what: 'an ACCEPTED result',
      },
    );
  });

  it('when an FBA SKU’s item changes, then Amazon is never sent a quantity: SKIPPED_FBA, the price still goes', async () => {
    const before = sim.listing(NA.sellerId, 'SIM-0003', US)!;
    const quantity = before.quantity;
    await publishChanges([change('FBA-3', 77, '31.00')]);
    await waitFor(() => sim.listing(NA.sellerId, 'SIM-0003', US)!.price === '31', {
      what: 'the FBA SKU’s price',
    });
    await waitFor(() => seen.some((r) => r.sellerSku === 'SIM-0003' && r.status === 'SKIPPED_FBA'), {
      what: 'SKIPPED_FBA',
    });
    expect(sim.listing(NA.sellerId, 'SIM-0003', US)!.quantity).toBe(quantity);
    expect(sim.listing(NA.sellerId, 'SIM-0003', US)!.writes?.fulfillment_availability).toBeUndefined();
  });

  it('when 5,000 items change, then they go out as JSON_LISTINGS_FEEDs, not 5,000 patches', async () => {
    const calls = { ...sim.control.stats.calls };
    await publishChanges(bulkSkus.map((_, i) => change(`BULK-ITEM-${i}`, 100 + (i % 50))));
    await waitFor(
      () => bulkSkus.every((sku, i) => sim.listing(NA.sellerId, sku, US)!.quantity === 100 + (i % 50)),
      {
        what: 'every bulk listing updated',
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const delta = (op: string) => (sim.control.stats.calls[op] ?? 0) - (calls[op] ?? 0);
    expect(delta('createFeed')).toBeGreaterThanOrEqual(1);
    expect(delta('createFeed')).toBeLessThanOrEqual(20);
    expect(delta('patchListingsItem')).toBeLessThan(100);
    expect(delta('getListingsItem')).toBe(0);
  }, 75_000);

  it('when Amazon rejects a listing, then the ERP record lands in the DLQ with the issue, and replayed after the fix it goes through', async () => {
    sim.rejectListingUpdates(NA.sellerId, 'SIM-0002', US, {
      code: '90244',
      message: 'The price is not allowed for this ASIN.',
    });
    await publishChanges([change('REJ-2', 5, '44.00')]);
    const dlq = `${prefix}erp.item-changes.v1.dlq`;
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await topicOffsets(admin, dlq)).some((p) => BigInt(p.high) > 0n), {
      what: 'a dead letter',
      timeoutMs: 30_000,
    }).finally(() => admin.disconnect());
    const reader = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    const dead: Array<Record<string, string>> = [];
    await reader.connect();
    await reader.subscribe({ topic: dlq, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        dead.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
      },
    });
    await waitFor(() => dead.length > 0, { what: 'the dead letter read' }).finally(() => reader.disconnect());
    expect(dead[0][DLQ_HEADERS.code]).toBe('LISTING_REJECTED');
    expect(dead[0][DLQ_HEADERS.error]).toContain('90244 The price is not allowed for this ASIN.');
    expect(JSON.parse(dead[0][DLQ_ISSUES_HEADER])).toEqual([
      expect.objectContaining({ sellerSku: 'SIM-0002', code: '90244' }),
    ]);
    expect(
      seen.some(
        (r) => r.sellerSku === 'SIM-0002' && r.status === 'INVALID' && r.issues?.[0]?.code === '90244',
      ),
    ).toBe(true);
    expect(sim.listing(NA.sellerId, 'SIM-0002', US)!.price).not.toBe('44');

    sim.liftListingRejection(NA.sellerId, 'SIM-0002', US);
    const { redriven } = await redriveDeadLetters(kafka, {
      topic: `${prefix}erp.item-changes.v1`,
      logger: silentLogger(),
    });
    expect(redriven).toBe(1);
    await waitFor(() => sim.listing(NA.sellerId, 'SIM-0002', US)!.price === '44', {
      what: 'the replayed price',
    });
    expect(sim.listing(NA.sellerId, 'SIM-0002', US)!.quantity).toBe(5);
  });

  it('when an item has no SKU, then it is listed as unmapped, never sent', async () => {
    await publishChanges([change('NOBODY', 3, '9.00')]);
    const calls = JSON.stringify(sim.control.stats.calls);
    await waitFor(
      async () => (await tdb.db('listing_unmapped_items').where({ item_code: 'NOBODY' })).length === 1,
      { what: 'the unmapped item listed' },
    );
    const res = await fetch(`${await app.getUrl()}/listings/unmapped?connectionId=${CONN}`);
    expect(await res.json()).toEqual([{ connectionId: CONN, itemCode: 'NOBODY', times: 1 }]);
    expect(JSON.stringify(sim.control.stats.calls)).toBe(calls);
  });
});
