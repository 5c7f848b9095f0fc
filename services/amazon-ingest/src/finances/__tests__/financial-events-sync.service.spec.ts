import { VirtualClock } from '@connector/core';
import { connectionSettingsSchema, type Connection } from '@connector/db';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { sumDecimals } from '@connector/money';
import { silentLogger } from '@connector/observability';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { SpApiFactory } from '@connector/sp-api';
import { FakeIngestStateStore } from '../../testing';
import { FinancialEventsSyncService } from '../financial-events-sync.service';
import { mapFinancialEvents } from '../financial-event.mapper';

const NOW = Date.UTC(2026, 10, 20);
const seller = SIM_SELLERS[0];

describe('FinancialEventsSyncService against the SP-API simulator', () => {
  let sim: SpApiSimulator;
  const conn: Connection = {
    id: 'c0',
    name: 'US',
    sellerId: seller.sellerId,
    region: 'na',
    marketplaceIds: seller.marketplaces.map((m) => m.id),
    erpKind: 'SAP_B1',
    erpCompany: 'SBODEMOUS',
    enabled: true,
    settings: connectionSettingsSchema.parse({ backfillDays: 60 }),
  };

  beforeEach(async () => {
    sim = new SpApiSimulator({ days: 56, ordersPerDay: 30, speedFactor: 5000, now: () => NOW });
    await sim.start();
  });
  afterEach(() => sim.close());

  it('when event groups are read, then every event is published once, keyed by group, with exact amounts; a second run publishes nothing', async () => {
    const store = new FakeIngestStateStore();
    const publisher = new FakeEventPublisher();
    const api = new SpApiFactory({
      endpoint: sim.url,
      lwaTokenUrl: `${sim.url}/auth/o2/token`,
    }).forConnection(conn, {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: seller.refreshToken,
      },
    });
    const service = new FinancialEventsSyncService({
      store,
      publisher,
      clock: new VirtualClock(NOW),
      logger: silentLogger(),
    });
    const first = await service.sync(conn, api);
    const events = publisher.on('amazon.financial-events.v1');
    expect(first.published).toBe(events.length);
    expect(events.length).toBeGreaterThan(50);
    expect(new Set(events.map((e) => e.value.eventId)).size).toBe(events.length);
    const shipment = events.find((e) => e.value.eventType === 'ShipmentEvent')!;
    expect(shipment.key).toBe(`c0/${shipment.value.financialEventGroupId}`);
    expect(shipment.value.amazonOrderId).toMatch(/^\d{3}-\d{7}-\d{7}$/);
    expect(new Set(events.flatMap((e) => e.value.components.map((c) => c.kind)))).toEqual(
      new Set(['CHARGE', 'FEE', 'TAX_WITHHELD', 'PROMOTION']),
    );
    for (const e of events)
      expect(e.value.total.amount).toBe(
        sumDecimals(e.value.components.map((c) => c.amount.amount)).toFixed(),
      );

    const second = await service.sync(conn, api);
    expect(second.published).toBe(0);
    expect(second.groups).toBeGreaterThan(0);
    expect(second.closedGroupsDone).toBe(second.groups); // closed groups are not read again
    expect(publisher.on('amazon.financial-events.v1')).toHaveLength(events.length);
  });

  it('when the backfill reaches further back than 180 days, then groups are asked for window by window and still found', async () => {
    const far = { ...conn, settings: connectionSettingsSchema.parse({ backfillDays: 400 }) };
    const api = new SpApiFactory({
      endpoint: sim.url,
      lwaTokenUrl: `${sim.url}/auth/o2/token`,
    }).forConnection(far, {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: seller.refreshToken,
      },
    });
    const service = new FinancialEventsSyncService({
      store: new FakeIngestStateStore(),
      publisher: new FakeEventPublisher(),
      clock: new VirtualClock(NOW),
      logger: silentLogger(),
    });
    // Amazon answers a range over 180 days with no groups at all (FACTS §5.1)
    const result = await service.sync(far, api);
    const deposited = sim.settlements.filter((s) => s.sellerId === seller.sellerId && s.depositMs <= NOW);
    expect(result.groups).toBe(deposited.length);
  });

  it('when an event type has no known component shape, then its amounts still come through as adjustments; identical twins get distinct ids', () => {
    const page = {
      NewShinyEventList: [
        {
          PostedDate: '2026-10-01T00:00:00Z',
          SurpriseAmount: { CurrencyCode: 'USD', CurrencyAmount: '1.10' },
        },
        {
          PostedDate: '2026-10-01T00:00:00Z',
          SurpriseAmount: { CurrencyCode: 'USD', CurrencyAmount: '1.10' },
        },
      ],
    };
    const out = mapFinancialEvents(page as never, {
      connectionId: 'c',
      groupId: 'G',
      observedAt: 0,
      seen: new Map(),
    });
    expect(out.map((e) => [e.eventType, e.components[0].kind, e.total.amount])).toEqual([
      ['NewShinyEvent', 'ADJUSTMENT', '1.1'],
      ['NewShinyEvent', 'ADJUSTMENT', '1.1'],
    ]);
    expect(out[0].eventId).not.toBe(out[1].eventId);
  });
});
