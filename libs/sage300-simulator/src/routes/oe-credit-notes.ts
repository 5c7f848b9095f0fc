import { textOf } from '@connector/simulator-odata';
import { MoneyDecimal } from '@connector/money';
import { SageError } from '../errors';
import { text, type Rec } from '../resources';
import { dec, num, pad, type Company } from '../state';

/** The credit types of O/E Credit/Debit Note Entry (values as named here [?]). */
const RETURN_TYPES = ['ItemsReturnedToInventory', 'DamagedItems', 'PriceAdjustment'];

const sumOf = (rows: Rec[], field: string) =>
  rows.reduce((s, r) => s.plus(dec(r[field] ?? 0, field)), new MoneyDecimal(0));

/**
 * `POST OE/OECreditDebitNotes`, reference/erp/sage300/payloads/OE/OECreditDebitNotes.json: a credit
 * note for an active customer that names the OE invoice it credits (`InvoiceNumber` [?]). Item lines
 * must be on that invoice; what all credit notes of the invoice return may not pass the quantity
 * shipped on it (per item), nor their total the invoice's total, as O/E Credit/Debit Note Entry
 * refuses (message texts [?]). Item lines `ItemsReturnedToInventory` (the entry screen's default
 * credit type) put the goods back on hand at their location; `DamagedItems` and `PriceAdjustment`
 * leave stock alone. The note gets its uniquifier and number (`CN…`, prefix [?]) and lines stepping 32.
 * Debit notes are refused: nothing here writes one.
 */
export function insertCreditNote(c: Company, body: Rec): Rec {
  const customer = c.customer(body.CustomerNumber);
  text(body.Reference, 'Reference');
  text(body.Description, 'Description');
  const type = textOf(body.CreditDebitNoteType ?? 'CreditNote');
  if (type !== 'CreditNote')
    throw new SageError('InvalidPayload', `CreditDebitNoteType ${type} is not supported here.`);
  const invoiceNumber = textOf(body.InvoiceNumber ?? '');
  // without an invoice number the note credits goods on its own (as Sage's sample payload does)
  if (!invoiceNumber) return insertUnlinked(c, body);
  const invoice = c.list('OEInvoices').find((i) => i.InvoiceNumber === invoiceNumber);
  if (!invoice) throw new SageError('RecordInvalid', `Invoice Number ${invoiceNumber} does not exist.`);
  if (invoice.CustomerNumber !== customer.CustomerNumber)
    throw new SageError(
      'RecordInvalid',
      `Invoice ${invoiceNumber} is for customer ${String(invoice.CustomerNumber)}, not ${String(customer.CustomerNumber)}.`,
    );
  const earlier = c.list('OECreditDebitNotes').filter((n) => n.InvoiceNumber === invoiceNumber);
  const invoiced = invoice.InvoiceDetails as Rec[];
  const uniq = c.next('CNUniquifier');
  const details = ((body.CreditDebitDetails as Rec[] | undefined) ?? []).map((d, i): Rec => {
    const line: Rec = { ...d, CNUniquifier: uniq, LineNumber: (i + 1) * 32 };
    if ((d.LineType ?? 'Item') === 'Item') {
      line.LineType = 'Item';
      const on = invoiced.filter((l) => l.LineType === 'Item' && l.Item === d.Item);
      if (on.length === 0)
        throw new SageError('RecordInvalid', `Item ${String(d.Item)} is not on invoice ${invoiceNumber}.`);
      const qty = dec(d.QuantityReturned ?? 0, 'QuantityReturned');
      if (qty.lt(0)) throw new SageError('RecordInvalid', 'Quantity returned cannot be negative.');
      const shipped = sumOf(on, 'QuantityShipped');
      const before = earlier
        .flatMap((n) => n.CreditDebitDetails as Rec[])
        .filter((l) => l.LineType === 'Item' && l.Item === d.Item);
      if (sumOf(before, 'QuantityReturned').plus(qty).gt(shipped))
        throw new SageError(
          'RecordInvalid',
          `Quantity returned of item ${String(d.Item)} exceeds the quantity shipped on invoice ${invoiceNumber} (${shipped.toFixed()}).`,
        );
      const price =
        d.UnitPrice !== undefined ? dec(d.UnitPrice, 'UnitPrice') : dec(on[0].UnitPrice, 'UnitPrice');
      const returnType = textOf(d.ReturnType ?? 'ItemsReturnedToInventory');
      if (!RETURN_TYPES.includes(returnType))
        throw new SageError('InvalidPayload', `ReturnType ${returnType} is not valid.`);
      line.Location = d.Location ?? on[0].Location;
      line.QuantityReturned = num(qty);
      line.UnitPrice = num(price);
      line.ReturnType = returnType;
      line.ExtendedAmount = num(price.times(qty).toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP));
    } else miscLine(c, d, line);
    return line;
  });
  if (details.length === 0) throw new SageError('RecordInvalid', 'The credit note has no detail lines.');
  const total = sumOf(details, 'ExtendedAmount');
  if (total.lte(0)) throw new SageError('RecordInvalid', 'The credit note total must be greater than zero.');
  const credited = sumOf(earlier, 'CreditDebitNoteTotal');
  const invoiceTotal = dec(invoice.InvoiceTotal, 'InvoiceTotal');
  if (credited.plus(total).gt(invoiceTotal))
    throw new SageError(
      'RecordInvalid',
      `The credit notes of invoice ${invoiceNumber} would total ${credited.plus(total).toFixed()}, more than the invoice (${invoiceTotal.toFixed()}).`,
    );
  returnStock(c, details);
  const note: Rec = {
    ...body,
    CNUniquifier: uniq,
    CreditDebitNoteNumber: `CN${pad(c.next('CreditNoteNumber'), 13)}`,
    CreditDebitNoteType: 'CreditNote',
    CreditDebitNoteDate: body.CreditDebitNoteDate ?? c.today(),
    OrderNumber: invoice.OrderNumber,
    PurchaseOrderNumber: invoice.PurchaseOrderNumber,
    // in the invoice's currency at the invoice's rate unless the note names one
    CustomerCurrency: invoice.CustomerCurrency,
    ...(invoice.ExchangeRate !== undefined
      ? {
          RateType: body.RateType ?? invoice.RateType,
          ExchangeRate: body.ExchangeRate ?? invoice.ExchangeRate,
        }
      : {}),
    CreditDebitNoteTotal: num(total),
    CreditDebitDetails: details,
  };
  c.list('OECreditDebitNotes').push(note);
  return note;
}

