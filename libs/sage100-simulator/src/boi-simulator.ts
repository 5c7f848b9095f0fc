import { MoneyDecimal } from '@connector/money';

/** 'S' string (name ends in `$`), 'N' numeric (no `$`), reference/erp/FACTS.md §3.2. */
type FieldType = 'S' | 'N';
export type Row = Record<string, string>;
export interface Doc {
  header: Row;
  lines: Row[];
}

/** [?] no public text for a locked record (FACTS §5): configurable. */
export const BOI_RECORD_IN_USE = 'The record is in use by another workstation.';

interface TableDef {
  keys: string[];
  fields: Record<string, FieldType>;
  lines?: Record<string, FieldType>;
  /** field → table whose key it must name */
  refs?: Record<string, string>;
  lineRefs?: Record<string, string>;
  /** a reason to refuse nWrite, or null */
  check?(doc: Doc, db: BoiDatabase): string | null;
  /** what writing the document does elsewhere (stock, order status) */
  onWrite?(doc: Doc, db: BoiDatabase): void;
  /** a reason to refuse nDelete, or null */
  checkDelete?(doc: Doc, db: BoiDatabase): string | null;
  /** what deleting the document does elsewhere */
  onDelete?(doc: Doc, db: BoiDatabase): void;
}

const money = (v: string | undefined) => new MoneyDecimal(v === undefined || v === '' ? '0' : v);

/** A line's extension: quantity shipped × unit price, to the cent (ExtensionAmt, mask ##,###,###.00-). */
export const extensionOf = (l: Row): MoneyDecimal =>
  money(l.QuantityShipped).times(money(l.UnitPrice)).toDecimalPlaces(2);

/**
 * An S/O invoice's or credit memo's total before tax: its lines' extensions, freight, less the
 * discount. Tax is left out: Sage 100 computes `SalesTaxAmt` (read-only) from the tax schedule, and
 * the simulator keeps no tax schedules.
 */
export function invoiceTotal(doc: Doc): MoneyDecimal {
  return doc.lines
    .reduce((s, l) => s.plus(extensionOf(l)), new MoneyDecimal(0))
    .plus(money(doc.header.FreightAmt))
    .minus(money(doc.header.DiscountAmt));
}

/** A regular (stocked) line: an item of CI_Item, not a `/` miscellaneous code. */
const stocked = (l: Row, db: BoiDatabase) =>
  !l['ItemCode$'].startsWith('/') && !!db.find('CI_Item', [l['ItemCode$']]);

/**
 * Why a credit memo (`InvoiceType$ = CM`) is refused, or null. Our rules, marked [?]: public material
 * says only that `ApplyToInvoiceNo$` is for CM and DM types ([3P] data dictionary transcriptions);
 * a real Sage 100 applies a CM to a posted invoice (AR_OpenInvoice) and may well accept one that
 * leaves a credit balance. The simulator has no Sales Journal update, so the invoice a CM applies to
 * is the S/O invoice itself, and it refuses what would credit more than was invoiced: per item, the
 * quantity of regular lines, and in all, the total of the invoice.
 */
function creditMemoCheck(doc: Doc, db: BoiDatabase): string | null {
  const applyTo = doc.header['ApplyToInvoiceNo$'];
  if (!applyTo) return 'The apply to invoice number is required for a credit memo.';
  const inv = db.find('SO_InvoiceHeader', [applyTo]);
  if (!inv || (inv.header['InvoiceType$'] || 'IN') !== 'IN') return `Invoice ${applyTo} is not on file.`;
  if (
    inv.header['ARDivisionNo$'] !== doc.header['ARDivisionNo$'] ||
    inv.header['CustomerNo$'] !== doc.header['CustomerNo$']
  )
    return `Invoice ${applyTo} is not on file for customer ${doc.header['ARDivisionNo$']}-${doc.header['CustomerNo$']}.`;
  if (doc.lines.length === 0 && money(doc.header.FreightAmt).isZero()) return 'The credit memo has no lines.';
  const earlier = db
    .rows('SO_InvoiceHeader')
    .filter(
      (d) =>
        d.header['InvoiceType$'] === 'CM' &&
        d.header['ApplyToInvoiceNo$'] === applyTo &&
        d.header['InvoiceNo$'] !== doc.header['InvoiceNo$'],
    );
  const qty = (docs: Doc[], item: string) =>
    docs
      .flatMap((d) => d.lines)
      .filter((l) => l['ItemCode$'] === item)
      .reduce((s, l) => s.plus(money(l.QuantityShipped)), new MoneyDecimal(0));
  for (const item of new Set(doc.lines.filter((l) => stocked(l, db)).map((l) => l['ItemCode$']))) {
    const credited = qty([...earlier, doc], item);
    const invoiced = qty([inv], item);
    if (credited.gt(invoiced))
      return `The quantity credited for ${item} (${credited.toFixed()}) is more than invoice ${applyTo} shipped (${invoiced.toFixed()}).`;
  }
  const credited = [...earlier, doc].reduce((s, d) => s.plus(invoiceTotal(d)), new MoneyDecimal(0));
  const invoiced = invoiceTotal(inv);
  if (credited.gt(invoiced))
    return `The credit memos applied to invoice ${applyTo} (${credited.toFixed(2)}) would exceed its total (${invoiced.toFixed(2)}).`;
  return null;
}

