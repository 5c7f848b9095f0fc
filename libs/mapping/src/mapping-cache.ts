import { NonRetriableError } from '@connector/core';
import type {
  CarrierMapping,
  CustomerMapping,
  GlAccountMapping,
  SkuMapping,
  TopicName,
} from '@connector/events';

export const MAPPING_TOPICS = [
  'mapping.skus.v1',
  'mapping.customers.v1',
  'mapping.gl-accounts.v1',
  'mapping.carriers.v1',
] as const satisfies readonly TopicName[];
export type MappingTopic = (typeof MAPPING_TOPICS)[number];

/** A SKU, marketplace or account without a mapping: fix the mapping topic, then replay the dead letter. */
export class UnmappedError extends NonRetriableError {
  constructor(code: 'UNMAPPED_SKU' | 'UNMAPPED_CUSTOMER' | 'UNMAPPED_GL_ACCOUNT', message: string) {
    super(code, message);
  }
}

export interface MappingLookup {
  /** The ERP item for a seller SKU: a marketplace-specific mapping wins over the general one. */
  sku(connectionId: string, sellerSku: string, marketplaceId: string): SkuMapping;
  customer(connectionId: string, marketplaceId: string): CustomerMapping;
}

type MappingValue = SkuMapping | CustomerMapping | GlAccountMapping | CarrierMapping;

/** The id each topic's values are kept under: what lookups ask for, whatever the record key was. */
const idOf: Record<MappingTopic, (key: string, v: never) => string> = {
  'mapping.skus.v1': (_k, v: SkuMapping) => skuKey(v.connectionId, v.sellerSku, v.marketplaceId ?? null),
  'mapping.customers.v1': (_k, v: CustomerMapping) => `${v.connectionId}|${v.marketplaceId}`,
  'mapping.gl-accounts.v1': (k) => k,
  'mapping.carriers.v1': (_k, v: CarrierMapping) => `${v.connectionId}|${v.erpCarrierCode}`,
};

/**
 * The latest value of each key of the compacted mapping topics (last write wins, a tombstone
 * deletes). Keys are `<connectionId>/<naturalKey>` as the catalogue says; values carry their own
 * fields, which is what lookups use.
 */
export class MappingCache implements MappingLookup {
  private readonly tables: { [T in MappingTopic]: Map<string, MappingValue> } = {
    'mapping.skus.v1': new Map(),
    'mapping.customers.v1': new Map(),
    'mapping.gl-accounts.v1': new Map(),
    'mapping.carriers.v1': new Map(),
  };
  private get skus() {
    return this.tables['mapping.skus.v1'] as Map<string, SkuMapping>;
  }
  private get customers() {
    return this.tables['mapping.customers.v1'] as Map<string, CustomerMapping>;
  }
  private get accounts() {
    return this.tables['mapping.gl-accounts.v1'] as Map<string, GlAccountMapping>;
  }
  private get carriers() {
    return this.tables['mapping.carriers.v1'] as Map<string, CarrierMapping>;
  }

  apply(topic: MappingTopic, key: string, value: MappingValue | null): void {
    if (value === null) return this.remove(topic, key);
    const id = idOf[topic](key, value as never);
    if (topic === 'mapping.skus.v1') this.indexSku(id, value as SkuMapping);
    this.tables[topic].set(id, value);
    if (id !== key) this.aliases.set(`${topic}|${key}`, id);
    if (topic === 'mapping.skus.v1') for (const l of this.skuListeners) l(value as SkuMapping);
  }

  private readonly skuListeners: Array<(m: SkuMapping) => void> = [];

  /** Calls `listener` with every SKU mapping applied from now on (inventory-publisher plans the items that waited for one). */
  onSkuMapping(listener: (m: SkuMapping) => void): void {
    this.skuListeners.push(listener);
  }

  /** `<connectionId>|<itemCode>` → the ids of the SKU mappings of that item, for `skusOfItem` */
  private readonly skusByItem = new Map<string, Set<string>>();

  private indexSku(id: string, value: SkuMapping | undefined): void {
    const old = this.skus.get(id);
    if (old) this.skusByItem.get(`${old.connectionId}|${old.itemCode}`)?.delete(id);
    if (!value) return;
    const k = `${value.connectionId}|${value.itemCode}`;
    const ids = this.skusByItem.get(k) ?? new Set<string>();
    ids.add(id);
    this.skusByItem.set(k, ids);
  }

  /** record key → internal id, so a tombstone on the record key removes the right entry */
  private readonly aliases = new Map<string, string>();

  remove(topic: MappingTopic, key: string): void {
    const id = this.aliases.get(`${topic}|${key}`) ?? key;
    if (topic === 'mapping.skus.v1') this.indexSku(id, undefined);
    this.tables[topic].delete(id);
  }

  sku(connectionId: string, sellerSku: string, marketplaceId: string): SkuMapping {
    const m =
      this.skus.get(skuKey(connectionId, sellerSku, marketplaceId)) ??
      this.skus.get(skuKey(connectionId, sellerSku, null));
    if (!m || m.active === false)
      throw new UnmappedError(
        'UNMAPPED_SKU',
        `SKU "${sellerSku}" (marketplace ${marketplaceId}) has no ERP item in mapping.skus.v1 for connection ${connectionId}`,
      );
    return m;
  }

  customer(connectionId: string, marketplaceId: string): CustomerMapping {
    const m = this.customers.get(`${connectionId}|${marketplaceId}`);
    if (!m)
      throw new UnmappedError(
        'UNMAPPED_CUSTOMER',
        `marketplace ${marketplaceId} has no ERP customer in mapping.customers.v1 for connection ${connectionId}`,
      );
    return m;
  }

  /** The GL account mappings of one connection (the settlement reconciler's rules). */
  glAccounts(connectionId: string): GlAccountMapping[] {
    return [...this.accounts.values()].filter((m) => m.connectionId === connectionId);
  }

  /** The customer of a marketplace, or undefined (callers that can do without one). */
  findCustomer(connectionId: string, marketplaceId: string): CustomerMapping | undefined {
    return this.customers.get(`${connectionId}|${marketplaceId}`);
  }

  /**
   * The SKUs an ERP item is sold as, the other way round from `sku()`: every active mapping of the
   * item, marketplace-specific ones with their marketplace and general ones with none.
   */
  skusOfItem(connectionId: string, itemCode: string): SkuMapping[] {
    return [...(this.skusByItem.get(`${connectionId}|${itemCode}`) ?? [])]
      .map((id) => this.skus.get(id)!)
      .filter((m) => m.active !== false);
  }

  /** Every active SKU mapping of one connection (connection ping checks their items exist). */
  skusOf(connectionId: string): SkuMapping[] {
    return [...this.skus.values()].filter((m) => m.connectionId === connectionId && m.active !== false);
  }

  /** The customer mappings of one connection. */
  customersOf(connectionId: string): CustomerMapping[] {
    return [...this.customers.values()].filter((m) => m.connectionId === connectionId);
  }

  /** The Amazon carrier of an ERP ship-via code, or undefined when it has no (active) mapping. */
  carrier(connectionId: string, erpCarrierCode: string): CarrierMapping | undefined {
    const m = this.carriers.get(`${connectionId}|${erpCarrierCode}`);
    return m && m.active !== false ? m : undefined;
  }

  get size(): number {
    return Object.values(this.tables).reduce((n, t) => n + t.size, 0);
  }
}

const skuKey = (connectionId: string, sku: string, marketplaceId: string | null) =>
  `${connectionId}|${sku}|${marketplaceId ?? '*'}`;
