import { createHash } from 'node:crypto';
import { LosslessNumber, stringify } from 'lossless-json';
import { formatCents, itemTotalCents, type SimOrder } from './dataset';
import type { SimSettlement } from './render';

/** Finances v0 writes money as `{CurrencyCode, CurrencyAmount: <JSON number>}` (FACTS §5.1): keep every digit. */
const currency = (cents: number, code: string) => ({
  CurrencyCode: code,
  CurrencyAmount: new LosslessNumber(formatCents(cents)),
});
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const groupIdOf = (settlementId: string) =>
  createHash('sha1').update(`group:${settlementId}`).digest('base64url').slice(0, 43);

/** A closed financial event group per settlement (one disbursement). */
export function renderEventGroup(s: SimSettlement) {
  return {
    FinancialEventGroupId: groupIdOf(s.settlementId),
    ProcessingStatus: 'Closed',
    FundTransferStatus: 'Succeeded',
    OriginalTotal: currency(Number(s.totalCents), s.currency),
    FundTransferDate: iso(s.depositMs),
    TraceId: `TRACE${s.settlementId}`,
    AccountTail: '1234',
    BeginningBalance: currency(0, s.currency),
    FinancialEventGroupStart: iso(s.startMs),
    FinancialEventGroupEnd: iso(s.endMs),
  };
}

/** Shipment and refund events for the orders of a settlement, with the same amounts as its flat file. */
export function renderShipmentEvents(orders: SimOrder[], marketplaceName: string) {
  const shipments = orders.map((o) => ({
    AmazonOrderId: o.orderId,
    MarketplaceName: marketplaceName,
    PostedDate: iso(o.lastUpdatedMs),
    ShipmentItemList: o.items.map((it) => ({
      SellerSKU: it.sku,
      OrderItemId: it.orderItemId,
      QuantityShipped: it.quantity,
      ItemChargeList: [
        { ChargeType: 'Principal', ChargeAmount: currency(itemTotalCents(it), o.currency) },
        ...(it.taxCents ? [{ ChargeType: 'Tax', ChargeAmount: currency(it.taxCents, o.currency) }] : []),
        ...(it.shippingCents
          ? [{ ChargeType: 'ShippingCharge', ChargeAmount: currency(it.shippingCents, o.currency) }]
          : []),
      ],
      ItemFeeList: [
        { FeeType: 'Commission', FeeAmount: currency(-Math.round(itemTotalCents(it) * 0.15), o.currency) },
        ...(o.fulfilledBy === 'AMAZON'
          ? [{ FeeType: 'FBAPerUnitFulfillmentFee', FeeAmount: currency(-(322 * it.quantity), o.currency) }]
          : []),
      ],
      ...withheldTax(-it.taxCents, o.currency),
      ...(it.promotionCents
        ? {
            PromotionList: [
              {
                PromotionType: 'PromotionMetaDataDefinitionValue',
                PromotionId: 'SIM-PROMO',
                PromotionAmount: currency(-it.promotionCents, o.currency),
              },
            ],
          }
        : {}),
    })),
  }));
  // A RefundEvent as Finances v0 sends one (reference/sp-api/models/financesV0.json ShipmentItem):
  // per item the units refunded (QuantityShipped), the charges given back (negative), the withheld
  // tax returned (positive) and the fees Amazon refunds or keeps. The promotion the buyer had comes
  // back with the principal (PromotionAdjustmentList, positive), so a full refund gives back what was
  // paid for the item, never more. Shipping is not refunded here. The settlement file the same dataset
  // renders (render.ts) refunds the same principal, tax, promotion and commission: the two agree.
  const refunds = orders
    .filter((o) => o.refunded)
    .map((o) => ({
      AmazonOrderId: o.orderId,
      MarketplaceName: marketplaceName,
      PostedDate: iso(o.lastUpdatedMs),
      ShipmentItemAdjustmentList: o.items.map((it) => {
        const commission = Math.round(itemTotalCents(it) * 0.15);
        return {
          SellerSKU: it.sku,
          OrderItemId: it.orderItemId,
          OrderAdjustmentItemId: `R${it.orderItemId.slice(0, 10)}`,
          QuantityShipped: it.quantity,
          ItemChargeAdjustmentList: [
            { ChargeType: 'Principal', ChargeAmount: currency(-itemTotalCents(it), o.currency) },
            ...(it.taxCents ? [{ ChargeType: 'Tax', ChargeAmount: currency(-it.taxCents, o.currency) }] : []),
          ],
          // the marketplace-facilitator tax Amazon withheld comes back with the refund: the buyer's tax
          // and its withholding cancel out, so the event's total still ties to the settlement's rows
          ...withheldTax(it.taxCents, o.currency),
          ItemFeeAdjustmentList: [
            { FeeType: 'Commission', FeeAmount: currency(commission, o.currency) },
            {
              FeeType: 'RefundCommission',
              FeeAmount: currency(-Math.min(500, Math.round(commission * 0.2)), o.currency),
            },
          ],
          ...(it.promotionCents
            ? {
                PromotionAdjustmentList: [
                  {
                    PromotionType: 'PromotionMetaDataDefinitionValue',
                    PromotionId: 'SIM-PROMO',
                    PromotionAmount: currency(it.promotionCents, o.currency),
                  },
                ],
              }
            : {}),
        };
      }),
    }));
  return { shipments, refunds };
}

