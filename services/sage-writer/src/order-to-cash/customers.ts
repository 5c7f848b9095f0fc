import { NonRetriableError, isRetriable } from '@connector/core';
import { shipToOf, type BuyerPiiVault, type Db, type OrderToCashSettings } from '@connector/db';
import { ErpValidationError, buyerCustomerCode, type ErpPort, type ShipToAddress } from '@connector/erp';
import type { AmazonOrder } from '@connector/events';

/** Which buyer key each per-buyer customer code was made for (table buyer_customers). */
export interface BuyerCustomerStore {
  /** records `buyerKey` as the holder of `code` unless another holds it; returns the holder */
  claim(connectionId: string, code: string, buyerKey: string): Promise<string>;
}

export class KnexBuyerCustomerStore implements BuyerCustomerStore {
  constructor(private readonly db: Db) {}
  async claim(connectionId: string, code: string, buyerKey: string): Promise<string> {
    await this.db('buyer_customers')
      .insert({ connection_id: connectionId, customer_code: code, buyer_key: buyerKey })
      .onConflict(['connection_id', 'customer_code'])
      .ignore();
    const row: { buyer_key: string } | undefined = await this.db('buyer_customers')
      .where({ connection_id: connectionId, customer_code: code })
      .first('buyer_key');
    return row!.buyer_key;
  }
}

export class MemoryBuyerCustomerStore implements BuyerCustomerStore {
  readonly holders = new Map<string, string>();
  async claim(connectionId: string, code: string, buyerKey: string): Promise<string> {
    const k = `${connectionId}|${code}`;
    if (!this.holders.has(k)) this.holders.set(k, buyerKey);
    return this.holders.get(k)!;
  }
}

/** The buyer's name and address from the PII vault, or null (not kept, or purged: it never comes back). */
export type BuyerPiiOf = (
  connectionId: string,
  amazonOrderId: string,
) => Promise<{ name?: string; address?: ShipToAddress } | null>;

/** BuyerPiiOf over the vault: the buyer's name (buyer.buyerName, else the recipient's) and delivery address. */
export function buyerPiiFromVault(vault: Pick<BuyerPiiVault, 'read'>): BuyerPiiOf {
  return async (connectionId, orderId) => {
    const pii = await vault.read(connectionId, orderId);
    if (!pii) return null;
    const address = (await shipToOf({ read: async () => pii }, connectionId, orderId)) ?? undefined;
    const buyerName = (pii.buyer as { buyerName?: unknown } | undefined)?.buyerName;
    const name = typeof buyerName === 'string' && buyerName ? buyerName : address?.name;
    return name || address ? { ...(name ? { name } : {}), ...(address ? { address } : {}) } : null;
  };
}

/**
 * The ERP customer an order is written to (docs/order-to-cash.md, "Customers per buyer"): the
 * marketplace's mapped customer, or, for a connection with `customers: per-buyer` and an order that
 * carries a buyer key, the buyer's own customer `buyerCustomerCode(prefix, key, ERP length)`, found
 * in the ERP or created there from the marketplace's customer as template. The name and address come
 * from the PII vault only while the connection keeps PII and the vault still holds it; otherwise the
 * name is "Amazon buyer <code>" and there is no address. A customer created by another writer
 * between our find and create is taken as found. Codes known to exist are cached per process (codes
 * only, never PII).
 */
export class CustomerResolver {
  private readonly known = new Set<string>();

  constructor(
    private readonly deps: {
      store: BuyerCustomerStore;
      buyerPii?: BuyerPiiOf;
      keepsPii: (connectionId: string) => Promise<boolean>;
    },
  ) {}

  async customerFor(
    order: AmazonOrder,
    erp: ErpPort,
    settings: OrderToCashSettings,
    marketplace: { customerCode: string; currency: string },
  ): Promise<string> {
    if (settings.customers !== 'per-buyer' || !order.buyerKey) return marketplace.customerCode;
    if (!erp.capabilities.customers)
      throw new NonRetriableError(
        'ERP_UNSUPPORTED',
        `connection ${order.connectionId} wants a customer per buyer, but the ${erp.capabilities.kind} connector cannot create customers: keep one customer per marketplace`,
      );
    const code = buyerCustomerCode(
      settings.customerPrefix,
      order.buyerKey,
      erp.capabilities.customerCodeMaxLength,
    );
    // keyed by the buyer too: a second buyer whose key gives the same code must reach the claim
    const cacheKey = `${order.connectionId}|${code}|${order.buyerKey}`;
    if (this.known.has(cacheKey)) return code;
    const holder = await this.deps.store.claim(order.connectionId, code, order.buyerKey);
    if (holder !== order.buyerKey)
      throw new NonRetriableError(
        'BUYER_CODE_COLLISION',
        `order ${order.amazonOrderId}: customer code ${code} was made for another buyer (their keys share the first characters the ERP's ${erp.capabilities.customerCodeMaxLength}-character code holds); write this order to a customer by hand`,
      );
    if (!(await erp.findCustomer(code))) {
      const pii =
        (await this.deps.keepsPii(order.connectionId)) && order.piiRef && this.deps.buyerPii
          ? await this.deps.buyerPii(order.connectionId, order.amazonOrderId)
          : null;
      try {
        await erp.createCustomer({
          customerCode: code,
          name: pii?.name ?? `Amazon buyer ${code}`,
          currency: marketplace.currency,
          templateCustomerCode: marketplace.customerCode,
          ...(pii?.address ? { address: pii.address } : {}),
        });
      } catch (err) {
        // another writer created it between our find and our create
        if (isRetriable(err) || !(err instanceof ErpValidationError) || !(await erp.findCustomer(code)))
          throw err;
      }
    }
    this.known.add(cacheKey);
    return code;
  }
}