/** The tables of one company, shaped like Sage 100's (FACTS §3.3). */
export const BOI_TABLES: Record<string, TableDef> = {
  // AR_Customer columns as third-party transcriptions of the data dictionary show them ([3P]
  // crgolden/crgolden.Sage100 Entities/Customer.cs); CustomerStatus A = active, I = inactive, T = temporary
  AR_Customer: {
    keys: ['ARDivisionNo$', 'CustomerNo$'],
    fields: {
      CustomerName$: 'S',
      AddressLine1$: 'S',
      AddressLine2$: 'S',
      AddressLine3$: 'S',
      City$: 'S',
      State$: 'S',
      ZipCode$: 'S',
      CountryCode$: 'S',
      CustomerType$: 'S',
      TermsCode$: 'S',
      SalespersonDivisionNo$: 'S',
      SalespersonNo$: 'S',
      TaxSchedule$: 'S',
      PriceLevel$: 'S',
      CustomerStatus$: 'S',
    },
  },
  // Status$ A/I: [?] our name for the account's active flag (GL_Account's columns are not public)
  GL_Account: { keys: ['AccountKey$'], fields: { Account$: 'S', AccountDesc$: 'S', Status$: 'S' } },
  AP_Vendor: { keys: ['APDivisionNo$', 'VendorNo$'], fields: { VendorName$: 'S' } },
  CI_Item: {
    keys: ['ItemCode$'],
    fields: { ItemCodeDesc$: 'S', StandardUnitPrice: 'N', InactiveItem$: 'S' },
  },
  IM_ItemWarehouse: {
    keys: ['ItemCode$', 'WarehouseCode$'],
    fields: { QuantityOnHand: 'N', QuantityOnSalesOrder: 'N', QuantityOnBackOrder: 'N' },
  },
  SO_SalesOrderHeader: {
    keys: ['SalesOrderNo$'],
    fields: {
      ARDivisionNo$: 'S',
      CustomerNo$: 'S',
      CustomerPONo$: 'S',
      OrderStatus$: 'S',
      OrderDate$: 'S',
      Comment$: 'S',
      FreightAmt: 'N',
      DiscountAmt: 'N',
    },
    lines: {
      ItemCode$: 'S',
      ItemCodeDesc$: 'S',
      WarehouseCode$: 'S',
      QuantityOrdered: 'N',
      UnitPrice: 'N',
      CommentText$: 'S',
    },
    refs: {},
    // an invoiced order is the invoice's now: Sales Order Entry will not delete it
    checkDelete: (doc, db) =>
      db.rows('SO_InvoiceHeader').some((i) => i.header['SalesOrderNo$'] === doc.header['SalesOrderNo$'])
        ? `Sales order ${doc.header['SalesOrderNo$']} has an invoice in progress.`
        : null,
    // deleting an order releases what it committed
    onDelete: (doc, db) => {
      for (const l of doc.lines) {
        const iw = db.find('IM_ItemWarehouse', [l['ItemCode$'], l['WarehouseCode$']]);
        if (!iw) continue;
        iw.header.QuantityOnSalesOrder = MoneyDecimal.max(
          0,
          money(iw.header.QuantityOnSalesOrder).minus(money(l.QuantityOrdered)),
        ).toFixed();
        db.stamp(iw.header);
      }
    },
  },
  // InvoiceType$: IN invoice, CM credit memo (… DM, AD, FC, CA, XD); ApplyToInvoiceNo$ for CM and DM
  // ([3P] data dictionary transcriptions: crgolden/crgolden.Sage100 InvoiceHeader)
  SO_InvoiceHeader: {
    keys: ['InvoiceNo$'],
    fields: {
      BatchNo$: 'S',
      InvoiceType$: 'S',
      SalesOrderNo$: 'S',
      ApplyToInvoiceNo$: 'S',
      InvoiceDate$: 'S',
      ARDivisionNo$: 'S',
      CustomerNo$: 'S',
      CustomerPONo$: 'S',
      Comment$: 'S',
      ShipVia$: 'S',
      TrackingID$: 'S',
      FreightAmt: 'N',
      DiscountAmt: 'N',
    },
    lines: {
      ItemCode$: 'S',
      ItemCodeDesc$: 'S',
      WarehouseCode$: 'S',
      QuantityOrdered: 'N',
      QuantityShipped: 'N',
      UnitPrice: 'N',
      CommentText$: 'S',
    },
    refs: {
      SalesOrderNo$: 'SO_SalesOrderHeader',
      ApplyToInvoiceNo$: 'SO_InvoiceHeader',
      CustomerNo$: 'AR_Customer',
    },
    lineRefs: { ItemCode$: 'CI_Item' },
    check: (doc, db) =>
      doc.header['InvoiceType$'] === 'CM'
        ? creditMemoCheck(doc, db)
        : doc.lines.length === 0
          ? 'The invoice has no lines.'
          : null,
    onWrite: (doc, db) => {
      if (doc.header['InvoiceType$'] === 'CM') {
        // a credit memo's regular lines bring their quantity back into the warehouse; `/` misc
        // lines carry no stock ([3P] ItemType 5 = miscellaneous item)
        for (const l of doc.lines) {
          if (!stocked(l, db)) continue;
          const iw = db.find('IM_ItemWarehouse', [l['ItemCode$'], l['WarehouseCode$']]);
          if (!iw) continue;
          iw.header.QuantityOnHand = money(iw.header.QuantityOnHand).plus(money(l.QuantityShipped)).toFixed();
          db.stamp(iw.header);
        }
        return;
      }
      // shipping relieves stock and the order's commitment; the order is then complete
      for (const l of doc.lines) {
        const iw = db.find('IM_ItemWarehouse', [l['ItemCode$'], l['WarehouseCode$']]);
        if (!iw) continue;
        iw.header.QuantityOnHand = money(iw.header.QuantityOnHand).minus(money(l.QuantityShipped)).toFixed();
        iw.header.QuantityOnSalesOrder = MoneyDecimal.max(
          0,
          money(iw.header.QuantityOnSalesOrder).minus(money(l.QuantityShipped)),
        ).toFixed();
        db.stamp(iw.header);
      }
      const so = db.find('SO_SalesOrderHeader', [doc.header['SalesOrderNo$']]);
      if (so) {
        so.header['OrderStatus$'] = 'C';
        db.stamp(so.header);
      }
    },
    // deleting an invoice before it is posted gives back the stock it relieved and reopens its order
    onDelete: (doc, db) => {
      for (const l of doc.lines) {
        const iw = db.find('IM_ItemWarehouse', [l['ItemCode$'], l['WarehouseCode$']]);
        if (!iw) continue;
        iw.header.QuantityOnHand = money(iw.header.QuantityOnHand).plus(money(l.QuantityShipped)).toFixed();
        iw.header.QuantityOnSalesOrder = money(iw.header.QuantityOnSalesOrder)
          .plus(money(l.QuantityShipped))
          .toFixed();
        db.stamp(iw.header);
      }
      const so = db.find('SO_SalesOrderHeader', [doc.header['SalesOrderNo$']]);
      if (so) {
        so.header['OrderStatus$'] = 'O';
        db.stamp(so.header);
      }
    },
  },
  GL_GeneralJournalHeader: {
    keys: ['EntryNo$'],
    fields: { PostingDate$: 'S', Reference$: 'S', Comment$: 'S', SourceJournal$: 'S' },
    lines: { AccountKey$: 'S', DebitAmount: 'N', CreditAmount: 'N', Comment$: 'S' },
    lineRefs: { AccountKey$: 'GL_Account' },
    check: (doc) => {
      if (doc.lines.length === 0) return 'The journal entry has no lines.';
      const d = doc.lines.reduce((s, l) => s.plus(money(l.DebitAmount)), new MoneyDecimal(0));
      const c = doc.lines.reduce((s, l) => s.plus(money(l.CreditAmount)), new MoneyDecimal(0));
      return d.equals(c) ? null : 'The journal entry is out of balance.';
    },
  },
  AP_InvoiceHeader: {
    keys: ['APDivisionNo$', 'VendorNo$', 'InvoiceNo$'],
    fields: { InvoiceDate$: 'S', InvoiceAmt: 'N', Comment$: 'S' },
    lines: { AccountKey$: 'S', DistributionAmt: 'N', Comment$: 'S' },
    refs: {},
    lineRefs: { AccountKey$: 'GL_Account' },
    check: (doc, db) => {
      if (!db.find('AP_Vendor', [doc.header['APDivisionNo$'], doc.header['VendorNo$']]))
        return `The vendor ${doc.header['APDivisionNo$']}-${doc.header['VendorNo$']} is invalid.`;
      const dist = doc.lines.reduce((s, l) => s.plus(money(l.DistributionAmt)), new MoneyDecimal(0));
      return dist.equals(money(doc.header.InvoiceAmt))
        ? null
        : 'The distribution does not equal the invoice amount.';
    },
  },
  AR_CashReceiptsHeader: {
    keys: ['DepositNo$', 'ARDivisionNo$', 'CustomerNo$', 'CheckNo$'],
    fields: { PostingAmt: 'N', DepositDate$: 'S', BankCode$: 'S', Comment$: 'S' },
    check: (doc) => (money(doc.header.PostingAmt).isZero() ? 'The receipt amount is zero.' : null),
  },
};