/** JSON text with LosslessNumbers written digit for digit. */
export const exactJson = (value: unknown): string => stringify(value) ?? '';

/** Finances 2024-06-19 money: `{currencyCode, currencyAmount: <JSON number>}` (FACTS §5.2), every digit kept. */
const money2024 = (cents: number, code: string) => ({
  currencyCode: code,
  currencyAmount: new LosslessNumber(formatCents(cents)),
});

/**
 * One released `Shipment` transaction per shipped order (FACTS §5.2): a breakdown tree whose leaves are the
 * same amounts as the v0 shipment event (charges, Amazon fees, withheld marketplace-facilitator tax), with
 * totals that are the exact sums of their children, tied to the settlement when it falls in one.
 */
export function renderTransaction(o: SimOrder, marketplaceName: string, settlementId: string | undefined) {
  const c = o.currency;
  const charges: Array<[string, number]> = [];
  const fees: Array<[string, number]> = [];
  const withheld: Array<[string, number]> = [];
  for (const it of o.items) {
    charges.push(['Principal', itemTotalCents(it)]);
    if (it.taxCents) charges.push(['Tax', it.taxCents]);
    if (it.shippingCents) charges.push(['ShippingCharge', it.shippingCents]);
    if (it.promotionCents) charges.push(['Discount', -it.promotionCents]);
    fees.push(['Commission', -Math.round(itemTotalCents(it) * 0.15)]);
    if (o.fulfilledBy === 'AMAZON') fees.push(['FBAPerUnitFulfillmentFee', -(322 * it.quantity)]);
    if (it.taxCents) withheld.push(['MarketplaceFacilitatorTax-Principal', -it.taxCents]);
  }
  const sum = (xs: Array<[string, number]>) => xs.reduce((s, [, v]) => s + v, 0);
  const merge = (xs: Array<[string, number]>) => {
    const m = new Map<string, number>();
    for (const [k, v] of xs) m.set(k, (m.get(k) ?? 0) + v);
    return [...m].map(([breakdownType, v]) => ({ breakdownType, breakdownAmount: money2024(v, c) }));
  };
  const groups = [
    { breakdownType: 'ProductCharges', leaves: charges },
    { breakdownType: 'AmazonFees', leaves: fees },
    ...(withheld.length ? [{ breakdownType: 'Tax', leaves: withheld }] : []),
  ];
  const total = groups.reduce((s, g) => s + sum(g.leaves), 0);
  return {
    sellingPartnerMetadata: {
      sellingPartnerId: o.sellerId,
      accountType: 'Standard Orders',
      marketplaceId: o.marketplaceId,
    },
    relatedIdentifiers: [
      { relatedIdentifierName: 'ORDER_ID', relatedIdentifierValue: o.orderId },
      ...(settlementId
        ? [
            { relatedIdentifierName: 'SETTLEMENT_ID', relatedIdentifierValue: settlementId },
            {
              relatedIdentifierName: 'FINANCIAL_EVENT_GROUP_ID',
              relatedIdentifierValue: groupIdOf(settlementId),
            },
          ]
        : []),
    ],
    transactionType: 'Shipment',
    transactionId: createHash('sha1').update(`txn:${o.orderId}`).digest('hex').slice(0, 32),
    transactionStatus: 'RELEASED',
    description: 'Order Payment',
    postedDate: iso(o.lastUpdatedMs),
    totalAmount: money2024(total, c),
    marketplaceDetails: { marketplaceId: o.marketplaceId, marketplaceName },
    items: o.items.map((it) => ({
      description: it.title,
      totalAmount: money2024(itemTotalCents(it), c),
    })),
    breakdowns: groups.map((g) => ({
      breakdownType: g.breakdownType,
      breakdownAmount: money2024(sum(g.leaves), c),
      breakdowns: merge(g.leaves),
    })),
  };
}

/** The marketplace-facilitator tax Amazon withholds (negative) or gives back with a refund (positive). */
function withheldTax(cents: number, currencyCode: string) {
  return cents
    ? {
        ItemTaxWithheldList: [
          {
            TaxCollectionModel: 'MarketplaceFacilitator',
            TaxesWithheld: [
              {
                ChargeType: 'MarketplaceFacilitatorTax-Principal',
                ChargeAmount: currency(cents, currencyCode),
              },
            ],
          },
        ],
      }
    : {};
}
