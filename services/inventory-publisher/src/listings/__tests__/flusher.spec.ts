import { systemClock } from '@connector/core';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { ReportRunner, SpApiFactory, type SellingPartnerApi } from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { refreshCatalogue } from '../catalogue-refresh';
import { MemoryListingDeadLetters } from '../listing-dead-letters';
import { ListingFlusher } from '../listing-flusher';
import { listingId, type ListingValues } from '../listing.types';
import { MemoryListingStore } from '../memory-listing.store';
import { US, itemChange, settings } from './fixtures';

/** The flusher against the SP-API simulator (Amazon's side), with the store and Kafka in memory. */
const NA = SIM_SELLERS[0];
let sim: SpApiSimulator;
let api: SellingPartnerApi;

beforeAll(async () => {
  sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1000 });
  await sim.start();
  const factory = new SpApiFactory({
    endpoint: sim.url,
    lwaTokenUrl: `${sim.url}/auth/o2/token`,
    maxAttempts: 2,
    backoffBaseMs: 1,
    backoffMaxMs: 5,
  });
  api = factory.forConnection(
    { id: 'c1', sellerId: NA.sellerId, region: 'na' },
    {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: NA.refreshToken,
      },
    },
  );
});
afterAll(() => sim.close());
afterEach(() => sim.control.clearFaults());

function setup(feedThreshold = 10) {
  const store = new MemoryListingStore();
  const publisher = new FakeEventPublisher();
  const dlq = new MemoryListingDeadLetters();
  const flusher = new ListingFlusher({
    store,
    publisher,
    deadLetters: dlq,
    clock: systemClock,
    logger: silentLogger(),
    options: { feedPollMs: 20, retryBaseMs: 1, maxAttempts: 3 },
  });
  const conn = { id: 'c1', marketplaceIds: [US], settings: { returnPath: settings({ feedThreshold }) } };
  const pend = async (skus: string[], v: ListingValues, itemCode = 'ITEM-1') =>
    store.upsertPending(
      skus.map((sellerSku) => ({
        connectionId: 'c1',
        sellerSku,
        marketplaceId: US,
        itemCode,
        ...v,
        source: {
          topic: 't',
          partition: 0,
          offset: '1',
          timestamp: String(Date.now()),
          key: `c1/${itemCode}`,
          headers: {},
          value: itemChange({ itemCode }),
        },
      })),
      0,
      0,
    );
  return { store, publisher, dlq, flusher, conn, pend };
}

const calls = () => ({ ...sim.control.stats.calls });
const delta = (before: Record<string, number>): Record<string, number> =>
  Object.fromEntries<number>(
    Object.entries(sim.control.stats.calls)
      .map(([k, v]): [string, number] => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v !== 0),
  );

