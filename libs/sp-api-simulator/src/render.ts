import {
  SIM_SELLERS,
  formatCents,
  itemTotalCents,
  marketplaceDomain,
  orderTotalCents,
  type SimOrder,
  type SimSeller,
} from './dataset';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const money = (cents: number, currencyCode: string) => ({ amount: formatCents(cents), currencyCode });

/** Units of an item shipped so far: confirmed shipments, or what the order's status implies. */
export function shippedQuantity(o: SimOrder, it: SimOrder['items'][number]): number {
  if (it.shippedQuantity !== undefined) return it.shippedQuantity;
  if (o.status === 'SHIPPED') return it.quantity;
  return o.status === 'PARTIALLY_SHIPPED' ? Math.floor(it.quantity / 2) : 0;
}

/**
 * An order as Orders API 2026-01-01 returns it (definitions/Order); no buyer PII unless asked for.
 * `sellers`: the simulator's (SimState.sellers), whose marketplaces name the sales channel.
 */
export function renderOrder2026(
  o: SimOrder,
  includedData: readonly string[] = [],
  sellers: readonly SimSeller[] = SIM_SELLERS,
) {
  const domain = marketplaceDomain(sellers, o.marketplaceId);
  const pending = o.status === 'PENDING';
  const order: Record<string, unknown> = {
    orderId: o.orderId,
    createdTime: iso(o.createdMs),
    lastUpdatedTime: iso(o.lastUpdatedMs),
    salesChannel: { channelName: 'AMAZON', marketplaceId: o.marketplaceId, marketplaceName: domain },
    fulfillment: {
      fulfillmentStatus: o.status,
      fulfilledBy: o.fulfilledBy,
      fulfillmentServiceLevel: 'STANDARD',
    },
    orderItems: o.items.map((it) => {
      const shipped = shippedQuantity(o, it);
      const item: Record<string, unknown> = {
        orderItemId: it.orderItemId,
        quantityOrdered: it.quantity,
        product: {
          asin: it.asin,
          sellerSku: it.sku,
          title: it.title,
          ...(pending ? {} : { price: { unitPrice: money(it.unitCents, o.currency) } }),
        },
        fulfillment: { quantityFulfilled: shipped, quantityUnfulfilled: it.quantity - shipped },
      };
      if (!pending) {
        const breakdowns = [
          { type: 'ITEM', subtotal: money(itemTotalCents(it), o.currency) },
          ...(it.shippingCents ? [{ type: 'SHIPPING', subtotal: money(it.shippingCents, o.currency) }] : []),
          ...(it.taxCents ? [{ type: 'TAX', subtotal: money(it.taxCents, o.currency) }] : []),
          ...(it.promotionCents
            ? [{ type: 'DISCOUNT', subtotal: money(-it.promotionCents, o.currency) }]
            : []),
        ];
        const total = itemTotalCents(it) + it.shippingCents + it.taxCents - it.promotionCents;
        item.proceeds = { proceedsTotal: money(total, o.currency), breakdowns };
      }
      return item;
    }),
  };
  if (!pending) order.proceeds = { grandTotal: money(orderTotalCents(o), o.currency) };
  if (includedData.includes('BUYER'))
    order.buyer = { buyerEmail: `${o.orderId.replace(/-/g, '')}@marketplace.amazon.com` };
  return order;
}

export const V2_SETTLEMENT_COLUMNS = [
  'settlement-id',
  'settlement-start-date',
  'settlement-end-date',
  'deposit-date',
  'total-amount',
  'currency',
  'transaction-type',
  'order-id',
  'merchant-order-id',
  'adjustment-id',
  'shipment-id',
  'marketplace-name',
  'amount-type',
  'amount-description',
  'amount',
  'fulfillment-id',
  'posted-date',
  'posted-date-time',
  'order-item-code',
  'merchant-order-item-id',
  'merchant-adjustment-item-id',
  'sku',
  'quantity-purchased',
  'promotion-id',
] as const;

export interface SimSettlement {
  settlementId: string;
  sellerId: string;
  marketplaceId: string;
  currency: string;
  startMs: number;
  endMs: number;
  depositMs: number;
  /** tab-separated V2 flat file: header, summary row, detail rows */
  text: string;
  totalCents: bigint;
  lineCount: number;
}

/**
 * A GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 report (FACTS §7): orders shipped in the period with
 * principal, tax, shipping, promotions, commission and FBA fees; refunds with refund commission; a
 * subscription fee; the reserve held back and the previous reserve released. The summary row's
 * total-amount is the exact sum of the detail rows. German files use decimal commas.
 */
