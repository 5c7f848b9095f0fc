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
      ...(it.taxCents
        ? {
            ItemTaxWithheldList: [
              {
                TaxCollectionModel: 'MarketplaceFacilitator',
                TaxesWithheld: [
                  {
                    ChargeType: 'MarketplaceFacilitatorTax-Principal',
                    ChargeAmount: currency(-it.taxCents, o.currency),
                  },
                ],
              },
            ],
          }
        : {}),
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
          ],
          ItemFeeAdjustmentList: [
            { FeeType: 'Commission', FeeAmount: currency(commission, o.currency) },
            {
              FeeType: 'RefundCommission',
              FeeAmount: currency(-Math.min(500, Math.round(commission * 0.2)), o.currency),
            },
          ],
        };
      }),
    }));
  return { shipments, refunds };
}

/** JSON text with LosslessNumbers written digit for digit. */
export const exactJson = (value: unknown): string => stringify(value) ?? '';
