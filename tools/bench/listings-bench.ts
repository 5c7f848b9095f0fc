/**
 * inventory-publisher's listings flow (issue 11) against the SP-API simulator at Amazon's documented
 * usage plans (speed factor 1, feeds processed in 120 s as the simulator models them):
 *  (a) a full catalogue sync: 50,000 SKUs changed at once → planner → pending → one flush. The client's
 *      limiter and the simulator share a virtual clock, so rate-limit waits and feed processing are
 *      simulated time; reported with the SP-API calls by operation and the floor the usage plans allow.
 *  (b) steady state: one item change at a time (coalesceSec 0, a 100 ms flush timer), real clock, from
 *      the handler taking the event to the simulated listing holding the value (the Amazon call done).
 * The store, Kafka and the DLQ are the in-memory ones: the figures are the flow and Amazon's limits,
 * not PostgreSQL or the broker (the integration test covers those).
 */
import { VirtualClock, systemClock, type Clock } from '@connector/core';
import { returnPathSettingsSchema } from '@connector/db';
import type { ErpItemChange, SkuMapping } from '@connector/events';
import {
  FEED_MAX_MESSAGES,
  ItemChangeService,
  ListingFlusher,
  MemoryListingDeadLetters,
  MemoryListingStore,
  refreshCatalogue,
} from '@connector/inventory-publisher';
import type { ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import {
  FetchTransport,
  LwaTokenProvider,
  ReportRunner,
  SellingPartnerApi,
  SpApiClient,
  TokenBucketLimiter,
  USAGE_PLANS,
} from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';

const SKUS = Number(process.env.BENCH_LISTINGS_SKUS ?? 50_000);
const STEADY_EVENTS = Number(process.env.BENCH_LISTINGS_STEADY ?? 100);
const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const START = Date.UTC(2026, 10, 27, 12);

export interface ListingsBenchResult {
  skus: number;
  fullSync: {
    simulatedSeconds: number;
    calls: Record<string, number>;
    feeds: number;
    planRealSeconds: number;
  };
  catalogue: { simulatedSeconds: number; listings: number };
  floor: { feedsSeconds: number; feedCalls: number; patchesSeconds: number };
  steady: { events: number; p50Ms: number; p95Ms: number; maxMs: number; calls: Record<string, number> };
}

function apiFor(sim: SpApiSimulator, clock: Clock): SellingPartnerApi {
  const http = new FetchTransport();
  const tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken: NA.refreshToken }, http, {
    tokenUrl: `${sim.url}/auth/o2/token`,
    clock,
  });
  const client = new SpApiClient({
    endpoint: sim.url,
    sellerId: NA.sellerId,
    tokens,
    http,
    limiter: new TokenBucketLimiter(clock),
    clock,
  });
  return new SellingPartnerApi(client, http);
}

/** Mappings of SKU n to item n, as MappingCache answers them. */
function mappings(skus: string[]) {
  const byItem = new Map<string, SkuMapping>();
  skus.forEach((sellerSku, i) =>
    byItem.set(`ITEM-${i}`, {
      eventId: 'e',
      connectionId: 'c1',
      sellerSku,
      marketplaceId: null,
      itemCode: `ITEM-${i}`,
      unitsPerSku: 1,
      active: true,
      updatedAt: 0,
    }),
  );
  const bySku = new Map([...byItem.values()].map((m) => [m.sellerSku, m]));
  return {
    skusOfItem: (_c: string, itemCode: string) => (byItem.has(itemCode) ? [byItem.get(itemCode)!] : []),
    sku: (_c: string, sku: string) => bySku.get(sku)!,
  };
}

