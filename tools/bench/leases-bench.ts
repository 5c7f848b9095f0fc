/**
 * Replicas sharing connections by leases (issue 15, goal 5): 1,000 simulated connections read by 1
 * and then 3 replica processes (each a ConnectionScheduler over LeasedConnections, as amazon-ingest
 * and erp-change-poller run it), reads per minute per replica, no connection read by two replicas at
 * the same time, and the hand-over time after a `kill -9` of one replica. Then the cost of one lease
 * sync at 50,000 connections, for the write-up of what 50,000 would need.
 *
 * A simulated read holds one of 4 slots per replica for 20 ms (an SP-API call; 4 in flight per
 * replica, as a rate-limited client would): a replica can do about 12,000 reads a minute, while
 * 1,000 connections each read every 2 s ask for 30,000, so one replica is saturated and three share.
 *
 * `npx ts-node --transpile-only -r tsconfig-paths/register tools/bench/leases-bench.ts`, or as part of
 * `npm run bench`. Needs PostgreSQL (TEST_DATABASE_URL or the local stack).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { ConnectionScheduler, systemClock } from '@connector/core';
import { ConnectionLeaseStore, LeasedConnections, createDb } from '@connector/db';
import { createTestDatabase } from '@connector/db/testing';

const CONNECTIONS = 1000;
const READ_MS = 20;
const SLOTS = 4;
const INTERVAL_SEC = 2;
const LEASE_MS = 6000;
const RUN_MS = 30_000;
const SERVICE = 'bench-ingest';
const ids = Array.from({ length: CONNECTIONS }, (_, i) => `conn-${String(i).padStart(5, '0')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ReadSpan {
  conn: string;
  start: number;
  end: number;
}
type ChildMessage = { reads: ReadSpan[]; held: number; holder: string };

/** One replica: the scheduler over leased connections, reporting every read to the parent. */
async function child(dbUrl: string, holder: string) {
  const db = createDb({ url: dbUrl, poolMax: 2 });
  const source = new LeasedConnections({
    inner: { list: async () => ids.map((id) => ({ id })) },
    store: new ConnectionLeaseStore(db),
    options: { service: SERVICE, holder, ttlMs: LEASE_MS },
    now: () => Date.now(),
  });
  let free = SLOTS;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    while (free === 0) await new Promise<void>((r) => waiting.push(r));
    free--;
  };
  const done = () => {
    free++;
    waiting.shift()?.();
  };
  let spans: ReadSpan[] = [];
  const scheduler = new ConnectionScheduler<{ id: string }, null>({
    connections: source,
    client: async () => null,
    runners: [
      {
        stream: 'orders',
        intervalSec: () => INTERVAL_SEC,
        run: async (conn) => {
          await slot();
          const start = Date.now();
          await sleep(READ_MS);
          spans.push({ conn: conn.id, start, end: Date.now() });
          done();
        },
      },
    ],
    clock: systemClock,
    logger: { error: () => undefined },
  });
  scheduler.start(200);
  setInterval(() => {
    process.send?.({ reads: spans, held: source.held.size, holder } satisfies ChildMessage);
    spans = [];
  }, 1000);
}

interface Replica {
  proc: ChildProcess;
  holder: string;
  reads: number;
  held: number;
}