/** A miscellaneous-charge line on a known charge code (any other line type is refused). */
function miscLine(c: Company, d: Rec, line: Rec): void {
  if (d.LineType !== 'Miscellaneous')
    throw new SageError('InvalidPayload', `LineType ${String(d.LineType)} is not valid.`);
  if (!c.list('OEMiscellaneousCharges').some((m) => m.MiscellaneousChargeCode === d.MiscellaneousChargesCode))
    throw new SageError(
      'RecordInvalid',
      `Miscellaneous Charge ${String(d.MiscellaneousChargesCode)} does not exist.`,
    );
  line.ExtendedAmountMiscellaneousCharge = num(
    dec(d.ExtendedAmountMiscellaneousCharge ?? 0, 'ExtendedAmountMiscellaneousCharge'),
  );
  line.ExtendedAmount = line.ExtendedAmountMiscellaneousCharge;
}

/** Goods of `ItemsReturnedToInventory` lines back on hand at their location. */
function returnStock(c: Company, details: Rec[]): void {
  for (const l of details)
    if (l.LineType === 'Item' && l.ReturnType === 'ItemsReturnedToInventory')
      c.moveStock(String(l.Item), String(l.Location), dec(l.QuantityReturned, 'q'), new MoneyDecimal(0));
}

/**
 * A credit note that names no invoice (reference/erp/sage300/payloads/OE/OECreditDebitNotes.json):
 * item lines on active items at known locations with their price, miscellaneous charges on known
 * codes, in the customer's currency.
 */
function insertUnlinked(c: Company, body: Rec): Rec {
  const customer = c.customer(body.CustomerNumber);
  const uniq = c.next('CNUniquifier');
  const details = ((body.CreditDebitDetails as Rec[] | undefined) ?? []).map((d, i): Rec => {
    const line: Rec = { ...d, CNUniquifier: uniq, LineNumber: (i + 1) * 32 };
    if ((d.LineType ?? 'Item') === 'Item') {
      line.LineType = 'Item';
      if (!c.list('ICItems').some((it) => it.ItemNumber === d.Item))
        throw new SageError('RecordInvalid', `Item Number ${String(d.Item)} does not exist.`);
      const location = textOf(d.Location ?? '1');
      if (!c.codes.locations.has(location))
        throw new SageError('RecordInvalid', `Location ${location} does not exist.`);
      const qty = dec(d.QuantityReturned ?? 0, 'QuantityReturned');
      const price = dec(d.UnitPrice ?? 0, 'UnitPrice');
      const returnType = textOf(d.ReturnType ?? 'ItemsReturnedToInventory');
      if (!RETURN_TYPES.includes(returnType))
        throw new SageError('InvalidPayload', `ReturnType ${returnType} is not valid.`);
      Object.assign(line, {
        Location: location,
        QuantityReturned: num(qty),
        UnitPrice: num(price),
        ReturnType: returnType,
        ExtendedAmount: num(price.times(qty).toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP)),
      });
    } else miscLine(c, d, line);
    return line;
  });
  if (details.length === 0) throw new SageError('RecordInvalid', 'The credit note has no detail lines.');
  returnStock(c, details);
  const note: Rec = {
    ...body,
    CNUniquifier: uniq,
    CreditDebitNoteNumber: `CN${pad(c.next('CreditNoteNumber'), 13)}`,
    CreditDebitNoteType: 'CreditNote',
    CreditDebitNoteDate: body.CreditDebitNoteDate ?? c.today(),
    InvoiceNumber: '',
    CustomerCurrency: customer.CurrencyCode ?? c.homeCurrency(),
    CreditDebitNoteTotal: num(sumOf(details, 'ExtendedAmount')),
    CreditDebitDetails: details,
  };
  c.list('OECreditDebitNotes').push(note);
  return note;
}
