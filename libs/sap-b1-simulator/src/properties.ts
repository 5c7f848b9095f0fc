import { textOf } from '@connector/simulator-odata';
import { isLosslessNumber } from 'lossless-json';
import { SlError, invalidValue } from './errors';
import type { Row } from './odata';
import { D, N } from './state';

/**
 * Writable and read-only properties of the types the connector writes (a subset of
 * reference/erp/sap-b1/entities-subset.json; anything else is refused as an invalid property,
 * U_* fields are allowed), and the Edm.Double / Edm.Int32 ones among them.
 */
const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean));

export const DOC_W =
  set(`DocNum DocType HandWritten Series DocDate DocDueDate TaxDate CardCode CardName NumAtCard
  DocCurrency DocRate DocTotal DocTotalFc Comments JournalMemo Reference1 Reference2 TrackingNumber TransportationCode
  DiscountPercent ShipToCode PayToCode SalesPersonCode Project Address Address2 DocumentLines DocumentAdditionalExpenses`);
export const DOC_RO =
  set(`DocEntry DocumentStatus Cancelled CreationDate UpdateDate UpdateTime VatSum TransNum DocTotalSys
  DocObjectCode`);
export const LINE_W =
  set(`LineNum ItemCode ItemDescription Quantity UnitPrice Price PriceAfterVAT DiscountPercent Currency
  WarehouseCode TaxCode VatGroup AccountCode LineTotal TaxTotal BaseType BaseEntry BaseLine FreeText ShipDate
  CostingCode ProjectCode LineStatus WithoutInventoryMovement`);
export const LINE_RO = set(`DocEntry RemainingOpenQuantity OpenAmount`);
export const EXP_W = set(
  `ExpenseCode LineTotal TaxSum TaxCode VatGroup Remarks TaxLiable DistributionMethod`,
);
export const JE_W =
  set(`ReferenceDate DueDate TaxDate Memo Reference Reference2 Reference3 TransactionCode ProjectCode
  Series JournalEntryLines`);
export const JE_RO = set(`JdtNum Number`);
export const JEL_W =
  set(`Line_ID AccountCode ShortName Debit Credit FCDebit FCCredit FCCurrency LineMemo Reference1
  Reference2 AdditionalReference ContraAccount CostingCode ProjectCode DueDate TaxDate`);
export const PAY_W =
  set(`DocNum DocType DocDate CardCode CardName CashAccount CashSum DocCurrency DocRate TransferAccount
  TransferSum TransferDate TransferReference Reference1 Reference2 CounterReference Remarks JournalRemarks TaxDate
  DueDate BankChargeAmount Series ProjectCode PaymentInvoices`);
export const PAY_RO = set(`DocEntry Cancelled`);
export const PINV_W = set(`LineNum DocEntry SumApplied AppliedFC InvoiceType InstallmentId DocLine`);
/** Business partners: the card fields the connector copies from its template customer, and the address rows. */
export const BP_W =
  set(`CardCode CardName CardType GroupCode PayTermsGrpCode DebitorAccount Currency PriceListNum VatGroup
  VatLiable SalesPersonCode Valid Frozen FederalTaxID EmailAddress Phone1 Notes ShipToDefault BilltoDefault
  BPAddresses`);
export const BP_RO = set(`CreateDate UpdateDate UpdateTime CurrentAccountBalance`);
export const BPA_W = set(`AddressName AddressName2 AddressName3 Street Block ZipCode City County Country State
  BuildingFloorRoom AddressType StreetNo BPCode RowNum`);
export const NONE = new Set<string>();

const DOUBLES =
  set(`Quantity UnitPrice Price PriceAfterVAT LineTotal TaxTotal DocTotal DocRate DiscountPercent VatSum
  Debit Credit FCDebit FCCredit TransferSum CashSum SumApplied AppliedFC BankChargeAmount TaxSum DocTotalFc`);
const INTS =
  set(`LineNum BaseType BaseEntry BaseLine ExpenseCode Series DocNum Line_ID DocEntry InstallmentId DocLine
  TransportationCode SalesPersonCode GroupCode PayTermsGrpCode PriceListNum RowNum`);

/** A body's known properties, Edm.Double as exact decimals and Edm.Int32 as numbers; refuses the rest. */
export function checkProps(body: unknown, writable: Set<string>, readOnly: Set<string>, type: string): Row {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SlError(400, -1000, `Invalid '${type}' payload`);
  const out: Row = {};
  for (const [k, v] of Object.entries(body as Row)) {
    if (readOnly.has(k)) throw new SlError(400, -1000, `Property '${k}' of '${type}' is read-only`);
    if (!writable.has(k) && !k.startsWith('U_'))
      throw new SlError(400, -1000, `Property '${k}' of '${type}' is invalid`);
    if (v === null || v === undefined) continue;
    if (DOUBLES.has(k)) {
      const s = textOf(v);
      if (!/^-?\d+(\.\d+)?$/.test(s)) throw invalidValue(k);
      out[k] = N(D(s));
    } else if (INTS.has(k)) {
      const s = textOf(v);
      if (!/^-?\d+$/.test(s)) throw invalidValue(k);
      out[k] = Number(s);
    } else if (isLosslessNumber(v)) out[k] = Number(String(v));
    else out[k] = v;
  }
  return out;
}

/** A collection property: absent is empty; anything but an array is an invalid value. */
export function listOf(v: unknown, prop: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidValue(prop);
  return v;
}
