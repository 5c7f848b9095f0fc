import type { AmazonOrder } from '@connector/events';
import type { DocumentCharge, DocumentLine, SalesDocumentDraft } from '@connector/erp';
import { NonRetriableError } from '@connector/core';
import { decimal, sumDecimals } from '@connector/money';
import type { MappingLookup } from '@connector/mapping';

/** YYYY-MM-DD of an instant, in UTC (the ERPs take dates without time). */
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A line's unit price: its total ÷ units, exact, or at 6 decimals when it does not divide. */
export function unitPrice(total: string, units: number): string {
  const unit = decimal(total).div(units);
  return unit.decimalPlaces() > 6 ? unit.toDecimalPlaces(6).toFixed() : unit.toFixed();
}

/**
 * An Amazon order as an ERP sales document: each item line mapped SKU → ItemCode (× units per SKU),
 * unit price = line price ÷ quantity (exact; 6 decimals when it does not divide), the line's tax;
 * shipping, shipping discounts and promotions as charges, which each adapter books as its ERP
 * expects (a service line, a misc charge). The customer comes from the marketplace mapping.
 */
export function orderToDraft(order: AmazonOrder, mapping: MappingLookup): SalesDocumentDraft {
  const customer = mapping.customer(order.connectionId, order.marketplaceId);
  const currency =
    order.orderTotal?.currency ??
    order.items.find((i) => i.itemPrice)?.itemPrice?.currency ??
    customer.currency;
  if (currency !== customer.currency)
    throw new NonRetriableError(
      'CURRENCY_MISMATCH',
      `order ${order.amazonOrderId} is in ${currency} but customer ${customer.customerCode} (marketplace ${order.marketplaceId}) is kept in ${customer.currency}`,
    );
  const lines: DocumentLine[] = [];
  const charges: DocumentCharge[] = [];
  const add = (
    kind: DocumentCharge['kind'],
    amount: string | null | undefined,
    tax?: string | null,
    description?: string | null,
  ) => {
    if (amount && !decimal(amount).isZero())
      charges.push({
        kind,
        amount: decimal(amount).toFixed(),
        ...(tax ? { taxAmount: decimal(tax).toFixed() } : {}),
        description: description ?? undefined,
      });
  };
  for (const item of order.items) {
    if (item.quantityOrdered <= 0) continue;
    const sku = mapping.sku(order.connectionId, item.sellerSku, order.marketplaceId);
    const units = item.quantityOrdered * (sku.unitsPerSku ?? 1);
    lines.push({
      itemCode: sku.itemCode,
      description: item.title ?? undefined,
      quantity: units,
      unitPrice: unitPrice(item.itemPrice?.amount ?? '0', units),
      ...(item.itemTax ? { taxAmount: decimal(item.itemTax.amount).toFixed() } : {}),
      sourceLineId: item.orderItemId,
    });
    add('SHIPPING', item.shippingPrice?.amount, item.shippingTax?.amount, 'Shipping');
    add(
      'SHIPPING_DISCOUNT',
      item.shippingDiscount && decimal(item.shippingDiscount.amount).neg().toFixed(),
      null,
      'Shipping discount',
    );
    add(
      'PROMOTION',
      item.promotionDiscount && decimal(item.promotionDiscount.amount).neg().toFixed(),
      item.promotionDiscountTax && decimal(item.promotionDiscountTax.amount).neg().toFixed(),
      item.promotionIds?.join(', ') || 'Promotion',
    );
  }
  return {
    naturalKey: order.amazonOrderId,
    customerCode: customer.customerCode,
    currency,
    documentDate: isoDate(order.purchaseDate),
    comments: `Amazon ${order.salesChannel ?? order.marketplaceId} order ${order.amazonOrderId} (${order.fulfillmentChannel})`,
    lines,
    charges: mergeCharges(charges),
  };
}

/** One charge per kind per document: what the accountant expects to see on the order. */
export function mergeCharges(charges: DocumentCharge[]): DocumentCharge[] {
  const byKind = new Map<string, DocumentCharge[]>();
  for (const c of charges) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  return [...byKind.values()].map((cs) => ({
    kind: cs[0].kind,
    amount: sumDecimals(cs.map((c) => c.amount)).toFixed(),
    ...(cs.some((c) => c.taxAmount)
      ? { taxAmount: sumDecimals(cs.map((c) => c.taxAmount ?? '0')).toFixed() }
      : {}),
    description: cs[0].description,
  }));
}
