/**
 * sage-writer's ERP path, per ERP: N orders, each created (sales order) and then shipped (invoice
 * copied from the order), through OrderWriterService → DocumentWriter → the real adapter → HTTP →
 * the ERP simulator. Reports orders per second and ERP HTTP calls per order (logins included). The
 * idempotency ledger, audit and publisher are the in-memory ones, so the figure is the writer and
 * the ERP round-trips, not PostgreSQL or Kafka (the integration tests cover those). WARM_UP_ORDERS are
 * written first, off the clock.
 */
import { FetchTransport, systemClock, type HttpRequest, type HttpTransport } from '@connector/core';
import { connectionSettingsSchema, type Connection, type ConnectionCredentials } from '@connector/db';
import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import type { AmazonOrder } from '@connector/events';
import { type ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { MappingCache, mappingRecords } from '@connector/mapping';
import { silentLogger } from '@connector/observability';
import { erpsUnderTest, type ErpUnderTest } from '@connector/erp/testing';
import { DocumentWriter, OrderWriterService, erpFactories } from '@connector/sage-writer';
import { demoOrders } from '@connector/testing';

/** orders of the writer bench, and of the end-to-end bench it is compared with (the same number) */
export const WRITER_BENCH_ORDERS = Number(process.env.BENCH_WRITER_ORDERS ?? 2000);
const ORDERS = WRITER_BENCH_ORDERS;
/**
 * orders written before the clock starts, in both benches: what is measured is the rate once the
 * code is compiled and the pools are open, not a process's first second (cold, the first ERP's
 * adapter-alone rate was 347 orders/s at 500 orders against 537 at 2,000)
 */
export const WARM_UP_ORDERS = Number(process.env.BENCH_WARM_UP_ORDERS ?? 300);

/** The same order shipped: its invoice is written (a new event of the order). */
export const shipped = (o: AmazonOrder): AmazonOrder => ({
  ...o,
  orderStatus: 'SHIPPED',
  eventId: `${o.eventId}/shipped`,
});

export class CountingTransport implements HttpTransport {
  calls = 0;
  /** answers that refused a write: record locks and conflicts (409, 412, or SAP B1's -2039 in the body) */
  locks = 0;
  constructor(private readonly inner: HttpTransport) {}
  async request(req: HttpRequest) {
    this.calls++;
    const res = await this.inner.request(req);
    if (res.status === 409 || res.status === 412 || (res.status >= 400 && res.body.includes('-2039')))
      this.locks++;
    return res;
  }
}

export interface WriterBenchResult {
  erp: string;
  orders: number;
  documents: number;
  seconds: number;
  /** HTTP requests per order, or SQL statements for an ERP reached over SQL (Sage 500) */
  callsPerOrder: number;
  /** stored-procedure runs per order, for an ERP reached over SQL */
  procedureRunsPerOrder?: number;
}

/** The benches' connection `bench` (US marketplace) writing to the ERP under test, and its credentials. */
export function benchConnection(erp: ErpUnderTest): { conn: Connection; creds: ConnectionCredentials } {
  return {
    conn: {
      id: 'bench',
      name: 'bench',
      sellerId: 'S',
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      erpKind: erp.kind,
      erpCompany: 'bench',
      enabled: true,
      settings: connectionSettingsSchema.parse({}),
    },
    creds: { amazon: { lwaClientId: 'x', lwaClientSecret: 'y', refreshToken: 'z' }, erp: erp.credentials() },
  };
}

/** SKU-0 … SKU-24 → the ERP's items, and the US marketplace → its customer, for connection `bench`. */
export const benchMappings = (erp: ErpUnderTest, now: number) =>
  mappingRecords(
    {
      connectionId: 'bench',
      skus: Array.from({ length: 25 }, (_, i) => ({ sellerSku: `SKU-${i}`, itemCode: erp.items[i] })),
      customers: [{ marketplaceId: 'ATVPDKIKX0DER', customerCode: erp.customer, currency: 'USD' }],
    },
    now,
  );

async function run(make: () => ErpUnderTest): Promise<WriterBenchResult> {
  const erp = make();
  await erp.start();
  const http = new CountingTransport(new FetchTransport());
  const { conn, creds } = benchConnection(erp);
  const port = erpFactories(http)[erp.kind]!(conn, creds);
  const mapping = new MappingCache();
  for (const r of benchMappings(erp, 0)) mapping.apply(r.topic, r.key, r.value);
  const writer = new OrderWriterService({
    erps: { forConnection: async () => port },
    mapping,
    writer: new DocumentWriter(new FakeIdempotencyLedger()),
    audit: new FakeAuditStore(),
    publisher: new FakeEventPublisher(),
    clock: systemClock,
    logger: silentLogger(),
  });
  let offset = 0;
  const rec = (value: AmazonOrder): ConsumedRecord<AmazonOrder> => ({
    topic: 'amazon.orders.v1',
    partition: 0,
    offset: String(offset++),
    key: `${conn.id}/${value.amazonOrderId}`,
    value,
    headers: {},
    timestamp: '0',
  });
  const all = demoOrders(conn.id, WARM_UP_ORDERS + ORDERS);
  const writeAll = async (orders: AmazonOrder[]) => {
    for (const o of orders) await writer.handle(rec(o));
    for (const o of orders) await writer.handle(rec(shipped(o)));
  };
  const documentCount = async () =>
    (await erp.documents('SALES_ORDER')).length + (await erp.documents('INVOICE')).length;
  // an adapter over SQL (Sage 500) makes no HTTP calls: it counts its statements and procedure runs
  const sql = (port as { sent?: { statements: number; procedureRuns: number } }).sent;
  const sent = () => ({ calls: sql ? sql.statements : http.calls, runs: sql?.procedureRuns ?? 0 });
  await writeAll(all.slice(0, WARM_UP_ORDERS));
  const before = { ...sent(), documents: await documentCount() };
  const orders = all.slice(WARM_UP_ORDERS);
  const started = process.hrtime.bigint();
  await writeAll(orders);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = { ...sent(), documents: await documentCount() };
  await port.close();
  await erp.stop();
  return {
    erp: erp.name,
    orders: orders.length,
    documents: after.documents - before.documents,
    seconds,
    callsPerOrder: (after.calls - before.calls) / orders.length,
    ...(sql ? { procedureRunsPerOrder: (after.runs - before.runs) / orders.length } : {}),
  };
}

export async function writerBench(): Promise<WriterBenchResult[]> {
  const results = [];
  for (const make of erpsUnderTest) {
    // an ERP whose simulator is a database (Sage 500) runs when the integration PostgreSQL is known
    if (make().database && !process.env.TEST_DATABASE_URL) {
      console.log(
        `writer bench: ${make().name} left out (set TEST_DATABASE_URL to a PostgreSQL it may create databases on)`,
      );
      continue;
    }
    results.push(await run(make)); // one after the other: each owns the CPU
  }
  return results;
}

export function printWriterBench(results: WriterBenchResult[]): void {
  console.log(
    `\nsage-writer: ${ORDERS} orders (after ${WARM_UP_ORDERS} to warm up), each a sales order then (shipped) an invoice, per ERP simulator`,
  );
  console.log(
    '| ERP | documents | time | orders/s | ERP calls per order (HTTP requests; SQL statements) | procedure runs per order |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.erp} | ${r.documents} | ${r.seconds.toFixed(2)} s | ${(r.orders / r.seconds).toFixed(1)} | ${r.callsPerOrder.toFixed(2)} | ${r.procedureRunsPerOrder?.toFixed(2) ?? '–'} |`,
    );
}
