import { VirtualClock } from '@connector/core';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import { ItemChangeService } from '../item-change.service';
import { MemoryListingStore } from '../memory-listing.store';
import { FakeMappings, US, itemChange, record, settings } from './fixtures';

describe('ItemChangeService', () => {
  function setup() {
    const mappings = new FakeMappings([]);
    const store = new MemoryListingStore();
    const service = new ItemChangeService({
      connections: {
        get: async (id) => ({
          id,
          enabled: true,
          marketplaceIds: [US],
          settings: { returnPath: settings() },
        }),
      },
      mapping: mappings,
      store,
      publisher: new FakeEventPublisher(),
      clock: new VirtualClock(Date.UTC(2026, 10, 28)),
      logger: silentLogger(),
    });
    return { mappings, store, service };
  }

  it('when an item arrives before its SKU mapping, then it is listed as unmapped, and planned once the mapping arrives', async () => {
    const { mappings, store, service } = setup();
    await service.handle(record(itemChange({ available: 7 })));
    expect(await store.unmapped('c1')).toEqual([{ connectionId: 'c1', itemCode: 'ITEM-1', times: 1 }]);
    expect(store.pendingRows.size).toBe(0);

    expect(await service.mappingArrived('c1', 'OTHER')).toBe(false); // never seen: nothing to plan
    mappings.mappings.push({ sellerSku: 'SKU-1', itemCode: 'ITEM-1' });
    expect(await service.mappingArrived('c1', 'ITEM-1')).toBe(true);
    expect([...store.pendingRows.values()]).toEqual([
      expect.objectContaining({ sellerSku: 'SKU-1', marketplaceId: US, quantity: 7 }),
    ]);
    expect(await store.unmapped('c1')).toEqual([]);
    expect(await service.mappingArrived('c1', 'ITEM-1')).toBe(false); // planned already
  });
});