/** The invoice lines of a sales order's lines, shipped in full or not at all (nCopyLinesFromSalesOrder). */
export function invoiceLinesOf(so: Doc, shipAll: boolean): Row[] {
  return so.lines.map((l) => ({
    ItemCode$: l['ItemCode$'],
    ...(l['ItemCodeDesc$'] ? { ItemCodeDesc$: l['ItemCodeDesc$'] } : {}),
    WarehouseCode$: l['WarehouseCode$'],
    QuantityOrdered: l.QuantityOrdered,
    QuantityShipped: shipAll ? l.QuantityOrdered : '0',
    UnitPrice: l.UnitPrice,
  }));
}

/** Which table each object works on. */
const OBJECTS: Record<string, { table: string; kind: 'bus' | 'svc'; module: string; lines?: boolean }> = {
  /** the lines of invoices, one row per line with its invoice's key ([?] object name ours) */
  SO_InvoiceDetail_svc: { table: 'SO_InvoiceHeader', kind: 'svc', module: 'S/O', lines: true },
  SO_Invoice_bus: { table: 'SO_InvoiceHeader', kind: 'bus', module: 'S/O' },
  SO_SalesOrder_bus: { table: 'SO_SalesOrderHeader', kind: 'bus', module: 'S/O' },
  GL_GeneralJournal_bus: { table: 'GL_GeneralJournalHeader', kind: 'bus', module: 'G/L' },
  AP_Invoice_bus: { table: 'AP_InvoiceHeader', kind: 'bus', module: 'A/P' },
  AR_CashReceipts_bus: { table: 'AR_CashReceiptsHeader', kind: 'bus', module: 'A/R' },
  CI_ItemCode_svc: { table: 'CI_Item', kind: 'svc', module: 'C/I' },
  IM_ItemWarehouse_svc: { table: 'IM_ItemWarehouse', kind: 'svc', module: 'I/M' },
  SO_SalesOrder_svc: { table: 'SO_SalesOrderHeader', kind: 'svc', module: 'S/O' },
  SO_Invoice_svc: { table: 'SO_InvoiceHeader', kind: 'svc', module: 'S/O' },
  AR_Customer_svc: { table: 'AR_Customer', kind: 'svc', module: 'A/R' },
  GL_Account_svc: { table: 'GL_Account', kind: 'svc', module: 'G/L' },
  GL_GeneralJournal_svc: { table: 'GL_GeneralJournalHeader', kind: 'svc', module: 'G/L' },
  AP_Invoice_svc: { table: 'AP_InvoiceHeader', kind: 'svc', module: 'A/P' },
  AR_CashReceipts_svc: { table: 'AR_CashReceiptsHeader', kind: 'svc', module: 'A/R' },
};

