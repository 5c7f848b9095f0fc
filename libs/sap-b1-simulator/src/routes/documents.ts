import { textOf } from '@connector/simulator-odata';
import type { MoneyDecimal } from '@connector/money';
import { SlError, invalidValue, notSupported, validation } from '../errors';
import type { Row } from '../odata';
import { DOC_RO, DOC_W, EXP_W, LINE_RO, LINE_W, NONE, checkProps, listOf } from '../properties';
import { D, ENTITIES, N, clone, round2, type SapB1State } from '../state';

/**
 * Marketing documents: `Orders` (17), `DeliveryNotes` (15), `Invoices` (13) and `CreditNotes` (14),
 * reference/erp/FACTS.md §1.3 and §1.5. `POST /<Documents>` with copy-from-order (BaseType 17 /
 * BaseEntry / BaseLine) and credit notes based on an invoice (BaseType 13), `POST /<Documents>(n)/Cancel|Close`,
 * `PATCH /<Documents>(n)` on the header. Orders commit stock; deliveries and invoices take it out;
 * credit notes bring it back, except lines "without inventory movement" (RIN1.NoInvtryMv, the
 * DocumentLine property `WithoutInventoryMovement` of the 2019 9.3/10.0 metadata [SL-M]). Foreign
 * documents keep DocCurrency, DocRate (sent, or the rate table's) and DocTotalFc beside DocTotal.
 */

const COPIED_FROM_BASE_LINE = [
  'ItemCode',
  'ItemDescription',
  'UnitPrice',
  'WarehouseCode',
  'DiscountPercent',
  'TaxCode',
];

/** What each document may be copied from (BaseType → the base's entity set), reference/erp/FACTS.md §1.3. */
const BASES: Record<string, Record<number, string>> = {
  Invoices: { 17: 'Orders' },
  DeliveryNotes: { 17: 'Orders' },
  // A/R credit notes based on an A/R invoice (ORIN lines with BaseType 13, RIN1.BaseEntry/BaseLine)
  CreditNotes: { 13: 'Invoices' },
};

/** The document's total in its own currency: DocTotalFc when foreign, DocTotal when local. */
export function docTotal(state: SapB1State, doc: Row): MoneyDecimal {
  return doc.DocCurrency !== undefined && doc.DocCurrency !== state.localCurrency
    ? D(doc.DocTotalFc)
    : D(doc.DocTotal);
}

/** A refused rate lookup (ORTT has no row): the code a third-party client reads as "rate missing" [3P]; text [?]. */
export const rateMissing = (currency: string, date: string) =>
  new SlError(400, -4006, `Update the exchange rate for currency '${currency}' on ${date.slice(0, 10)}`);

