import { digits, formatCents, hashString, pick, seededRandom } from './random';

/** The simulated world: sellers with their marketplaces, a catalogue, and orders over a span of days. */
export interface SimSeller {
  sellerId: string;
  region: 'na' | 'eu';
  refreshToken: string;
  marketplaces: Array<{ id: string; currency: string; domain: string; decimalComma: boolean }>;
}

export interface SimOrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantity: number;
  unitCents: number;
  taxCents: number;
  shippingCents: number;
  promotionCents: number;
  /** units shipped so far, once a shipment was confirmed (otherwise derived from the order's status) */
  shippedQuantity?: number;
}

export interface SimOrder {
  orderId: string;
  sellerId: string;
  marketplaceId: string;
  currency: string;
  createdMs: number;
  lastUpdatedMs: number;
  status: 'PENDING' | 'UNSHIPPED' | 'PARTIALLY_SHIPPED' | 'SHIPPED' | 'CANCELLED';
  fulfilledBy: 'AMAZON' | 'MERCHANT';
  items: SimOrderItem[];
  refunded: boolean;
}

export interface DatasetOptions {
  seed: number;
  /** first simulated day (UTC midnight, ms) */
  startMs: number;
  days: number;
  ordersPerDay: number;
  /** whose orders (default SIM_SELLERS): each seller has `ordersPerDay` of its own */
  sellers?: readonly SimSeller[];
}

export const SIM_SELLERS: readonly SimSeller[] = [
  {
    sellerId: 'A1SIMSELLERNA',
    region: 'na',
    refreshToken: 'Atzr|sim-refresh-na',
    marketplaces: [
      { id: 'ATVPDKIKX0DER', currency: 'USD', domain: 'Amazon.com', decimalComma: false },
      { id: 'A2EUQ1WTGCTBG2', currency: 'CAD', domain: 'Amazon.ca', decimalComma: false },
    ],
  },
  {
    sellerId: 'A2SIMSELLEREU',
    region: 'eu',
    refreshToken: 'Atzr|sim-refresh-eu',
    marketplaces: [
      { id: 'A1F83G8C2ARO7P', currency: 'GBP', domain: 'Amazon.co.uk', decimalComma: false },
      { id: 'A1PA6795UKMFR9', currency: 'EUR', domain: 'Amazon.de', decimalComma: true },
    ],
  },
];

/**
 * `n` more North American sellers (US and CA) beside SIM_SELLERS, for runs that need more than one
 * seller's rate limits or settlements: merchant ids `A3SIMNA000001`, … and refresh tokens
 * `Atzr|sim-refresh-na-1`, … of their own. Give them to the simulator as `sellers` (alone or with
 * SIM_SELLERS); without it, the simulator has SIM_SELLERS only and its dataset is unchanged.
 */
export function simNaSellers(n: number): SimSeller[] {
  return Array.from({ length: n }, (_, i) => ({
    sellerId: `A3SIMNA${String(i + 1).padStart(6, '0')}`,
    region: 'na' as const,
    refreshToken: `Atzr|sim-refresh-na-${i + 1}`,
    marketplaces: SIM_SELLERS[0].marketplaces.map((m) => ({ ...m })),
  }));
}

/** A marketplace's domain (`Amazon.com`) among the sellers' marketplaces. */
export function marketplaceDomain(sellers: readonly SimSeller[], marketplaceId: string): string {
  for (const s of sellers) {
    const m = s.marketplaces.find((x) => x.id === marketplaceId);
    if (m) return m.domain;
  }
  throw new Error(`no simulated seller sells in marketplace ${marketplaceId}`);
}

/** The simulated catalogue: SKUs `SIM-0000` … `SIM-0199`. */
export const SIM_SKU_COUNT = 200;
export const simSku = (n: number) => `SIM-${String(n).padStart(4, '0')}`;

export const SIM_LWA_CLIENT = {
  clientId: 'amzn1.application-oa2-client.simulator',
  clientSecret: 'amzn1.oa2-cs.v1.simulator',
};

const TITLES = [
  'Steel water bottle',
  'Yoga mat',
  'USB-C cable',
  'Desk lamp',
  'Notebook A5',
  'Coffee grinder',
  'Trail socks',
];
const DAY = 86_400_000;

/**
 * Every order of every seller (SIM_SELLERS unless `opts.sellers`), generated once from the seed,
 * sorted by creation time. Order ids are unique across sellers, as Amazon's are: a drawn id already
 * taken is drawn again.
 */
export function generateOrders(opts: DatasetOptions): SimOrder[] {
  const orders: SimOrder[] = [];
  const taken = new Set<string>();
  for (const seller of opts.sellers ?? SIM_SELLERS) {
    const rnd = seededRandom(opts.seed ^ hashString(seller.sellerId));
    for (let day = 0; day < opts.days; day++) {
      for (let n = 0; n < opts.ordersPerDay; n++) {
        const mp = pick(rnd, seller.marketplaces);
        const createdMs =
          opts.startMs + day * DAY + Math.floor((n / opts.ordersPerDay) * DAY) + Math.floor(rnd() * 1000);
        const r = rnd();
        const status: SimOrder['status'] =
          r < 0.03
            ? 'PENDING'
            : r < 0.06
              ? 'CANCELLED'
              : r < 0.2
                ? 'UNSHIPPED'
                : r < 0.22
                  ? 'PARTIALLY_SHIPPED'
                  : 'SHIPPED';
        const fulfilledBy = rnd() < 0.6 ? 'AMAZON' : 'MERCHANT';
        let orderId: string;
        do {
          orderId = `${digits(rnd, 3)}-${digits(rnd, 7)}-${digits(rnd, 7)}`;
        } while (taken.has(orderId));
        taken.add(orderId);
        const lines = 1 + Math.floor(rnd() * 3);
        const items: SimOrderItem[] = [];
        for (let i = 0; i < lines; i++) {
          const skuNo = Math.floor(rnd() * SIM_SKU_COUNT);
          const unitCents = 499 + Math.floor(rnd() * 9500);
          const quantity = 1 + Math.floor(rnd() * 3);
          items.push({
            orderItemId: digits(rnd, 14),
            sku: simSku(skuNo),
            asin: `B0SIM${String(skuNo).padStart(5, '0')}`,
            title: `${pick(rnd, TITLES)} #${skuNo}`,
            quantity,
            unitCents,
            taxCents:
              mp.currency === 'USD' || mp.currency === 'CAD' ? Math.round(unitCents * quantity * 0.07) : 0,
            shippingCents: fulfilledBy === 'MERCHANT' ? 399 : 0,
            promotionCents: rnd() < 0.1 ? 100 * (1 + Math.floor(rnd() * 5)) : 0,
          });
        }
        orders.push({
          orderId,
          sellerId: seller.sellerId,
          marketplaceId: mp.id,
          currency: mp.currency,
          createdMs,
          lastUpdatedMs:
            createdMs + (status === 'PENDING' ? 0 : 3_600_000 + Math.floor(rnd() * 20 * 3_600_000)),
          status,
          fulfilledBy,
          items,
          refunded: status === 'SHIPPED' && rnd() < 0.04,
        });
      }
    }
  }
  return orders.sort((a, b) => a.createdMs - b.createdMs || a.orderId.localeCompare(b.orderId));
}

export const itemTotalCents = (it: SimOrderItem) => it.unitCents * it.quantity;
export const orderTotalCents = (o: SimOrder) =>
  o.items.reduce((s, it) => s + itemTotalCents(it) + it.taxCents + it.shippingCents - it.promotionCents, 0);

export { formatCents };