/** One company's tables, in memory. */
export class BoiDatabase {
  readonly tables = new Map<string, Map<string, Doc>>();
  /**
   * Miscellaneous item codes (`/FREIGHT`, `/GIFTWRAP`…): accepted wherever an item code is, never
   * stocked. In Sage 100 they are CI_Item rows of ItemType 5 ([3P]); here a set, so that item
   * reads (CI_ItemCode_svc) list only inventory items, as the agent's reads expect.
   */
  readonly miscCodes = new Set<string>();
  private counters = new Map<string, number>();
  constructor(
    readonly now: () => number,
    /** the server's offset from UTC in minutes east: stamps are its local time */
    readonly utcOffsetMinutes = 0,
  ) {
    for (const t of Object.keys(BOI_TABLES)) this.tables.set(t, new Map());
  }
  static keyOf(values: string[]): string {
    return values.join('\u0000');
  }
  find(table: string, key: string[]): Doc | undefined {
    return this.tables.get(table)?.get(BoiDatabase.keyOf(key));
  }
  /** whether a reference column's value names a record (an item code may be a misc code) */
  refers(table: string, value: string): boolean {
    return !!this.find(table, [value]) || (table === 'CI_Item' && this.miscCodes.has(value));
  }
  rows(table: string): Doc[] {
    return [...(this.tables.get(table)?.values() ?? [])].sort((a, b) =>
      BoiDatabase.keyOf(BOI_TABLES[table].keys.map((k) => a.header[k])) <
      BoiDatabase.keyOf(BOI_TABLES[table].keys.map((k) => b.header[k]))
        ? -1
        : 1,
    );
  }
  insert(table: string, header: Row, lines: Row[] = []): Doc {
    const doc = { header: { ...header }, lines: lines.map((l) => ({ ...l })) };
    this.stamp(doc.header);
    this.tables
      .get(table)!
      .set(BoiDatabase.keyOf(BOI_TABLES[table].keys.map((k) => doc.header[k] ?? '')), doc);
    return doc;
  }
  /**
   * Deletes a document as BOI's nDelete does: refused (the reason answered) when the table's rule
   * says so, otherwise gone together with what it did elsewhere (the table's onDelete).
   */
  remove(table: string, key: string[]): string | null {
    const id = BoiDatabase.keyOf(key);
    const stored = this.tables.get(table)?.get(id);
    if (!stored) return `No ${table} record ${key.join('-')}.`;
    const why = BOI_TABLES[table].checkDelete?.(stored, this);
    if (why) return why;
    this.tables.get(table)!.delete(id);
    BOI_TABLES[table].onDelete?.(stored, this);
    return null;
  }