export function renderSettlement(
  settlementId: string,
  seller: SimSeller,
  marketplaceId: string,
  orders: SimOrder[],
  startMs: number,
  endMs: number,
  previousReserveCents: number,
): SimSettlement & { reserveCents: number } {
  const mp = seller.marketplaces.find((m) => m.id === marketplaceId)!;
  const rows: string[][] = [];
  let total = 0n;
  const fmt = (cents: number) => formatCents(cents, mp.decimalComma);
  const posted = (ms: number) => {
    const d = new Date(ms);
    const dd = String(d.getUTCDate()).padStart(2, '0');
    const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
    const dateTime = d
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, ' UTC');
    return [
      mp.decimalComma
        ? `${dd}.${mm}.${d.getUTCFullYear()}`
        : `${mm}/${dd}/${String(d.getUTCFullYear()).slice(2)}`,
      dateTime,
    ];
  };
  const add = (fields: Partial<Record<(typeof V2_SETTLEMENT_COLUMNS)[number], string>>, cents: number) => {
    total += BigInt(cents);
    rows.push(
      V2_SETTLEMENT_COLUMNS.map((c) =>
        c === 'settlement-id' ? settlementId : c === 'amount' ? fmt(cents) : (fields[c] ?? ''),
      ),
    );
  };
  for (const o of orders) {
    const [pd, pdt] = posted(o.lastUpdatedMs);
    const base = {
      'order-id': o.orderId,
      'marketplace-name': mp.domain,
      'fulfillment-id': o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
      'posted-date': pd,
      'posted-date-time': pdt,
    };
    for (const it of o.items) {
      const line = {
        ...base,
        'transaction-type': 'Order',
        'order-item-code': it.orderItemId,
        sku: it.sku,
        'quantity-purchased': String(it.quantity),
      };
      const principal = itemTotalCents(it);
      add({ ...line, 'amount-type': 'ItemPrice', 'amount-description': 'Principal' }, principal);
      if (it.taxCents) add({ ...line, 'amount-type': 'ItemPrice', 'amount-description': 'Tax' }, it.taxCents);
      if (it.taxCents)
        add(
          {
            ...line,
            'amount-type': 'ItemWithheldTax',
            'amount-description': 'MarketplaceFacilitatorTax-Principal',
          },
          -it.taxCents,
        );
      if (it.shippingCents)
        add({ ...line, 'amount-type': 'ItemPrice', 'amount-description': 'Shipping' }, it.shippingCents);
      if (it.promotionCents)
        add(
          {
            ...line,
            'amount-type': 'Promotion',
            'amount-description': 'Principal',
            'promotion-id': 'SIM-PROMO',
          },
          -it.promotionCents,
        );
      const commission = Math.round(principal * 0.15);
      add({ ...line, 'amount-type': 'ItemFees', 'amount-description': 'Commission' }, -commission);
      if (o.fulfilledBy === 'AMAZON')
        add(
          { ...line, 'amount-type': 'ItemFees', 'amount-description': 'FBAPerUnitFulfillmentFee' },
          -(322 * it.quantity),
        );
      if (o.refunded) {
        const refund = {
          ...base,
          'transaction-type': 'Refund',
          'adjustment-id': `R${it.orderItemId.slice(0, 10)}`,
          'order-item-code': it.orderItemId,
          sku: it.sku,
        };
        add({ ...refund, 'amount-type': 'ItemPrice', 'amount-description': 'Principal' }, -principal);
        // the tax goes back to the buyer and the withheld tax back to the seller, as in the
        // RefundEvent finances.ts renders: they cancel out, so the deposit is unchanged
        if (it.taxCents) {
          add({ ...refund, 'amount-type': 'ItemPrice', 'amount-description': 'Tax' }, -it.taxCents);
          add(
            {
              ...refund,
              'amount-type': 'ItemWithheldTax',
              'amount-description': 'MarketplaceFacilitatorTax-Principal',
            },
            it.taxCents,
          );
        }
        // the promotion comes back with the principal: the buyer is refunded what was paid
        if (it.promotionCents)
          add(
            {
              ...refund,
              'amount-type': 'Promotion',
              'amount-description': 'Principal',
              'promotion-id': 'SIM-PROMO',
            },
            it.promotionCents,
          );
        add({ ...refund, 'amount-type': 'ItemFees', 'amount-description': 'Commission' }, commission);
        add(
          { ...refund, 'amount-type': 'ItemFees', 'amount-description': 'RefundCommission' },
          -Math.min(500, Math.round(commission * 0.2)),
        );
      }
    }
  }
  const [epd, epdt] = posted(endMs - 1000);
  const other = {
    'transaction-type': 'other-transaction',
    'marketplace-name': mp.domain,
    'posted-date': epd,
    'posted-date-time': epdt,
  };
  add({ ...other, 'amount-type': 'other-transaction', 'amount-description': 'Subscription Fee' }, -3999);
  if (previousReserveCents)
    add(
      {
        ...other,
        'amount-type': 'other-transaction',
        'amount-description': 'Previous Reserve Amount Balance',
      },
      previousReserveCents,
    );
  const reserveCents = Number(total / 10n);
  add(
    { ...other, 'amount-type': 'other-transaction', 'amount-description': 'Current Reserve Amount' },
    -reserveCents,
  );

  const isoDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const summary = V2_SETTLEMENT_COLUMNS.map(
    (c) =>
      ({
        'settlement-id': settlementId,
        'settlement-start-date': isoDate(startMs),
        'settlement-end-date': isoDate(endMs),
        'deposit-date': isoDate(endMs + 2 * 86_400_000),
        'total-amount': formatCents(total, mp.decimalComma),
        currency: mp.currency,
      })[c as string] ?? '',
  );
  const text =
    [V2_SETTLEMENT_COLUMNS.join('\t'), summary.join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') +
    '\n';
  return {
    settlementId,
    sellerId: seller.sellerId,
    marketplaceId,
    currency: mp.currency,
    startMs,
    endMs,
    depositMs: endMs + 2 * 86_400_000,
    text,
    totalCents: total,
    lineCount: rows.length,
    reserveCents,
  };
}
