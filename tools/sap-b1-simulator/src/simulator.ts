import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LosslessNumber, isLosslessNumber, parse, stringify } from 'lossless-json';
import { LocalHttpServer, seededRandom } from '@connector/core';
import { MoneyDecimal } from '@connector/money';

/**
 * The part of OData v3 query options the SAP B1 simulator understands (FACTS §1.4): `$filter` with
 * eq/ne/gt/ge/lt/le, and/or/not, parentheses, startswith/endswith/contains/substringof, string,
 * number, null, true/false and `datetime'…'` literals; `$orderby` with asc/desc.
 */
export type Row = Record<string, unknown>;
export type Predicate = (row: Row) => boolean;

export class ODataSyntaxError extends Error {}

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'id'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punct', v: c });
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ODataSyntaxError('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: 'str', v });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new ODataSyntaxError(`unexpected '${c}' at ${i}`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(src.slice(i))!;
      i += m[0].length;
      // datetime'2024-05-01T00:00:00' and time'14:30:00' literals
      if ((m[0] === 'datetime' || m[0] === 'time') && src[i] === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ODataSyntaxError('unterminated datetime literal');
        out.push({ t: 'str', v: src.slice(i + 1, end) });
        i = end + 1;
      } else out.push({ t: 'id', v: m[0] });
    } else throw new ODataSyntaxError(`unexpected '${c}' at ${i}`);
  }
  return out;
}

type Operand = (row: Row) => unknown;

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['startswith', 'endswith', 'contains', 'substringof']);

/** Turns a `$filter` expression into a predicate; throws ODataSyntaxError on anything else. */
export function parseFilter(src: string): Predicate {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isWord = (w: string) => {
    const t = peek();
    return t?.t === 'id' && t.v.toLowerCase() === w;
  };
  const expect = (v: string) => {
    const t = toks[pos++];
    if (!t || t.v !== v) throw new ODataSyntaxError(`expected '${v}'`);
  };

  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      const l = left;
      const r = parseAnd();
      left = (row) => l(row) || r(row);
    }
    return left;
  };
  const parseAnd = (): Predicate => {
    let left = parseUnary();
    while (isWord('and')) {
      pos++;
      const l = left;
      const r = parseUnary();
      left = (row) => l(row) && r(row);
    }
    return left;
  };
  const parseUnary = (): Predicate => {
    if (isWord('not')) {
      pos++;
      const p = parseUnary();
      return (row) => !p(row);
    }
    const t = peek();
    if (t?.t === 'punct' && t.v === '(') {
      pos++;
      const p = parseOr();
      expect(')');
      return p;
    }
    if (t?.t === 'id' && FUNCTIONS.has(t.v.toLowerCase())) {
      pos++;
      expect('(');
      const a = parseOperand();
      expect(',');
      const b = parseOperand();
      expect(')');
      const fn = t.v.toLowerCase();
      const call: Predicate = (row) => {
        const x = String(a(row) ?? '');
        const y = String(b(row) ?? '');
        if (fn === 'startswith') return x.startsWith(y);
        if (fn === 'endswith') return x.endsWith(y);
        if (fn === 'contains') return x.includes(y);
        return y.includes(x); // substringof('needle', Field)
      };
      if (isWord('eq')) {
        pos++;
        const want = parseOperand();
        return (row) => call(row) === (want(row) === true);
      }
      return call;
    }
    const left = parseOperand();
    const op = peek();
    if (op?.t !== 'id' || !COMPARISONS.has(op.v.toLowerCase()))
      throw new ODataSyntaxError('expected a comparison operator');
    pos++;
    const right = parseOperand();
    const o = op.v.toLowerCase();
    return (row) => {
      const c = compareValues(left(row), right(row));
      if (c === null) return o === 'ne';
      switch (o) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        default:
          return c <= 0;
      }
    };
  };
  const parseOperand = (): Operand => {
    const t = toks[pos++];
    if (!t) throw new ODataSyntaxError('unexpected end of $filter');
    if (t.t === 'str') return () => t.v;
    if (t.t === 'num') {
      const n = new LosslessNumber(t.v);
      return () => n;
    }
    if (t.t === 'id') {
      if (t.v === 'null') return () => null;
      if (t.v === 'true') return () => true;
      if (t.v === 'false') return () => false;
      return (row) => row[t.v];
    }
    throw new ODataSyntaxError(`unexpected '${t.v}'`);
  };

  const pred = parseOr();
  if (pos !== toks.length) throw new ODataSyntaxError(`unexpected '${toks[pos]!.v}'`);
  return pred;
}

const isNumeric = (v: unknown): v is number | LosslessNumber => typeof v === 'number' || isLosslessNumber(v);

/** Orders two values the way the simulator stores them; null when they cannot be compared. */
export function compareValues(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined)
    return (a ?? null) === (b ?? null) ? 0 : null;
  if (isNumeric(a) && isNumeric(b))
    return new MoneyDecimal(String(a)).comparedTo(new MoneyDecimal(String(b)));
  if (isNumeric(a) || isNumeric(b)) {
    const s = String(isNumeric(a) ? b : a);
    if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
    return new MoneyDecimal(String(a)).comparedTo(new MoneyDecimal(String(b)));
  }
  let x = String(a);
  let y = String(b);
  // a date field compared with datetime'2024-05-01T00:00:00' compares the date part
  if (/^\d{4}-\d{2}-\d{2}$/.test(x) && /^\d{4}-\d{2}-\d{2}T/.test(y)) y = y.slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(y) && /^\d{4}-\d{2}-\d{2}T/.test(x)) x = x.slice(0, 10);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `$orderby=UpdateDate,UpdateTime desc` → a comparator. */