const change = (i: number, available: number, price: string): ErpItemChange => ({
  eventId: `c1/ITEM-${i}@${available}`,
  connectionId: 'c1',
  itemCode: `ITEM-${i}`,
  erpKind: 'SAP_B1',
  description: null,
  active: true,
  prices: [{ priceList: '1', price: { amount: price, currency: 'USD' } }],
  warehouses: [{ warehouseCode: '01', onHand: available, committed: 0 }],
  safetyStock: 0,
  available,
  changedAt: START,
  source: 'FULL_SCAN',
  observedAt: null,
});

const record = (value: ErpItemChange, offset: number, timestamp: number): ConsumedRecord<ErpItemChange> => ({
  topic: 'erp.item-changes.v1',
  partition: 0,
  offset: String(offset),
  key: `c1/${value.itemCode}`,
  value,
  headers: {},
  timestamp: String(timestamp),
});

function setup(clock: Clock, skus: string[], coalesceSec: number) {
  const store = new MemoryListingStore();
  const publisher = new FakeEventPublisher();
  const settings = returnPathSettingsSchema.parse({
    prices: { [US]: { priceList: '1', currency: 'USD' } },
    coalesceSec,
    feedThreshold: 50,
  });
  const conn = { id: 'c1', enabled: true, marketplaceIds: [US], settings: { returnPath: settings } };
  const items = new ItemChangeService({
    connections: { get: async () => conn },
    mapping: mappings(skus),
    store,
    publisher,
    clock,
    logger: silentLogger(),
  });
  const flusher = new ListingFlusher({
    store,
    publisher,
    deadLetters: new MemoryListingDeadLetters(),
    clock,
    logger: silentLogger(),
    options: { feedPollMs: 30_000 },
  });
  return { store, items, flusher, conn };
}

/** The least time Amazon's usage plans allow for n calls of an operation starting with a full bucket. */
function planFloorSeconds(model: string, operation: string, n: number): number {
  const plan = USAGE_PLANS.find((p) => p.model === model && p.operation === operation)!;
  return Math.max(0, (n - plan.burst) / plan.rate);
}

async function fullSync(): Promise<Pick<ListingsBenchResult, 'fullSync' | 'catalogue' | 'floor'>> {
  const clock = new VirtualClock(START);
  const sim = new SpApiSimulator({
    days: 1,
    ordersPerDay: 1,
    now: () => clock.now(),
    rateNow: () => clock.now(),
  });
  await sim.start();
  try {
    const skus = sim.addListings(NA.sellerId, US, SKUS, { prefix: 'CAT-' });
    const api = apiFor(sim, clock);
    const { store, items, flusher, conn } = setup(clock, skus, 30);
    const catStart = clock.now();
    const listings = await refreshCatalogue(conn, api, new ReportRunner(clock, { pollMs: 15_000 }), store);
    const catalogue = { simulatedSeconds: (clock.now() - catStart) / 1000, listings };
    const before = { ...sim.control.stats.calls };

    const planStarted = Date.now();
    for (let i = 0; i < skus.length; i++)
      await items.handle(record(change(i, 20 + (i % 30), '19.99'), i, clock.now()));
    const planRealSeconds = (Date.now() - planStarted) / 1000;
    clock.advance(30_000); // the coalescing window closes
    const started = clock.now();
    const summary = await flusher.flush(conn, api);
    const simulatedSeconds = (clock.now() - started) / 1000;
    const calls = Object.fromEntries(
      Object.entries(sim.control.stats.calls)
        .map(([k, v]): [string, number] => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => v > 0),
    );
    const wrong = skus.filter((s, i) => sim.listing(NA.sellerId, s, US)!.quantity !== 20 + (i % 30)).length;
    if (wrong > 0 || summary.accepted !== SKUS) throw new Error(`full sync left ${wrong} listings unchanged`);
    const feeds = Math.ceil(SKUS / FEED_MAX_MESSAGES);
    const floor = {
      feedCalls: feeds * 4,
      feedsSeconds: Math.max(
        planFloorSeconds('feeds_2021-06-30', 'createFeedDocument', feeds),
        planFloorSeconds('feeds_2021-06-30', 'createFeed', feeds),
        planFloorSeconds('feeds_2021-06-30', 'getFeed', feeds),
        planFloorSeconds('feeds_2021-06-30', 'getFeedDocument', feeds),
      ),
      patchesSeconds: planFloorSeconds('listingsItems_2021-08-01', 'patchListingsItem', SKUS),
    };
    return { fullSync: { simulatedSeconds, calls, feeds: summary.feeds, planRealSeconds }, catalogue, floor };
  } finally {
    await sim.close();
  }
}

