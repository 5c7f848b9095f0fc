/**
 * `npm run bench -- soak [--orders N] [--sellers S]`: N orders (default 100,000) and the settlements of
 * 84 days of S simulated North American sellers (default 5), one connection each, through the
 * process-level pipeline of the fault suite (SP-API simulator → amazon-ingest → Kafka → sage-writer
 * and settlement-reconciler → SAP B1 simulator; tools/faults), on its own Kafka and registry. Each
 * seller settles US and CA every 14 days, and Amazon lists 90 days of reports: 12 settlements a
 * seller, 60 for five. Several sellers are also how a connector meets 100,000 orders: SP-API's rate
 * limits are per seller, so one seller's reads cap the throughput. Reports end-to-end throughput,
 * the consumer lag sampled over time and each service's resident memory (VmRSS) at start, middle and
 * end. Not part of `npm test` or of plain `npm run bench`.
 */
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Pipeline, PrivateStack, readTruth } from '@connector/faults';

export interface SoakSample {
  s: number;
  /** order documents in the ERP */
  written: number;
  lag: Record<string, number>;
  rssMb: Record<string, number>;
}

export interface SoakResult {
  /** simulated sellers, one connection each */
  sellers: number;
  orders: number;
  orderDocuments: number;
  settlements: number;
  tiedOut: number;
  lost: number;
  duplicated: number;
  /** from every service ready to every document written and every settlement tied out */
  seconds: number;
  ordersPerSecond: number;
  memoryMb: Record<string, { start: number; middle: number; end: number }>;
  samples: SoakSample[];
  complete: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number | undefined) => Math.round((kb ?? 0) / 1024);

export async function soakBench(
  orders = 100_000,
  sellers = 5,
  timeoutMs = 3 * 3600_000,
): Promise<SoakResult> {
  const out = 'tmp/soak';
  mkdirSync(out, { recursive: true });
  // a Kafka and registry of its own (not the fault suite's, which kills its broker; not the shared one)
  // below Linux's ephemeral ports (32768–60999): a port there may be taken by any client's socket
  const base = Number(process.env.SOAK_PORT_BASE ?? 27000);
  const stack = new PrivateStack(
    path.resolve(out, 'stack'),
    { kafka: base + 92, controller: base + 93, registry: base - 919, registryManagement: base },
    process.env.FAULTS_DISTRIBUTIONS ?? path.resolve('deploy/local/.stack'),
    'soak',
  );
  await stack.start();
  const pipeline = new Pipeline({
    name: 'soak',
    orders,
    sellers,
    days: 84,
    portBase: 3121,
    logDir: path.join(out, 'logs'),
    adminDbUrl: process.env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    stack,
    env: { LOG_LEVEL: 'warn' },
  });
  const rss = () => Object.fromEntries([...pipeline.services.values()].map((s) => [s.name, mb(s.rssKb())]));
  try {
    await pipeline.start();
    while (!(await pipeline.allReady())) await sleep(500);
    const t0 = Date.now();
    const start = rss();
    let middle: Record<string, number> | undefined;
    const samples: SoakSample[] = [];
    let truth = await readTruth(pipeline);
    for (;;) {
      truth = await readTruth(pipeline);
      const lag = await pipeline.lag().catch(() => ({}));
      const sample = {
        s: Math.round((Date.now() - t0) / 1000),
        written: truth.orders.written,
        lag,
        rssMb: rss(),
      };
      samples.push(sample);
      console.log(`[soak] ${JSON.stringify(sample)}`);
      if (!middle && truth.orders.written >= truth.orders.expected / 2) middle = sample.rssMb;
      if (truth.orders.lost === 0 && truth.tiedOut >= truth.settlementsExpected) break;
      if (Date.now() - t0 > timeoutMs) break;
      await sleep(10_000);
    }
    const seconds = (Date.now() - t0) / 1000;
    const end = rss();
    const sellerIds = new Set(pipeline.sellers.map((s) => s.sellerId));
    const expectedOrders = pipeline.amazon.orders.filter(
      (o) => sellerIds.has(o.sellerId) && o.status !== 'PENDING' && o.status !== 'CANCELLED',
    ).length;
    const result: SoakResult = {
      sellers: pipeline.sellers.length,
      orders: expectedOrders,
      orderDocuments: truth.orders.written,
      settlements: truth.settlementsExpected,
      tiedOut: truth.tiedOut,
      lost: truth.documents.lost,
      duplicated: truth.documents.duplicated,
      seconds,
      ordersPerSecond: expectedOrders / seconds,
      memoryMb: Object.fromEntries(
        Object.keys(start).map((k) => [k, { start: start[k], middle: (middle ?? end)[k], end: end[k] }]),
      ),
      samples,
      complete: truth.documents.lost === 0 && truth.tiedOut >= truth.settlementsExpected,
    };
    writeFileSync(path.join(out, 'soak.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    await pipeline.stop();
    // its Kafka and registry are the soak's alone: nothing else needs them afterwards
    await stack.stop().catch((err: unknown) => console.error(`[soak] stack stop: ${String(err)}`));
  }
}

export function printSoakBench(r: SoakResult): void {
  console.log(
    `\nsoak: ${r.orders} orders (${r.orderDocuments} sales orders and invoices) and ${r.settlements} settlements` +
      ` of ${r.sellers} seller${r.sellers === 1 ? '' : 's'} (one connection each)` +
      ` through amazon-ingest → Kafka → sage-writer / settlement-reconciler → SAP B1 simulator` +
      `${r.complete ? '' : ' — NOT COMPLETE'}`,
  );
  console.log(
    `  ${r.seconds.toFixed(0)} s end to end: ${r.ordersPerSecond.toFixed(1)} orders/s; tied out ${r.tiedOut}/${r.settlements}; lost ${r.lost}, duplicated ${r.duplicated}`,
  );
  const every = Math.max(1, Math.ceil(r.samples.length / 12));
  console.log('  lag over time (records not yet committed per group):');
  for (const s of r.samples.filter((_, i) => i % every === 0 || i === r.samples.length - 1))
    console.log(
      `    ${String(s.s).padStart(5)} s  written ${String(s.written).padStart(7)}  ${JSON.stringify(s.lag)}`,
    );
  console.log('  resident memory (MB) start → middle → end:');
  for (const [name, m] of Object.entries(r.memoryMb)) {
    const grew = m.end > m.middle * 1.2 && m.end - m.middle > 30;
    console.log(`    ${name.padEnd(22)} ${m.start} → ${m.middle} → ${m.end}${grew ? '  GREW' : ''}`);
  }
}
