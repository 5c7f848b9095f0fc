/** `npm run bench`: every benchmark, with its figures printed. Targets are checked here, never in tests. */
import { concurrencyBench, printConcurrencyBench } from './concurrency-bench';
import { footprintBench, printFootprintBench } from './footprint-bench';
import { leasesBench, printLeasesBench } from './leases-bench';
import { listingsBench, printListingsBench } from './listings-bench';
import { notificationsBench, printNotificationsBench } from './notifications-bench';
import { printSettlementBench, settlementBench } from './settlement-bench';
import { printSoakBench, soakBench } from './soak-bench';
import { printSpApiBench, spApiBench } from './sp-api-bench';
import { printWriterBench, writerBench } from './writer-bench';
import { printWriterE2eBench, writerE2eBench } from './writer-e2e-bench';

async function main() {
  const started = Date.now();
  // `npm run bench -- soak [--orders N] [--sellers S]`: the soak alone, on a Kafka of its own (long: not in the default run)
  const [which, ...rest] = process.argv.slice(2);
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : undefined;
  };
  if (which === 'soak') {
    printSoakBench(await soakBench(flag('--orders'), flag('--sellers')));
    console.log(`\nsoak done in ${((Date.now() - started) / 1000).toFixed(1)} s of real time`);
    return;
  }
  // `npm run bench -- footprint [--orders N]`: builds (npm run build), runs the six services from dist/
  // on the shared local stack and reads their memory idle and through two loads (minutes: not in the default run)
  if (which === 'footprint') {
    printFootprintBench(await footprintBench({ orders: flag('--orders') }));
    console.log(`\nfootprint done in ${((Date.now() - started) / 1000).toFixed(1)} s of real time`);
    return;
  }
  printSpApiBench(await spApiBench());
  printSettlementBench(await settlementBench());
  const writer = await writerBench();
  printWriterBench(writer);
  printListingsBench(await listingsBench());
  // needs Kafka, the registry and PostgreSQL: deploy/local/stack.sh is started when they are not set
  if (process.env.BENCH_E2E !== '0') printWriterE2eBench(await writerE2eBench(), writer);
  if (process.env.BENCH_E2E !== '0') printNotificationsBench(await notificationsBench());
  if (process.env.BENCH_E2E !== '0') printConcurrencyBench(await concurrencyBench());
  // PostgreSQL only: replica processes sharing connections by leases
  printLeasesBench(await leasesBench());
  console.log(`\nbenchmarks done in ${((Date.now() - started) / 1000).toFixed(1)} s of real time`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