export function parseOrderBy(src: string): (a: Row, b: Row) => number {
  const keys = src
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [field, dir] = s.split(/\s+/);
      if (!field || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field) || (dir && !/^(asc|desc)$/i.test(dir)))
        throw new ODataSyntaxError(`invalid $orderby '${s}'`);
      return { field, sign: dir?.toLowerCase() === 'desc' ? -1 : 1 };
    });
  return (a, b) => {
    for (const k of keys) {
      const c = compareValues(a[k.field], b[k.field]) ?? (a[k.field] == null ? -1 : 1);
      if (c !== 0) return c * k.sign;
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------------------------

/** An item the simulator starts with: one price (price list 1) and stock in one warehouse. */
export interface SapB1SeedItem {
  ItemCode: string;
  ItemName?: string;
  /** price on price list 1, exact decimal (default "10.00") */
  price?: string;
  currency?: string;
  /** on hand in the item's warehouse (default "100") */
  inStock?: string;
  warehouse?: string;
}

/** The login the simulator accepts unless told otherwise. */
export const SAPB1_SIM_LOGIN = { companyDb: 'SBODEMOUS', user: 'manager', password: 'manager' } as const;

export interface SapB1SimulatorOptions {
  port?: number;
  /** the only company that can be logged into (default SBODEMOUS) */
  companyDb?: string;
  /** user name → password (default manager/manager) */
  users?: Record<string, string>;
  /** idle timeout in minutes (FACTS §1.1, default 30) */
  sessionTimeoutMinutes?: number;
  /** server page size (FACTS §1.4, default 20) */
  pageSize?: number;
  /** the simulator's clock (default: the real one) */
  now?: () => number;
  /** seed of the random numbers behind the lock rate */
  seed?: number;
  localCurrency?: string;
  items?: SapB1SeedItem[];
  /** CardCodes of customers (CardType cCustomer) */
  customers?: string[];
  /** G/L account codes (ChartOfAccounts Code = FormatCode) */
  accounts?: string[];
  warehouses?: string[];
  /** AdditionalExpenses (freight) codes, ExpensCode */
  expenseCodes?: number[];
  /** HTTP status of the injected record-lock answer (FACTS §1.6: 412 with -2039; the non-ETag status is [?]) */
  lockStatus?: number;
}

export interface SapB1Faults {
  /** share of writes answered with a record lock (-2039) */
  lockRate: number;
  /** every request under /b1s answers 503 */
  outage: boolean;
  latencyMs: number;
}

export interface SapB1Stats {
  logins: number;
  logouts: number;
  /** requests refused with 401 / 301 */
  invalidSessions: number;
  locks: number;
  /** "GET Items", "POST Orders", "POST Orders/Cancel", … */
  requests: Record<string, number>;
}

/** A stored record as tests read it: Edm.Double values as exact decimal strings. */
export type SapB1Record = Record<string, unknown>;

/** Control-endpoint body (`POST /__control`). */
export interface SapB1Control extends Partial<SapB1Faults> {
  expireSessions?: boolean;
}

class SlError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE = '/b1s/v1/';
const INVALID_SESSION = 'Invalid session or session already timeout.';
const D = (v: unknown): MoneyDecimal => new MoneyDecimal(String(v ?? 0));
const N = (d: MoneyDecimal | string): LosslessNumber =>
  new LosslessNumber(typeof d === 'string' ? d : d.toFixed());
const round2 = (d: MoneyDecimal) => d.toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP);
const invalidValue = (prop: string) => new SlError(400, -1000, `Value of property '${prop}' is invalid`);
const validation = (message: string) => new SlError(400, -5002, message);
const notFound = () => new SlError(404, -2028, 'No matching records found (ODBC -2028)');

interface EntityDef {
  key: string;
  keyType: 'int' | 'string';
  kind: 'document' | 'journal' | 'payment' | 'master';
  objectType?: number;
  /** first DocNum of the default series */
  firstNumber?: number;
}

const ENTITIES: Record<string, EntityDef> = {
  Orders: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 17, firstNumber: 1 },
  Invoices: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 13, firstNumber: 1 },
  CreditNotes: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 14, firstNumber: 1 },
  DeliveryNotes: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 15, firstNumber: 1 },
  JournalEntries: { key: 'JdtNum', keyType: 'int', kind: 'journal', objectType: 30, firstNumber: 1 },
  IncomingPayments: { key: 'DocEntry', keyType: 'int', kind: 'payment', objectType: 24, firstNumber: 1 },
  Items: { key: 'ItemCode', keyType: 'string', kind: 'master' },
  BusinessPartners: { key: 'CardCode', keyType: 'string', kind: 'master' },
  ChartOfAccounts: { key: 'Code', keyType: 'string', kind: 'master' },
  Warehouses: { key: 'WarehouseCode', keyType: 'string', kind: 'master' },
  AdditionalExpenses: { key: 'ExpensCode', keyType: 'int', kind: 'master' },
};

// Writable and read-only properties of the types the connector writes (a subset of
// entities-subset.json; anything else is refused as an invalid property, U_* fields are allowed).
const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean));
const DOC_W = set(`DocNum DocType HandWritten Series DocDate DocDueDate TaxDate CardCode CardName NumAtCard
  DocCurrency DocRate DocTotal Comments JournalMemo Reference1 Reference2 TrackingNumber TransportationCode
  DiscountPercent ShipToCode PayToCode SalesPersonCode Project Address Address2 DocumentLines DocumentAdditionalExpenses`);
const DOC_RO =
  set(`DocEntry DocumentStatus Cancelled CreationDate UpdateDate UpdateTime VatSum TransNum DocTotalSys
  DocObjectCode`);
const LINE_W =
  set(`LineNum ItemCode ItemDescription Quantity UnitPrice Price PriceAfterVAT DiscountPercent Currency
  WarehouseCode TaxCode VatGroup AccountCode LineTotal TaxTotal BaseType BaseEntry BaseLine FreeText ShipDate
  CostingCode ProjectCode LineStatus`);
const LINE_RO = set(`DocEntry RemainingOpenQuantity OpenAmount`);
const EXP_W = set(`ExpenseCode LineTotal TaxSum TaxCode VatGroup Remarks TaxLiable DistributionMethod`);
const JE_W =
  set(`ReferenceDate DueDate TaxDate Memo Reference Reference2 Reference3 TransactionCode ProjectCode
  Series JournalEntryLines`);
