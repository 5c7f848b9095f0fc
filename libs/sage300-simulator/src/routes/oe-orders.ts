import { textOf } from '@connector/simulator-odata';
import { MoneyDecimal } from '@connector/money';
import { SageError } from '../errors';
import { SAGE300_FIELD_LENGTHS, text, type Rec } from '../resources';
import { dec, num, pad, type Company } from '../state';
import { createShipment } from './oe-shipments';

/**
 * `POST OE/OEOrders`, reference/erp/FACTS.md §2.3 and reference/erp/sage300/payloads/OE/: an active
 * customer, item lines on active items and known locations (priced from the default price list
 * unless `OrderUnitPrice` is given) and miscellaneous-charge lines on known codes. The order gets
 * its uniquifier and number; lines posted with `QuantityShipped` make a shipment, and with
 * `InvoiceWillBeProduced` an OE invoice.
 */
export function insertOrder(c: Company, body: Rec): Rec {
  c.customer(body.CustomerNumber);
  text(body.PurchaseOrderNumber, 'PurchaseOrderNumber', SAGE300_FIELD_LENGTHS.PurchaseOrderNumber);
  text(body.OrderDescription, 'OrderDescription');
  text(body.OrderReference, 'OrderReference');
  const details = (body.OrderDetails as Rec[] | undefined) ?? [];
  if (details.length === 0) throw new SageError('RecordInvalid', 'The order has no detail lines.');
  const items = c.list('ICItems');
  const misc = c.list('OEMiscellaneousCharges');
  const lines: Rec[] = details.map((d, i) => {
    const line: Rec = { ...d, LineNumber: (i + 1) * 32 };
    if ((d.LineType ?? 'Item') === 'Item') {
      line.LineType = 'Item';
      const item = items.find((it) => it.ItemNumber === d.Item);
      if (!item) throw new SageError('RecordInvalid', `Item Number ${String(d.Item)} does not exist.`);
      if (item.Inactive === true) throw new SageError('RecordInvalid', `Item ${String(d.Item)} is inactive.`);
      const location = textOf(d.Location ?? body.DefaultLocationCode ?? '1');
      if (!c.codes.locations.has(location))
        throw new SageError('RecordInvalid', `Location ${location} does not exist.`);
      line.Location = location;
      const qty = dec(d.QuantityOrdered ?? 0, 'QuantityOrdered');
      if (qty.lte(0)) throw new SageError('RecordInvalid', 'Quantity ordered must be greater than zero.');
      const shipped = dec(d.QuantityShipped ?? 0, 'QuantityShipped');
      if (shipped.gt(qty)) throw new SageError('RecordInvalid', 'Quantity shipped exceeds quantity ordered.');
      const price =
        d.OrderUnitPrice !== undefined
          ? dec(d.OrderUnitPrice, 'OrderUnitPrice')
          : c.basePrice(String(d.Item));
      line.OrderUnitPrice = num(price);
      line.ExtendedAmount = num(price.times(qty).toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP));
      line.QuantityOrdered = num(qty);
      line.QuantityShipped = num(shipped);
      line.QuantityBackordered = num(qty.minus(shipped));
      line.Description ??= item.Description;
    } else if (d.LineType === 'Miscellaneous') {
      if (!misc.some((m) => m.MiscellaneousChargeCode === d.MiscellaneousChargesCode))
        throw new SageError(
          'RecordInvalid',
          `Miscellaneous Charge ${String(d.MiscellaneousChargesCode)} does not exist.`,
        );
      line.ExtendedAmount = num(dec(d.ExtendedAmount ?? 0, 'ExtendedAmount'));
    } else throw new SageError('InvalidPayload', `LineType ${String(d.LineType)} is not valid.`);
    delete line.UpdateOperation;
    return line;
  });
  const uniq = c.next('OrderUniquifier');
  const order: Rec = {
    ...body,
    OrderUniquifier: uniq,
    OrderNumber: `ORD${pad(c.next('OrderNumber'), 12)}`,
    OrderDate: body.OrderDate ?? c.today(),
    PurchaseOrderNumber: body.PurchaseOrderNumber ?? '',
    LastShipmentNumber: '',
    LastInvoiceNumber: '',
    OrderDetails: lines,
  };
  c.list('OEOrders').push(order);
  // what is ordered and not shipped is committed; what is shipped leaves the location
  for (const l of lines)
    if (l.LineType === 'Item') {
      const shipped = dec(l.QuantityShipped, 'QuantityShipped');
      c.moveStock(
        String(l.Item),
        String(l.Location),
        shipped.neg(),
        dec(l.QuantityBackordered, 'QuantityBackordered'),
      );
    }
  const anyShipped = lines.some(
    (l) => l.LineType === 'Item' && dec(l.QuantityShipped, 'QuantityShipped').gt(0),
  );
  if (anyShipped) {
    createShipment(c, order, {}, true);
    if (body.InvoiceWillBeProduced === true) {
      const inv = `IN${pad(c.next('InvoiceNumber'), 13)}`;
      c.list('OEInvoices').push({
        InvoiceUniquifier: c.next('InvoiceUniquifier'),
        InvoiceNumber: inv,
        InvoiceDate: order.OrderDate,
        CustomerNumber: order.CustomerNumber,
        OrderNumber: order.OrderNumber,
        PurchaseOrderNumber: order.PurchaseOrderNumber,
      });
      order.LastInvoiceNumber = inv;
    }
  }
  return order;
}