  next(counter: string): string {
    const n = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, n);
    return String(n).padStart(7, '0');
  }
  /** DateUpdated$ (YYYYMMDD) and TimeUpdated$ (decimal hours) in the server's local time, FACTS §3.3 */
  stamp(row: Row): void {
    const d = new Date(this.now() + this.utcOffsetMinutes * 60_000);
    const secs = d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds();
    row['DateUpdated$'] = d.toISOString().slice(0, 10).replace(/-/g, '');
    row['TimeUpdated$'] = new MoneyDecimal(secs).div(3600).toDecimalPlaces(5).toFixed(5);
  }
}

export interface BoiSimulatorOptions {
  users?: Record<string, string>;
  companies?: string[];
  now?: () => number;
  random?: () => number;
  /** the server's offset from UTC in minutes east (its stamps are local time; default 0) */
  utcOffsetMinutes?: number;
}

/** A scripted failure: the `nth` (1-based, default 1) call of `method` on `object` answers 0. */
export interface BoiFailure {
  object: string;
  method: string;
  nth?: number;
  message?: string;
}

/**
 * The BOI in memory, following FACTS §3.2: `nSetKey` 2/1/0, `$`-suffixed string fields,
 * `sLastErrorMsg`, record-in-use failures at a configurable rate, and documents that exist only
 * once `nWrite` answers 1. What a failed `nWrite` does is modelled as all or nothing: the header and
 * its lines are written together or not at all, and the object keeps the record in edit until
 * `nClear` ([?]: BOI's documents are written by one `nWrite` of the header object, and third-party
 * samples call `nClear` after a failure; no source says a failed `nWrite` leaves a partial document).
 *
 * It has the shape of the agent's `Boi` interface (@connector/sage100-agent-core) without importing
 * it: the agent's tests import this simulator, so the import may only go that way.
 */
export class BoiSimulator {
  readonly databases = new Map<string, BoiDatabase>();
  recordInUseRate = 0;
  recordInUseMessage = BOI_RECORD_IN_USE;
  private failures: (BoiFailure & { seen: number })[] = [];
  readonly calls: string[] = [];
  readonly users: Record<string, string>;
  private readonly random: () => number;
  readonly now: () => number;