async function steadyState(): Promise<ListingsBenchResult['steady']> {
  const sim = new SpApiSimulator({ days: 1, ordersPerDay: 1 });
  await sim.start();
  try {
    const skus = sim.addListings(NA.sellerId, US, STEADY_EVENTS, { prefix: 'STEADY-' });
    const api = apiFor(sim, systemClock);
    const { store, items, flusher, conn } = setup(systemClock, skus, 0);
    await store.seedCatalogue('c1', US, skus);
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        await flusher.flush(conn, api);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const latencies: number[] = [];
    for (let i = 0; i < skus.length; i++) {
      const t0 = performance.now();
      await items.handle(record(change(i, 777, '12.34'), i, Date.now()));
      while (sim.listing(NA.sellerId, skus[i], US)!.quantity !== 777)
        await new Promise((r) => setTimeout(r, 1));
      latencies.push(performance.now() - t0);
      // about 4 changes a second (under the 5 patches a second Amazon allows), at varying phases of the timer
      await new Promise((r) => setTimeout(r, 200 + ((i * 37) % 100)));
    }
    stop = true;
    await loop;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return {
      events: latencies.length,
      p50Ms: q(0.5),
      p95Ms: q(0.95),
      maxMs: latencies[latencies.length - 1],
      calls: { ...sim.control.stats.calls },
    };
  } finally {
    await sim.close();
  }
}

export async function listingsBench(): Promise<ListingsBenchResult> {
  return { skus: SKUS, ...(await fullSync()), steady: await steadyState() };
}

export function printListingsBench(r: ListingsBenchResult): void {
  const f = r.fullSync;
  console.log(
    `\nListings: full catalogue sync of ${r.skus.toLocaleString('en')} SKUs (Amazon's usage plans, simulated time)`,
  );
  console.log(
    `  listings report read (catalogue, ${r.catalogue.listings} rows): ${r.catalogue.simulatedSeconds.toFixed(0)} s`,
  );
  console.log(`  planning ${r.skus} item changes (in memory, real time): ${f.planRealSeconds.toFixed(1)} s`);
  console.log(
    `  flush: ${f.feeds} JSON_LISTINGS_FEEDs, ${f.simulatedSeconds.toFixed(0)} s simulated wall time`,
  );
  console.log(
    `  SP-API calls: ${Object.entries(f.calls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `  floor by the usage plans: ${r.floor.feedCalls} feed calls, ${r.floor.feedsSeconds.toFixed(0)} s of rate-limit wait (bursts cover them) + Amazon's processing (simulator: 120 s per feed, in parallel); ` +
      `as single patches (5 rps, burst 5): ${(r.floor.patchesSeconds / 3600).toFixed(2)} h`,
  );
  const s = r.steady;
  console.log(
    `Listings: steady state, event → Amazon call (coalesceSec 0, 100 ms flush timer, in-process, real clock)`,
  );
  console.log(
    `  ${s.events} changes one at a time: p50 ${s.p50Ms.toFixed(0)} ms, p95 ${s.p95Ms.toFixed(0)} ms, max ${s.maxMs.toFixed(0)} ms`,
  );
  console.log(
    `  (with coalesceSec N the window adds N s by design; the service's flush timer is LISTINGS_FLUSH_MS, default 1000 ms)`,
  );
}

if (require.main === module) {
  listingsBench()
    .then(printListingsBench)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