describe('listing flusher against the SP-API simulator', () => {
  it('when the listings report is read, then the catalogue knows which SKUs Amazon fulfils', async () => {
    const { store, conn } = setup();
    const n = await refreshCatalogue(conn, api, new ReportRunner(systemClock, { pollMs: 50 }), store);
    expect(n).toBeGreaterThanOrEqual(200);
    expect(store.catalogueRows.get('c1/SIM-0000/ATVPDKIKX0DER')).toMatchObject({
      fba: true,
      asin: 'B0SIM00000',
    });
    expect(store.catalogueRows.get('c1/SIM-0001/ATVPDKIKX0DER')).toMatchObject({ fba: false });
  });

  it('when few listings are due, then each gets one patch, Amazon has the values, and a second flush sends nothing', async () => {
    const { store, publisher, flusher, conn, pend } = setup();
    await pend(['SIM-0004', 'SIM-0005'], { quantity: 33, price: '19.99', currency: 'USD' });
    const before = calls();
    const s = await flusher.flush(conn, api);
    expect(s).toMatchObject({ patches: 2, feeds: 0, accepted: 2 });
    expect(sim.listing(NA.sellerId, 'SIM-0004', US)).toMatchObject({ quantity: 33, price: '19.99' });
    expect(delta(before)).toEqual({ getListingsItem: 2, patchListingsItem: 2 });
    expect(publisher.on('inventory.listing-results.v1').map((r) => r.value.status)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
    ]);
    expect(store.pendingRows.size).toBe(0);
    await pend(['SIM-0004'], { quantity: 33, price: '19.990', currency: 'USD' });
    const again = calls();
    expect(await flusher.flush(conn, api)).toMatchObject({ noops: 1, patches: 0 });
    expect(delta(again)).toEqual({});
  });

  it('when an FBA SKU has a quantity due, then Amazon is never sent it: SKIPPED_FBA, and only the price goes', async () => {
    const { publisher, flusher, conn, pend } = setup();
    const writes = { ...sim.listing(NA.sellerId, 'SIM-0003', US)!.writes };
    await pend(['SIM-0003'], { quantity: 50, price: '21.00', currency: 'USD' });
    await flusher.flush(conn, api);
    expect(sim.listing(NA.sellerId, 'SIM-0003', US)!.writes).toEqual({
      ...writes,
      purchasable_offer: (writes.purchasable_offer ?? 0) + 1,
    });
    expect(
      publisher.on('inventory.listing-results.v1').map((r) => [r.value.status, r.value.quantity]),
    ).toEqual([
      ['SKIPPED_FBA', null],
      ['ACCEPTED', null],
    ]);
  });

  it('when more listings are due than the threshold, then they go as one feed, not patches, and its report settles each', async () => {
    const { store, publisher, flusher, conn, pend } = setup(10);
    const skus = sim.addListings(NA.sellerId, US, 40, { prefix: 'FL-' });
    await store.saveCatalogue(
      skus.map((sellerSku) => ({
        connectionId: 'c1',
        sellerSku,
        marketplaceId: US,
        asin: null,
        fba: false,
        productType: null,
        source: 'report',
      })),
    );
    sim.rejectListingUpdates(NA.sellerId, skus[3], US, {
      code: '8572',
      message: 'The SKU does not match the ASIN.',
    });
    await pend(skus, { quantity: 7, price: null, currency: null });
    const before = calls();
    const s = await flusher.flush(conn, api);
    expect(delta(before)).toMatchObject({ createFeedDocument: 1, createFeed: 1, getFeedDocument: 1 });
    expect(delta(before).patchListingsItem).toBeUndefined();
    expect(s).toMatchObject({ feeds: 1, fedMessages: 40, accepted: 39, rejected: 1, deadLettered: 1 });
    expect(sim.listing(NA.sellerId, skus[0], US)!.quantity).toBe(7);
    const invalid = publisher.on('inventory.listing-results.v1').filter((r) => r.value.status === 'INVALID');
    expect(invalid.map((r) => [r.value.sellerSku, r.value.issues?.[0]?.code])).toEqual([[skus[3], '8572']]);
    expect(
      store.acceptedRows.has(listingId({ connectionId: 'c1', sellerSku: skus[3], marketplaceId: US })),
    ).toBe(false);
  });

  it('when Amazon rejects a patch, then the ERP record is dead-lettered once with the issue and the result is INVALID', async () => {
    const { store, dlq, publisher, flusher, conn, pend } = setup();
    sim.rejectListingUpdates(NA.sellerId, 'SIM-0007', US, {
      code: '90244',
      message: 'Price too low for this ASIN.',
    });
    await pend(['SIM-0007', 'SIM-0008'], { quantity: 1, price: '9.99', currency: 'USD' }, 'ITEM-7');
    await flusher.flush(conn, api);
    expect(dlq.records).toHaveLength(1);
    expect(dlq.records[0].failure).toMatchObject({
      code: 'LISTING_REJECTED',
      issues: [expect.objectContaining({ sellerSku: 'SIM-0007', code: '90244' })],
    });
    expect(dlq.records[0].failure.message).toContain('Price too low');
    expect(dlq.records[0].source.value.itemCode).toBe('ITEM-7');
    expect(
      publisher
        .on('inventory.listing-results.v1')
        .map((r) => [r.value.sellerSku, r.value.status])
        .sort(),
    ).toEqual([
      ['SIM-0007', 'INVALID'],
      ['SIM-0008', 'ACCEPTED'],
    ]);
    expect(store.pendingRows.size).toBe(0);
    sim.liftListingRejection(NA.sellerId, 'SIM-0007', US);
  });

  it('when Amazon keeps failing, then the update is retried later and dead-lettered once its attempts are used', async () => {
    const { store, dlq, flusher, conn, pend } = setup();
    await pend(['SIM-0010'], { quantity: 2, price: null, currency: null });
    await flusher.flush(conn, api); // catalogue look-up
    sim.control.setFaults({ errorRate: 1, errorStatus: 503 });
    await pend(['SIM-0011'], { quantity: 2, price: null, currency: null });
    await store.saveCatalogue([
      {
        connectionId: 'c1',
        sellerSku: 'SIM-0011',
        marketplaceId: US,
        asin: null,
        fba: false,
        productType: null,
        source: 'report',
      },
    ]);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await flusher.flush(conn, api);
    }
    expect(dlq.records.map((d) => d.failure.code)).toEqual(['SPAPI_UNAVAILABLE']);
    expect(store.pendingRows.size).toBe(0);
  });

  it('when a burst is still arriving, then the due listings are held and leave together as one feed once it stops', async () => {
    let now = 1_000_000;
    const store = new MemoryListingStore();
    const flusher = new ListingFlusher({
      store,
      publisher: new FakeEventPublisher(),
      deadLetters: new MemoryListingDeadLetters(),
      clock: {
        now: () => now,
        sleep: async (ms) => {
          now += ms;
          await new Promise((r) => setTimeout(r, 20)); // the simulator processes the feed in real time
        },
      },
      logger: silentLogger(),
      options: { feedPollMs: 20 },
    });
    const conn = { id: 'c1', settings: { returnPath: settings({ feedThreshold: 10, coalesceSec: 1 }) } };
    const skus = sim.addListings(NA.sellerId, US, 60, { prefix: 'BURST-' });
    await store.seedCatalogue('c1', US, skus);
    const arrive = (part: string[]) =>
      store.upsertPending(
        part.map((sellerSku) => ({
          connectionId: 'c1',
          sellerSku,
          marketplaceId: US,
          itemCode: sellerSku,
          quantity: 9,
          price: null,
          currency: null,
          source: {
            topic: 't',
            partition: 0,
            offset: '1',
            timestamp: String(now),
            key: null,
            headers: {},
            value: itemChange(),
          },
        })),
        now,
        1000,
      );
    await arrive(skus.slice(0, 20));
    now += 1500; // the first ones are due, the burst goes on
    await arrive(skus.slice(20, 40));
    expect(await flusher.flush(conn, api)).toMatchObject({ claimed: 0 });
    now += 500;
    await arrive(skus.slice(40));
    now += 1200; // nothing new for a window: everything due goes, as one feed
    const s = await flusher.flush(conn, api);
    expect(s).toMatchObject({ claimed: 60, feeds: 1, patches: 0, accepted: 60 });
  });
});
