import { textOf } from '@connector/simulator-odata';
import type { MoneyDecimal } from '@connector/money';
import { SlError, invalidValue, notSupported, validation } from '../errors';
import type { Row } from '../odata';
import { DOC_RO, DOC_W, EXP_W, LINE_RO, LINE_W, NONE, checkProps, listOf } from '../properties';
import { D, ENTITIES, N, clone, round2, type SapB1State } from '../state';

/**
 * Marketing documents: `Orders` (17), `DeliveryNotes` (15), `Invoices` (13) and `CreditNotes` (14),
 * reference/erp/FACTS.md §1.3 and §1.5. `POST /<Documents>` with copy-from-order (BaseType 17 /
 * BaseEntry / BaseLine), `POST /<Documents>(n)/Cancel|Close`, `PATCH /<Documents>(n)` on the header.
 * Orders commit stock; deliveries and invoices take it out; credit notes bring it back.
 */

const COPIED_FROM_BASE_LINE = [
  'ItemCode',
  'ItemDescription',
  'UnitPrice',
  'WarehouseCode',
  'DiscountPercent',
  'TaxCode',
];

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

  // Validate every line before anything changes: a refused POST leaves no trace (reference/erp/FACTS.md §1.5)
  type BaseUse = { order: Row; line: Row; qty: MoneyDecimal };
  const baseUses: BaseUse[] = [];
  lines.forEach((l, i) => {
    if (l.BaseType !== undefined && l.BaseType !== -1) {
      if (l.BaseType !== 17 || entity === 'Orders')
        throw validation(`Line ${i}: base document type ${l.BaseType as number} cannot be copied here`);
      const order = state.table('Orders').find((o) => o.DocEntry === l.BaseEntry);
      if (!order) throw validation(`Line ${i}: base document ${String(l.BaseEntry)} not found`);
      if (order.CardCode !== doc.CardCode)
        throw validation(`Line ${i}: base document belongs to another business partner`);
      if (order.Cancelled === 'tYES' || order.DocumentStatus === 'bost_Close')
        throw validation(`Line ${i}: base document ${order.DocNum as number} is closed`);
      const bl = (order.DocumentLines as Row[]).find((x) => x.LineNum === l.BaseLine);
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
      baseUses.push({ order, line: bl, qty });
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
  });
  for (const e of expenses) {
    if (!state.table('AdditionalExpenses').some((x) => x.ExpensCode === e.ExpenseCode))
      throw validation(`Enter a valid freight code (${textOf(e.ExpenseCode ?? '')})`);
    if (e.LineTotal === undefined) throw validation('Enter the freight amount');
  }

  // Accepted: totals, numbering, stamps, then the effects on the base order and on stock
  let net = D(0);
  let tax = D(0);
  lines.forEach((l, i) => {
    l.LineNum = i;
    const disc = D(l.DiscountPercent ?? 0);
    const price = D(l.UnitPrice).times(D(100).minus(disc)).div(100);
    l.Price = N(price);
    if (l.LineTotal === undefined) l.LineTotal = N(round2(price.times(D(l.Quantity))));
    if (l.TaxTotal === undefined) l.TaxTotal = N('0');
    l.Currency ??= doc.DocCurrency ?? state.localCurrency;
    l.LineStatus = 'bost_Open';
    l.RemainingOpenQuantity = entity === 'Orders' ? clone(l.Quantity) : N('0');
    l.BaseType ??= -1;
    net = net.plus(D(l.LineTotal));
    tax = tax.plus(D(l.TaxTotal));
  });
  for (const e of expenses) {
    e.TaxSum ??= N('0');
    net = net.plus(D(e.LineTotal));
    tax = tax.plus(D(e.TaxSum));
  }
  const counter = state.counter(entity);
  const docEntry = ++counter.entry;
  const docNum = typeof doc.DocNum === 'number' && doc.HandWritten === 'tYES' ? doc.DocNum : counter.num++;
  const { date } = state.stamp();
  const stored: Row = {
    DocEntry: docEntry,
    DocNum: docNum,
    DocType: 'dDocument_Items',
    DocDate: date,
    DocDueDate: doc.DocDate ?? date,
    TaxDate: doc.DocDate ?? date,
    CardName: bp.CardName,
    DocCurrency: state.localCurrency,
    DocRate: N('1'),
    ...doc,
    DocObjectCode: def.objectType,
    DocTotal: N(round2(net.plus(tax))),
    VatSum: N(round2(tax)),
    DocumentStatus: 'bost_Open',
    Cancelled: 'tNO',
    CreationDate: date,
    ...state.stampFields(),
    DocumentLines: lines.map((l) => ({ ...l, DocEntry: docEntry })),
    DocumentAdditionalExpenses: expenses,
  };
  for (const u of baseUses) {
    const left = D(u.line.RemainingOpenQuantity).minus(u.qty);
    u.line.RemainingOpenQuantity = N(left);
    if (left.lte(0)) u.line.LineStatus = 'bost_Close';
    if ((u.order.DocumentLines as Row[]).every((x) => x.LineStatus === 'bost_Close'))
      u.order.DocumentStatus = 'bost_Close';
    Object.assign(u.order, state.stampFields());
  }
  for (const l of stored.DocumentLines as Row[]) {
    const item = l.ItemCode as string;
    const wh = l.WarehouseCode as string;
    if (entity === 'Orders') state.moveStock(item, wh, D(0), D(l.Quantity));
    else if (entity === 'Invoices' || entity === 'DeliveryNotes') {
      const fromOrder = l.BaseType === 17 ? D(l.Quantity) : D(0);
      state.moveStock(item, wh, D(l.Quantity).neg(), fromOrder.neg());
    } else if (entity === 'CreditNotes') state.moveStock(item, wh, D(l.Quantity), D(0));
  }
  state.table(entity).push(stored);
  return stored;
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
