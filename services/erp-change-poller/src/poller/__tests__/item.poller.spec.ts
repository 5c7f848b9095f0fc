import { connectionSettingsSchema, type Connection } from '@connector/db';
import { capabilitiesOf, type ErpItemSnapshot } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { ConnectorMetrics, silentLogger } from '@connector/observability';
import { FakePollStateStore } from '../../poll-state/fake-poll-state.store';
import { ItemPoller, type PollerDeps } from '../item.poller';

const conn = (returnPath: object = {}): Connection => ({
  id: 'c1',
  name: 'c1',
  sellerId: 'S1',
  region: 'na',
  marketplaceIds: ['ATVPDKIKX0DER'],
  erpKind: 'SAP_B1',
  erpCompany: 'SBODEMO',
  enabled: true,
  settings: connectionSettingsSchema.parse({
    returnPath: { erpSafetyLagSec: 60, erpPageSize: 10, fullScanIntervalSec: 3600, ...returnPath },
  }),
});

const item = (code: string, changedAt: string, over: Partial<ErpItemSnapshot> = {}): ErpItemSnapshot => ({
  itemCode: code,
  description: `Item ${code}`,
  active: true,
  changedAt,
  prices: [{ priceList: '1', price: '10.00', currency: 'USD' }],
  quantities: [
    { warehouseCode: '01', onHand: '10', committed: '2' },
    { warehouseCode: '02', onHand: '5', committed: '0' },
  ],
  ...over,
});

function setup(erp = new FakeErp(), owner = 'poller-a', state = new FakePollStateStore()) {
  const publisher = new FakeEventPublisher();
  const metrics = new ConnectorMetrics('test', { defaultMetrics: false });
  const deps: PollerDeps = { state, publisher, logger: silentLogger(), metrics, owner, leaseMs: 60_000 };
  const published = () => publisher.on('erp.item-changes.v1').map((r) => r.value);
  return { erp, state, publisher, metrics, poller: new ItemPoller(deps), published };
}

