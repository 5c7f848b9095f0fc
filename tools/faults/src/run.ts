/**
 * `npm run faults`: the fault suite. For each fault, a fresh run of the pipeline (SP-API simulator →
 * amazon-ingest → Kafka → sage-writer and settlement-reconciler → SAP B1 simulator, the services as
 * processes) with a fixed load, the fault in the middle of it, then the end state against the
 * simulators' truth: every order document exactly once, every settlement posted once and tied out,
 * no dead letter, lag 0, every service ready again, and the time that took. Prints one table and writes
 * it to tmp/faults/faults.{json,md}; exits 1 when a document is lost or duplicated or a run did not
 * recover.
 *
 *   npm run faults -- [--reduced] [--only <fault>[,<fault>…]] [--orders N] [--seed N] [--window-scale X]
 *
 * Kafka and the schema registry are the suite's own (deploy/local/stack.sh with STACK_DIR
 * tmp/faults/stack and ports 29092/29093/28081); PostgreSQL is the machine's, reached by the services
 * through a TCP proxy of the suite (the PostgreSQL fault cuts it; see docs/reliability.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '@connector/core';
import { FAULTS, REDUCED, type Fault, type FaultContext } from './faults';
import { Pipeline } from './pipeline';
import { markdownTable, passed, textTable, type FaultResult } from './report';
import { PrivateStack } from './stack';
import { TcpProxy } from './tcp-proxy';
import { readTruth, type Truth } from './truth';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUT = 'tmp/faults';
const STALL_MS = 60_000;

export interface Flags {
  reduced: boolean;
  only?: string[];
  orders: number;
  seed: number;
  windowScale: number;
}

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { reduced: false, orders: 0, seed: 7, windowScale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--reduced') flags.reduced = true;
    else if (a === '--only') flags.only = next().split(',');
    else if (a === '--orders') flags.orders = Number(next());
    else if (a === '--seed') flags.seed = Number(next());
    else if (a === '--window-scale') flags.windowScale = Number(next());
    else throw new Error(`unknown flag ${a}`);
  }
  if (!flags.orders) flags.orders = flags.reduced ? 140 : 560;
  return flags;
}

function complete(t: Truth): boolean {
  return t.documents.lost === 0 && t.tiedOut >= t.settlementsExpected;
}

async function runFault(
  fault: Fault,
  flags: Flags,
  stack: PrivateStack,
  dbProxy: TcpProxy,
  adminDbUrl: string,
  random: () => number,
): Promise<FaultResult> {
  const t0 = Date.now();
  const secs = (from: number) => (Date.now() - from) / 1000;
  const log = (msg: string) => console.log(`[faults] ${fault.name} +${secs(t0).toFixed(1)}s ${msg}`);
  const windowMs = Math.round(
    (flags.reduced ? fault.windowMs.reduced : fault.windowMs.full) * flags.windowScale,
  );
  const logDir = path.join(OUT, 'runs', fault.name);
  const pipeline = new Pipeline({
    name: fault.name,
    orders: flags.orders,
    days: 28,
    portBase: 3101,
    logDir,
    adminDbUrl,
    stack,
    dbProxy,
  });
  const ctx: FaultContext = { pipeline, stack, dbProxy, windowMs, random, log };
  const notes: string[] = [];
  const wentRed = new Set<string>();
  const killed = new Set<string>();
  let faultEnd = Date.now();
  let faultStart = Date.now();
  let recoveryS: number | null = null;
  try {
    await pipeline.start();
    log(`${pipeline.amazon.orders.length} simulated orders (both sellers), services starting`);
    // a fault at 0 is in place before the first read of Amazon
    const early = fault.trigger === 0;
    if (early) await fault.inject(ctx);
    const bootDeadline = Date.now() + 180_000;
    while (!(await pipeline.allReady())) {
      if (Date.now() > bootDeadline) throw new Error('the services did not become ready in 180 s');
      await sleep(500);
    }
    log(`services ready after ${secs(t0).toFixed(1)} s`);
    if (!early) {
      const deadline = Date.now() + 300_000;
      for (;;) {
        const t = await readTruth(pipeline);
        if (t.orders.written >= fault.trigger * t.orders.expected) break;
        if (Date.now() > deadline)
          throw new Error(`the load did not reach ${fault.trigger * 100} % in 300 s`);
        await sleep(200);
      }
      const t = await readTruth(pipeline);
      log(`fault starts at ${t.orders.written}/${t.orders.expected} order documents`);
      await fault.inject(ctx);
      if (fault.name.startsWith('kill9-')) killed.add(fault.name.slice('kill9-'.length));
    }
    faultStart = Date.now();
    while (Date.now() - faultStart < windowMs) {
      for (const [name, ready] of Object.entries(await pipeline.readiness()))
        // a killed service is not red, it is gone
        if (!ready && !killed.has(name)) wentRed.add(name);
      await sleep(1000);
    }
    await fault.clear(ctx);
    faultEnd = Date.now();
    log('fault cleared');

    const settleDeadline = Date.now() + (flags.reduced ? 150_000 : 600_000);
    let t: Truth | undefined;
    // a run that is ready, has no lag and writes nothing more for STALL_MS has settled with what it lost
    let progress = '';
    let progressAt = Date.now();
    for (;;) {
      for (const s of pipeline.services.values())
        if (!s.running) {
          notes.push(`${s.name} exited on its own at +${secs(t0).toFixed(0)} s; restarted`);
          log(`${s.name} is not running: restarting it`);
          s.start();
        }
      const ready = await pipeline.allReady();
      const lag = await pipeline.lag().catch(() => undefined);
      t = await readTruth(pipeline);
      const lagZero = lag !== undefined && Object.values(lag).every((n) => n === 0);
      if (ready && lagZero && complete(t)) {
        recoveryS = secs(faultEnd);
        break;
      }
      const now = `${t.documents.written}/${t.tiedOut}`;
      if (now !== progress) [progress, progressAt] = [now, Date.now()];
      const stalled = ready && lagZero && Date.now() - progressAt > STALL_MS;
      if (stalled || Date.now() > settleDeadline) {
        notes.push(
          `lost (first 10): ${[...(t.orders.lostKeys ?? []), ...(t.settlements.lostKeys ?? [])].join(', ')}`,
        );
        log(
          `not recovered: ready=${ready} lag=${JSON.stringify(lag)} orders ${t.orders.written}/${t.orders.expected} tied out ${t.tiedOut}/${t.settlementsExpected}`,
        );
        break;
      }
      await sleep(1000);
    }
    // late duplicates and dead letters: look again a little later
    await sleep(3000);
    t = await readTruth(pipeline);
    const lag = await pipeline.lag().catch(() => undefined);
    const result: FaultResult = {
      fault: fault.name,
      what: fault.what,
      // the dependency was away from the fault to the end of its clear (a broker's restart takes time)
      windowS: Math.round((faultEnd - faultStart) / 1000),
      documents: t.documents,
      tiedOut: `${t.tiedOut}/${t.settlementsExpected}`,
      deadLetters: await pipeline.deadLetters(),
      lagZero: lag !== undefined && Object.values(lag).every((n) => n === 0),
      wentRed: [...wentRed],
      readyAtEnd: await pipeline.allReady(),
      recoveryS,
      totalS: secs(t0),
      restarts: Object.fromEntries([...pipeline.services.values()].map((s) => [s.name, s.restarts])),
      notes,
    };
    log(`done: ${JSON.stringify({ ...result, what: undefined })}`);
    return result;
  } finally {
    await pipeline.stop().catch((err: unknown) => log(`stop: ${String(err)}`));
    dbProxy.restore();
    await stack.start();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const names = flags.only ?? (flags.reduced ? REDUCED : FAULTS.map((f) => f.name));
  const faults = names.map((n) => {
    const f = FAULTS.find((x) => x.name === n);
    if (!f) throw new Error(`no fault ${n}; known: ${FAULTS.map((x) => x.name).join(', ')}`);
    return f;
  });
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const adminDbUrl = process.env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const stack = new PrivateStack(
    path.resolve(OUT, 'stack'),
    { kafka: 29092, controller: 29093, registry: 28081, registryManagement: 29000 },
    process.env.FAULTS_DISTRIBUTIONS ?? path.resolve('deploy/local/.stack'),
  );
  console.log(`[faults] private stack: Kafka ${stack.brokers}, registry ${stack.registryUrl}`);
  await stack.start();
  const pg = new URL(adminDbUrl);
  const dbProxy = new TcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
  await dbProxy.start();
  // seeded, so that "random points" repeat with --seed
  const random = seededRandom(flags.seed);
  const results: FaultResult[] = [];
  try {
    for (const fault of faults)
      results.push(await runFault(fault, flags, stack, dbProxy, adminDbUrl, random));
  } finally {
    await dbProxy.close();
    // the private broker and registry go with the run (FAULTS_KEEP_STACK=true keeps them for a look)
    if (process.env.FAULTS_KEEP_STACK !== 'true')
      await stack.stop().catch((err: unknown) => console.error(`[faults] stack stop: ${String(err)}`));
  }
  const elapsed = (Date.now() - started) / 1000;
  const table = textTable(results);
  console.log(`\n${table}\n\n${flags.orders} orders per run; suite ran ${elapsed.toFixed(0)} s`);
  writeFileSync(
    path.join(OUT, 'faults.json'),
    JSON.stringify({ flags, elapsedS: elapsed, results }, null, 2),
  );
  writeFileSync(path.join(OUT, 'faults.md'), `${markdownTable(results)}\n`);
  if (!results.every(passed)) process.exitCode = 1;
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
