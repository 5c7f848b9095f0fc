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
  const customer = c.customer(body.CustomerNumber);
  // an OE order is in its customer's currency (the order's rate fields convert it to home) [?]
  const currency = textOf(body.CustomerCurrency ?? customer.CurrencyCode ?? c.homeCurrency());
  if (currency !== textOf(customer.CurrencyCode ?? c.homeCurrency()))
    throw new SageError(
      'RecordInvalid',
      `Customer ${String(body.CustomerNumber)} uses currency ${String(customer.CurrencyCode)}, not ${currency}.`,
    );
  const rate = c.documentRate(currency, body, 'OrderDate');
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
      line.QuantityCommitted = num(qty.minus(shipped));
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
    CustomerCurrency: currency,
    ...(currency !== c.homeCurrency() ? { RateType: body.RateType ?? 'SP', ExchangeRate: num(rate) } : {}),
    OrderCompleted: 'Incomplete',
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
    const shipment = createShipment(c, order, {}, true);
    if (body.InvoiceWillBeProduced === true) produceInvoice(c, order, shipment);
  }
  return order;
}

/**
 * The OE invoice of an order's shipment (`InvoiceWillBeProduced`): the shipped quantities of its
 * item lines at their prices and every miscellaneous charge. An order whose every item line is
 * shipped in full and invoiced is complete: nothing of it stays committed (`OrderCompleted`, name
 * and values [?]: the OEORDH "order completed" field).
 */
export function produceInvoice(c: Company, order: Rec, shipment: Rec): Rec {
  const details = (order.OrderDetails as Rec[]).flatMap((l): Rec[] => {
    if (l.LineType === 'Item') {
      const qty = dec(l.QuantityShipped, 'QuantityShipped');
      if (qty.lte(0)) return [];
      const price = dec(l.OrderUnitPrice, 'OrderUnitPrice');
      return [
        {
          LineNumber: l.LineNumber,
          LineType: 'Item',
          Item: l.Item,
          Location: l.Location,
          QuantityShipped: num(qty),
          UnitPrice: num(price),
          ExtendedAmount: num(price.times(qty).toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP)),
        },
      ];
    }
    return [
      {
        LineNumber: l.LineNumber,
        LineType: 'Miscellaneous',
        MiscellaneousChargesCode: l.MiscellaneousChargesCode,
        ExtendedAmount: l.ExtendedAmount,
      },
    ];
  });
  const total = details.reduce(
    (s, d) => s.plus(dec(d.ExtendedAmount, 'ExtendedAmount')),
    new MoneyDecimal(0),
  );
  const invoice: Rec = {
    InvoiceUniquifier: c.next('InvoiceUniquifier'),
    InvoiceNumber: `IN${pad(c.next('InvoiceNumber'), 13)}`,
    InvoiceDate: order.OrderDate,
    CustomerNumber: order.CustomerNumber,
    OrderNumber: order.OrderNumber,
    ShipmentNumber: shipment.ShipmentNumber,
    PurchaseOrderNumber: order.PurchaseOrderNumber,
    CustomerCurrency: order.CustomerCurrency,
    ...(order.ExchangeRate !== undefined
      ? { RateType: order.RateType, ExchangeRate: order.ExchangeRate }
      : {}),
    InvoiceTotal: num(total),
    InvoiceDetails: details,
  };
  c.list('OEInvoices').push(invoice);
  order.LastInvoiceNumber = invoice.InvoiceNumber;
  const open = (order.OrderDetails as Rec[]).some(
    (l) => l.LineType === 'Item' && dec(l.QuantityBackordered, 'QuantityBackordered').gt(0),
  );
  if (!open) order.OrderCompleted = 'Complete';
  return invoice;
}
