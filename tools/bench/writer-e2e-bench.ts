/**
 * sage-writer end to end: N orders published to `amazon.orders.v1` on the local Kafka, then the same
 * N shipped; the clock stops when every order is a sales order and an invoice in the ERP simulator.
 * Before the clock starts, WARM_UP_ORDERS are written the same way, as in the adapter-alone bench.
 * Real Kafka, Schema Registry and PostgreSQL (deploy/local/stack.sh, started when needed), the real
 * adapter over HTTP; reports orders per second and ERP calls per order.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { loadConfig } from '@connector/config';
import { FetchTransport } from '@connector/core';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { recordKey, type AmazonOrder } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { createTestDatabase } from '@connector/db/testing';
import { erpsUnderTest, type ErpUnderTest } from '@connector/erp/testing';
import { appModule, configSchema, erpFactories } from '@connector/sage-writer';
import { demoOrders, uniqueName, waitFor } from '@connector/testing';
import {
  CountingTransport,
  WARM_UP_ORDERS,
  WRITER_BENCH_ORDERS,
  benchConnection,
  benchMappings,
  shipped,
  type WriterBenchResult,
} from './writer-bench';

/** as many orders as the writer bench writes with the adapter alone: the two rates are compared */
const ORDERS = Number(process.env.BENCH_E2E_ORDERS ?? WRITER_BENCH_ORDERS);
const KEY = Buffer.alloc(32, 7).toString('base64');

export interface WriterE2eResult {
  erp: string;
  orders: number;
  seconds: number;
  callsPerOrder: number;
  /** writes the ERP answered with a record lock */
  locks: number;
  /** PostgreSQL statements sage-writer sent, per order (ledger, inbox, audit; the bench's own reads excluded) */
  statementsPerOrder: number;
}

/** Statements sent by every pg client of this process (sage-writer runs in it), counted from here on. */
let statements = 0;
let counting = false;
function countStatements(): void {
  if (counting) return;
  counting = true;
  // the client's prototype as a plain record of functions: its query is wrapped, not called here
  const proto = pg.Client.prototype as unknown as Record<'query', (...args: unknown[]) => unknown>;
  const query = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  };
}

export interface WriterE2eOptions {
  orders?: number;
  /** sage-writer configuration on top of the bench's (ERP_CONCURRENCY, …) */
  env?: Record<string, string>;
  /** after the ERP simulator has started: its latency and contention */
  prepare?: (erp: ErpUnderTest) => void;
  /** orders written before the clock starts (default WARM_UP_ORDERS, as the adapter-alone bench) */
  warmUp?: number;
}

/** The local stack's connection strings (starting it when it is down), unless the environment has them. */
export function stackEnv(): void {
  if (process.env.KAFKA_BROKERS && process.env.TEST_DATABASE_URL) return;
  const out = execFileSync('bash', ['deploy/local/stack.sh', 'start'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] ??= m[2];
  }
}

/** One ERP simulator, sage-writer in this process, N orders then the same N shipped. */
export async function runWriterE2e(
  make: () => ErpUnderTest,
  opts: WriterE2eOptions = {},
): Promise<WriterE2eResult> {
  stackEnv();
  const erp = make();
  await erp.start();
  opts.prepare?.(erp);
  const tdb = await createTestDatabase();
  const prefix = `${uniqueName('bench')}.`;
  const http = new CountingTransport(new FetchTransport());
  const config = loadConfig(configSchema, {
    HTTP_PORT: '0',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}sage-writer`,
    CREDENTIALS_KEY: KEY,
    LOG_LEVEL: 'error',
    ...opts.env,
  });
  const app = await startService(
    appModule(config, { logger: silentLogger() }, { erpFactories: erpFactories(http) }),
    { logger: false },
  );
  try {
    const { conn, creds } = benchConnection(erp);
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(conn, creds);
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    await publishMappings(publisher, benchMappings(erp, Date.now()));
    await new Promise((r) => setTimeout(r, 2000)); // the writer follows the mapping topics
    const warmUp = opts.warmUp ?? WARM_UP_ORDERS;
    const all = demoOrders('bench', warmUp + (opts.orders ?? ORDERS));
    const send = (os: AmazonOrder[]) =>
      publisher.publish(
        'amazon.orders.v1',
        os.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
      );
    /** the orders published, then the same shipped; resolves when all of them are invoiced */
    const writeAll = async (os: AmazonOrder[], invoicedBefore: number) => {
      await send(os);
      await send(os.map(shipped));
      await waitFor(async () => (await erp.documents('INVOICE')).length >= invoicedBefore + os.length, {
        what: `${invoicedBefore + os.length} invoices in ${erp.name}`,
        timeoutMs: 600_000,
        intervalMs: 20, // the clock's resolution: a tenth of a second would be 2–3% of a run
      });
    };
    if (warmUp > 0) await writeAll(all.slice(0, warmUp), 0);
    const orders = all.slice(warmUp);
    countStatements();
    http.calls = 0;
    http.locks = 0;
    statements = 0;
    const started = process.hrtime.bigint();
    await writeAll(orders, warmUp);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // an ERP whose simulator is a PostgreSQL database (Sage 500) sends its own statements through pg too
    const statementsPerOrder = erp.database ? Number.NaN : statements / orders.length;
    // an ERP reached over SQL (Sage 500) makes no HTTP calls; the writer bench counts its statements
    const callsPerOrder = erp.database ? Number.NaN : http.calls / orders.length;
    return {
      erp: erp.name,
      orders: orders.length,
      seconds,
      callsPerOrder,
      locks: http.locks,
      statementsPerOrder,
    };
  } finally {
    await app.close();
    await erp.stop();
    await tdb.drop();
  }
}

export async function writerE2eBench(): Promise<WriterE2eResult[]> {
  stackEnv();
  const results = [];
  for (const make of erpsUnderTest) results.push(await runWriterE2e(make)); // one after the other: each owns the CPU
  return results;
}

/** `adapter`: the writer bench's figures from the same run, for the pipeline's share (issue 15, goal 2) */
export function printWriterE2eBench(results: WriterE2eResult[], adapter: WriterBenchResult[] = []): void {
  console.log(
    `\nsage-writer end to end (Kafka → writer → PostgreSQL ledger and audit → ERP simulator): ${ORDERS} orders, then the same orders shipped (after ${WARM_UP_ORDERS} to warm up)`,
  );
  console.log(
    '| ERP | time | orders/s | ERP calls per order | PostgreSQL statements per order | end to end ÷ adapter alone (target ≥ 0.8) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const alone = adapter.find((a) => a.erp === r.erp);
    const ratio = alone ? (r.orders / r.seconds / (alone.orders / alone.seconds)).toFixed(2) : '–';
    console.log(
      `| ${r.erp} | ${r.seconds.toFixed(2)} s | ${(r.orders / r.seconds).toFixed(1)} | ${Number.isNaN(r.callsPerOrder) ? '– (SQL: see the writer bench)' : r.callsPerOrder.toFixed(2)} | ${Number.isNaN(r.statementsPerOrder) ? '– (its ERP is a database too)' : r.statementsPerOrder.toFixed(2)} | ${ratio} |`,
    );
  }
}