export function createDocument(state: SapB1State, entity: string, body: unknown): Row {
  const def = ENTITIES[entity];
  const doc = checkProps(body, DOC_W, DOC_RO, 'Document');
  const lines = listOf(doc.DocumentLines, 'DocumentLines').map((l) =>
    checkProps(l, LINE_W, LINE_RO, 'DocumentLine'),
  );
  const expenses = listOf(doc.DocumentAdditionalExpenses, 'DocumentAdditionalExpenses').map((e) =>
    checkProps(e, EXP_W, NONE, 'DocumentAdditionalExpense'),
  );
  const bp = state.businessPartner(doc.CardCode);
  if (typeof doc.CardCode !== 'string' || !bp)
    throw validation(`Enter a valid BP code (${textOf(doc.CardCode ?? '')})`);
  if (bp.Valid === 'tNO' || bp.Frozen === 'tYES') throw validation(`BP ${bp.CardCode as string} is inactive`);
  if (lines.length === 0) throw validation('Cannot add document without rows');
  if (typeof doc.NumAtCard === 'string' && doc.NumAtCard.length > 100) throw invalidValue('NumAtCard');
  const { date: today } = state.stamp();
  const docDate = typeof doc.DocDate === 'string' ? doc.DocDate.slice(0, 10) : today;

  // Currency: the BP's own, or the local currency, or any for an all-currencies ('##') partner; a
  // foreign document takes DocRate as sent, else the rate table's rate of its DocDate
  const bpCurrency = typeof bp.Currency === 'string' ? bp.Currency : '##';
  const currency =
    typeof doc.DocCurrency === 'string'
      ? doc.DocCurrency
      : bpCurrency === '##'
        ? state.localCurrency
        : bpCurrency;
  if (currency !== state.localCurrency && bpCurrency !== '##' && bpCurrency !== currency)
    throw validation(`Currency ${currency} is not the currency of BP ${bp.CardCode as string}`);
  let rate = D(1);
  if (currency !== state.localCurrency) {
    if (doc.DocRate !== undefined) rate = D(doc.DocRate);
    else rate = state.rate(currency, docDate) ?? throwing(rateMissing(currency, docDate));
    if (!rate.gt(0)) throw invalidValue('DocRate');
  }

  // Validate every line before anything changes: a refused POST leaves no trace (reference/erp/FACTS.md §1.5)
  type BaseUse = { base: Row; line: Row; qty: MoneyDecimal };
  const baseUses: BaseUse[] = [];
  lines.forEach((l, i) => {
    if (l.BaseType !== undefined && l.BaseType !== -1) {
      const baseEntity = BASES[entity]?.[l.BaseType as number];
      if (!baseEntity)
        throw validation(`Line ${i}: base document type ${l.BaseType as number} cannot be copied here`);
      const base = state.table(baseEntity).find((o) => o.DocEntry === l.BaseEntry);
      if (!base) throw validation(`Line ${i}: base document ${String(l.BaseEntry)} not found`);
      if (base.CardCode !== doc.CardCode)
        throw validation(`Line ${i}: base document belongs to another business partner`);
      if (base.Cancelled === 'tYES' || base.DocumentStatus === 'bost_Close')
        throw validation(`Line ${i}: base document ${base.DocNum as number} is closed`);
      if ((base.DocCurrency ?? state.localCurrency) !== currency)
        throw validation(`Line ${i}: currency differs from the base document's`);
      const bl = (base.DocumentLines as Row[]).find((x) => x.LineNum === l.BaseLine);
      if (!bl) throw validation(`Line ${i}: base line ${String(l.BaseLine)} not found`);
      if (bl.LineStatus === 'bost_Close') throw validation(`Line ${i}: base line is closed`);
      for (const f of COPIED_FROM_BASE_LINE)
        if (l[f] === undefined && bl[f] !== undefined) l[f] = clone(bl[f]);
      if (l.ItemCode !== bl.ItemCode) throw validation(`Line ${i}: item differs from the base line`);
      const open = D(bl.RemainingOpenQuantity);
      if (l.Quantity === undefined) l.Quantity = N(open);
      const qty = D(l.Quantity);
      const used = baseUses.filter((u) => u.line === bl).reduce((s, u) => s.plus(u.qty), D(0));
      if (qty.plus(used).gt(open))
        throw validation(`Line ${i}: quantity exceeds the open quantity of the base line`);
      baseUses.push({ base, line: bl, qty });
    }
    const item = state.table('Items').find((it) => it.ItemCode === l.ItemCode);
    if (typeof l.ItemCode !== 'string' || !item)
      throw validation(`Enter a valid item code (${textOf(l.ItemCode ?? '')})`);
    if (item.Valid === 'tNO' || item.Frozen === 'tYES' || item.SalesItem !== 'tYES')
      throw validation(`Item ${item.ItemCode as string} is inactive or not a sales item`);
    if (l.WarehouseCode === undefined) l.WarehouseCode = item.DefaultWarehouse;
    if (!state.table('Warehouses').some((w) => w.WarehouseCode === l.WarehouseCode))
      throw validation(`Enter a valid warehouse code (${String(l.WarehouseCode)})`);
    if (l.Quantity === undefined) l.Quantity = N('1');
    if (!D(l.Quantity).gt(0)) throw validation(`Line ${i}: quantity must be positive`);
    if (l.UnitPrice === undefined)
      l.UnitPrice = l.Price ?? clone((item.ItemPrices as Row[])[0]?.Price) ?? N('0');
    if (l.AccountCode !== undefined && !state.account(l.AccountCode))
      throw validation(`Invalid account code (${textOf(l.AccountCode)})`);
    const noMove = textOf(l.WithoutInventoryMovement ?? 'tNO');
    if (!['tYES', 'tNO', 'Y', 'N'].includes(noMove)) throw invalidValue('WithoutInventoryMovement');
    l.WithoutInventoryMovement = noMove === 'tYES' || noMove === 'Y' ? 'tYES' : 'tNO';
    // the simulator takes "without inventory movement" on credit notes only, the one place the
    // connector uses it (where else SAP takes it is not in the public material [?])
    if (l.WithoutInventoryMovement === 'tYES' && entity !== 'CreditNotes')
      throw validation(`Line ${i}: "without inventory movement" is not allowed in this document`);
  });
  for (const e of expenses) {
    if (!state.table('AdditionalExpenses').some((x) => x.ExpensCode === e.ExpenseCode))
      throw validation(`Enter a valid freight code (${textOf(e.ExpenseCode ?? '')})`);
    if (e.LineTotal === undefined) throw validation('Enter the freight amount');
  }

  // Totals in the document's currency (line prices are in it)
  let net = D(0);
  let tax = D(0);
  lines.forEach((l, i) => {
    l.LineNum = i;
    const disc = D(l.DiscountPercent ?? 0);
    const price = D(l.UnitPrice).times(D(100).minus(disc)).div(100);
    l.Price = N(price);
    if (l.LineTotal === undefined) l.LineTotal = N(round2(price.times(D(l.Quantity))));
    if (l.TaxTotal === undefined) l.TaxTotal = N('0');
    l.Currency ??= currency;
    l.LineStatus = 'bost_Open';
    // what is left to copy: an order's to deliver or invoice, an invoice's to credit
    l.RemainingOpenQuantity = entity === 'Orders' || entity === 'Invoices' ? clone(l.Quantity) : N('0');
    l.BaseType ??= -1;
    net = net.plus(D(l.LineTotal));
    tax = tax.plus(D(l.TaxTotal));
  });
  for (const e of expenses) {
    e.TaxSum ??= N('0');
    net = net.plus(D(e.LineTotal));
    tax = tax.plus(D(e.TaxSum));
  }
  const total = round2(net.plus(tax));

  // A credit note takes back no more than its base invoices' totals: what earlier credit notes
  // based on them took counts against it. SAP refuses a copy beyond the open quantity of a base
  // line (above); the amount rule is the simulator's reading of the invoice's open amount [?]
  for (const base of new Set(baseUses.map((u) => u.base))) {
    if (entity !== 'CreditNotes') break;
    const credited = state
      .table('CreditNotes')
      .filter((c) =>
        (c.DocumentLines as Row[]).some((x) => x.BaseType === 13 && x.BaseEntry === base.DocEntry),
      )
      .reduce((s, c) => s.plus(docTotal(state, c)), D(0));
    if (credited.plus(total).gt(docTotal(state, base)))
      throw validation(
        `Credit total ${credited.plus(total).toFixed(2)} exceeds the total ${docTotal(state, base).toFixed(2)} of base document ${base.DocNum as number}`,
      );
  }

  // Accepted: numbering, stamps, then the effects on the base documents and on stock
  const counter = state.counter(entity);
  const docEntry = ++counter.entry;
  const docNum = typeof doc.DocNum === 'number' && doc.HandWritten === 'tYES' ? doc.DocNum : counter.num++;
  const foreign = currency !== state.localCurrency;
  const stored: Row = {
    DocEntry: docEntry,
    DocNum: docNum,
    DocType: 'dDocument_Items',
    DocDate: today,
    DocDueDate: doc.DocDate ?? today,
    TaxDate: doc.DocDate ?? today,
    CardName: bp.CardName,
    ...doc,
    DocCurrency: currency,
    DocRate: N(rate),
    DocObjectCode: def.objectType,
    // DocTotal and VatSum are in the local currency, DocTotalFc in the document's (OINV.DocTotal / DocTotalFC)
    DocTotal: N(foreign ? round2(total.times(rate)) : total),
    DocTotalFc: N(foreign ? total : D(0)),
    VatSum: N(round2(foreign ? tax.times(rate) : tax)),
    DocumentStatus: 'bost_Open',
    Cancelled: 'tNO',
    CreationDate: today,
    ...state.stampFields(),
    DocumentLines: lines.map((l) => ({ ...l, DocEntry: docEntry })),
    DocumentAdditionalExpenses: expenses,
  };
  for (const u of baseUses) {
    const left = D(u.line.RemainingOpenQuantity).minus(u.qty);
    u.line.RemainingOpenQuantity = N(left);
    if (left.lte(0)) u.line.LineStatus = 'bost_Close';
    if ((u.base.DocumentLines as Row[]).every((x) => x.LineStatus === 'bost_Close'))
      u.base.DocumentStatus = 'bost_Close';
    Object.assign(u.base, state.stampFields());
  }
  for (const l of stored.DocumentLines as Row[]) {
    const item = l.ItemCode as string;
    const wh = l.WarehouseCode as string;
    // a line "without inventory movement" posts to the accounts only: no stock moves
    if (l.WithoutInventoryMovement === 'tYES') continue;
    if (entity === 'Orders') state.moveStock(item, wh, D(0), D(l.Quantity));
    else if (entity === 'Invoices' || entity === 'DeliveryNotes') {
      const fromOrder = l.BaseType === 17 ? D(l.Quantity) : D(0);
      state.moveStock(item, wh, D(l.Quantity).neg(), fromOrder.neg());
    } else if (entity === 'CreditNotes') state.moveStock(item, wh, D(l.Quantity), D(0));
  }
  state.table(entity).push(stored);
  return stored;
}

