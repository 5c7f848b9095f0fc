/**
 * Concurrency that adapts to the ERP (issue 15, goal 3): sage-writer end to end against a loaded SAP
 * Business One simulator — 150 ms a call, 8 worker processes (requests beyond them wait), and each
 * write being served beside another adds 4% to the chance of a record lock, as a real server's locks
 * collide more the more writers it has. A sweep of
 * fixed settings (ERP_CONCURRENCY n, not adaptive) against the adaptive limit with the
 * highest ceiling: orders per second, and how many writes the ERP refused with a lock.
 *
 * `npx ts-node --transpile-only -r tsconfig-paths/register tools/bench/concurrency-bench.ts`, or as part
 * of `npm run bench` (BENCH_E2E=0 leaves it out). BENCH_CONCURRENCY_ORDERS sets the orders (240).
 */
import { sapB1UnderTest } from '@connector/erp/testing';
import { runWriterE2e, type WriterE2eResult } from './writer-e2e-bench';

const ORDERS = Number(process.env.BENCH_CONCURRENCY_ORDERS ?? 240);
// BENCH_CONCURRENCY_WORKERS: requests the server answers at once (0: unbounded, every writer served)
const LOAD = {
  latencyMs: 150,
  contention: 0.04,
  workers: Number(process.env.BENCH_CONCURRENCY_WORKERS ?? 8),
};
const SWEEP = [1, 2, 4, 8, 16];

export interface ConcurrencyRun {
  setting: string;
  ordersPerSec: number;
  /** writes the ERP answered with a record lock, per order */
  locksPerOrder: number;
}

async function run(ceiling: number, adaptive: boolean): Promise<ConcurrencyRun> {
  const r: WriterE2eResult = await runWriterE2e(sapB1UnderTest, {
    orders: ORDERS,
    env: {
      ERP_CONCURRENCY: String(ceiling),
      ERP_ADAPTIVE: String(adaptive),
      // a lock is retried quickly and often: the limit, not the backoff, is what is measured
      CONSUMER_MAX_ATTEMPTS: '30',
      CONSUMER_RETRY_BASE_MS: '50',
      CONSUMER_RETRY_MAX_MS: '1000',
    },
    prepare: (erp) => erp.setLoad?.(LOAD),
    warmUp: 0, // the limit's climb from its first writes is part of what is measured
  });
  return {
    setting: adaptive ? `adaptive, ceiling ${ceiling}` : `fixed ${ceiling}`,
    ordersPerSec: r.orders / r.seconds,
    locksPerOrder: r.locks / r.orders,
  };
}

export async function concurrencyBench(): Promise<ConcurrencyRun[]> {
  const runs: ConcurrencyRun[] = [];
  for (const n of SWEEP) runs.push(await run(n, false));
  runs.push(await run(SWEEP[SWEEP.length - 1], true));
  return runs;
}

export function printConcurrencyBench(runs: ConcurrencyRun[]): void {
  const fixed = runs.filter((r) => r.setting.startsWith('fixed'));
  const best = fixed.reduce((a, b) => (b.ordersPerSec > a.ordersPerSec ? b : a));
  const adaptive = runs.find((r) => r.setting.startsWith('adaptive'));
  console.log(
    `\nConcurrency against a loaded SAP B1 simulator (${LOAD.latencyMs} ms a call, ${LOAD.workers || 'unbounded'} workers, +${LOAD.contention * 100}% lock chance per concurrent write), ${ORDERS} orders then the same shipped`,
  );
  console.log('| setting | orders/s | locks per order |');
  console.log('|---|---|---|');
  for (const r of runs)
    console.log(`| ${r.setting} | ${r.ordersPerSec.toFixed(2)} | ${r.locksPerOrder.toFixed(2)} |`);
  if (adaptive)
    console.log(
      `adaptive / best fixed (${best.setting}): ${((adaptive.ordersPerSec / best.ordersPerSec) * 100).toFixed(0)}% (target ≥ 80%)`,
    );
}

if (require.main === module)
  concurrencyBench()
    .then(printConcurrencyBench)
    .then(() => process.exit(0))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
