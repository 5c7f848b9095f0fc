import { createHash } from 'node:crypto';
import type { AmazonOrder } from '@connector/events';

/** Deterministic sample orders for the walking skeleton, which tests the pipe without reading Amazon. */
export function demoOrders(
  connectionId: string,
  count: number,
  start = Date.UTC(2026, 10, 1),
): AmazonOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const digits = createHash('sha256')
      .update(`${connectionId}:${i}`)
      .digest('hex')
      .replace(/\D/g, '')
      .padEnd(14, '0');
    const amazonOrderId = `${digits.slice(0, 3)}-${digits.slice(3, 10)}-${digits.slice(0, 7)}`;
    const quantity = 1 + (i % 3);
    const unit = (1999 + 100 * (i % 7)).toString();
    const total = ((Number(unit) * quantity) / 100).toFixed(2); // integer cents, exact
    const at = start + i * 60_000;
    return demoOrder(
      connectionId,
      amazonOrderId,
      at,
      [{ sku: `SKU-${i % 25}`, quantity, price: total }],
      total,
    );
  });
}

function demoOrder(
  connectionId: string,
  amazonOrderId: string,
  at: number,
  /** price: the line's price (unit price × quantity), as Amazon reports it */
  lines: Array<{ sku: string; quantity: number; price: string }>,
  total: string,
): AmazonOrder {
  return {
    eventId: `${amazonOrderId}@${at}`,
    connectionId,
    amazonOrderId,
    sellerId: 'A1DEMOSELLER',
    marketplaceId: 'ATVPDKIKX0DER',
    salesChannel: 'Amazon.com',
    orderStatus: 'UNSHIPPED',
    fulfillmentChannel: 'MFN',
    purchaseDate: at,
    lastUpdateDate: at,
    orderTotal: { amount: total, currency: 'USD' },
    items: lines.map((l, n) => ({
      orderItemId: `${amazonOrderId.replace(/-/g, '')}${n}`,
      sellerSku: l.sku,
      asin: `B0DEMO${l.sku.replace(/\D/g, '').padStart(4, '0')}`,
      quantityOrdered: l.quantity,
      quantityShipped: 0,
      itemPrice: { amount: l.price, currency: 'USD' },
    })),
    changeType: 'CREATED',
    source: 'ORDERS_API',
  };
}