function throwing(err: Error): never {
  throw err;
}

/** `POST /<Documents>(n)/Cancel` (orders and deliveries) or `/Close`; an open order releases its commitment. */
export function documentAction(state: SapB1State, entity: string, docEntry: number, action: string): void {
  const doc = state.find(entity, docEntry);
  if (action !== 'Cancel' && action !== 'Close') throw notSupported();
  if (doc.Cancelled === 'tYES') throw validation('Document is already cancelled');
  if (doc.DocumentStatus === 'bost_Close') throw validation('Cannot cancel or close a closed document');
  if (action === 'Cancel' && entity !== 'Orders' && entity !== 'DeliveryNotes') throw notSupported();
  for (const l of doc.DocumentLines as Row[]) {
    if (entity === 'Orders' && l.LineStatus === 'bost_Open')
      state.moveStock(
        l.ItemCode as string,
        l.WarehouseCode as string,
        D(0),
        D(l.RemainingOpenQuantity).neg(),
      );
    if (entity === 'DeliveryNotes' && action === 'Cancel') reverseDeliveryLine(state, l);
    l.LineStatus = 'bost_Close';
  }
  doc.DocumentStatus = 'bost_Close';
  if (action === 'Cancel') doc.Cancelled = 'tYES';
  Object.assign(doc, state.stampFields());
}