describe('ItemPoller', () => {
  it('when items change, then each is published once as a keyed snapshot, and a poll without changes publishes nothing', async () => {
    const { erp, poller, publisher, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    erp.items.set('A', item('A', '2026-11-01T10:00:00.000Z'));
    erp.items.set('B', item('B', '2026-11-01T11:00:00.000Z'));

    await poller.run(conn(), erp);
    const first = published();
    // the first full scan (SAP B1 stock moves bump no date) brings each item with its stock; the change read agrees
    expect(first.map((e) => e.itemCode).sort()).toEqual(['A', 'B']);
    expect(
      publisher
        .on('erp.item-changes.v1')
        .map((r) => r.key)
        .sort(),
    ).toEqual(['c1/A', 'c1/B']);
    expect(first[0]).toMatchObject({
      connectionId: 'c1',
      erpKind: 'SAP_B1',
      prices: [{ priceList: '1', price: { amount: '10.0000', currency: 'USD' } }],
      available: 13,
      source: 'FULL_SCAN',
    });
    expect(first[0].eventId).toMatch(/^c1\/A@[0-9a-f]{16}$/);

    erp.clock = '2026-11-01T12:10:00.000Z';
    await poller.run(conn(), erp);
    expect(published()).toHaveLength(2);
  });

  it('when a row changes after the window end (the ERP clock minus the safety lag), then it waits for the next poll', async () => {
    const { erp, poller, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    await poller.run(conn(), erp); // the first scan: nothing yet
    erp.items.set('A', item('A', '2026-11-01T11:59:30.000Z', { quantities: null })); // lag is 60 s
    erp.clock = '2026-11-01T12:00:01.000Z';
    await poller.run(conn(), erp);
    expect(published()).toEqual([]);

    erp.clock = '2026-11-01T12:01:00.000Z';
    await poller.run(conn(), erp);
    expect(published().map((e) => [e.itemCode, e.source])).toEqual([['A', 'CHANGE_POLL']]);
  });

  it('when 25 rows share one change time across pages of 10, then every row is published exactly once', async () => {
    const { erp, poller, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    await poller.run(conn(), erp); // the first scan: nothing yet
    for (let i = 0; i < 25; i++) {
      const code = `I${String(i).padStart(2, '0')}`;
      erp.items.set(code, item(code, '2026-11-01T10:00:00.000Z', { quantities: null }));
    }
    await poller.run(conn(), erp);
    const codes = published()
      .filter((e) => e.source === 'CHANGE_POLL')
      .map((e) => e.itemCode);
    expect(codes).toHaveLength(25);
    expect(new Set(codes).size).toBe(25);
  });

  it('when publishing fails, then the cursor stays, and the next poll publishes the same events again', async () => {
    const { erp, poller, publisher, state, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    erp.items.set('A', item('A', '2026-11-01T10:00:00.000Z'));
    const publish = publisher.publish.bind(publisher);
    publisher.publish = () => Promise.reject(new Error('broker down'));
    await expect(poller.run(conn(), erp)).rejects.toThrow('broker down');
    expect((await state.cursor('c1', 'erp-items')).after).toBeNull();

    publisher.publish = publish;
    await poller.run(conn(), erp);
    expect(published().map((e) => e.itemCode)).toEqual(['A']);
    expect((await state.cursor('c1', 'erp-items')).after).toEqual({
      changedAt: '2026-11-01T10:00:00.000Z',
      key: 'A',
    });
  });

  it('when stock moves without bumping the change date, then the full scan finds it, once per interval by the ERP clock', async () => {
    const { erp, poller, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    erp.items.set('A', item('A', '2026-11-01T10:00:00.000Z'));
    await poller.run(conn(), erp);
    expect(published()).toHaveLength(1);

    // goods shipped: on hand 10 → 4, committed 2 → 0, change date untouched
    erp.items.get('A')!.quantities![0] = { warehouseCode: '01', onHand: '4', committed: '0' };
    erp.clock = '2026-11-01T12:30:00.000Z'; // scan not due (interval 1 h)
    await poller.run(conn(), erp);
    expect(published()).toHaveLength(1);
    expect(erp.calls.filter((c) => c === 'scanItems')).toHaveLength(1);

    erp.clock = '2026-11-01T13:00:00.000Z';
    await poller.run(conn(), erp);
    expect(published()).toHaveLength(2);
    expect(published()[1]).toMatchObject({ itemCode: 'A', available: 9, source: 'FULL_SCAN' });
  });

  it('when the ERP bumps the change date on stock moves, then no full scan runs', async () => {
    const erp = new FakeErp({ ...capabilitiesOf('SAP_B1')!, stockMovesChangeDate: true });
    const { poller } = setup(erp);
    erp.items.set('A', item('A', '2026-10-31T10:00:00.000Z'));
    await poller.run(conn(), erp);
    expect(erp.calls).not.toContain('scanItems');
  });

  it('when a change read carries no stock, then the stock last published is kept', async () => {
    const { erp, poller, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    erp.items.set('A', item('A', '2026-11-01T10:00:00.000Z'));
    await poller.run(conn(), erp); // change read (no stock) + full scan (stock)
    erp.items.get('A')!.prices[0].price = '12.50';
    erp.items.get('A')!.changedAt = '2026-11-01T12:05:00.000Z';
    erp.clock = '2026-11-01T12:10:00.000Z';
    await poller.run(conn(), erp);
    const last = published().at(-1)!;
    expect(last).toMatchObject({ source: 'CHANGE_POLL', available: 13 });
    expect(last.prices?.[0]?.price.amount).toBe('12.5000');
  });

  it("when the connection's rule names warehouses and a safety stock, then available is the free stock of those, never below 0", async () => {
    const { erp, poller, published } = setup();
    erp.clock = '2026-11-01T12:00:00.000Z';
    erp.items.set(
      'A',
      item('A', '2026-11-01T10:00:00.000Z', {
        quantities: [
          { warehouseCode: '01', onHand: '10.7', committed: '2.2' }, // 10 − 3 = 7 whole units
          { warehouseCode: '02', onHand: '5', committed: '0' },
        ],
      }),
    );
    erp.items.set(
      'B',
      item('B', '2026-11-01T10:00:00.000Z', {
        quantities: [{ warehouseCode: '01', onHand: '1', committed: '3' }],
      }),
    );
    await poller.run(conn({ warehouses: ['01'], safetyStock: 2 }), erp);
    const byCode = Object.fromEntries(published().map((e) => [e.itemCode, e]));
    expect(byCode.A).toMatchObject({
      warehouses: [{ warehouseCode: '01', onHand: 10, committed: 3 }],
      safetyStock: 2,
      available: 5,
    });
    expect(byCode.B.available).toBe(0);
  });

  it('when Sage 300 dates carry no time and an item changes twice in a day, then both states are published', async () => {
    const erp = new FakeErp(capabilitiesOf('SAGE300'));
    const { poller, published } = setup(erp);
    erp.clock = '2026-11-01T08:00:00.000Z';
    await poller.run(conn(), erp); // the first scan: nothing yet
    erp.items.set('A', item('A', '2026-11-01T00:00:00.000Z', { quantities: null }));
    erp.clock = '2026-11-01T09:00:00.000Z';
    await poller.run(conn({ fullScanIntervalSec: 86_400 }), erp);
    erp.items.get('A')!.prices[0].price = '11.00'; // same day: DateLastMaintained does not move
    erp.clock = '2026-11-01T15:00:00.000Z';
    await poller.run(conn({ fullScanIntervalSec: 86_400 }), erp);
    const prices = published()
      .filter((e) => e.source === 'CHANGE_POLL')
      .map((e) => e.prices?.[0]?.price.amount);
    expect(prices).toEqual(['10.0000', '11.0000']);
  });

  it('when another replica holds the stream, then this one reads nothing until the lease expires', async () => {
    const state = new FakePollStateStore();
    let now = 1_000_000;
    state.now = () => now;
    const a = setup(new FakeErp(), 'poller-a', state);
    const b = setup(a.erp, 'poller-b', state);
    a.erp.items.set('A', item('A', '2026-10-31T10:00:00.000Z'));
    await a.poller.run(conn(), a.erp);
    expect(await b.poller.run(conn(), a.erp)).toBe('leased-elsewhere');
    expect(b.published()).toEqual([]);
    now += 61_000;
    expect(await b.poller.run(conn(), a.erp)).not.toBe('leased-elsewhere');
  });
});
