import type { ReturnPathSettings } from '@connector/db';
import type { ErpItemChange, SkuMapping } from '@connector/events';
import { decimal } from '@connector/money';
import {
  listingId,
  withoutAccepted,
  type AcceptedValues,
  type CatalogueEntry,
  type ListingIssue,
  type ListingKey,
  type ListingValues,
  type PendingUpdate,
} from './listing.types';

/** What the planner needs of the mappings (MappingCache). */
export interface SkuLookup {
  skusOfItem(connectionId: string, itemCode: string): SkuMapping[];
  sku(connectionId: string, sellerSku: string, marketplaceId: string): SkuMapping;
}

/** A listing an ERP item is sold as, with the ERP units in one Amazon unit. */
export interface Target extends ListingKey {
  unitsPerSku: number;
}

/**
 * The listings an item change touches: every active SKU mapping of the item, in its marketplace
 * (marketplace-specific) or in every marketplace of the connection (general), unless another mapping
 * of that SKU for that marketplace names another item (the specific one wins, as for orders).
 */
export function targetsOf(ev: ErpItemChange, marketplaceIds: string[], mapping: SkuLookup): Target[] {
  const out = new Map<string, Target>();
  for (const m of mapping.skusOfItem(ev.connectionId, ev.itemCode)) {
    for (const marketplaceId of m.marketplaceId ? [m.marketplaceId] : marketplaceIds) {
      if (!marketplaceIds.includes(marketplaceId)) continue;
      let resolved: SkuMapping;
      try {
        resolved = mapping.sku(ev.connectionId, m.sellerSku, marketplaceId);
      } catch {
        continue;
      }
      if (resolved.itemCode !== ev.itemCode) continue;
      const t = {
        connectionId: ev.connectionId,
        sellerSku: m.sellerSku,
        marketplaceId,
        unitsPerSku: Math.max(1, resolved.unitsPerSku ?? 1),
      };
      out.set(listingId(t), t);
    }
  }
  return [...out.values()];
}

/** An outcome known before Amazon is asked: FBA quantity skipped, a price refused by the guard rails. */
export interface ImmediateResult extends ListingKey {
  itemCode: string;
  status: 'SKIPPED_FBA' | 'INVALID';
  quantity: number | null;
  price: { amount: string; currency: string } | null;
  issues: ListingIssue[];
}

export interface Plan {
  /** values to hold for the coalescing window */
  updates: Array<ListingKey & ListingValues & { itemCode: string }>;
  results: ImmediateResult[];
  /** listings whose values equal what Amazon last accepted (nothing to send) */
  noops: number;
}

export interface PlanState {
  catalogue: Map<string, CatalogueEntry>;
  accepted: Map<string, AcceptedValues>;
  pending: Map<string, PendingUpdate>;
}

const issue = (code: string, message: string): ListingIssue => ({ code, message, severity: 'ERROR' });

/** The price Amazon gets: the decimal without trailing zeros ("12.3400" → "12.34"). */
export const amazonPrice = (amount: string) => decimal(amount).toFixed();

/**
 * One item change → per listing the quantity (available ÷ unitsPerSku, rounded down; none for FBA
 * SKUs, for `syncQuantity: false` or when the ERP has no stock figures; 0 for an inactive item) and
 * the price of the marketplace's price list (refused outside the floor/ceiling or in another
 * currency), less what Amazon already has.
 */
export function planItemChange(
  ev: ErpItemChange,
  targets: Target[],
  settings: ReturnPathSettings,
  state: PlanState,
): Plan {
  const plan: Plan = { updates: [], results: [], noops: 0 };
  for (const t of targets) {
    const id = listingId(t);
    const cat = state.catalogue.get(id);
    let quantity: number | null = null;
    if (settings.syncQuantity && ev.active === false) quantity = 0;
    else if (settings.syncQuantity && ev.available !== null && ev.available !== undefined)
      quantity = Math.floor(Math.max(0, ev.available) / t.unitsPerSku);
    if (quantity !== null && cat?.fba) {
      plan.results.push({
        ...t,
        itemCode: ev.itemCode,
        status: 'SKIPPED_FBA',
        quantity: null,
        price: null,
        issues: [],
      });
      quantity = null;
    }

    let price: string | null = null;
    let currency: string | null = null;
    const rule = settings.prices[t.marketplaceId];
    const listed = rule && (ev.prices ?? []).find((p) => p.priceList === rule.priceList);
    if (rule && listed) {
      const amount = decimal(listed.price.amount);
      const refused =
        listed.price.currency !== rule.currency
          ? issue(
              'PRICE_CURRENCY_MISMATCH',
              `price list ${rule.priceList} is in ${listed.price.currency}, marketplace ${t.marketplaceId} sells in ${rule.currency}`,
            )
          : !amount.gt(0)
            ? issue('PRICE_NOT_POSITIVE', `price ${amazonPrice(listed.price.amount)} is not above 0`)
            : rule.floor !== undefined && amount.lt(decimal(rule.floor))
              ? issue(
                  'PRICE_BELOW_FLOOR',
                  `price ${amazonPrice(listed.price.amount)} is below the floor ${rule.floor}`,
                )
              : rule.ceiling !== undefined && amount.gt(decimal(rule.ceiling))
                ? issue(
                    'PRICE_ABOVE_CEILING',
                    `price ${amazonPrice(listed.price.amount)} is above the ceiling ${rule.ceiling}`,
                  )
                : undefined;
      if (refused)
        plan.results.push({
          ...t,
          itemCode: ev.itemCode,
          status: 'INVALID',
          quantity: null,
          price: { amount: listed.price.amount, currency: listed.price.currency },
          issues: [refused],
        });
      else {
        price = amazonPrice(listed.price.amount);
        currency = rule.currency;
      }
    }

    // a listing already waiting takes the new values as they are (they may undo the waiting ones)
    if (!state.pending.has(id)) {
      ({ quantity, price, currency } = withoutAccepted(
        { quantity, price, currency },
        state.accepted.get(id),
      ));
      if (quantity === null && price === null) {
        plan.noops++;
        continue;
      }
    } else if (quantity === null && price === null) continue;
    plan.updates.push({
      connectionId: t.connectionId,
      sellerSku: t.sellerSku,
      marketplaceId: t.marketplaceId,
      itemCode: ev.itemCode,
      quantity,
      price,
      currency,
    });
  }
  return plan;
}
