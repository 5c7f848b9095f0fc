/**
 * SP-API calls and simulated wall time to read one 10,000-order day under Amazon's documented usage
 * plans (the models' defaults), three ways:
 *   (a) Orders v0: getOrders pages + one getOrderItems per order
 *   (b) Orders 2026-01-01 searchOrders (items included)
 *   (c) the all-orders flat-file report (createReport → getReport polls → getReportDocument → download)
 * The client's limiter and the simulator's buckets share a virtual clock, so hours of rate-limited calls
 * are computed in seconds. Calls run one after another (no pipelining), as the ingest does today.
 */
import { VirtualClock } from '@connector/core';
import {
  FetchTransport,
  LwaTokenProvider,
  SellingPartnerApi,
  SpApiClient,
  TokenBucketLimiter,
} from '@connector/sp-api';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';

const DAY_START = Date.UTC(2026, 10, 10);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);

interface Result {
  name: string;
  calls: number;
  seconds: number;
  orders: number;
}

async function run(
  name: string,
  body: (api: SellingPartnerApi, clock: VirtualClock, sim: SpApiSimulator) => Promise<number>,
): Promise<Result> {
  const clock = new VirtualClock(DAY_START + 3 * 86_400_000);
  const sim = new SpApiSimulator({
    startMs: DAY_START,
    days: 1,
    ordersPerDay: ORDERS,
    now: () => clock.now(),
    rateNow: () => clock.now(),
    tokenLifetimeSec: 3600,
  });
  await sim.start();
  const http = new FetchTransport();
  const seller = SIM_SELLERS[0];
  const tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken: seller.refreshToken }, http, {
    tokenUrl: `${sim.url}/auth/o2/token`,
    clock,
  });
  const client = new SpApiClient({
    endpoint: sim.url,
    sellerId: seller.sellerId,
    tokens,
    http,
    limiter: new TokenBucketLimiter(clock),
    clock,
  });
  const started = clock.now();
  try {
    const orders = await body(new SellingPartnerApi(client, http), clock, sim);
    const calls = Object.values(sim.stats.calls).reduce((a, b) => a + b, 0);
    return { name, calls, seconds: (clock.now() - started) / 1000, orders };
  } finally {
    await sim.close();
  }
}

// one day of orders; the last-update window spans two days so that it holds every update of that day's orders
const window = {
  after: new Date(DAY_START).toISOString(),
  before: new Date(DAY_START + 2 * 86_400_000).toISOString(),
};

export async function spApiBench(): Promise<Result[]> {
  const v0 = await run('(a) Orders v0 getOrders + getOrderItems per order', async (api) => {
    let orders = 0;
    let next: string | undefined;
    do {
      const page = await api.client.call<{
        payload: { Orders: Array<{ AmazonOrderId: string }>; NextToken?: string };
      }>('getOrders', 'GET', '/orders/v0/orders', {
        query: next
          ? { NextToken: next, MarketplaceIds: ['ATVPDKIKX0DER'] }
          : {
              LastUpdatedAfter: window.after,
              LastUpdatedBefore: window.before,
              MarketplaceIds: ['ATVPDKIKX0DER'],
              MaxResultsPerPage: 100,
            },
      });
      for (const o of page.body.payload.Orders) {
        await api.client.call('getOrderItems', 'GET', `/orders/v0/orders/${o.AmazonOrderId}/orderItems`);
        orders++;
      }
      next = page.body.payload.NextToken;
    } while (next);
    return orders;
  });
  const search = await run('(b) Orders 2026-01-01 searchOrders', async (api) => {
    let orders = 0;
    for await (const _ of api.searchOrders({
      lastUpdatedAfter: window.after,
      lastUpdatedBefore: window.before,
      maxResultsPerPage: 100,
    }))
      orders++;
    return orders;
  });
  const report = await run('(c) all-orders report', async (api, clock) => {
    const reportId = await api.createReport({
      reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
      marketplaceIds: SIM_SELLERS[0].marketplaces.map((m) => m.id),
      dataStartTime: window.after,
      dataEndTime: window.before,
    });
    let r = await api.getReport(reportId);
    while (r.processingStatus !== 'DONE') {
      await clock.sleep(30_000);
      r = await api.getReport(reportId);
    }
    const text = (
      await api.downloadReportDocument(await api.getReportDocument(r.reportDocumentId!))
    ).toString();
    return new Set(
      text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split('\t')[0]),
    ).size;
  });
  return [v0, search, report];
}

export function printSpApiBench(results: Result[]): void {
  const [a, b, c] = results;
  console.log(
    `\nSP-API: reading one ${ORDERS.toLocaleString('en')}-order day (two marketplaces) under the documented usage plans`,
  );
  console.log('method'.padEnd(52), 'orders'.padStart(7), 'calls'.padStart(8), 'simulated time'.padStart(16));
  for (const r of results) {
    const h = r.seconds / 3600;
    console.log(
      r.name.padEnd(52),
      String(r.orders).padStart(7),
      String(r.calls).padStart(8),
      `${r.seconds.toFixed(0)} s (${h.toFixed(2)} h)`.padStart(16),
    );
  }
  const ratio = (x: number, y: number) => (y === 0 ? '∞' : (x / y).toFixed(1));
  console.log(
    `ratios: calls a/b ${ratio(a.calls, b.calls)}×, a/c ${ratio(a.calls, c.calls)}×; time a/b ${ratio(a.seconds, b.seconds)}×, a/c ${ratio(a.seconds, c.seconds)}×, b/c ${ratio(b.seconds, c.seconds)}×`,
  );
}

if (require.main === module) {
  spApiBench()
    .then(printSpApiBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
