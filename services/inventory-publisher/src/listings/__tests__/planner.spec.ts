import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { ItemChangeService } from '../item-change.service';
import { listingId, type CatalogueEntry, type PendingUpdate } from '../listing.types';
import { MemoryListingStore } from '../memory-listing.store';
import { planItemChange, targetsOf, type PlanState } from '../planner';
import { CA, FakeMappings, US, itemChange, record, settings } from './fixtures';

const empty = (): PlanState => ({ catalogue: new Map(), accepted: new Map(), pending: new Map() });
const key = (sellerSku: string, marketplaceId = US) => ({ connectionId: 'c1', sellerSku, marketplaceId });
const fba = (sellerSku: string): CatalogueEntry => ({
  ...key(sellerSku),
  asin: 'B0',
  fba: true,
  productType: null,
  source: 'report',
});

describe('listing planner', () => {
  it('when a multipack SKU is mapped to the item, then its quantity is the whole packs the stock makes', () => {
    const ev = itemChange({ available: 10 });
    const targets = targetsOf(
      ev,
      [US],
      new FakeMappings([
        { sellerSku: 'SIX', itemCode: 'ITEM-1', unitsPerSku: 6 },
        { sellerSku: 'ONE', itemCode: 'ITEM-1' },
      ]),
    );
    const plan = planItemChange(ev, targets, settings(), empty());
    expect(plan.updates).toEqual([
      expect.objectContaining({ sellerSku: 'SIX', quantity: 1, price: '12.5', currency: 'USD' }),
      expect.objectContaining({ sellerSku: 'ONE', quantity: 10, price: '12.5', currency: 'USD' }),
    ]);
  });

  it('when a marketplace-specific mapping names another item, then the general one does not send to that marketplace', () => {
    const mappings = new FakeMappings([
      { sellerSku: 'A', itemCode: 'ITEM-1' },
      { sellerSku: 'A', itemCode: 'ITEM-2', marketplaceId: CA },
      { sellerSku: 'B', itemCode: 'ITEM-1', marketplaceId: CA },
    ]);
    const targets = targetsOf(itemChange(), [US, CA], mappings);
    expect(targets.map(listingId).sort()).toEqual(['c1/A/ATVPDKIKX0DER', 'c1/B/A2EUQ1WTGCTBG2']);
  });

  it('when the SKU is FBA, then no quantity is planned, SKIPPED_FBA is reported, and the price still goes', () => {
    const ev = itemChange();
    const targets = targetsOf(ev, [US], new FakeMappings([{ sellerSku: 'F', itemCode: 'ITEM-1' }]));
    const state = empty();
    state.catalogue.set(listingId(key('F')), fba('F'));
    const plan = planItemChange(ev, targets, settings(), state);
    expect(plan.results).toEqual([
      expect.objectContaining({ sellerSku: 'F', status: 'SKIPPED_FBA', quantity: null }),
    ]);
    expect(plan.updates).toEqual([
      expect.objectContaining({ sellerSku: 'F', quantity: null, price: '12.5' }),
    ]);
  });

  it.each([
    ['4.99', 'PRICE_BELOW_FLOOR'],
    ['500.01', 'PRICE_ABOVE_CEILING'],
    ['0', 'PRICE_NOT_POSITIVE'],
  ])(
    'when the price is %s, then it is refused with %s and reported INVALID, and the quantity still goes',
    (amount, code) => {
      const ev = itemChange({ prices: [{ priceList: '1', price: { amount, currency: 'USD' } }] });
      const targets = targetsOf(ev, [US], new FakeMappings([{ sellerSku: 'P', itemCode: 'ITEM-1' }]));
      const plan = planItemChange(ev, targets, settings(), empty());
      expect(plan.results).toEqual([
        expect.objectContaining({
          status: 'INVALID',
          issues: [expect.objectContaining({ code })],
          price: { amount, currency: 'USD' },
        }),
      ]);
      expect(plan.updates).toEqual([expect.objectContaining({ quantity: 10, price: null })]);
    },
  );

  it('when the price list is in another currency than the marketplace, then the price is refused', () => {
    const ev = itemChange({ prices: [{ priceList: '1', price: { amount: '12.00', currency: 'EUR' } }] });
    const targets = targetsOf(ev, [US], new FakeMappings([{ sellerSku: 'P', itemCode: 'ITEM-1' }]));
    expect(planItemChange(ev, targets, settings(), empty()).results[0].issues[0].code).toBe(
      'PRICE_CURRENCY_MISMATCH',
    );
  });

  it('when Amazon already has the values, then nothing is planned; while a change waits, the values replace it', () => {
    const ev = itemChange();
    const targets = targetsOf(ev, [US], new FakeMappings([{ sellerSku: 'N', itemCode: 'ITEM-1' }]));
    const state = empty();
    state.accepted.set(listingId(key('N')), {
      ...key('N'),
      quantity: 10,
      price: '12.50',
      currency: 'USD',
      submissionId: 's',
    });
    const noop = planItemChange(ev, targets, settings(), state);
    expect(noop).toMatchObject({ updates: [], noops: 1 });
    state.pending.set(listingId(key('N')), { ...key('N'), quantity: 3 } as PendingUpdate);
    expect(planItemChange(ev, targets, settings(), state).updates).toEqual([
      expect.objectContaining({ quantity: 10, price: '12.5' }),
    ]);
  });

  it('when quantities are off or the ERP has no stock figures, then only the price is planned; an inactive item gets 0', () => {
    const targets = targetsOf(itemChange(), [US], new FakeMappings([{ sellerSku: 'Q', itemCode: 'ITEM-1' }]));
    expect(
      planItemChange(itemChange(), targets, settings({ syncQuantity: false }), empty()).updates[0].quantity,
    ).toBeNull();
    expect(
      planItemChange(itemChange({ available: null, warehouses: null }), targets, settings(), empty())
        .updates[0].quantity,
    ).toBeNull();
    expect(
      planItemChange(itemChange({ active: false }), targets, settings(), empty()).updates[0].quantity,
    ).toBe(0);
    expect(planItemChange(itemChange(), targets, settings({ prices: {} }), empty()).updates[0]).toMatchObject(
      { price: null, quantity: 10 },
    );
  });
});

