/**
 * `npm run bench -- footprint [--orders N]`: each service's resident memory (VmRSS of
 * /proc/<pid>/status) idle and under load, running the built JavaScript as the production image does
 * (`node -r tsconfig-paths/register dist/services/<name>/src/main.js`; `npm run build` is run first).
 *
 * The services run as processes through the fault suite's pipeline harness (tools/faults): the
 * SP-API simulator and the SAP Business One simulator, the connection and its mappings seeded as an
 * operator would, on the shared local stack (Kafka, registry and PostgreSQL of deploy/local/stack.sh).
 * All six services run: amazon-ingest, sage-writer, settlement-reconciler, erp-change-poller and
 * inventory-publisher (the connection has a return path: the ERP's stock, committed by the new sales
 * orders, goes back to the Amazon listings), and operator-console (no page is open: it idles).
 *
 * Memory is read idle (after startup and the first backfill settled, then `idleMs` without new
 * orders), sampled every second during a load of N new orders on Amazon (read by amazon-ingest's
 * poller, written by sage-writer as sales orders and invoices), after it settled, and again for a
 * second equal load: a service whose memory grows with the records processed shows it after load 2.
 * Long (several minutes): not part of the default `npm run bench`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pipeline, SERVICES, type ServiceName } from '@connector/faults';
import { generateOrders, type SimOrder } from '@connector/sp-api-simulator';
import { stackEnv } from './writer-e2e-bench';

export interface FootprintRow {
  service: ServiceName;
  idleMb: number;
  /** the highest sample during each load and its settling, and the figure at the end of it */
  load1PeakMb: number;
  afterLoad1Mb: number;
  load2PeakMb: number;
  afterLoad2Mb: number;
}

export interface FootprintLoad {
  orders: number;
  /** ERP documents the load must give: a sales order each, an invoice for each shipped order */
  documents: number;
  written: number;
  /** from the orders appearing on Amazon to the last document in the ERP */
  seconds: number;
  /** of which waiting for the first document (the next read of amazon-ingest's orders poller, every 30 s) */
  firstDocumentSeconds: number;
  /** listing updates Amazon received during the load (the return path) */
  listingWrites: number;
  complete: boolean;
}

export interface FootprintResult {
  ordersPerLoad: number;
  idleSeconds: number;
  loads: FootprintLoad[];
  rows: FootprintRow[];
  /**
   * services whose memory grew with the records processed: both the peak and the figure after load 2
   * above load 1's by more than 20% and 30 MB. One figure alone is not enough: V8 collects lazily, so
   * a single reading after a load moves by 100 MB with when the last collection ran; retained records
   * would raise the peak and the after figure alike.
   */
  grew: ServiceName[];
}