  constructor(opts: BoiSimulatorOptions = {}) {
    this.users = opts.users ?? { AGENT: 'secret' };
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    for (const c of opts.companies ?? ['ABC'])
      this.databases.set(c, new BoiDatabase(this.now, opts.utcOffsetMinutes));
  }

  db(company = 'ABC'): BoiDatabase {
    const d = this.databases.get(company);
    if (!d) throw new Error(`no company ${company}`);
    return d;
  }

  failOn(f: BoiFailure): void {
    this.failures.push({ ...f, seen: 0 });
  }

  /** records the call; a scripted failure's message when this call is to fail */
  trip(object: string, method: string): string | null {
    this.calls.push(`${object}.${method}`);
    for (const f of this.failures) {
      if (f.object !== object || f.method !== method) continue;
      f.seen++;
      if (f.seen === (f.nth ?? 1)) return f.message ?? `${method} failed`;
    }
    return null;
  }

  inUse(): boolean {
    return this.recordInUseRate > 0 && this.random() < this.recordInUseRate;
  }

  newSession(): SimSession {
    return new SimSession(this);
  }

  newObject(name: string, session: object): SimBusObject | SimSvcObject {
    const s = session as SimSession;
    const def = OBJECTS[name];
    if (!def) throw new Error(`NewObject: ${name} is not a business object`);
    if (!s.ready()) throw new Error(`NewObject ${name}: the session has no user, company or program`);
    if (s.module !== def.module)
      throw new Error(`NewObject ${name}: the session's module is ${s.module}, not ${def.module}`);
    const db = this.db(s.company);
    return def.kind === 'bus'
      ? new SimBusObject(this, name, def.table, db)
      : new SimSvcObject(this, name, def.table, db, def.lines ?? false);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class SimSession {
  sLastErrorMsg = '';
  user?: string;
  company?: string;
  module?: string;
  program = 0;
  constructor(private readonly boi: BoiSimulator) {}
  private fail(msg: string): number {
    this.sLastErrorMsg = msg;
    return 0;
  }
  ready(): boolean {
    return !!this.user && !!this.company && !!this.module && this.program > 0;
  }
  nSetUser(user: string, password: string): number {
    const users = this.boi.users;
    if (users[user] === undefined || users[user] !== password)
      return this.fail('Invalid user logon or password.');
    this.user = user;
    return 1;
  }
  nSetCompany(company: string): number {
    if (!this.user) return this.fail('No user is logged on.');
    if (!this.boi.databases.has(company)) return this.fail(`Company ${company} does not exist.`);
    this.company = company;
    return 1;
  }
  nSetDate(_module: string, yyyymmdd: string): number {
    return /^\d{8}$/.test(yyyymmdd) ? 1 : this.fail(`Invalid date ${yyyymmdd}.`);
  }
  nSetModule(module: string): number {
    if (!['S/O', 'G/L', 'A/P', 'A/R', 'C/I', 'I/M'].includes(module))
      return this.fail(`Invalid module ${module}.`);
    this.module = module;
    return 1;
  }
  nLookupTask(uiName: string): number {
    return /^[A-Z]{2}_\w+_ui$/.test(uiName) ? 100 + uiName.length : 0;
  }
  nSetProgram(taskId: number): number {
    if (!taskId) return this.fail('Invalid program.');
    this.program = taskId;
    return 1;
  }
  nCleanup(): number {
    this.user = this.company = this.module = undefined;
    return 1;
  }
}

function fieldOk(def: Record<string, FieldType>, keys: string[], field: string): boolean {
  const t = keys.includes(field) ? 'S' : def[field];
  return t !== undefined && (t === 'S') === field.endsWith('$');
}

export class SimBusObject {
  sLastErrorMsg = '';
  readonly oLines?: SimLines;
  private keyValues: Row = {};
  private edit?: { header: Row; lines: Row[]; isNew: boolean };
  private readonly def: TableDef;

  constructor(
    private readonly boi: BoiSimulator,
    private readonly name: string,
    private readonly table: string,
    private readonly db: BoiDatabase,
  ) {
    this.def = BOI_TABLES[table];
    if (this.def.lines) this.oLines = new SimLines(this);
  }

  fail(msg: string): number {
    this.sLastErrorMsg = msg;
    return 0;
  }
  tripped(method: string): string | null {
    return this.boi.trip(this.name, method);
  }
  get editing() {
    return this.edit;
  }
  get database() {
    return this.db;
  }
  get tableDef() {
    return this.def;
  }

  nSetKeyValue(field: string, value: string): number {
    const t = this.tripped('nSetKeyValue');
    if (t) return this.fail(t);
    if (!this.def.keys.includes(field)) return this.fail(`${field} is not a key column of ${this.table}.`);
    this.keyValues[field] = value;
    return 1;
  }

  nSetKey(key?: string): number {
    const t = this.tripped('nSetKey');
    if (t) return this.fail(t);
    if (key !== undefined) {
      if (this.def.keys.length !== 1) return this.fail('The key has more than one column.');
      this.keyValues[this.def.keys[0]] = key;
    }
    const values = this.def.keys.map((k) => this.keyValues[k] ?? '');
    if (values.some((v) => v === '')) return this.fail('Key is required.');
    const existing = this.db.find(this.table, values);
    if (existing && this.boi.inUse()) return this.fail(this.boi.recordInUseMessage);
    const header: Row = {};
    this.def.keys.forEach((k, i) => (header[k] = values[i]));
    this.edit = existing
      ? { header: { ...existing.header }, lines: existing.lines.map((l) => ({ ...l })), isNew: false }
      : { header, lines: [], isNew: true };
    this.keyValues = {};
    return existing ? 1 : 2;
  }

  nSetValue(field: string, value: string | number): number {
    const t = this.tripped('nSetValue');
    if (t) return this.fail(t);
    if (!this.edit) return this.fail('No record is being edited: call nSetKey first.');
    if (this.def.keys.includes(field)) return this.fail(`${field} is a key column: use nSetKeyValue.`);
    if (!fieldOk(this.def.fields, [], field)) return this.fail(`Column ${field} not found in ${this.table}.`);
    const v = String(value);
    const ref = this.def.refs?.[field];
    // CustomerNo$ of a document names AR_Customer with the division set before it
    const refKey = ref === 'AR_Customer' ? [this.edit.header['ARDivisionNo$'] ?? '', v] : ref ? [v] : [];
    if (ref && v !== '' && !this.db.find(ref, refKey) && !this.db.refers(ref, v))
      return this.fail(`The ${field.replace('$', '')} ${v} is invalid.`);
    if (!field.endsWith('$') && v !== '' && !/^-?\d+(\.\d+)?$/.test(v))
      return this.fail(`${field} must be numeric.`);
    this.edit.header[field] = v;
    // the invoice takes the order's customer and PO
    if (this.table === 'SO_InvoiceHeader' && field === 'SalesOrderNo$') {
      const so = this.db.find('SO_SalesOrderHeader', [v])!;
      for (const f of ['ARDivisionNo$', 'CustomerNo$', 'CustomerPONo$', 'FreightAmt', 'DiscountAmt'])
        if (so.header[f] !== undefined) this.edit.header[f] = so.header[f];
    }
    return 1;
  }

  nGetValue(field: string): [number, string | number] {
    const row = this.edit?.header;
    if (!row || !(field in row)) return [this.fail(`Column ${field} not found.`), ''];
    return [1, field.endsWith('$') ? row[field] : Number(row[field])];
  }

  nWrite(): number {
    const t = this.tripped('nWrite');
    if (t) return this.fail(t);
    if (!this.edit) return this.fail('No record is being edited.');
    if (this.boi.inUse()) return this.fail(this.boi.recordInUseMessage);
    const doc = { header: this.edit.header, lines: this.edit.lines };
    const why = this.def.check?.(doc, this.db);
    if (why) return this.fail(why);
    // all or nothing: the header, its lines and what they do elsewhere, at once
    this.db.insert(this.table, doc.header, doc.lines);
    this.def.onWrite?.(doc, this.db);
    this.edit = undefined;
    return 1;
  }

  nDelete(): number {
    const t = this.tripped('nDelete');
    if (t) return this.fail(t);
    if (!this.edit || this.edit.isNew) return this.fail('No existing record is being edited.');
    const why = this.db.remove(
      this.table,
      this.def.keys.map((k) => this.edit!.header[k]),
    );
    if (why) return this.fail(why);
    this.edit = undefined;
    return 1;
  }

  nClear(): number {
    this.edit = undefined;
    this.keyValues = {};
    return 1;
  }

  nSelectNewBatch(_kind: string, _description: string): [number, string] {
    const t = this.tripped('nSelectNewBatch');
    if (t) return [this.fail(t), ''];
    return [1, this.db.next(`${this.table}:batch`).slice(-5)];
  }

  nGetNextEntryNo(): [number, string] {
    const t = this.tripped('nGetNextEntryNo');
    if (t) return [this.fail(t), ''];
    return [1, this.db.next(`${this.table}:entry`).slice(-6)];
  }

  nGetNextInvoiceNo(): [number, string] {
    const t = this.tripped('nGetNextInvoiceNo');
    if (t) return [this.fail(t), ''];
    return [1, this.db.next(`${this.table}:invoice`)];
  }
}

export class SimLines {
  sLastErrorMsg = '';
  private current?: Row;
  constructor(private readonly parent: SimBusObject) {}
  private fail(msg: string): number {
    this.sLastErrorMsg = msg;
    return 0;
  }
  nAddLine(): number {
    const t = this.parent.tripped('oLines.nAddLine');
    if (t) return this.fail(t);
    if (!this.parent.editing) return this.fail('No document is being edited.');
    this.current = {};
    return 1;
  }
  nSetValue(field: string, value: string | number): number {
    const t = this.parent.tripped('oLines.nSetValue');
    if (t) return this.fail(t);
    if (!this.current) return this.fail('No line is being edited: call nAddLine first.');
    const def = this.parent.tableDef;
    if (!fieldOk(def.lines ?? {}, [], field)) return this.fail(`Column ${field} not found in the lines.`);
    const v = String(value);
    const ref = def.lineRefs?.[field];
    if (ref && !this.parent.database.refers(ref, v))
      return this.fail(`The ${field.replace('$', '')} ${v} is invalid.`);
    if (!field.endsWith('$') && !/^-?\d+(\.\d+)?$/.test(v)) return this.fail(`${field} must be numeric.`);
    this.current[field] = v;
    return 1;
  }
  nGetValue(field: string): [number, string | number] {
    if (!this.current || !(field in this.current)) return [this.fail(`Column ${field} not found.`), ''];
    return [1, this.current[field]];
  }
  /** the line goes into the document in edit; nothing reaches the tables before the header's nWrite */
  nWrite(): number {
    const t = this.parent.tripped('oLines.nWrite');
    if (t) return this.fail(t);
    if (!this.current || !this.parent.editing) return this.fail('No line is being edited.');
    this.parent.editing.lines.push(this.current);
    this.current = undefined;
    return 1;
  }
  nCopyLinesFromSalesOrder(salesOrderNo: string, shipAll: string): number {
    const t = this.parent.tripped('oLines.nCopyLinesFromSalesOrder');
    if (t) return this.fail(t);
    const doc = this.parent.editing;
    if (!doc) return this.fail('No document is being edited.');
    const so = this.parent.database.find('SO_SalesOrderHeader', [salesOrderNo]);
    if (!so) return this.fail(`Sales order ${salesOrderNo} not found.`);
    doc.lines.push(...invoiceLinesOf(so, shipAll === 'Y'));
    return 1;
  }
}

export class SimSvcObject {
  sLastErrorMsg = '';
  private rows: Doc[] = [];
  private pos = 0;
  private filter = '';
  constructor(
    private readonly boi: BoiSimulator,
    private readonly name: string,
    private readonly table: string,
    private readonly db: BoiDatabase,
    /** browse the documents' lines (each with its header's key columns) instead of the headers */
    private readonly lines = false,
  ) {}
  /** `field$=value` (our simple form of a browse filter: one column equal to a value) */
  nSetBrowseFilter(filter: string): number {
    this.filter = filter;
    return 1;
  }
  nMoveFirst(): number {
    const t = this.boi.trip(this.name, 'nMoveFirst');
    if (t) {
      this.sLastErrorMsg = t;
      return 0;
    }
    const [field, value] = this.filter.split('=', 2);
    const docs = this.db.rows(this.table);
    const keys = BOI_TABLES[this.table].keys;
    const rows: Doc[] = this.lines
      ? docs.flatMap((d) =>
          d.lines.map((l, i) => {
            const header: Row = { ...l, LineKey$: String(i + 1).padStart(6, '0') };
            for (const k of keys) header[k] = d.header[k];
            return { header, lines: [] };
          }),
        )
      : docs;
    this.rows = rows.filter((d) => !this.filter || d.header[field] === value);
    this.pos = 0;
    return 1;
  }
  nMoveNext(): number {
    this.pos++;
    return 1;
  }
  nEOF(): number {
    return this.pos >= this.rows.length ? 1 : 0;
  }
  nGetValue(field: string): [number, string | number] {
    const row = this.rows[this.pos]?.header;
    if (!row || !(field in row)) {
      this.sLastErrorMsg = `Column ${field} not found.`;
      return [0, ''];
    }
    return [1, row[field]];
  }
}
