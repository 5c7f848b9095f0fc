import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { recordKey, type AmazonOrder, type ErpShipment } from '@connector/events';
import { createKafka, topicOffsets, type EventPublisher } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SpApiSimulator,
  confirmedShipments,
  type SimOrder,
} from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { appModule } from '../app.module';
import { configSchema } from '../config';

interface AuditRow {
  record_key: string;
  stage: string;
  outcome: string | null;
  error: string | null;
}

const KEY = Buffer.alloc(32, 9).toString('base64');
const CONN = 'ship';
const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const DAY = 86_400_000;
const LEASE_MS = 3_000;

/**
 * Between the publisher and the simulator: forwards every request, and once loses Amazon's answer to
 * a confirmShipment that Amazon accepted (the connection drops after the 204), the moment a crash
 * between the call and the ledger mark would leave behind.
 */
class LossyProxy {
  private server?: Server;
  confirmations = 0;
  dropped = 0;
  url = '';
  constructor(
    private readonly target: string,
    private readonly dropAt: number,
    private readonly onDrop: () => void,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.forward(req).then(
        ({ status, headers, body }) => {
          if (
            req.method === 'POST' &&
            req.url?.endsWith('/shipmentConfirmation') &&
            status === 204 &&
            ++this.confirmations === this.dropAt
          ) {
            this.dropped++;
            req.socket.destroy();
            this.onDrop();
            return;
          }
          res.writeHead(status, headers);
          res.end(body);
        },
        () => req.socket.destroy(),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async forward(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    const r = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) out[k] = v;
    });
    return { status: r.status, headers: out, body: Buffer.from(await r.arrayBuffer()) };
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

function orderEvent(o: SimOrder, over: Partial<AmazonOrder> = {}): AmazonOrder {
  return {
    eventId: `${o.orderId}@${o.lastUpdatedMs}`,
    connectionId: CONN,
    amazonOrderId: o.orderId,
    sellerId: NA.sellerId,
    marketplaceId: o.marketplaceId,
    orderStatus: o.status,
    fulfillmentChannel: o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
    purchaseDate: o.createdMs,
    lastUpdateDate: o.lastUpdatedMs,
    items: o.items.map((it) => ({
      orderItemId: it.orderItemId,
      sellerSku: it.sku,
      asin: it.asin,
      quantityOrdered: it.quantity,
      quantityShipped: 0,
    })),
    changeType: 'CREATED',
    source: 'ORDERS_API',
    ...over,
  };
}

/**
 * Issue 11's proof, on real Kafka, the registry and PostgreSQL against the SP-API simulator: ERP
 * shipments of merchant-fulfilled orders (several split over two packages) become exactly one
 * confirmation per package while the publisher is killed mid-run (just after Amazon accepted a package
 * whose answer was lost) and restarted, racing a second instance; an Amazon-fulfilled and a cancelled
 * order are skipped with their reasons.
 */
describe('inventory-publisher shipments → Amazon (real Kafka, registry, PostgreSQL, SP-API simulator)', () => {
  const prefix = `${uniqueName('ship')}.`;
  let tdb: TestDatabase;
  let sim: SpApiSimulator;
  let proxy: LossyProxy;
  const apps = new Map<string, INestApplication>();
  let killed: Promise<void> | undefined;
  /** orders the first test ships */
  const used = new Set<string>();

  const env = (group: string) => ({
    HTTP_PORT: '0',
    KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
    SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}publisher-${group}`,
    CREDENTIALS_KEY: KEY,
    SPAPI_ENDPOINT: proxy.url,
    LWA_TOKEN_URL: `${sim.url}/auth/o2/token`,
    PUBLISHER_SCHEDULER: 'false',
    SHIPMENT_LEASE_MS: String(LEASE_MS),
    SHIPMENT_ORDER_POLL_MS: '200',
    SHIPMENT_ORDER_WAIT_MS: '20000',
    CONSUMER_MAX_ATTEMPTS: '12',
    CONSUMER_RETRY_BASE_MS: '50',
    CONSUMER_RETRY_MAX_MS: '400',
  });
  async function start(name: string, group: string) {
    const app = await startService(
      appModule(loadConfig(configSchema, env(group)), { logger: silentLogger() }),
      {
        logger: false,
      },
    );
    apps.set(name, app);
    return app;
  }
  function kill(name: string) {
    const app = apps.get(name);
    apps.delete(name);
    killed ??= app?.close() ?? Promise.resolve();
  }

  /** Whether every given group has committed every shipment record: each has settled all of them. */
  async function settled(groups: string[]): Promise<boolean> {
    const admin = createKafka(
      { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'ship-int' },
      silentLogger(),
    ).admin();
    await admin.connect();
    try {
      const topic = `${prefix}erp.shipments.v1`;
      // a partition no record went to has nothing to commit (its committed offset stays -1)
      const high = new Map(
        (await topicOffsets(admin, topic))
          .filter((p) => BigInt(p.high) > BigInt(p.low))
          .map((p) => [p.partition, p.high]),
      );
      for (const g of groups) {
        const [committed] = await admin.fetchOffsets({ groupId: `${prefix}publisher-${g}`, topics: [topic] });
        if (
          committed.partitions.some(
            (p) => high.has(p.partition) && BigInt(p.offset) < BigInt(high.get(p.partition)!),
          )
        )
          return false;
      }
      return true;
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    sim = new SpApiSimulator({
      startMs: Date.now() - 3 * DAY,
      days: 3,
      ordersPerDay: 200,
      speedFactor: 1000,
    });
    await sim.start();
    proxy = new LossyProxy(sim.url, 2, () => kill('a'));
    await proxy.start();
    // each SP-API call takes a moment, so the kill lands while packages are still in flight
    sim.control.setFaults({ latencyMs: 150 });
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: CONN,
        name: CONN,
        sellerId: NA.sellerId,
        region: 'na',
        marketplaceIds: [US],
        erpKind: 'SAP_B1',
        erpCompany: 'SBO-ship',
        enabled: true,
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: NA.refreshToken,
        },
      },
    );
  });
  afterAll(async () => {
    for (const app of apps.values()) await app.close();
    await killed;
    await proxy?.close();
    await sim?.close();
    await tdb?.drop();
  });

  it('when the publisher is killed mid-run and restarted beside a second instance, then each package is confirmed exactly once and FBA and cancelled orders are skipped', async () => {
    const mine = sim.orders.filter((o) => o.sellerId === NA.sellerId && o.marketplaceId === US);
    const open = mine.filter((o) => o.status === 'UNSHIPPED' && o.fulfilledBy === 'MERCHANT');
    const split = open.filter((o) => o.items.reduce((n, it) => n + it.quantity, 0) >= 2).slice(0, 3);
    const whole = open.filter((o) => !split.includes(o)).slice(0, 3);
    const afn = mine.find((o) => o.fulfilledBy === 'AMAZON' && o.status !== 'CANCELLED')!;
    const cancelled = mine.find((o) => o.fulfilledBy === 'MERCHANT' && o.status === 'CANCELLED')!;
    expect([split.length, whole.length, !!afn, !!cancelled]).toEqual([3, 3, true, true]);

    // packages: an order split into its first unit and the rest, or shipped whole
    let next = 7000;
    const packages: Array<{ order: SimOrder; shipment: ErpShipment }> = [];
    const pack = (o: SimOrder, units: Array<[string, number]>, carrier: string) => {
      const shipmentId = String(next++);
      packages.push({
        order: o,
        shipment: {
          eventId: `${CONN}/${shipmentId}@x`,
          connectionId: CONN,
          erpKind: 'SAP_B1',
          shipmentId,
          shipmentNumber: `D${shipmentId}`,
          amazonOrderId: o.orderId,
          erpCarrierCode: carrier,
          trackingNumber: `1Z${shipmentId}`,
          shipDate: Date.now() - 3_600_000,
          changedAt: Date.now(),
          lines: units.map(([sku, quantity]) => ({ itemCode: `ITEM-${sku}`, quantity })),
        },
      });
    };
    for (const o of split) {
      const units = o.items.flatMap((it) => Array.from({ length: it.quantity }, () => it.sku));
      const count = (skus: string[]) =>
        [...new Set(skus)].map((s): [string, number] => [s, skus.filter((x) => x === s).length]);
      pack(o, count(units.slice(0, 1)), 'UPSG');
      pack(o, count(units.slice(1)), 'OWNVAN');
    }
    for (const o of whole)
      pack(
        o,
        o.items.map((it) => [it.sku, it.quantity]),
        'UPSG',
      );
    for (const o of [afn, cancelled])
      pack(
        o,
        o.items.map((it) => [it.sku, it.quantity]),
        'UPSG',
      );
    const mfnPackages = packages.filter((p) => p.order !== afn && p.order !== cancelled);

    const a = await start('a', 'a');
    const publisher = a.get<EventPublisher>(EVENT_PUBLISHER);
    const skus = [...new Set(packages.flatMap((p) => p.order.items.map((it) => it.sku)))];
    await publishMappings(
      publisher,
      mappingRecords(
        { connectionId: CONN, skus: skus.map((sku) => ({ sellerSku: sku, itemCode: `ITEM-${sku}` })) },
        Date.now(),
      ),
    );
    await publisher.publish('mapping.carriers.v1', [
      {
        key: `${CONN}/UPSG`,
        value: {
          eventId: `${CONN}/UPSG@1`,
          connectionId: CONN,
          erpCarrierCode: 'UPSG',
          carrierCode: 'UPS',
          carrierName: null,
          shippingMethod: 'Ground',
          active: true,
          updatedAt: Date.now(),
        },
      },
    ]);
    const orders = [...split, ...whole, afn, cancelled];
    for (const o of orders) used.add(o.orderId);
    await publisher.publish(
      'amazon.orders.v1',
      orders.map((o) => ({ key: recordKey(CONN, o.orderId), value: orderEvent(o) })),
    );
    await waitFor(
      async () =>
        Number(
          (
            await tdb
              .db('shipment_orders')
              .where({ connection_id: CONN })
              .count<Array<{ n: string }>>({ n: '*' })
          )[0].n,
        ) === orders.length,
      { what: 'the order book holds every order', timeoutMs: 30_000, intervalMs: 200 },
    );
    await publisher.publish(
      'erp.shipments.v1',
      packages.map((p) => ({ key: recordKey(CONN, p.order.orderId), value: p.shipment })),
    );

    // the second confirmation's answer is lost and the instance killed on the spot
    await waitFor(() => proxy.dropped === 1, { what: 'a lost confirmShipment answer', timeoutMs: 30_000 });
    await killed;
    // A died mid-run: packages were left for the restarted instance (and its rival)
    const confirmedWhenKilled = orders.reduce((n, o) => n + confirmedShipments(o).length, 0);
    expect(confirmedWhenKilled).toBeLessThan(mfnPackages.length);
    // restarted in its group, and a second instance racing it from another group
    await start('b', 'a');
    await start('c', 'c');
    await waitFor(() => settled(['a', 'c']), {
      what: 'both instances settled every shipment',
      timeoutMs: 60_000,
      intervalMs: 500,
    }).catch(async (err: unknown) => {
      // on failure, what each package went through
      const trail = await tdb
        .db('audit_trail')
        .where({ connection_id: CONN })
        .orderBy('id')
        .select('record_key', 'stage', 'outcome', 'error');
      process.stdout.write(`[shipments-int] audit:\n${trail.map((r) => JSON.stringify(r)).join('\n')}\n`);
      throw err;
    });

    // exactly one confirmation per package at Amazon, with the package's units
    const perOrder = new Map<SimOrder, string[]>();
    for (const o of orders)
      perOrder.set(
        o,
        confirmedShipments(o).map((s) => s.packageReferenceId),
      );
    expect(Object.fromEntries([...perOrder].map(([o, refs]) => [o.orderId, refs.sort()]))).toEqual(
      Object.fromEntries(
        orders.map((o) => [
          o.orderId,
          mfnPackages
            .filter((p) => p.order === o)
            .map((p) => p.shipment.shipmentId)
            .sort(),
        ]),
      ),
    );
    for (const o of split) {
      expect(o.status).toBe('SHIPPED');
      const [first, second] = confirmedShipments(o);
      expect(
        first.orderItems.reduce((n, l) => n + l.quantity, 0) +
          second.orderItems.reduce((n, l) => n + l.quantity, 0),
      ).toBe(o.items.reduce((n, it) => n + it.quantity, 0));
      // the unmapped ERP carrier went as Other with its code as the name
      expect(confirmedShipments(o).map((s) => [s.carrierCode, s.carrierName ?? null])).toEqual(
        expect.arrayContaining([
          ['UPS', null],
          ['Other', 'OWNVAN'],
        ]),
      );
    }

    // Amazon was asked once per package, but for the lost answer: its resend (the client's own retry, or
    // the next holder's when the package left units open), twice if the dying holder could not mark it;
    // without the ledger the racing instance alone would ask again for every package
    expect(sim.stats.calls.confirmShipment).toBeGreaterThanOrEqual(mfnPackages.length);
    expect(sim.stats.calls.confirmShipment).toBeLessThanOrEqual(mfnPackages.length + 2);

    // every package audited as confirmed or found shipped; the lost answer among the latter
    const audit = await tdb
      .db('audit_trail')
      .where({ connection_id: CONN })
      .select<AuditRow[]>('record_key', 'stage', 'outcome', 'error');
    const keyOf = (p: (typeof packages)[number]) =>
      recordKey(CONN, `${p.order.orderId}/${p.shipment.shipmentId}`);
    for (const p of mfnPackages)
      expect(audit.filter((r) => r.record_key === keyOf(p) && r.stage === 'posted').length).toBeGreaterThan(
        0,
      );
    // the package whose answer was lost was confirmed by its first request; every later path found it there
    expect(audit.filter((r) => r.outcome === 'confirmed')).toHaveLength(mfnPackages.length - proxy.dropped);
    expect(
      audit.filter(
        (r) => r.outcome === 'already_shipped:amazon-state' || r.outcome === 'already_shipped:amazon-answer',
      ).length,
    ).toBeGreaterThan(0);
    // FBA and cancelled: skipped with the reason, never sent
    const skipped = (o: SimOrder) =>
      audit.filter((r) => r.stage === 'skipped' && r.record_key.startsWith(recordKey(CONN, `${o.orderId}/`)));
    expect(skipped(afn).map((r) => r.outcome)).toEqual(
      expect.arrayContaining([expect.stringMatching(/fulfilled by Amazon/)]),
    );
    expect(skipped(cancelled).map((r) => r.outcome)).toEqual(
      expect.arrayContaining([expect.stringMatching(/cancelled/)]),
    );
    expect(audit.filter((r) => r.stage === 'dead_lettered')).toEqual([]);
    const ledger = await tdb
      .db('idempotency_ledger')
      .where({ connection_id: CONN, document_kind: 'SHIPMENT_CONFIRMATION' })
      .select<Array<{ natural_key: string; state: string }>>('natural_key', 'state');
    expect(ledger.map((r) => r.state).sort()).toEqual(mfnPackages.map(() => 'confirmed'));
  }, 90_000);

  it('when a shipment arrives before its order, then it waits for the order event and is confirmed once', async () => {
    const o = sim.orders.find(
      (x) =>
        x.sellerId === NA.sellerId &&
        x.marketplaceId === US &&
        x.status === 'UNSHIPPED' &&
        x.fulfilledBy === 'MERCHANT' &&
        !used.has(x.orderId),
    )!;
    const app = apps.get('b')!;
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    await publishMappings(
      publisher,
      mappingRecords(
        {
          connectionId: CONN,
          skus: o.items.map((it) => ({ sellerSku: it.sku, itemCode: `ITEM-${it.sku}` })),
        },
        Date.now(),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000)); // both instances follow the mapping topics
    const shipment: ErpShipment = {
      eventId: `${CONN}/8000@x`,
      connectionId: CONN,
      erpKind: 'SAP_B1',
      shipmentId: '8000',
      shipmentNumber: 'D8000',
      amazonOrderId: o.orderId,
      erpCarrierCode: 'UPSG',
      trackingNumber: '1Z8000',
      shipDate: Date.now(),
      changedAt: Date.now(),
      lines: o.items.map((it) => ({ itemCode: `ITEM-${it.sku}`, quantity: it.quantity })),
    };
    await publisher.publish('erp.shipments.v1', [{ key: recordKey(CONN, o.orderId), value: shipment }]);
    await waitFor(
      async () =>
        (await tdb.db('audit_trail').where({ connection_id: CONN, outcome: 'waiting_for_order' })).length > 0,
      { what: 'the shipment waiting for its order', timeoutMs: 20_000, intervalMs: 200 },
    );
    await publisher.publish('amazon.orders.v1', [{ key: recordKey(CONN, o.orderId), value: orderEvent(o) }]);
    await waitFor(() => settled(['a', 'c']), {
      what: 'both instances settled the shipment',
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    expect(confirmedShipments(o).map((s) => s.packageReferenceId)).toEqual(['8000']);
    const dead = await tdb.db('audit_trail').where({ connection_id: CONN, stage: 'dead_lettered' });
    expect(dead).toEqual([]);
  }, 60_000);
});