export interface FootprintOptions {
  /** orders of each of the two loads */
  orders?: number;
  /** quiet time before the idle figure */
  idleMs?: number;
  /**
   * time after a load's last ERP document before its "after" figure (sampled for the peak meanwhile):
   * more than the return path's full stock scan (every 60 s), so the listing updates the load caused fall in it
   */
  settleMs?: number;
  /** a load that has not reached the ERP by then is reported incomplete */
  loadTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** from load 1 to load 2, by more than 20% and 30 MB */
const rose = (mb1: number, mb2: number) => mb2 > mb1 * 1.2 && mb2 - mb1 > 30;
const signed = (n: number) => `${n > 0 ? '+' : ''}${n}`;
const mb = (kb: number | undefined) => Math.round((kb ?? 0) / 1024);
const US = 'ATVPDKIKX0DER';

/**
 * `npm run build` and the operator console's page files beside its compiled code (as the Dockerfile
 * does), so that the services run from dist/ and never from ts-node.
 */
export function buildDist(): void {
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  cpSync('services/operator-console/src/web', 'dist/services/operator-console/src/web', { recursive: true });
  for (const name of SERVICES) {
    const main = path.join('dist', 'services', name, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`npm run build gave no ${main}`);
  }
}

/** `n` new orders of the pipeline's seller, on Amazon since `atMs`; none pending or cancelled. */
function loadOrders(n: number, load: number, atMs: number, sellerId: string): SimOrder[] {
  const tag = String(Date.now() % 10_000_000).padStart(7, '0');
  const orders: SimOrder[] = [];
  for (let seed = load; orders.length < n; seed += 1000) {
    for (const o of generateOrders({ seed, startMs: atMs, days: 1, ordersPerDay: n })) {
      if (o.sellerId !== sellerId || orders.length >= n) continue;
      orders.push({
        ...o,
        orderId: `${900 + load}-${String(orders.length).padStart(7, '0')}-${tag}`,
        status: o.status === 'PENDING' || o.status === 'CANCELLED' ? 'SHIPPED' : o.status,
        createdMs: atMs,
        lastUpdatedMs: atMs,
      });
    }
  }
  return orders;
}

export async function footprintBench(options: FootprintOptions = {}): Promise<FootprintResult> {
  const { orders = 2000, idleMs = 20_000, settleMs = 75_000, loadTimeoutMs = 15 * 60_000 } = options;
  buildDist();
  stackEnv();
  const out = 'tmp/footprint';
  mkdirSync(out, { recursive: true });
  const admin = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
  admin.pathname = '/postgres';
  const pipeline = new Pipeline({
    name: 'footprint',
    // a small history (14 days, 1 order a day): the idle figure follows its backfill
    orders: 14,
    days: 14,
    portBase: 3141,
    logDir: path.join(out, 'logs'),
    adminDbUrl: admin.toString(),
    stack: { brokers: process.env.KAFKA_BROKERS!, registryUrl: process.env.SCHEMA_REGISTRY_URL! },
    services: SERVICES,
    env: { LOG_LEVEL: 'warn', FEED_POLL_MS: '1000', CONSOLE_COOKIE_SECURE: 'false' },
    // the return path as the demo runs it: ERP reads every 5 s, a full stock scan every minute
    settings: {
      returnPath: {
        erpPollIntervalSec: 5,
        erpSafetyLagSec: 2,
        fullScanIntervalSec: 60,
        prices: { [US]: { priceList: '1', currency: 'USD' } },
        coalesceSec: 2,
        listingsRefreshSec: 600,
      },
    },
  });
  const rss = () =>
    Object.fromEntries([...pipeline.services.values()].map((s) => [s.name, mb(s.rssKb())])) as Record<
      ServiceName,
      number
    >;
  const erpCounts = () => ({
    orders: pipeline.erp.documents('Orders').length,
    invoices: pipeline.erp.documents('Invoices').length,
  });
  const listingWrites = () => {
    let n = 0;
    for (const l of pipeline.amazon.listings.values()) for (const w of Object.values(l.writes ?? {})) n += w;
    return n;
  };
  /** no record waiting in the writer's and the reconciler's topics, and the ERP unchanged for 5 s */
  const settled = async (timeoutMs: number) => {
    const t0 = Date.now();
    let last = '';
    let still = 0;
    while (Date.now() - t0 < timeoutMs && still < 5) {
      const lag = await pipeline.lag().catch(() => ({ unknown: 1 }));
      const now = JSON.stringify(erpCounts());
      still = Object.values(lag).every((n) => n === 0) && now === last ? still + 1 : 0;
      last = now;
      await sleep(1000);
    }
  };
  try {
    await pipeline.start();
    const t0 = Date.now();
    while (!(await pipeline.allReady())) {
      if (Date.now() - t0 > 180_000) throw new Error(`services not ready in 180 s: see ${out}/logs`);
      await sleep(500);
    }
    // the built JavaScript, not ts-node: each process's command line names its dist/ entry point
    for (const s of pipeline.services.values()) {
      const cmdline = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (!cmdline.includes(`dist/services/${s.name}/src/main.js`) || cmdline.includes('ts-node'))
        throw new Error(`${s.name} does not run from dist/: ${cmdline}`);
    }
    console.log(`[footprint] six services ready from dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await settled(120_000);
    await sleep(idleMs);
    const idle = rss();
    console.log(`[footprint] idle ${JSON.stringify(idle)}`);

    const loads: FootprintLoad[] = [];
    const peaks: Array<Record<string, number>> = [];
    const afters: Array<Record<string, number>> = [];
    for (const load of [1, 2]) {
      const before = erpCounts();
      const writesBefore = listingWrites();
      // on Amazon three minutes ago: inside the window of the next orders read (it ends 2 min before now)
      const batch = loadOrders(orders, load, Date.now() - 180_000, pipeline.seller.sellerId);
      for (const o of batch) pipeline.amazon.addOrder(o);
      const want = {
        orders: before.orders + batch.length,
        invoices: before.invoices + batch.filter((o) => o.status === 'SHIPPED').length,
      };
      const peak: Record<string, number> = {};
      const sample = () => {
        const now = rss();
        for (const [k, v] of Object.entries(now)) peak[k] = Math.max(peak[k] ?? 0, v);
        return now;
      };
      const started = Date.now();
      let firstDocumentAt: number | undefined;
      let counts = before;
      let tick = 0;
      while (counts.orders < want.orders || counts.invoices < want.invoices) {
        if (Date.now() - started > loadTimeoutMs) break;
        await sleep(1000);
        const now = sample();
        if (++tick % 2 === 0) counts = erpCounts();
        if (firstDocumentAt === undefined && counts.orders > before.orders) firstDocumentAt = Date.now();
        if (tick % 15 === 0)
          console.log(
            `[footprint] load ${load}: ${counts.orders - before.orders}/${batch.length} sales orders, ` +
              `${counts.invoices - before.invoices}/${want.invoices - before.invoices} invoices; rss ${JSON.stringify(now)}`,
          );
      }
      const seconds = (Date.now() - started) / 1000;
      const documents = want.orders - before.orders + want.invoices - before.invoices;
      const written = counts.orders - before.orders + counts.invoices - before.invoices;
      // the return path's full scan runs every minute: the settle covers it, sampling the peak on
      const settleStart = Date.now();
      while (Date.now() - settleStart < settleMs) {
        await sleep(1000);
        sample();
      }
      await settled(60_000);
      const after = rss();
      loads.push({
        orders: batch.length,
        documents,
        written,
        seconds,
        firstDocumentSeconds: ((firstDocumentAt ?? Date.now()) - started) / 1000,
        listingWrites: listingWrites() - writesBefore,
        complete: written >= documents,
      });
      peaks.push(peak);
      afters.push(after);
      console.log(
        `[footprint] load ${load}: ${written}/${documents} documents in ${seconds.toFixed(0)} s; after ${JSON.stringify(after)}`,
      );
    }
    const rows: FootprintRow[] = [...pipeline.services.keys()].map((service) => ({
      service,
      idleMb: idle[service],
      load1PeakMb: peaks[0][service],
      afterLoad1Mb: afters[0][service],
      load2PeakMb: peaks[1][service],
      afterLoad2Mb: afters[1][service],
    }));
    const result: FootprintResult = {
      ordersPerLoad: orders,
      idleSeconds: idleMs / 1000,
      loads,
      rows,
      grew: rows
        .filter((r) => rose(r.load1PeakMb, r.load2PeakMb) && rose(r.afterLoad1Mb, r.afterLoad2Mb))
        .map((r) => r.service),
    };
    writeFileSync(path.join(out, 'footprint.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    // the shared stack keeps no topic of the run
    await pipeline.stop({ deleteTopics: true });
  }
}

export function printFootprintBench(r: FootprintResult): void {
  console.log(
    `\nfootprint: resident memory (VmRSS, MB) of each service run from dist/ (built JavaScript), idle ` +
      `(${r.idleSeconds} s after startup settled) and through two loads of ${r.ordersPerLoad} orders ` +
      `(SP-API simulator → amazon-ingest → Kafka → sage-writer → SAP B1 simulator; the ERP's stock back to the listings)`,
  );
  r.loads.forEach((l, i) =>
    console.log(
      `  load ${i + 1}: ${l.orders} orders, ${l.written}/${l.documents} ERP documents in ${l.seconds.toFixed(0)} s ` +
        `(the first after ${l.firstDocumentSeconds.toFixed(0)} s, the next orders poll; then ` +
        `${(l.orders / Math.max(1, l.seconds - l.firstDocumentSeconds)).toFixed(1)} orders/s), ` +
        `${l.listingWrites} listing updates${l.complete ? '' : ' — NOT COMPLETE'}`,
    ),
  );
  console.log(
    '\n| service | idle | peak, load 1 | after load 1 | peak, load 2 | after load 2 | peak 2 − peak 1 | after 2 − after 1 |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
  for (const row of r.rows) {
    console.log(
      `| ${row.service}${r.grew.includes(row.service) ? ' (GREW)' : ''} | ${row.idleMb} | ${row.load1PeakMb} | ` +
        `${row.afterLoad1Mb} | ${row.load2PeakMb} | ${row.afterLoad2Mb} | ` +
        `${signed(row.load2PeakMb - row.load1PeakMb)} | ${signed(row.afterLoad2Mb - row.afterLoad1Mb)} |`,
    );
  }
  console.log(
    r.grew.length === 0
      ? '\n  no service grew from load 1 to load 2 (peak and after both up by more than 20% and 30 MB)'
      : `\n  GREW with the records processed (peak and after both up by more than 20% and 30 MB): ${r.grew.join(', ')}`,
  );
}