const JE_RO = set(`JdtNum Number`);
const JEL_W = set(`Line_ID AccountCode ShortName Debit Credit FCDebit FCCredit FCCurrency LineMemo Reference1
  Reference2 AdditionalReference ContraAccount CostingCode ProjectCode DueDate TaxDate`);
const PAY_W =
  set(`DocNum DocType DocDate CardCode CardName CashAccount CashSum DocCurrency DocRate TransferAccount
  TransferSum TransferDate TransferReference Reference1 Reference2 CounterReference Remarks JournalRemarks TaxDate
  DueDate BankChargeAmount Series ProjectCode PaymentInvoices`);
const PAY_RO = set(`DocEntry Cancelled`);
const PINV_W = set(`LineNum DocEntry SumApplied AppliedFC InvoiceType InstallmentId DocLine`);

const DOUBLES =
  set(`Quantity UnitPrice Price PriceAfterVAT LineTotal TaxTotal DocTotal DocRate DiscountPercent VatSum
  Debit Credit FCDebit FCCredit TransferSum CashSum SumApplied AppliedFC BankChargeAmount TaxSum`);
const INTS =
  set(`LineNum BaseType BaseEntry BaseLine ExpenseCode Series DocNum Line_ID DocEntry InstallmentId DocLine
  TransportationCode SalesPersonCode`);

function checkProps(body: unknown, writable: Set<string>, readOnly: Set<string>, type: string): Row {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SlError(400, -1000, `Invalid '${type}' payload`);
  const out: Row = {};
  for (const [k, v] of Object.entries(body as Row)) {
    if (readOnly.has(k)) throw new SlError(400, -1000, `Property '${k}' of '${type}' is read-only`);
    if (!writable.has(k) && !k.startsWith('U_'))
      throw new SlError(400, -1000, `Property '${k}' of '${type}' is invalid`);
    if (v === null || v === undefined) continue;
    if (DOUBLES.has(k)) {
      const s = isLosslessNumber(v) || typeof v === 'number' ? String(v) : String(v);
      if (!/^-?\d+(\.\d+)?$/.test(s)) throw invalidValue(k);
      out[k] = N(D(s));
    } else if (INTS.has(k)) {
      const s = String(v);
      if (!/^-?\d+$/.test(s)) throw invalidValue(k);
      out[k] = Number(s);
    } else if (isLosslessNumber(v)) out[k] = Number(String(v));
    else out[k] = v;
  }
  return out;
}

function listOf(v: unknown, prop: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidValue(prop);
  return v;
}

