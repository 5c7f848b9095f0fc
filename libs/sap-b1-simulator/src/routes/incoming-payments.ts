import { textOf } from '@connector/simulator-odata';
import { invalidValue, validation } from '../errors';
import type { Row } from '../odata';
import { NONE, PAY_RO, PAY_W, PINV_W, checkProps, listOf } from '../properties';
import { D, type SapB1State } from '../state';

const DOC_TYPES: Record<string, string> = { C: 'rCustomer', A: 'rAccount', S: 'rSupplier' };

/**
 * `POST /IncomingPayments` (object 24), reference/erp/FACTS.md §1.3: cash or bank transfer to an
 * active account, from a business partner (or to an account, rAccount), optionally applied to that
 * partner's invoices for no more than the payment.
 */
export function createIncomingPayment(state: SapB1State, body: unknown): Row {
  const p = checkProps(body, PAY_W, PAY_RO, 'Payment');
  const invoices = listOf(p.PaymentInvoices, 'PaymentInvoices').map((x) =>
    checkProps(x, PINV_W, NONE, 'PaymentInvoice'),
  );
  const docType = DOC_TYPES[textOf(p.DocType ?? 'rCustomer')] ?? textOf(p.DocType ?? 'rCustomer');
  if (!Object.values(DOC_TYPES).includes(docType)) throw invalidValue('DocType');
  const bp = state.businessPartner(p.CardCode);
  if (docType !== 'rAccount' && !bp) throw validation(`Enter a valid BP code (${textOf(p.CardCode ?? '')})`);
  const transfer = D(p.TransferSum ?? 0);
  const cash = D(p.CashSum ?? 0);
  if (transfer.isNeg() || cash.isNeg()) throw validation('Payment amounts cannot be negative');
  if (transfer.gt(0) && !state.account(p.TransferAccount))
    throw validation(`Invalid account code (${textOf(p.TransferAccount ?? '')})`);
  if (cash.gt(0) && !state.account(p.CashAccount))
    throw validation(`Invalid account code (${textOf(p.CashAccount ?? '')})`);
  const total = transfer.plus(cash);
  if (!total.gt(0)) throw validation('Total payment amount must be greater than zero');
  let applied = D(0);
  invoices.forEach((x, i) => {
    const inv = state.table('Invoices').find((d) => d.DocEntry === x.DocEntry);
    if (!inv) throw validation(`Line ${i}: invoice ${String(x.DocEntry)} not found`);
    if (inv.CardCode !== p.CardCode)
      throw validation(`Line ${i}: invoice belongs to another business partner`);
    x.LineNum = i;
    x.InvoiceType ??= 'it_Invoice';
    x.InstallmentId ??= 1;
    applied = applied.plus(D(x.SumApplied));
  });
  if (applied.gt(total)) throw validation('Applied amounts exceed the payment amount');
  const counter = state.counter('IncomingPayments');
  const { date } = state.stamp();
  const stored: Row = {
    DocDate: date,
    DocCurrency: state.localCurrency,
    CardName: bp?.CardName,
    ...p,
    DocType: docType,
    DocEntry: ++counter.entry,
    DocNum: counter.num++,
    Cancelled: 'tNO',
    PaymentInvoices: invoices,
  };
  state.table('IncomingPayments').push(stored);
  return stored;
}
