import { randomUUID } from 'node:crypto';
import { LosslessNumber } from 'lossless-json';
import { amazonMarketplace } from './marketplaces';

/** FBA listings carry Amazon's channel code of their region (FACTS §9). */
const fbaChannel = (l: SimListing) =>
  `AMAZON_${(amazonMarketplace(l.marketplaceId)?.region ?? 'na').toUpperCase()}`;

/** One listing of the simulated catalogue; FBA listings carry Amazon's quantity, which sellers never set. */
export interface SimListing {
  sku: string;
  asin: string;
  marketplaceId: string;
  productType: string;
  itemName: string;
  fba: boolean;
  quantity: number;
  /** price as Amazon holds it: a decimal string */
  price: string;
  currency: string;
  createdMs: number;
  updatedMs: number;
  /**
   * Issues Amazon answers to every update of this listing until they are lifted (a test's way to have
   * a SKU rejected: `SimState.rejectListingUpdates`); set, the listing is not changed.
   */
  rejectWith?: ListingIssue[];
  /** Updates applied or tried (not previews) per attribute, through patches and feeds alike. */
  writes?: Record<string, number>;
}

export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames: string[];
  categories: string[];
}

interface Patch {
  op?: string;
  path?: string;
  value?: unknown[];
}

/** Applies (or only checks) Listings patches for price and quantity (FACTS §9); returns the issues found. */
export function applyPatches(
  listing: SimListing,
  patches: Patch[],
  apply: boolean,
  now: number,
): ListingIssue[] {
  const issues: ListingIssue[] = [];
  const staged = { ...listing };
  const tried: string[] = [];
  for (const p of patches) {
    if (
      !p.op ||
      !['add', 'replace', 'merge', 'delete'].includes(p.op) ||
      !p.path?.startsWith('/attributes/')
    ) {
      issues.push({
        code: '4000001',
        message: `Invalid patch operation ${p.op} ${p.path}.`,
        severity: 'ERROR',
        attributeNames: [],
        categories: ['INVALID_ATTRIBUTE'],
      });
      continue;
    }
    const attribute = p.path.slice('/attributes/'.length);
    if (attribute.includes('/')) {
      issues.push({
        code: '4000002',
        message: 'Patching nested attributes is not supported.',
        severity: 'ERROR',
        attributeNames: [attribute],
        categories: ['INVALID_ATTRIBUTE'],
      });
      continue;
    }
    tried.push(attribute);
    const [value] = (p.value ?? []) as Array<Record<string, unknown>>;
    if (attribute === 'fulfillment_availability') {
      const code = value?.fulfillment_channel_code;
      const quantity = value?.quantity;
      if (code === 'DEFAULT' && listing.fba) {
        issues.push({
          code: '8541',
          message: 'This SKU is fulfilled by Amazon; its quantity is managed by Amazon.',
          severity: 'ERROR',
          attributeNames: [attribute],
          categories: ['INVALID_ATTRIBUTE'],
        });
      } else if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
        issues.push({
          code: '90220',
          message: "'quantity' must be a whole number of 0 or more.",
          severity: 'ERROR',
          attributeNames: [attribute],
          categories: ['INVALID_ATTRIBUTE'],
        });
      } else staged.quantity = quantity;
    } else if (attribute === 'purchasable_offer') {
      const ourPrice = (
        value?.our_price as Array<{ schedule?: Array<{ value_with_tax?: unknown }> }> | undefined
      )?.[0]?.schedule?.[0]?.value_with_tax;
      if (ourPrice === undefined) {
        issues.push({
          code: '90220',
          message: "'purchasable_offer.our_price' does not have enough values.",
          severity: 'ERROR',
          attributeNames: [attribute],
          categories: ['MISSING_ATTRIBUTE'],
        });
      } else if (!(Number(ourPrice) > 0)) {
        issues.push({
          code: '90244',
          message: 'The price must be greater than 0.',
          severity: 'ERROR',
          attributeNames: [attribute],
          categories: ['INVALID_PRICE'],
        });
      } else {
        // Amazon's schema has value_with_tax as a number; a numeric string is kept as sent
        staged.price =
          typeof ourPrice === 'number'
            ? String(ourPrice)
            : typeof ourPrice === 'string'
              ? ourPrice
              : JSON.stringify(ourPrice);
        if (typeof value.currency === 'string') staged.currency = value.currency;
      }
    }
  }
  if (listing.rejectWith) issues.push(...listing.rejectWith);
  if (apply && issues.length === 0) Object.assign(listing, staged, { updatedMs: now });
  if (apply) {
    const writes = { ...listing.writes };
    for (const a of tried) writes[a] = (writes[a] ?? 0) + 1;
    listing.writes = writes;
  }
  return issues;
}

export function renderListingsItem(l: SimListing, includedData: string[]) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const include = includedData.length ? includedData : ['summaries'];
  return {
    sku: l.sku,
    ...(include.includes('summaries')
      ? {
          summaries: [
            {
              marketplaceId: l.marketplaceId,
              asin: l.asin,
              productType: l.productType,
              conditionType: 'new_new',
              status: ['BUYABLE', 'DISCOVERABLE'],
              itemName: l.itemName,
              createdDate: iso(l.createdMs),
              lastUpdatedDate: iso(l.updatedMs),
            },
          ],
        }
      : {}),
    ...(include.includes('offers')
      ? {
          offers: [
            {
              marketplaceId: l.marketplaceId,
              offerType: 'B2C',
              price: { currencyCode: l.currency, amount: l.price },
            },
          ],
        }
      : {}),
    ...(include.includes('fulfillmentAvailability')
      ? {
          fulfillmentAvailability: [
            { fulfillmentChannelCode: l.fba ? fbaChannel(l) : 'DEFAULT', quantity: l.quantity },
          ],
        }
      : {}),
    ...(include.includes('attributes') ? { attributes: listingAttributes(l) } : {}),
    ...(include.includes('issues') ? { issues: [] } : {}),
  };
}

/**
 * The listing's attributes as the seller set them, in the snake_case of product-type schemas (FACTS §9):
 * the price is a JSON number written digit for digit (a LosslessNumber; send the item with exactJson).
 */
function listingAttributes(l: SimListing) {
  const marketplace_id = l.marketplaceId;
  return {
    item_name: [{ value: l.itemName, language_tag: 'en_US', marketplace_id }],
    condition_type: [{ value: 'new_new', marketplace_id }],
    purchasable_offer: [
      {
        marketplace_id,
        currency: l.currency,
        audience: 'ALL',
        our_price: [{ schedule: [{ value_with_tax: new LosslessNumber(l.price) }] }],
      },
    ],
    fulfillment_availability: [
      l.fba
        ? { fulfillment_channel_code: fbaChannel(l), marketplace_id }
        : { fulfillment_channel_code: 'DEFAULT', quantity: l.quantity, marketplace_id },
    ],
  };
}

export const submissionId = () => randomUUID();