/**
 * A cancelled delivery line: the goods come back into stock and, for a line copied from an order,
 * the order line is open again for that quantity and commits it again.
 */
function reverseDeliveryLine(state: SapB1State, l: Row): void {
  const qty = D(l.Quantity);
  const order = l.BaseType === 17 ? state.table('Orders').find((o) => o.DocEntry === l.BaseEntry) : undefined;
  const base = (order?.DocumentLines as Row[] | undefined)?.find((x) => x.LineNum === l.BaseLine);
  state.moveStock(l.ItemCode as string, l.WarehouseCode as string, qty, base ? qty : D(0));
  if (!order || !base) return;
  base.RemainingOpenQuantity = N(D(base.RemainingOpenQuantity).plus(qty));
  base.LineStatus = 'bost_Open';
  if (order.Cancelled !== 'tYES') order.DocumentStatus = 'bost_Open';
  Object.assign(order, state.stampFields());
}

/** `PATCH /<Documents>(n)`: header properties only. */
export function patchDocument(state: SapB1State, row: Row, body: Row): void {
  const header = checkProps(body, DOC_W, DOC_RO, 'Document');
  if (header.DocumentLines || header.DocumentAdditionalExpenses || header.CardCode)
    throw new SlError(400, -5006, 'The simulator does not patch lines, expenses or the business partner');
  Object.assign(row, header, state.stampFields());
}
