import { NonRetriableError } from '@connector/core';
import type { CustomerMapping, GlAccountMapping, SkuMapping, TopicName } from '@connector/events';

export const MAPPING_TOPICS = [
  'mapping.skus.v1',
  'mapping.customers.v1',
  'mapping.gl-accounts.v1',
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

/**
 * The latest value of each key of the compacted mapping topics (last write wins, a tombstone
 * deletes). Keys are `<connectionId>/<naturalKey>` as the catalogue says; values carry their own
 * fields, which is what lookups use.
 */
export class MappingCache implements MappingLookup {
  private readonly skus = new Map<string, SkuMapping>();
  private readonly customers = new Map<string, CustomerMapping>();
  private readonly accounts = new Map<string, GlAccountMapping>();

  apply(
    topic: MappingTopic,
    key: string,
    value: SkuMapping | CustomerMapping | GlAccountMapping | null,
  ): void {
    const map =
      topic === 'mapping.skus.v1'
        ? this.skus
        : topic === 'mapping.customers.v1'
          ? this.customers
          : this.accounts;
    if (value === null) return this.remove(topic, key);
    const id =
      topic === 'mapping.skus.v1'
        ? skuKey(
            value.connectionId,
            (value as SkuMapping).sellerSku,
            (value as SkuMapping).marketplaceId ?? null,
          )
        : topic === 'mapping.customers.v1'
          ? `${value.connectionId}|${(value as CustomerMapping).marketplaceId}`
          : key;
    (map as Map<string, unknown>).set(id, value);
    if (id !== key) this.aliases.set(`${topic}|${key}`, id);
  }

  /** record key → internal id, so a tombstone on the record key removes the right entry */
  private readonly aliases = new Map<string, string>();

  remove(topic: MappingTopic, key: string): void {
    const id = this.aliases.get(`${topic}|${key}`) ?? key;
    const map =
      topic === 'mapping.skus.v1'
        ? this.skus
        : topic === 'mapping.customers.v1'
          ? this.customers
          : this.accounts;
    map.delete(id);
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

  get size(): number {
    return this.skus.size + this.customers.size + this.accounts.size;
  }
}

const skuKey = (connectionId: string, sku: string, marketplaceId: string | null) =>
  `${connectionId}|${sku}|${marketplaceId ?? '*'}`;