function startReplica(
  dbUrl: string,
  holder: string,
  all: ReadSpan[],
  byHolder: Map<ReadSpan, string>,
): Replica {
  const proc = fork(__filename, ['child', dbUrl, holder], {
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const r: Replica = { proc, holder, reads: 0, held: 0 };
  proc.on('message', (m: ChildMessage) => {
    r.reads += m.reads.length;
    r.held = m.held;
    for (const s of m.reads) {
      all.push(s);
      byHolder.set(s, holder);
    }
  });
  return r;
}

/** Reads of one connection by two replicas that overlap in time. */
function overlaps(spans: ReadSpan[], byHolder: Map<ReadSpan, string>): number {
  const per = new Map<string, ReadSpan[]>();
  for (const s of spans) per.set(s.conn, [...(per.get(s.conn) ?? []), s]);
  let n = 0;
  for (const list of per.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++)
      if (list[i].start < list[i - 1].end && byHolder.get(list[i]) !== byHolder.get(list[i - 1])) n++;
  }
  return n;
}

export interface LeasesBench {
  runs: Array<{ replicas: number; readsPerMin: number; perReplica: number[]; overlaps: number }>;
  handOverMs: number;
  orphanedConnections: number;
  sync50k: { oneReplicaMs: number; threeReplicasMs: number };
}

async function measure(dbUrl: string, count: number, prefix: string) {
  const spans: ReadSpan[] = [];
  const byHolder = new Map<ReadSpan, string>();
  const replicas = Array.from({ length: count }, (_, i) =>
    startReplica(dbUrl, `${prefix}-${i}`, spans, byHolder),
  );
  // settle (the newcomers get their share within a sync or two), then count a steady window
  await sleep(LEASE_MS);
  const before = replicas.map((r) => r.reads);
  await sleep(RUN_MS);
  const perReplica = replicas.map((r, i) => Math.round(((r.reads - before[i]) * 60_000) / RUN_MS));
  return {
    replicas,
    result: {
      replicas: count,
      readsPerMin: perReplica.reduce((a, b) => a + b, 0),
      perReplica,
      overlaps: overlaps(spans, byHolder),
    },
  };
}

export async function leasesBench(): Promise<LeasesBench> {
  const tdb = await createTestDatabase();
  try {
    const runs: LeasesBench['runs'] = [];
    const one = await measure(tdb.url, 1, 'solo');
    runs.push(one.result);
    one.replicas.forEach((r) => r.proc.kill('SIGKILL'));
    await tdb.db('connection_leases').delete();
    await tdb.db('lease_holders').delete();

    const three = await measure(tdb.url, 3, 'trio');
    runs.push(three.result);
    // kill -9 one replica: how long until every connection it held is held by another
    const victim = three.replicas[0];
    const store = new ConnectionLeaseStore(tdb.db);
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    let handOverMs = Number.NaN;
    while (Date.now() - killedAt < 5 * LEASE_MS) {
      const holders = await store.holders(SERVICE);
      if (holders.size === CONNECTIONS && ![...holders.values()].includes(victim.holder)) {
        handOverMs = Date.now() - killedAt;
        break;
      }
      await sleep(100);
    }
    const orphaned = CONNECTIONS - (await store.holders(SERVICE)).size;
    three.replicas.slice(1).forEach((r) => r.proc.kill('SIGKILL'));

    // one sync at 50,000 connections: the database's share of a renewal
    const many = Array.from({ length: 50_000 }, (_, i) => `c${i}`);
    await tdb.db('connection_leases').delete();
    await tdb.db('lease_holders').delete();
    const timeSync = async (holder: string) => {
      const t = Date.now();
      await store.sync({ service: 'bench-50k', holder, ttlMs: 60_000 }, many, Date.now());
      return Date.now() - t;
    };
    await timeSync('w0'); // creates the rows
    const oneReplicaMs = await timeSync('w0');
    await timeSync('w1');
    await timeSync('w2');
    const threeReplicasMs = Math.max(await timeSync('w0'), await timeSync('w1'), await timeSync('w2'));
    return { runs, handOverMs, orphanedConnections: orphaned, sync50k: { oneReplicaMs, threeReplicasMs } };
  } finally {
    await tdb.drop();
  }
}

export function printLeasesBench(b: LeasesBench): void {
  console.log(
    `\nReplicas sharing ${CONNECTIONS} connections by leases (read ${READ_MS} ms, ${SLOTS} at a time per replica, every ${INTERVAL_SEC} s; lease ${LEASE_MS / 1000} s)`,
  );
  console.log('| replicas | reads/min | per replica | reads of one connection by two replicas at once |');
  console.log('|---|---|---|---|');
  for (const r of b.runs)
    console.log(`| ${r.replicas} | ${r.readsPerMin} | ${r.perReplica.join(' / ')} | ${r.overlaps} |`);
  console.log(
    `kill -9 of one of 3 replicas: its connections held by the others after ${(b.handOverMs / 1000).toFixed(1)} s (lease ${LEASE_MS / 1000} s); connections held by nobody after: ${b.orphanedConnections}`,
  );
  console.log(
    `one lease sync over 50,000 connections: ${b.sync50k.oneReplicaMs} ms (1 replica), ${b.sync50k.threeReplicasMs} ms (3 replicas, slowest)`,
  );
}

if (process.argv[2] === 'child') void child(process.argv[3], process.argv[4]);
else if (require.main === module)
  leasesBench()
    .then(printLeasesBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
