import { createHash } from 'node:crypto';
import { NonRetriableError } from '@connector/core';
import type {
  CreditNoteDraft,
  DocumentCharge,
  DocumentLine,
  ErpDocumentRef,
  SalesDocumentDraft,
} from '@connector/erp';
import type { FinancialEvent, FinancialEventTypes } from '@connector/events';
import type { MappingLookup } from '@connector/mapping';
import { decimal, sumDecimals } from '@connector/money';
import { isoDate, mergeCharges, unitPrice } from '../writer/order-draft.mapper';

type Component = FinancialEventTypes.ConnectorAmazon.FinancialComponent;

/** `<amazonOrderId>/R<8 characters of SHA-256 of the event id>`: one credit note per refund event. */
export function refundKey(amazonOrderId: string, eventId: string): string {
  return `${amazonOrderId}/R${createHash('sha256').update(eventId).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** `<amazonOrderId>/C`: the one credit note of an order cancelled after it was invoiced. */
export const cancellationKey = (amazonOrderId: string) => `${amazonOrderId}/C`;

/** Charge types of a refund's items and where they go on the credit note. */
const LINE_PRICE = new Set(['Principal']);
const LINE_TAX = new Set(['Tax']);
const CHARGES: Record<string, { kind: DocumentCharge['kind']; tax: boolean; description: string }> = {
  ShippingCharge: { kind: 'SHIPPING', tax: false, description: 'Shipping' },
  ShippingTax: { kind: 'SHIPPING', tax: true, description: 'Shipping' },
  Giftwrap: { kind: 'GIFT_WRAP', tax: false, description: 'Gift wrap' },
  GiftwrapTax: { kind: 'GIFT_WRAP', tax: true, description: 'Gift wrap' },
};

/** Sum of the components of these types, sign turned (Amazon gives a refunded charge negative). */
const credited = (cs: Component[], types: (t: string) => boolean) =>
  sumDecimals(
    cs.filter((c) => c.kind === 'CHARGE' && types(c.componentType)).map((c) => c.amount.amount),
  ).neg();

/**
 * A RefundEvent as a credit note (docs/order-to-cash.md, "Refunds"): per item, its SKU mapped to
 * the ERP item as orders are (an unmapped SKU throws UNMAPPED_SKU), Principal given back → the line
 * (unit price = amount ÷ units, units = refunded quantity × units per SKU; an item refunded without
 * a quantity, a price adjustment, is one unit), Tax → the line's tax, ShippingCharge/ShippingTax →
 * a SHIPPING charge, Giftwrap/GiftwrapTax → GIFT_WRAP, promotions given back (PromotionAdjustmentList,
 * positive from Amazon) → a negative PROMOTION charge. Amounts credited are positive. Fees and
 * withheld taxes are Amazon's and the seller's business, booked by the settlement journal, not
 * here. A charge type with no place on a credit note (Goodwill, RestockingFee…) is refused with
 * its name, never dropped.
 */
export function refundToDraft(
  event: FinancialEvent,
  mapping: MappingLookup,
  ctx: { customerCode: string; marketplaceId: string; baseInvoice: ErpDocumentRef; returnToStock: boolean },
): CreditNoteDraft {
  const orderId = event.amazonOrderId!;
  const lines: DocumentLine[] = [];
  const charges: DocumentCharge[] = [];
  for (const item of event.items ?? []) {
    const cs = item.components ?? [];
    const unknown = cs.filter(
      (c) =>
        c.kind === 'CHARGE' &&
        !LINE_PRICE.has(c.componentType) &&
        !LINE_TAX.has(c.componentType) &&
        !CHARGES[c.componentType] &&
        !decimal(c.amount.amount).isZero(),
    );
    if (unknown.length)
      throw new NonRetriableError(
        'REFUND_CHARGE_UNSUPPORTED',
        `refund ${event.eventId} of order ${orderId} gives back ${unknown.map((c) => `${c.componentType} ${c.amount.amount}`).join(', ')}, which has no place on a credit note: credit it by hand`,
      );
    const price = credited(cs, (t) => LINE_PRICE.has(t));
    const tax = credited(cs, (t) => LINE_TAX.has(t));
    if (!price.isZero() || !tax.isZero()) {
      if (!item.sellerSku)
        throw new NonRetriableError(
          'REFUND_WITHOUT_SKU',
          `refund ${event.eventId} of order ${orderId} has an item without a SellerSKU`,
        );
      const sku = mapping.sku(event.connectionId, item.sellerSku, ctx.marketplaceId);
      const units = Math.max(1, item.quantity ?? 0) * (sku.unitsPerSku ?? 1);
      lines.push({
        itemCode: sku.itemCode,
        quantity: units,
        unitPrice: unitPrice(price.toFixed(), units),
        ...(tax.isZero() ? {} : { taxAmount: tax.toFixed() }),
        sourceLineId: item.orderAdjustmentItemId ?? item.orderItemId ?? undefined,
      });
    }
    for (const [type, where] of Object.entries(CHARGES)) {
      const amount = credited(cs, (t) => t === type);
      if (amount.isZero()) continue;
      charges.push({
        kind: where.kind,
        amount: where.tax ? '0' : amount.toFixed(),
        ...(where.tax ? { taxAmount: amount.toFixed() } : {}),
        description: where.description,
      });
    }
    const promotions = sumDecimals(cs.filter((c) => c.kind === 'PROMOTION').map((c) => c.amount.amount));
    if (!promotions.isZero())
      charges.push({ kind: 'PROMOTION', amount: promotions.neg().toFixed(), description: 'Promotion' });
  }
  if (lines.length === 0 && charges.length === 0)
    throw new NonRetriableError(
      'REFUND_EMPTY',
      `refund ${event.eventId} of order ${orderId} gives nothing back to the buyer`,
    );
  return {
    naturalKey: refundKey(orderId, event.eventId),
    amazonOrderId: orderId,
    customerCode: ctx.customerCode,
    currency: event.total.currency,
    documentDate: isoDate(event.postedDate),
    baseInvoice: ctx.baseInvoice,
    lines,
    charges: mergeCharges(charges),
    returnToStock: ctx.returnToStock && lines.length > 0,
    reason: 'REFUND',
    comments: `Amazon refund of order ${orderId}`,
  };
}

/** The whole invoice as a credit note: an order cancelled after it was invoiced. */
export function cancellationToDraft(
  invoice: SalesDocumentDraft,
  ctx: { amazonOrderId: string; baseInvoice: ErpDocumentRef; returnToStock: boolean; documentDate: string },
): CreditNoteDraft {
  return {
    naturalKey: cancellationKey(ctx.amazonOrderId),
    amazonOrderId: ctx.amazonOrderId,
    customerCode: invoice.customerCode,
    currency: invoice.currency,
    documentDate: ctx.documentDate,
    baseInvoice: ctx.baseInvoice,
    lines: invoice.lines,
    charges: invoice.charges,
    returnToStock: ctx.returnToStock,
    reason: 'CANCELLED_AFTER_INVOICE',
    comments: `Amazon order ${ctx.amazonOrderId} cancelled after invoice ${ctx.baseInvoice.documentNumber}`,
    ...(invoice.fx ? { fx: invoice.fx } : {}),
  };
}

/** The total a credit note gives back: lines, their tax, charges and their tax. */
export function creditNoteTotal(d: Pick<CreditNoteDraft, 'lines' | 'charges'>): string {
  return sumDecimals([
    ...d.lines.map((l) => decimal(l.unitPrice).times(l.quantity).toFixed()),
    ...d.lines.map((l) => l.taxAmount ?? '0'),
    ...d.charges.map((c) => c.amount),
    ...d.charges.map((c) => c.taxAmount ?? '0'),
  ]).toFixed();
}