/** LosslessNumber → decimal string, deep (what tests see). */
function plain(v: unknown): unknown {
  if (isLosslessNumber(v)) return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const clone = <T>(v: T): T => {
  if (isLosslessNumber(v)) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
};

interface Session {
  id: string;
  user: string;
  lastSeenMs: number;
}

/**
 * An SAP Business One Service Layer (v1, OData v3) in memory, on node:http, faithful to
 * FACTS §1.8 for what the connector uses: Login/Logout and idle sessions, documents with
 * numbering, copy-from-order, Cancel/Close, journal entries, incoming payments, items and
 * business partners, OData reads with server paging, SAP's error envelope, and faults.
 */
export class SapB1Simulator {
  readonly stats: SapB1Stats = { logins: 0, logouts: 0, invalidSessions: 0, locks: 0, requests: {} };
  faults: SapB1Faults = { lockRate: 0, outage: false, latencyMs: 0 };
  private readonly opts: Required<Omit<SapB1SimulatorOptions, 'items'>> & { items: SapB1SeedItem[] };
  private readonly tables = new Map<string, Row[]>();
  private readonly counters = new Map<string, { entry: number; num: number }>();
  private readonly sessions = new Map<string, Session>();
  private readonly rnd: () => number;
  private readonly server = new LocalHttpServer();

  constructor(options: SapB1SimulatorOptions = {}) {
    this.opts = {
      port: 0,
      companyDb: SAPB1_SIM_LOGIN.companyDb,
      users: { [SAPB1_SIM_LOGIN.user]: SAPB1_SIM_LOGIN.password },
      sessionTimeoutMinutes: 30,
      pageSize: 20,
      now: () => Date.now(),
      seed: 1,
      localCurrency: 'USD',
      items: [],
      customers: [],
      accounts: [],
      warehouses: ['01'],
      expenseCodes: [1, 2, 3],
      lockStatus: 412,
      ...options,
    };
    this.rnd = seededRandom(this.opts.seed);
    for (const name of Object.keys(ENTITIES)) this.tables.set(name, []);
    this.seed();
  }

  private seed(): void {
    const { date, time } = this.stamp();
    const whs = new Set([...this.opts.warehouses, ...this.opts.items.map((i) => i.warehouse ?? '01')]);
    for (const w of whs) this.table('Warehouses').push({ WarehouseCode: w, WarehouseName: `Warehouse ${w}` });
    for (const c of this.opts.expenseCodes)
      this.table('AdditionalExpenses').push({ ExpensCode: c, Name: `Expense ${c}` });
    for (const a of this.opts.accounts)
      this.table('ChartOfAccounts').push({
        Code: a,
        Name: `Account ${a}`,
        FormatCode: a,
        ActiveAccount: 'tYES',
        AcctCurrency: '##',
      });
    for (const c of this.opts.customers)
      this.table('BusinessPartners').push({
        CardCode: c,
        CardName: `Customer ${c}`,
        CardType: 'cCustomer',
        Currency: '##',
        Valid: 'tYES',
        Frozen: 'tNO',
        CreateDate: date,
        UpdateDate: date,
        UpdateTime: time,
      });
    for (const i of this.opts.items) {
      const wh = i.warehouse ?? '01';
      this.table('Items').push({
        ItemCode: i.ItemCode,
        ItemName: i.ItemName ?? `Item ${i.ItemCode}`,
        SalesItem: 'tYES',
        InventoryItem: 'tYES',
        Valid: 'tYES',
        Frozen: 'tNO',
        DefaultWarehouse: wh,
        QuantityOnStock: N(i.inStock ?? '100'),
        QuantityOrderedByCustomers: N('0'),
        CreateDate: date,
        UpdateDate: date,
        UpdateTime: time,
        ItemPrices: [
          { PriceList: 1, Price: N(i.price ?? '10.00'), Currency: i.currency ?? this.opts.localCurrency },
        ],
        ItemWarehouseInfoCollection: [
          { WarehouseCode: wh, InStock: N(i.inStock ?? '100'), Committed: N('0'), Ordered: N('0') },
        ],
      });
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  start(): Promise<string> {
    return this.server.listen(this.opts.port, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.sendError(res, 500, -1, String(err));
        else res.end();
      });
    });
  }

  /** `http://127.0.0.1:<port>`; the Service Layer is under `/b1s/v1/`. */
  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- in-process control (the twin of POST /__control and GET /__inspect) --------------------

  setFaults(faults: Partial<SapB1Faults>): SapB1Faults {
    this.faults = { ...this.faults, ...faults };
    return this.faults;
  }

  clearFaults(): void {
    this.faults = { lockRate: 0, outage: false, latencyMs: 0 };
  }

  /** Every session is gone now: the next request with its cookie gets 401 / 301. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Records of an entity set, Edm.Double values as decimal strings. */
  documents(entity: string): SapB1Record[] {
    return this.table(entity).map((r) => plain(r) as SapB1Record);
  }

  /** Creates a record as `POST /b1s/v1/<entity>` would (no session, no faults); returns it. */
  create(entity: string, body: unknown): SapB1Record {
    return plain(this.createRecord(entity, clone(body))) as SapB1Record;
  }

  /**
   * Changes an item as a user in the client would, stamping UpdateDate/UpdateTime: name, prices
   * per price list, on-hand per warehouse.
   */
  updateItem(
    itemCode: string,
    change: { ItemName?: string; prices?: Record<number, string>; inStock?: Record<string, string> },
  ): void {
    const item = this.table('Items').find((i) => i.ItemCode === itemCode);
    if (!item) throw new Error(`no item ${itemCode}`);
    if (change.ItemName !== undefined) item.ItemName = change.ItemName;
    const prices = item.ItemPrices as Row[];
    for (const [pl, price] of Object.entries(change.prices ?? {})) {
      const p = prices.find((x) => x.PriceList === Number(pl));
      if (p) p.Price = N(D(price));
      else prices.push({ PriceList: Number(pl), Price: N(D(price)), Currency: this.opts.localCurrency });
    }
    const whs = item.ItemWarehouseInfoCollection as Row[];
    for (const [wh, qty] of Object.entries(change.inStock ?? {})) {
      const w = whs.find((x) => x.WarehouseCode === wh);
      if (w) w.InStock = N(D(qty));
      else whs.push({ WarehouseCode: wh, InStock: N(D(qty)), Committed: N('0'), Ordered: N('0') });
    }
    this.recomputeItem(item);
    Object.assign(item, this.stampFields());
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    if (url.pathname === '/__control' && req.method === 'POST') {
      const c = (raw.length ? JSON.parse(raw.toString()) : {}) as SapB1Control;
      if (c.expireSessions) this.expireSessions();
      const { expireSessions: _e, ...faults } = c;
      return this.sendJson(res, 200, this.setFaults(faults));
    }
    if (url.pathname.startsWith('/__inspect/') && req.method === 'GET') {
      const entity = decodeURIComponent(url.pathname.slice('/__inspect/'.length));
      if (!this.tables.has(entity)) return this.sendError(res, 404, -1000, `no entity set ${entity}`);
      return this.sendJson(res, 200, this.table(entity));
    }
    if (url.pathname === '/__stats' && req.method === 'GET') return this.sendJson(res, 200, this.stats);
    if (!url.pathname.startsWith(BASE))
      return this.sendError(res, 404, -1000, `Resource not found for the segment '${url.pathname}'.`);

    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.faults.outage) {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
      return;
    }
    let method = req.method ?? 'GET';
    const override = req.headers['x-http-method-override'];
    if (method === 'POST' && typeof override === 'string') method = override.toUpperCase();
    const resource = decodeURIComponent(url.pathname.slice(BASE.length));
    try {
      if (resource === 'Login' && method === 'POST') return this.login(raw, res);
      const session = this.session(req);
      if (!session) {
        this.stats.invalidSessions++;
        return this.sendError(res, 401, 301, INVALID_SESSION);
      }
      session.lastSeenMs = this.opts.now();
      if (resource === 'Logout' && method === 'POST') {
        this.sessions.delete(session.id);
        this.stats.logouts++;
        res.writeHead(204);
        res.end();
        return;
      }
      await this.route(method, resource, url.searchParams, raw, req, res);
    } catch (err) {
      if (err instanceof SlError) return this.sendError(res, err.status, err.code, err.message);
      if (err instanceof ODataSyntaxError) return this.sendError(res, 400, -1000, err.message);
      throw err;
    }
  }

  private login(raw: Buffer, res: ServerResponse): void {
    let body: Row;
    try {
      body = parse(raw.toString() || '{}') as Row;
    } catch {
      throw new SlError(400, -1000, 'Invalid JSON payload');
    }
    const ok =
      body.CompanyDB === this.opts.companyDb &&
      typeof body.UserName === 'string' &&
      this.opts.users[body.UserName] !== undefined &&
      this.opts.users[body.UserName] === body.Password;
    if (!ok) return this.sendError(res, 401, 100000027, 'Login failed');
    const id = randomUUID();
    this.sessions.set(id, { id, user: body.UserName as string, lastSeenMs: this.opts.now() });
    this.stats.logins++;
    res.setHeader('Set-Cookie', [`B1SESSION=${id}; HttpOnly;`, 'ROUTEID=.node1; path=/b1s']);
    this.sendJson(res, 200, {
      'odata.metadata': `${this.urlOrEmpty()}${BASE}$metadata#B1Sessions/@Element`,
      SessionId: id,
      Version: '1000110',
      SessionTimeout: this.opts.sessionTimeoutMinutes,
    });
  }

  private session(req: IncomingMessage): Session | undefined {
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .filter((kv) => kv.length >= 2)
        .map(([k, ...v]) => [k, v.join('=')]),
    );
    const s = cookies.B1SESSION ? this.sessions.get(cookies.B1SESSION) : undefined;
    if (!s) return undefined;
    if (this.opts.now() - s.lastSeenMs > this.opts.sessionTimeoutMinutes * 60_000) {
      this.sessions.delete(s.id);
      return undefined;
    }
    return s;
  }

  private async route(
    method: string,
    resource: string,
    q: URLSearchParams,
    raw: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const m = /^([A-Za-z]+)(?:\((.+)\))?(?:\/(\$count|[A-Za-z]+))?$/.exec(resource);
    const entity = m?.[1];
    if (!m || !entity || !ENTITIES[entity])
      throw new SlError(404, -1000, `Resource not found for the segment '${resource.split(/[(/]/)[0]}'.`);
    const def = ENTITIES[entity]!;
    const key = m[2] !== undefined ? this.parseKey(def, m[2]) : undefined;
    const action = m[3];
    const statKey = `${method} ${entity}${action ? `/${action}` : ''}`;
    this.stats.requests[statKey] = (this.stats.requests[statKey] ?? 0) + 1;

    if (method !== 'GET') this.maybeLock();

    if (method === 'GET') {
      if (key !== undefined && !action) {
        const row = this.find(entity, key);
        return this.sendJson(res, 200, {
          'odata.metadata': `${this.url}${BASE}$metadata#${entity}/@Element`,
          ...select(row, q.get('$select')),
        });
      }
      if (key === undefined && action === '$count') {
        const rows = this.query(entity, q);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(String(rows.length));
        return;
      }
      if (key === undefined && !action) return this.list(entity, q, req, res);
    }
    if (method === 'POST' && key === undefined && !action) {
      const created = this.createRecord(entity, this.parseJson(raw));
      if (/return-no-content/.test(String(req.headers.prefer ?? ''))) {
        const k = created[def.key];
        res.writeHead(204, {
          Location: `${this.url}${BASE}${entity}(${def.keyType === 'int' ? k : `'${String(k)}'`})`,
          'Preference-Applied': 'return-no-content',
        });
        res.end();
        return;
      }
      return this.sendJson(res, 201, {
        'odata.metadata': `${this.url}${BASE}$metadata#${entity}/@Element`,
        ...created,
      });
    }
    if (method === 'POST' && key !== undefined && action && def.kind === 'document') {
      this.documentAction(entity, key as number, action);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'PATCH' && key !== undefined && !action) {
      this.patch(entity, key, this.parseJson(raw));
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'DELETE' && key !== undefined && !action) {
      this.find(entity, key);
      throw new SlError(400, -5006, 'The requested action is not supported for this object.');
    }
    throw new SlError(400, -5006, 'The requested action is not supported for this object.');
  }

  private maybeLock(): void {
    if (this.faults.lockRate > 0 && this.rnd() < this.faults.lockRate) {
      this.stats.locks++;
      throw new SlError(
        this.opts.lockStatus,
        -2039,
        'Another user or another operation modified data; to continue, open the window again (ODBC -2039)',
      );
    }
  }

  private parseJson(raw: Buffer): unknown {
    try {
      return parse(raw.toString() || 'null');
    } catch {
      throw new SlError(400, -1000, 'Invalid JSON payload');
    }
  }

  private parseKey(def: EntityDef, src: string): string | number {
    const s = /^'(.*)'$/.exec(src);
    if (def.keyType === 'string') {
      if (!s) throw new SlError(400, -1000, `Invalid key '${src}'`);
      return s[1]!.replace(/''/g, "'");
    }
    if (!/^\d+$/.test(src)) throw new SlError(400, -1000, `Invalid key '${src}'`);
    return Number(src);
  }

  private list(entity: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const rows = this.query(entity, q);
    const skip = intParam(q, '$skip') ?? 0;
    const top = intParam(q, '$top');
    const window = rows.slice(skip, top === undefined ? undefined : skip + top);
    const headers: Record<string, string> = {};
    let pageSize = this.opts.pageSize;
    const b1sPageSize = req.headers['b1s-pagesize'];
    if (typeof b1sPageSize === 'string' && /^\d+$/.test(b1sPageSize)) pageSize = Number(b1sPageSize);
    const prefer = /odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ''));
    if (prefer) {
      pageSize = Number(prefer[1]);
      headers['Preference-Applied'] = `odata.maxpagesize=${prefer[1]}`;
    }
    const page = pageSize > 0 ? window.slice(0, pageSize) : window;
    const body: Row = { 'odata.metadata': `${this.url}${BASE}$metadata#${entity}` };
    if (q.get('$inlinecount') === 'allpages') body['odata.count'] = String(rows.length);
    body.value = page.map((r) => select(r, q.get('$select')));
    if (page.length < window.length) {
      const next = new URLSearchParams(q);
      next.set('$skip', String(skip + page.length));
      if (top !== undefined) next.set('$top', String(top - page.length));
      body['odata.nextLink'] = `${entity}?${next.toString().replace(/\+/g, '%20')}`;
    }
    this.sendJson(res, 200, body, headers);
  }

  private query(entity: string, q: URLSearchParams): Row[] {
    const filter = q.get('$filter');
    const pred = filter ? parseFilter(filter) : () => true;
    const rows = this.table(entity).filter(pred);
    const def = ENTITIES[entity]!;
    const order = q.get('$orderby');
    rows.sort(order ? parseOrderBy(order) : (a, b) => compareValues(a[def.key], b[def.key]) ?? 0);
    return rows;
  }

  // ---- writes ---------------------------------------------------------------------------------

  private createRecord(entity: string, body: unknown): Row {
    const def = ENTITIES[entity]!;
    switch (def.kind) {
      case 'document':
        return this.createDocument(entity, def, body);
      case 'journal':
        return this.createJournal(body);
      case 'payment':
        return this.createPayment(body);
      default:
        return this.createMaster(entity, def, body);
    }
  }

  private createDocument(entity: string, def: EntityDef, body: unknown): Row {
    const doc = checkProps(body, DOC_W, DOC_RO, 'Document');
    const lines = listOf(doc.DocumentLines, 'DocumentLines').map((l) =>
      checkProps(l, LINE_W, LINE_RO, 'DocumentLine'),
    );
    const expenses = listOf(doc.DocumentAdditionalExpenses, 'DocumentAdditionalExpenses').map((e) =>
      checkProps(e, EXP_W, new Set(), 'DocumentAdditionalExpense'),
    );
    const bp = this.table('BusinessPartners').find((b) => b.CardCode === doc.CardCode);
    if (typeof doc.CardCode !== 'string' || !bp)
      throw validation(`Enter a valid BP code (${String(doc.CardCode ?? '')})`);
    if (bp.Valid === 'tNO' || bp.Frozen === 'tYES') throw validation(`BP ${bp.CardCode} is inactive`);
    if (lines.length === 0) throw validation('Cannot add document without rows');
    if (typeof doc.NumAtCard === 'string' && doc.NumAtCard.length > 100) throw invalidValue('NumAtCard');

    // Validate every line before anything changes: a refused POST leaves no trace (FACTS §1.5)
    type BaseUse = { order: Row; line: Row; qty: MoneyDecimal };
    const baseUses: BaseUse[] = [];
    lines.forEach((l, i) => {
      if (l.BaseType !== undefined && l.BaseType !== -1) {
        if (l.BaseType !== 17 || entity === 'Orders')
          throw validation(`Line ${i}: base document type ${l.BaseType} cannot be copied here`);
        const order = this.table('Orders').find((o) => o.DocEntry === l.BaseEntry);
        if (!order) throw validation(`Line ${i}: base document ${String(l.BaseEntry)} not found`);
        if (order.CardCode !== doc.CardCode)
          throw validation(`Line ${i}: base document belongs to another business partner`);
        if (order.Cancelled === 'tYES' || order.DocumentStatus === 'bost_Close')
          throw validation(`Line ${i}: base document ${order.DocNum as number} is closed`);
        const bl = (order.DocumentLines as Row[]).find((x) => x.LineNum === l.BaseLine);
        if (!bl) throw validation(`Line ${i}: base line ${String(l.BaseLine)} not found`);
        if (bl.LineStatus === 'bost_Close') throw validation(`Line ${i}: base line is closed`);
        for (const f of [
          'ItemCode',
          'ItemDescription',
          'UnitPrice',
          'WarehouseCode',
          'DiscountPercent',
          'TaxCode',
        ])
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
      const item = this.table('Items').find((it) => it.ItemCode === l.ItemCode);
      if (typeof l.ItemCode !== 'string' || !item)
        throw validation(`Enter a valid item code (${String(l.ItemCode ?? '')})`);
      if (item.Valid === 'tNO' || item.Frozen === 'tYES' || item.SalesItem !== 'tYES')
        throw validation(`Item ${item.ItemCode as string} is inactive or not a sales item`);
      if (l.WarehouseCode === undefined) l.WarehouseCode = item.DefaultWarehouse;
      if (!this.table('Warehouses').some((w) => w.WarehouseCode === l.WarehouseCode))
        throw validation(`Enter a valid warehouse code (${String(l.WarehouseCode)})`);
      if (l.Quantity === undefined) l.Quantity = N('1');
      if (!D(l.Quantity).gt(0)) throw validation(`Line ${i}: quantity must be positive`);
      if (l.UnitPrice === undefined)
        l.UnitPrice = l.Price ?? clone((item.ItemPrices as Row[])[0]?.Price) ?? N('0');
      if (l.AccountCode !== undefined && !this.account(l.AccountCode))
        throw validation(`Invalid account code (${String(l.AccountCode)})`);
    });
    for (const e of expenses) {
      if (!this.table('AdditionalExpenses').some((x) => x.ExpensCode === e.ExpenseCode))
        throw validation(`Enter a valid freight code (${String(e.ExpenseCode ?? '')})`);
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
      l.Currency ??= doc.DocCurrency ?? this.opts.localCurrency;
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
    const counter = this.counter(entity, def);
    const docEntry = ++counter.entry;
    const docNum = typeof doc.DocNum === 'number' && doc.HandWritten === 'tYES' ? doc.DocNum : counter.num++;
    const { date } = this.stamp();
    const stored: Row = {
      DocEntry: docEntry,
      DocNum: docNum,
      DocType: 'dDocument_Items',
      DocDate: date,
      DocDueDate: doc.DocDate ?? date,
      TaxDate: doc.DocDate ?? date,
      CardName: bp.CardName,
      DocCurrency: this.opts.localCurrency,
      DocRate: N('1'),
      ...doc,
      DocObjectCode: def.objectType,
      DocTotal: N(round2(net.plus(tax))),
      VatSum: N(round2(tax)),
      DocumentStatus: 'bost_Open',
      Cancelled: 'tNO',
      CreationDate: date,
      ...this.stampFields(),
      DocumentLines: lines.map((l) => ({ ...l, DocEntry: docEntry })),
      DocumentAdditionalExpenses: expenses,
    };
    for (const u of baseUses) {
      const left = D(u.line.RemainingOpenQuantity).minus(u.qty);
      u.line.RemainingOpenQuantity = N(left);
      if (left.lte(0)) u.line.LineStatus = 'bost_Close';
      if ((u.order.DocumentLines as Row[]).every((x) => x.LineStatus === 'bost_Close'))
        u.order.DocumentStatus = 'bost_Close';
      Object.assign(u.order, this.stampFields());
    }
    for (const l of stored.DocumentLines as Row[]) {
      if (entity === 'Orders')
        this.moveStock(l.ItemCode as string, l.WarehouseCode as string, D(0), D(l.Quantity));
      else if (entity === 'Invoices' || entity === 'DeliveryNotes') {
        const fromOrder = l.BaseType === 17 ? D(l.Quantity) : D(0);
        this.moveStock(l.ItemCode as string, l.WarehouseCode as string, D(l.Quantity).neg(), fromOrder.neg());
      } else if (entity === 'CreditNotes')
        this.moveStock(l.ItemCode as string, l.WarehouseCode as string, D(l.Quantity), D(0));
    }
    this.table(entity).push(stored);
    return stored;
  }

  private documentAction(entity: string, docEntry: number, action: string): void {
    const doc = this.find(entity, docEntry);
    if (action !== 'Cancel' && action !== 'Close')
      throw new SlError(400, -5006, 'The requested action is not supported for this object.');
    if (doc.Cancelled === 'tYES') throw validation('Document is already cancelled');
    if (doc.DocumentStatus === 'bost_Close') throw validation('Cannot cancel or close a closed document');
    if (action === 'Cancel' && entity !== 'Orders' && entity !== 'DeliveryNotes')
      throw new SlError(400, -5006, 'The requested action is not supported for this object.');
    for (const l of doc.DocumentLines as Row[]) {
      if (entity === 'Orders' && l.LineStatus === 'bost_Open')
        this.moveStock(
          l.ItemCode as string,
          l.WarehouseCode as string,
          D(0),
          D(l.RemainingOpenQuantity).neg(),
        );
      l.LineStatus = 'bost_Close';
    }
    doc.DocumentStatus = 'bost_Close';
    if (action === 'Cancel') doc.Cancelled = 'tYES';
    Object.assign(doc, this.stampFields());
  }

  private createJournal(body: unknown): Row {
    const je = checkProps(body, JE_W, JE_RO, 'JournalEntry');
    const lines = listOf(je.JournalEntryLines, 'JournalEntryLines').map((l) =>
      checkProps(l, JEL_W, new Set(), 'JournalEntryLine'),
    );
    if (lines.length < 2) throw validation('A journal entry needs at least two rows');
    const fc = lines.some((l) => l.FCCurrency !== undefined);
    let debit = D(0);
    let credit = D(0);
    lines.forEach((l, i) => {
      const bp = this.table('BusinessPartners').find((b) => b.CardCode === l.ShortName);
      if (l.AccountCode === undefined && bp) l.AccountCode = bp.DebitorAccount;
      if (!this.account(l.AccountCode))
        throw validation(`Invalid account code (${String(l.AccountCode ?? '')})`);
      if (l.ShortName !== undefined && !bp && l.ShortName !== l.AccountCode)
        throw validation(`Line ${i}: invalid ShortName (${String(l.ShortName)})`);
      const d = D(fc ? l.FCDebit : l.Debit);
      const c = D(fc ? l.FCCredit : l.Credit);
      if (d.isNeg() || c.isNeg()) throw validation(`Line ${i}: negative amount`);
      if (d.isZero() && c.isZero()) throw validation(`Line ${i}: enter a debit or a credit amount`);
      debit = debit.plus(d);
      credit = credit.plus(c);
    });
    if (!debit.eq(credit))
      throw validation(`Unbalanced transaction (debit ${debit.toFixed()}, credit ${credit.toFixed()})`);
    const counter = this.counter('JournalEntries', ENTITIES.JournalEntries!);
    const jdtNum = ++counter.entry;
    const { date } = this.stamp();
    const stored: Row = {
      ReferenceDate: date,
      DueDate: je.ReferenceDate ?? date,
      TaxDate: je.ReferenceDate ?? date,
      ...je,
      JdtNum: jdtNum,
      Number: counter.num++,
      JournalEntryLines: lines.map((l, i) => ({
        ...l,
        Line_ID: i,
        ShortName: l.ShortName ?? l.AccountCode,
        Debit: l.Debit ?? N('0'),
        Credit: l.Credit ?? N('0'),
      })),
    };
    this.table('JournalEntries').push(stored);
    return stored;
  }

  private createPayment(body: unknown): Row {
    const p = checkProps(body, PAY_W, PAY_RO, 'Payment');
    const invoices = listOf(p.PaymentInvoices, 'PaymentInvoices').map((x) =>
      checkProps(x, PINV_W, new Set(), 'PaymentInvoice'),
    );
    const types: Record<string, string> = { C: 'rCustomer', A: 'rAccount', S: 'rSupplier' };
    const docType = types[String(p.DocType ?? 'rCustomer')] ?? String(p.DocType ?? 'rCustomer');
    if (!Object.values(types).includes(docType)) throw invalidValue('DocType');
    const bp = this.table('BusinessPartners').find((b) => b.CardCode === p.CardCode);
    if (docType !== 'rAccount' && !bp)
      throw validation(`Enter a valid BP code (${String(p.CardCode ?? '')})`);
    const transfer = D(p.TransferSum ?? 0);
    const cash = D(p.CashSum ?? 0);
    if (transfer.isNeg() || cash.isNeg()) throw validation('Payment amounts cannot be negative');
    if (transfer.gt(0) && !this.account(p.TransferAccount))
      throw validation(`Invalid account code (${String(p.TransferAccount ?? '')})`);
    if (cash.gt(0) && !this.account(p.CashAccount))
      throw validation(`Invalid account code (${String(p.CashAccount ?? '')})`);
    const total = transfer.plus(cash);
    if (!total.gt(0)) throw validation('Total payment amount must be greater than zero');
    let applied = D(0);
    invoices.forEach((x, i) => {
      const inv = this.table('Invoices').find((d) => d.DocEntry === x.DocEntry);
      if (!inv) throw validation(`Line ${i}: invoice ${String(x.DocEntry)} not found`);
      if (inv.CardCode !== p.CardCode)
        throw validation(`Line ${i}: invoice belongs to another business partner`);
      x.LineNum = i;
      x.InvoiceType ??= 'it_Invoice';
      x.InstallmentId ??= 1;
      applied = applied.plus(D(x.SumApplied));
    });
    if (applied.gt(total)) throw validation('Applied amounts exceed the payment amount');
    const counter = this.counter('IncomingPayments', ENTITIES.IncomingPayments!);
    const { date } = this.stamp();
    const stored: Row = {
      DocDate: date,
      DocCurrency: this.opts.localCurrency,
      CardName: bp?.CardName,
      ...p,
      DocType: docType,
      DocEntry: ++counter.entry,
      DocNum: counter.num++,
      Cancelled: 'tNO',
      PaymentInvoices: invoices,
    };
    this.table('IncomingPayments').push(stored);
    return stored;
  }

  private createMaster(entity: string, def: EntityDef, body: unknown): Row {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new SlError(400, -1000, 'Invalid payload');
    const rec = clone(body) as Row;
    const key = rec[def.key];
    if (key === undefined) throw validation(`Enter ${def.key}`);
    if (this.table(entity).some((r) => r[def.key] === key)) {
      if (entity === 'BusinessPartners')
        throw new SlError(
          400,
          -10,
          `1320000140 - Business partner code '${String(key)}' already assigned to a business partner; enter a unique business partner code`,
        );
      throw new SlError(400, -2035, 'This entry already exists in the following tables (ODBC -2035)');
    }
    Object.assign(rec, { CreateDate: this.stamp().date, ...this.stampFields() });
    if (entity === 'Items') {
      rec.ItemPrices ??= [];
      rec.ItemWarehouseInfoCollection ??= [];
      rec.SalesItem ??= 'tYES';
      rec.Valid ??= 'tYES';
      rec.DefaultWarehouse ??= '01';
      this.recomputeItem(rec);
    }
    this.table(entity).push(rec);
    return rec;
  }

  private patch(entity: string, key: string | number, body: unknown): void {
    const row = this.find(entity, key);
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new SlError(400, -1000, 'Invalid payload');
    const def = ENTITIES[entity]!;
    const b = body as Row;
    if (def.kind === 'document') {
      const header = checkProps(b, DOC_W, DOC_RO, 'Document');
      if (header.DocumentLines || header.DocumentAdditionalExpenses || header.CardCode)
        throw new SlError(400, -5006, 'The simulator does not patch lines, expenses or the business partner');
      Object.assign(row, header, this.stampFields());
      return;
    }
    if (def.kind !== 'master')
      throw new SlError(400, -5006, 'The requested action is not supported for this object.');
    for (const [k, v] of Object.entries(b)) {
      if (k === def.key || k === 'UpdateDate' || k === 'UpdateTime')
        throw new SlError(400, -1000, `Property '${k}' is read-only`);
      if (entity === 'Items' && k === 'ItemPrices') {
        const prices = row.ItemPrices as Row[];
        for (const p of listOf(v, k) as Row[]) {
          const pl = Number(String(p.PriceList));
          const existing = prices.find((x) => x.PriceList === pl);
          const price = N(D(p.Price));
          if (existing) existing.Price = price;
          else prices.push({ PriceList: pl, Price: price, Currency: p.Currency ?? this.opts.localCurrency });
        }
      } else row[k] = clone(v);
    }
    Object.assign(row, this.stampFields());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private table(entity: string): Row[] {
    const t = this.tables.get(entity);
    if (!t) throw new Error(`no entity set ${entity}`);
    return t;
  }

  private find(entity: string, key: string | number): Row {
    const def = ENTITIES[entity]!;
    const row = this.table(entity).find((r) => r[def.key] === key);
    if (!row) throw notFound();
    return row;
  }

  private account(code: unknown): Row | undefined {
    return this.table('ChartOfAccounts').find((a) => a.Code === code && a.ActiveAccount !== 'tNO');
  }

  private counter(entity: string, def: EntityDef): { entry: number; num: number } {
    let c = this.counters.get(entity);
    if (!c) this.counters.set(entity, (c = { entry: 0, num: def.firstNumber ?? 1 }));
    return c;
  }

  /** On-hand and committed per warehouse move with documents; Items.UpdateDate does not (FACTS §1.4). */
  private moveStock(
    itemCode: string,
    warehouse: string,
    onHand: MoneyDecimal,
    committed: MoneyDecimal,
  ): void {
    const item = this.table('Items').find((i) => i.ItemCode === itemCode);
    if (!item) return;
    const whs = item.ItemWarehouseInfoCollection as Row[];
    let w = whs.find((x) => x.WarehouseCode === warehouse);
    if (!w) whs.push((w = { WarehouseCode: warehouse, InStock: N('0'), Committed: N('0'), Ordered: N('0') }));
    w.InStock = N(D(w.InStock).plus(onHand));
    w.Committed = N(D(w.Committed).plus(committed));
    this.recomputeItem(item);
  }

  private recomputeItem(item: Row): void {
    const whs = item.ItemWarehouseInfoCollection as Row[];
    item.QuantityOnStock = N(whs.reduce((s, w) => s.plus(D(w.InStock)), D(0)));
    item.QuantityOrderedByCustomers = N(whs.reduce((s, w) => s.plus(D(w.Committed)), D(0)));
  }

  private stamp(): { date: string; time: string } {
    const iso = new Date(this.opts.now()).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
  }

  private stampFields(): Row {
    const { date, time } = this.stamp();
    return { UpdateDate: date, UpdateTime: time };
  }

  private urlOrEmpty(): string {
    return this.server.started ? this.url : '';
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = stringify(body) ?? 'null';
    res.writeHead(status, {
      'content-type': 'application/json;odata=minimalmetadata;charset=utf-8',
      ...headers,
    });
    res.end(text);
  }

  private sendError(res: ServerResponse, status: number, code: number, message: string): void {
    this.sendJson(res, status, { error: { code, message: { lang: 'en-us', value: message } } });
  }
}

function select(row: Row, sel: string | null): Row {
  if (!sel) return clone(row);
  const out: Row = {};
  for (const f of sel.split(',').map((s) => s.trim())) if (f in row) out[f] = clone(row[f]);
  return out;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new SlError(400, -1000, `Invalid ${name} '${v}'`);
  return Number(v);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSapB1Simulator(options: SapB1SimulatorOptions = {}): Promise<SapB1Simulator> {
  const sim = new SapB1Simulator(options);
  await sim.start();
  return sim;
}
