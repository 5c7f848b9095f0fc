import { VirtualClock } from '@connector/core';
import { connectionSettingsSchema, type Connection } from '@connector/db';
import type { TopicName } from '@connector/events';
import type { OutgoingRecord, TopicValue } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { ConnectorMetrics, silentLogger } from '@connector/observability';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { SpApiFactory } from '@connector/sp-api';
import { ReportRunner } from '@connector/sp-api';
import { FakeIngestStateStore } from '../../testing';
import { OrderSyncService, TWO_MINUTE_RULE_MS } from '../order-sync.service';

const DAY = 86_400_000;
const DAY_START = Date.UTC(2026, 9, 10);
const seller = SIM_SELLERS[0];

/** A publisher that fails (like a crash) on the nth call. */
class CrashingPublisher extends FakeEventPublisher {
  calls = 0;
  constructor(private readonly crashOnCall: number) {
    super();
  }
  override async publish<T extends TopicName>(
    topic: T,
    records: OutgoingRecord<TopicValue<T>>[],
  ): Promise<void> {
    if (++this.calls === this.crashOnCall) throw new Error('process killed');
    return super.publish(topic, records);
  }
}

describe('OrderSyncService against the SP-API simulator', () => {
  let sim: SpApiSimulator;
  let clock: VirtualClock;
  let store: FakeIngestStateStore;
  let factory: SpApiFactory;
  const conn = (settings: Partial<Connection['settings']> = {}): Connection => ({
    id: 'c1',
    name: 'US seller',
    sellerId: seller.sellerId,
    region: 'na',
    marketplaceIds: seller.marketplaces.map((m) => m.id),
    erpKind: 'SAP_B1',
    erpCompany: 'SBODEMOUS',
    enabled: true,
    settings: connectionSettingsSchema.parse({ ordersMode: 'api', ...settings }),
  });
  const creds = {
    amazon: {
      lwaClientId: SIM_LWA_CLIENT.clientId,
      lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
      refreshToken: seller.refreshToken,
    },
  };
  const service = (publisher: FakeEventPublisher, metrics?: ConnectorMetrics) =>
    new OrderSyncService({
      store,
      publisher,
      reports: new ReportRunner(clock, { pollMs: 1000 }),
      clock,
      logger: silentLogger(),
      metrics,
    });
  const api = (c: Connection) => factory.forConnection(c, creds);
  /** Cursor so the next read covers exactly [DAY_START, DAY_START + 1 day). */
  const startAtDay = async () => {
    await store.saveCursor('c1', 'orders', { watermark: DAY_START, state: {} });
    clock = new VirtualClock(DAY_START + DAY + TWO_MINUTE_RULE_MS);
  };
  const expectedDay = () =>
    sim.orders
      .filter(
        (o) =>
          o.sellerId === seller.sellerId &&
          o.status !== 'PENDING' &&
          o.lastUpdatedMs >= DAY_START &&
          o.lastUpdatedMs < DAY_START + DAY,
      )
      .map((o) => o.orderId)
      .sort();
  const ids = (p: FakeEventPublisher) => p.on('amazon.orders.v1').map((r) => r.value.amazonOrderId);

  beforeEach(async () => {
    clock = new VirtualClock(DAY_START + DAY + TWO_MINUTE_RULE_MS);
    sim = new SpApiSimulator({ days: 20, ordersPerDay: 180, speedFactor: 5000, now: () => clock.now() });
    await sim.start();
    store = new FakeIngestStateStore();
    factory = new SpApiFactory(
      { endpoint: sim.url, lwaTokenUrl: `${sim.url}/auth/o2/token`, backoffBaseMs: 1, backoffMaxMs: 5 },
      undefined,
    );
  });
  afterEach(() => sim.close());

  it('when a full day is read, then every priced order is published once, keyed by order id, and a re-read publishes nothing', async () => {
    await startAtDay();
    const publisher = new FakeEventPublisher();
    const c = conn({ ordersOverlapSec: 0 });
    const first = await service(publisher).sync(c, api(c));
    expect(first.mode).toBe('api');
    expect([...ids(publisher)].sort()).toEqual(expectedDay());
    expect(expectedDay().length).toBeGreaterThan(100);
    const rec = publisher.on('amazon.orders.v1')[0];
    expect(rec.key).toBe(`c1/${rec.value.amazonOrderId}`);
    expect(rec.value).toMatchObject({ connectionId: 'c1', source: 'ORDERS_API', changeType: 'CREATED' });
    expect(rec.value.eventId).toBe(`${rec.value.amazonOrderId}@${rec.value.lastUpdateDate}`);
    expect(rec.value.items.length).toBeGreaterThan(0);
    expect(rec.value.items[0].itemPrice?.amount).toMatch(/^\d+(\.\d+)?$/);

    // the same window again (a restart that lost its cursor): nothing new
    await store.saveCursor('c1', 'orders', { watermark: DAY_START, state: {} });
    const again = await service(publisher).sync(c, api(c));
    expect(again.published).toBe(0);
    expect(again.skippedAlreadyPublished).toBe(expectedDay().length);
    expect(ids(publisher)).toHaveLength(expectedDay().length);
  });

  it('when the window overlaps the last one, then only versions not yet published go out, and the watermark respects the 2-minute rule', async () => {
    await startAtDay();
    const publisher = new FakeEventPublisher();
    const c = conn({ ordersOverlapSec: 3600 });
    await service(publisher).sync(c, api(c));
    const before = ids(publisher).length;
    clock.advance(6 * 3_600_000);
    const second = await service(publisher).sync(c, api(c));
    const newer = sim.orders.filter(
      (o) =>
        o.sellerId === seller.sellerId &&
        o.status !== 'PENDING' &&
        o.lastUpdatedMs >= DAY_START + DAY &&
        o.lastUpdatedMs < DAY_START + DAY + 6 * 3_600_000,
    );
    expect(second.published).toBe(newer.length);
    expect(second.skippedAlreadyPublished).toBeGreaterThan(0); // the hour of overlap
    expect(ids(publisher).length).toBe(before + newer.length);
    expect(new Set(ids(publisher)).size).toBe(ids(publisher).length);
    const cursor = await store.getCursor('c1', 'orders');
    expect(cursor!.watermark).toBe(clock.now() - TWO_MINUTE_RULE_MS);
  });

  it('when an order is pending, then it is held, and it is published once it carries prices; a later cancellation is an event of its own', async () => {
    await startAtDay();
    const publisher = new FakeEventPublisher();
    const c = conn({ ordersOverlapSec: 0 });
    const pending = sim.orders.find(
      (o) =>
        o.sellerId === seller.sellerId &&
        o.status === 'PENDING' &&
        o.lastUpdatedMs >= DAY_START &&
        o.lastUpdatedMs < DAY_START + DAY,
    )!;
    expect(pending).toBeDefined();
    const first = await service(publisher).sync(c, api(c));
    expect(first.held).toBeGreaterThan(0);
    expect(ids(publisher)).not.toContain(pending.orderId);
    expect((await store.heldOrders('c1')).map((h) => h.orderId)).toContain(pending.orderId);

    // Amazon prices it an hour later
    pending.status = 'UNSHIPPED';
    pending.lastUpdatedMs = clock.now() - TWO_MINUTE_RULE_MS + 60_000;
    clock.advance(2 * 3_600_000);
    await service(publisher).sync(c, api(c));
    const released = publisher
      .on('amazon.orders.v1')
      .filter((r) => r.value.amazonOrderId === pending.orderId);
    expect(released.map((r) => [r.value.orderStatus, r.value.changeType])).toEqual([
      ['UNSHIPPED', 'CREATED'],
    ]);
    expect(released[0].value.orderTotal).not.toBeNull();
    expect((await store.heldOrders('c1')).map((h) => h.orderId)).not.toContain(pending.orderId);

    // and the buyer cancels
    pending.status = 'CANCELLED';
    pending.lastUpdatedMs = clock.now() - TWO_MINUTE_RULE_MS + 60_000;
    clock.advance(2 * 3_600_000);
    await service(publisher).sync(c, api(c));
    const all = publisher.on('amazon.orders.v1').filter((r) => r.value.amazonOrderId === pending.orderId);
    expect(all.map((r) => [r.value.orderStatus, r.value.changeType])).toEqual([
      ['UNSHIPPED', 'CREATED'],
      ['CANCELLED', 'CANCELED'],
    ]);
  });

  it.each([1, 2])(
    'when the process dies at publish #%i and restarts, then the day arrives complete with no order published twice',
    async (crashAt) => {
      await startAtDay();
      const c = conn({ ordersOverlapSec: 0 });
      const crashing = new CrashingPublisher(crashAt);
      await expect(service(crashing).sync(c, api(c))).rejects.toThrow('process killed');
      expect((await store.getCursor('c1', 'orders'))!.watermark).toBe(DAY_START); // not advanced
      const restarted = new FakeEventPublisher();
      await service(restarted).sync(c, api(c));
      const all = [...ids(crashing), ...ids(restarted)];
      expect(all.sort()).toEqual(expectedDay());
    },
  );

  it('when the window is longer than the report threshold, then the all-orders report is used and yields the same orders', async () => {
    await startAtDay();
    const c = conn({ ordersMode: 'auto', ordersReportAfterHours: 12, ordersOverlapSec: 0 });
    const publisher = new FakeEventPublisher();
    const result = await service(publisher).sync(c, api(c));
    expect(result.mode).toBe('report');
    expect([...ids(publisher)].sort()).toEqual(expectedDay());
    const order = publisher.on('amazon.orders.v1')[0].value;
    expect(order.source).toBe('ORDERS_REPORT');
    expect(order.marketplaceId).toMatch(/^(ATVPDKIKX0DER|A2EUQ1WTGCTBG2)$/);
    expect(order.orderTotal?.amount).toMatch(/^\d+(\.\d+)?$/);
    expect(sim.stats.calls.createReport).toBe(1);
    expect(sim.stats.calls.searchOrders ?? 0).toBe(0);
  });

  it('when the ERP needs buyer details, then they are asked for, kept in the vault, and the event carries only a reference', async () => {
    await startAtDay();
    const c = conn({ ordersOverlapSec: 0, buyerPii: true });
    const kept = new Map<string, Record<string, unknown>>();
    const pii = {
      keep: async (_c: Connection, orderId: string, data: Record<string, unknown>) => {
        kept.set(orderId, data);
        return `pii:c1/${orderId}`;
      },
      read: async () => null,
      purgeExpired: async () => 0,
    };
    const publisher = new FakeEventPublisher();
    await new OrderSyncService({
      store,
      publisher,
      reports: new ReportRunner(clock),
      pii,
      clock,
      logger: silentLogger(),
    }).sync(c, api(c));
    const ev = publisher.on('amazon.orders.v1')[0].value;
    expect(ev.piiRef).toBe(`pii:c1/${ev.amazonOrderId}`);
    expect(kept.get(ev.amazonOrderId)).toEqual({
      buyer: { buyerEmail: expect.stringContaining('@marketplace.amazon.com') as unknown },
      recipient: undefined,
    });
    expect(JSON.stringify(publisher.published)).not.toContain('@marketplace.amazon.com');
  });

  it('when a connection wants a customer per buyer but keeps no PII, then each order carries a hashed buyer key and nothing of the buyer is kept or published', async () => {
    await startAtDay();
    const c = conn({
      ordersOverlapSec: 0,
      orderToCash: {
        customers: 'per-buyer',
        returnsToStock: false,
        customerPrefix: 'AMZ',
        settlementBooking: 'receivable',
        invoicesCarryTax: true,
      },
    });
    let kept = 0;
    const pii = {
      keep: async () => {
        kept++;
        return 'pii:never';
      },
      read: async () => null,
      purgeExpired: async () => 0,
    };
    const publisher = new FakeEventPublisher();
    await new OrderSyncService({
      store,
      publisher,
      reports: new ReportRunner(clock),
      pii,
      clock,
      logger: silentLogger(),
    }).sync(c, api(c));
    const events = publisher.on('amazon.orders.v1').map((r) => r.value);
    expect(events.length).toBeGreaterThan(0);
    for (const ev of events) {
      expect(ev.buyerKey).toMatch(/^[a-z2-7]{52}$/);
      expect(ev.piiRef).toBeNull();
    }
    // the simulator's buyer address is per order: distinct orders, distinct buyers
    expect(new Set(events.map((e) => e.buyerKey)).size).toBe(
      new Set(events.map((e) => e.amazonOrderId)).size,
    );
    expect(kept).toBe(0);
    expect(JSON.stringify(publisher.published)).not.toContain('@marketplace.amazon.com');
  });

  it('when Amazon sends a status the connector does not know, then the order is published as UNKNOWN and the value is counted', async () => {
    await startAtDay();
    const c = conn({ ordersOverlapSec: 0 });
    const odd = sim.orders.find(
      (o) =>
        o.sellerId === seller.sellerId &&
        o.status === 'SHIPPED' &&
        o.lastUpdatedMs >= DAY_START &&
        o.lastUpdatedMs < DAY_START + DAY,
    )!;
    (odd as { status: string }).status = 'ON_THE_MOON';
    const metrics = new ConnectorMetrics('test', { defaultMetrics: false });
    const publisher = new FakeEventPublisher();
    await service(publisher, metrics).sync(c, api(c));
    const ev = publisher.on('amazon.orders.v1').find((r) => r.value.amazonOrderId === odd.orderId)!;
    expect(ev.value.orderStatus).toBe('UNKNOWN');
    expect(await metrics.text()).toMatch(
      /connector_ingest_rejected_total\{[^}]*reason="unexpected_fulfillmentStatus"[^}]*\} 1/,
    );
  });

  it('when Amazon sends one order without its items, then that order is rejected and counted and the others are published', async () => {
    await startAtDay();
    const publisher = new FakeEventPublisher();
    const metrics = new ConnectorMetrics('amazon-ingest', { defaultMetrics: false });
    const c = conn({ ordersOverlapSec: 0 });
    const real = api(c);
    let broken: string | undefined;
    const hostile = Object.create(real) as typeof real;
    hostile.searchOrders = async function* (...args: Parameters<typeof real.searchOrders>) {
      for await (const o of real.searchOrders(...args)) {
        if (!broken && o.fulfillment?.fulfillmentStatus === 'SHIPPED') {
          broken = o.orderId;
          yield { ...o, orderItems: undefined } as unknown as typeof o;
        } else yield o;
      }
    };
    const result = await service(publisher, metrics).sync(c, hostile);
    expect(broken).toBeDefined();
    expect(result.rejected).toBe(1);
    expect(ids(publisher).sort()).toEqual(expectedDay().filter((id) => id !== broken));
    expect(await metrics.text()).toMatch(
      /connector_ingest_rejected_total\{[^}]*reason="malformed_order"[^}]*\} 1/,
    );
  });
});
