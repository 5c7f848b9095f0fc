import { returnPathSettingsSchema, type ReturnPathSettings } from '@connector/db';
import type { ErpItemChange, SkuMapping } from '@connector/events';
import type { ConsumedRecord } from '@connector/kafka';
import type { SkuLookup } from '../planner';

export const US = 'ATVPDKIKX0DER';
export const CA = 'A2EUQ1WTGCTBG2';

export const settings = (over: Partial<ReturnPathSettings> = {}): ReturnPathSettings =>
  returnPathSettingsSchema.parse({
    prices: { [US]: { priceList: '1', currency: 'USD', floor: '5.00', ceiling: '500.00' } },
    coalesceSec: 0,
    feedThreshold: 10,
    ...over,
  });

export function itemChange(over: Partial<ErpItemChange> = {}): ErpItemChange {
  return {
    eventId: 'c1/ITEM-1@x',
    connectionId: 'c1',
    itemCode: 'ITEM-1',
    erpKind: 'SAP_B1',
    description: null,
    active: true,
    prices: [{ priceList: '1', price: { amount: '12.5000', currency: 'USD' } }],
    warehouses: [{ warehouseCode: '01', onHand: 10, committed: 0 }],
    safetyStock: 0,
    available: 10,
    changedAt: Date.UTC(2026, 10, 27),
    source: 'CHANGE_POLL',
    observedAt: null,
    ...over,
  };
}

export function record(value: ErpItemChange, offset = '0'): ConsumedRecord<ErpItemChange> {
  return {
    topic: 'erp.item-changes.v1',
    partition: 0,
    offset,
    key: `${value.connectionId}/${value.itemCode}`,
    value,
    headers: {},
    timestamp: String(Date.now()),
  };
}

/** Mappings in memory, resolved as MappingCache resolves them (specific marketplace first). */
export class FakeMappings implements SkuLookup {
  constructor(readonly mappings: Array<Partial<SkuMapping> & Pick<SkuMapping, 'sellerSku' | 'itemCode'>>) {}
  private full(m: Partial<SkuMapping> & Pick<SkuMapping, 'sellerSku' | 'itemCode'>): SkuMapping {
    return {
      eventId: 'e',
      connectionId: 'c1',
      marketplaceId: null,
      unitsPerSku: 1,
      active: true,
      updatedAt: 0,
      ...m,
    };
  }
  skusOfItem(connectionId: string, itemCode: string): SkuMapping[] {
    return this.mappings
      .map((m) => this.full(m))
      .filter((m) => m.connectionId === connectionId && m.itemCode === itemCode);
  }
  sku(connectionId: string, sellerSku: string, marketplaceId: string): SkuMapping {
    const all = this.mappings
      .map((m) => this.full(m))
      .filter((m) => m.connectionId === connectionId && m.sellerSku === sellerSku);
    const m = all.find((x) => x.marketplaceId === marketplaceId) ?? all.find((x) => !x.marketplaceId);
    if (!m) throw new Error('unmapped');
    return m;
  }
}