describe('item change service', () => {
  const connections = {
    get: async () => ({
      id: 'c1',
      enabled: true,
      marketplaceIds: [US],
      settings: { returnPath: settings({ coalesceSec: 30 }) },
    }),
  } as never;

  it('when an item has no SKU, then it is counted and listed, and nothing is planned', async () => {
    const store = new MemoryListingStore();
    const svc = new ItemChangeService({
      connections,
      mapping: new FakeMappings([]),
      store,
      publisher: new FakeEventPublisher(),
      clock: { now: () => 1000, sleep: async () => undefined },
      logger: silentLogger(),
    });
    await svc.handle(record(itemChange()));
    await svc.handle(record(itemChange()));
    expect(await store.unmapped('c1')).toEqual([{ connectionId: 'c1', itemCode: 'ITEM-1', times: 2 }]);
    expect(store.pendingRows.size).toBe(0);
  });

  it('when two changes of one SKU come within the window, then one pending update holds the last values, due at the first change + the window', async () => {
    const store = new MemoryListingStore();
    let now = 1000;
    const publisher = new FakeEventPublisher();
    const svc = new ItemChangeService({
      connections,
      mapping: new FakeMappings([{ sellerSku: 'S', itemCode: 'ITEM-1' }]),
      store,
      publisher,
      clock: { now: () => now, sleep: async () => undefined },
      logger: silentLogger(),
    });
    await svc.handle(record(itemChange({ available: 7 }), '1'));
    now = 20_000;
    await svc.handle(record(itemChange({ available: 4 }), '2'));
    const [p] = [...store.pendingRows.values()];
    expect(p).toMatchObject({ quantity: 4, price: '12.5', firstMs: 1000, dueMs: 31_000, version: 2 });
    expect(p.source.offset).toBe('2');
  });
});
