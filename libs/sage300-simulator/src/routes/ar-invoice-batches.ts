import { textOf } from '@connector/simulator-odata';
import { MoneyDecimal } from '@connector/money';
import { SageError } from '../errors';
import { text, type Rec } from '../resources';
import { dec, num, pad, type Company } from '../state';

const DOCUMENT_TYPES = ['Invoice', 'DebitNote', 'CreditNote', 'Interest', '4'];

/**
 * `POST AR/ARInvoiceBatches`, reference/erp/FACTS.md §2.3 and
 * reference/erp/sage300/payloads/AR/ARInvoiceBatches.json: a batch of invoices for active
 * customers, each with detail lines on known distribution codes. Batch, entry, line and document
 * numbers are assigned; a payment schedule of one payment for the total is made when none is sent.
 */
export function insertInvoiceBatch(c: Company, body: Rec): Rec {
  text(body.Description, 'Description');
  const invoices = (body.Invoices as Rec[] | undefined) ?? [];
  const batch = c.next('ARInvoiceBatch');
  const dist = c.codes.distribution;
  const out: Rec[] = invoices.map((inv, i) => {
    const customer = c.customer(inv.CustomerNumber);
    const type = inv.DocumentType ?? 'Invoice';
    if (!DOCUMENT_TYPES.includes(textOf(type)))
      throw new SageError('InvalidPayload', `DocumentType ${textOf(type)} is not valid.`);
    // a document is in its customer's currency, at the rate it names or the rate table's [?]
    const currency = textOf(inv.CurrencyCode ?? customer.CurrencyCode ?? c.homeCurrency());
    if (currency !== textOf(customer.CurrencyCode ?? c.homeCurrency()))
      throw new SageError(
        'RecordInvalid',
        `Customer ${String(inv.CustomerNumber)} uses currency ${String(customer.CurrencyCode)}, not ${currency}.`,
      );
    const rate = c.documentRate(currency, inv, 'DocumentDate');
    const entry = i + 1;
    const details = ((inv.InvoiceDetails as Rec[] | undefined) ?? []).map((d, j) => {
      if (!dist.has(String(d.DistributionCode)))
        throw new SageError(
          'RecordInvalid',
          `Distribution Code ${String(d.DistributionCode)} does not exist.`,
        );
      return {
        ...d,
        BatchNumber: batch,
        EntryNumber: entry,
        LineNumber: (j + 1) * 20,
        ExtendedAmountWithTIP: num(dec(d.ExtendedAmountWithTIP ?? 0, 'ExtendedAmountWithTIP')),
      };
    });
    if (details.length === 0) throw new SageError('RecordInvalid', 'The document has no detail lines.');
    const total = details.reduce((s, d) => s.plus(dec(d.ExtendedAmountWithTIP, 'x')), new MoneyDecimal(0));
    const schedules = (inv.InvoicePaymentSchedules as Rec[] | undefined)?.length
      ? (inv.InvoicePaymentSchedules as Rec[]).map((s, k) => ({
          ...s,
          BatchNumber: batch,
          EntryNumber: entry,
          PaymentNumber: k + 1,
        }))
      : [
          {
            BatchNumber: batch,
            EntryNumber: entry,
            PaymentNumber: 1,
            AmountDue: num(total),
            DueDate: inv.DueDate,
          },
        ];
    if (textOf(type) === 'CreditNote' && inv.ApplyToDocument !== undefined) checkApplyTo(c, inv, total);
    return {
      ...inv,
      BatchNumber: batch,
      EntryNumber: entry,
      CurrencyCode: currency,
      ...(currency !== c.homeCurrency() ? { RateType: inv.RateType ?? 'SP', ExchangeRate: num(rate) } : {}),
      DocumentType: type,
      // document numbers are assigned on entry ([?] property name in reference/erp/FACTS.md §2.3)
      DocumentNumber:
        inv.DocumentNumber ??
        `${textOf(type) === 'CreditNote' ? 'CN' : 'IN'}${pad(c.next('ARDocumentNumber'), 13)}`,
      InvoiceType: inv.InvoiceType ?? 'Summary',
      InvoiceDetails: details,
      InvoicePaymentSchedules: schedules,
    };
  });
  const rec: Rec = {
    ...body,
    BatchNumber: batch,
    BatchDate: body.BatchDate ?? c.today(),
    BatchStatus: body.BatchStatus ?? 'Open',
    Description: body.Description ?? '',
    NumberOfEntries: out.length,
    Invoices: out,
  };
  c.list('ARInvoiceBatches').push(rec);
  return rec;
}

/** Every AR document of the company's invoice batches (an entry with its batch). */
function documents(c: Company): Rec[] {
  return c.list('ARInvoiceBatches').flatMap((b) => b.Invoices as Rec[]);
}

/** The total of an AR document: its detail lines. */
export function documentTotal(d: Rec): MoneyDecimal {
  return (d.InvoiceDetails as Rec[]).reduce(
    (s, l) => s.plus(dec(l.ExtendedAmountWithTIP, 'ExtendedAmountWithTIP')),
    new MoneyDecimal(0),
  );
}

/**
 * A credit note applied to an invoice: the invoice exists for the same customer, and what its
 * credit notes total may not pass it (message texts [?]).
 */
function checkApplyTo(c: Company, note: Rec, total: MoneyDecimal): void {
  const docs = documents(c);
  const invoice = docs.find((d) => d.DocumentNumber === note.ApplyToDocument && d.DocumentType === 'Invoice');
  if (!invoice || invoice.CustomerNumber !== note.CustomerNumber)
    throw new SageError(
      'RecordInvalid',
      `Apply-to document ${String(note.ApplyToDocument)} does not exist for customer ${String(note.CustomerNumber)}.`,
    );
  const credited = docs
    .filter((d) => d.DocumentType === 'CreditNote' && d.ApplyToDocument === note.ApplyToDocument)
    .reduce((s, d) => s.plus(documentTotal(d)), new MoneyDecimal(0));
  const invoiceTotal = documentTotal(invoice);
  if (credited.plus(total).gt(invoiceTotal))
    throw new SageError(
      'RecordInvalid',
      `The credit notes applied to ${String(note.ApplyToDocument)} would total ${credited.plus(total).toFixed()}, more than the document (${invoiceTotal.toFixed()}).`,
    );
}
