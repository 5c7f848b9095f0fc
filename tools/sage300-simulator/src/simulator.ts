import type { IncomingMessage, ServerResponse } from 'node:http';
import { LosslessNumber, isLosslessNumber, parse as parseLossless, stringify } from 'lossless-json';
import { LocalHttpServer, seededRandom } from '@connector/core';
import { MoneyDecimal } from '@connector/money';

/**
 * The OData `$filter` subset Sage 300 documents (FACTS §2.4): `eq ne gt ge lt le and or not`,
 * parentheses, `startswith`, `endswith`, `substringof`, and the literals `'text'` (quotes doubled
 * inside), `99.99m` / `12`, `datetime'2015-12-31T12:00'`, bare `2016-12-31T12:00:00Z`, `true`,
 * `false`, `null`. `ge` is not in Sage's list but every OData server takes it ([?] in FACTS).
 */
export type Literal =
  | { t: 'str'; v: string }
  | { t: 'num'; v: MoneyDecimal }
  | { t: 'date'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

export type FilterExpr =
  | { op: 'and' | 'or'; l: FilterExpr; r: FilterExpr }
  | { op: 'not'; e: FilterExpr }
  | { op: 'cmp'; cmp: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; lit: Literal }
  | { op: 'fn'; fn: 'startswith' | 'endswith' | 'substringof'; field: string; text: string };

export class FilterSyntaxError extends Error {}

type Token = { k: 'punct'; v: '(' | ')' | ',' } | { k: 'ident'; v: string } | { k: 'lit'; v: Literal };

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

function parseDate(text: string): number {
  const iso = /T\d{2}:\d{2}$/.test(text) ? `${text}:00` : text;
  const withZone = /T/.test(iso) && !/(Z|[+-]\d{2}:\d{2})$/.test(iso) ? `${iso}Z` : iso;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) throw new FilterSyntaxError(`invalid date literal ${text}`);
  return ms;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError('unterminated string literal');
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
      out.push({ k: 'lit', v: { t: 'str', v } });
      continue;
    }
    const rest = src.slice(i);
    const date = DATE_RE.exec(rest);
    if (date && date[0].length > 4) {
      out.push({ k: 'lit', v: { t: 'date', v: parseDate(date[0]) } });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?[mMdDfFlL]?/.exec(rest);
    if (num) {
      out.push({ k: 'lit', v: { t: 'num', v: new MoneyDecimal(num[0].replace(/[mMdDfFlL]$/, '')) } });
      i += num[0].length;
      continue;
    }
    const dt = /^datetime(offset)?'([^']*)'/.exec(rest);
    if (dt) {
      out.push({ k: 'lit', v: { t: 'date', v: parseDate(dt[2]) } });
      i += dt[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      const w = id[0];
      if (w === 'true' || w === 'false') out.push({ k: 'lit', v: { t: 'bool', v: w === 'true' } });
      else if (w === 'null') out.push({ k: 'lit', v: { t: 'null' } });
      else out.push({ k: 'ident', v: w });
      i += w.length;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character '${c}' at ${i}`);
  }
  return out;
}

const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(src: string): FilterExpr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isWord = (w: string) => peek()?.k === 'ident' && peek()!.v === w;
  const expect = (v: '(' | ')' | ',') => {
    const t = toks[p++];
    if (t?.k !== 'punct' || t.v !== v) throw new FilterSyntaxError(`expected '${v}'`);
  };
  const literal = (): Literal => {
    const t = toks[p++];
    if (t?.k !== 'lit') throw new FilterSyntaxError('expected a literal');
    return t.v;
  };
  const ident = (): string => {
    const t = toks[p++];
    if (t?.k !== 'ident') throw new FilterSyntaxError('expected a property name');
    return t.v;
  };
  const text = (): string => {
    const l = literal();
    if (l.t !== 'str') throw new FilterSyntaxError('expected a string literal');
    return l.v;
  };
  function primary(): FilterExpr {
    const t = peek();
    if (t?.k === 'punct' && t.v === '(') {
      p++;
      const e = or();
      expect(')');
      return e;
    }
    if (isWord('not')) {
      p++;
      return { op: 'not', e: primary() };
    }
    const name = ident();
    if (name === 'startswith' || name === 'endswith') {
      expect('(');
      const field = ident();
      expect(',');
      const s = text();
      expect(')');
      return { op: 'fn', fn: name, field, text: s };
    }
    if (name === 'substringof') {
      expect('(');
      const s = text();
      expect(',');
      const field = ident();
      expect(')');
      return { op: 'fn', fn: name, field, text: s };
    }
    const op = ident();
    if (!CMP.has(op)) throw new FilterSyntaxError(`unknown operator '${op}'`);
    return { op: 'cmp', cmp: op as 'eq', field: name, lit: literal() };
  }
  function and(): FilterExpr {
    let l = primary();
    while (isWord('and')) {
      p++;
      l = { op: 'and', l, r: primary() };
    }
    return l;
  }
  function or(): FilterExpr {
    let l = and();
    while (isWord('or')) {
      p++;
      l = { op: 'or', l, r: and() };
    }
    return l;
  }
  const e = or();
  if (p !== toks.length) throw new FilterSyntaxError('unexpected trailing tokens');
  return e;
}

export function filterFields(e: FilterExpr): string[] {
  switch (e.op) {
    case 'and':
    case 'or':
      return [...filterFields(e.l), ...filterFields(e.r)];
    case 'not':
      return filterFields(e.e);
    default:
      return [e.field];
  }
}

function compareTo(value: unknown, lit: Literal): number | null {
  if (value === undefined || value === null) return lit.t === 'null' ? 0 : null;
  switch (lit.t) {
    case 'null':
      return 1;
    case 'str':
      return String(value) < lit.v ? -1 : String(value) > lit.v ? 1 : 0;
    case 'bool':
      return value === lit.v ? 0 : 1;
    case 'num': {
      const text = isLosslessNumber(value) ? value.toString() : String(value);
      if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
      return new MoneyDecimal(text).cmp(lit.v);
    }
    case 'date': {
      const ms = typeof value === 'string' ? parseDate(value) : NaN;
      if (Number.isNaN(ms)) return null;
      return Math.sign(ms - lit.v);
    }
  }
}

export function evaluate(e: FilterExpr, rec: Record<string, unknown>): boolean {
  switch (e.op) {
    case 'and':
      return evaluate(e.l, rec) && evaluate(e.r, rec);
    case 'or':
      return evaluate(e.l, rec) || evaluate(e.r, rec);
    case 'not':
      return !evaluate(e.e, rec);
    case 'fn': {
      const v = String(rec[e.field] ?? '');
      return e.fn === 'startswith'
        ? v.startsWith(e.text)
        : e.fn === 'endswith'
          ? v.endsWith(e.text)
          : v.includes(e.text);
    }
    case 'cmp': {
      const c = compareTo(rec[e.field], e.lit);
      if (c === null) return e.cmp === 'ne';
      switch (e.cmp) {
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
        case 'le':
          return c <= 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The simulator (FACTS §2.8). Everything below is what Sage 300's Web API documents; where FACTS
// marks a detail [?] the choice made here is named in a comment.
// ---------------------------------------------------------------------------------------------

export type Sage300ErrorCode =
  | 'InternalServerError'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InvalidParameters'
  | 'ResourceNotFound'
  | 'InvalidEntityKey'
  | 'RecordNotFound'
  | 'MethodNotAllowed'
  | 'InvalidPayload'
  | 'InvalidAction'
  | 'DBLinkError'
  | 'SessionError'
  | 'RecordDuplicate'
  | 'RecordInvalid'
  | 'General';

/** HTTP status per code: only 404/RecordNotFound is documented; the rest is the "natural mapping" of FACTS §2.6 [?]. */
export const SAGE300_ERROR_STATUS: Record<Sage300ErrorCode, number> = {
  InternalServerError: 500,
  Unauthorized: 401,
  Forbidden: 403,
  TooManyRequests: 429,
  InvalidParameters: 400,
  ResourceNotFound: 404,
  InvalidEntityKey: 400,
  RecordNotFound: 404,
  MethodNotAllowed: 405,
  InvalidPayload: 400,
  InvalidAction: 400,
  DBLinkError: 500,
  SessionError: 500,
  RecordDuplicate: 409,
  RecordInvalid: 422,
  General: 400,
};

/** The lock-style business-layer message (FACTS §2.6: texts [?]); answered 409 with code `General`. */
export const SAGE300_LOCK_MESSAGE =
  'Record is locked by another user. The record is in use; try again later.';

export type Rec = Record<string, unknown>;

class SageError extends Error {
  constructor(
    readonly code: Sage300ErrorCode,
    message: string,
    readonly status = SAGE300_ERROR_STATUS[code],
  ) {
    super(message);
  }
}

interface Shape {
  props: string[];
  details?: Record<string, Shape>;
}

interface ResourceDef {
  module: 'AR' | 'GL' | 'IC' | 'OE';
  verbs: string[];
  /** key properties in metadata order */
  keys: string[];
  shape: Shape;
  /** the OData model type named in InvalidPayload messages */
  model: string;
}

const ALL = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const OPT = { props: ['OptionalField', 'Value'] };

/** Served resources with their 2022 verbs (endpoints-2022.json) and the fields of FACTS §2.3 / payloads. */
export const SAGE300_RESOURCES: Record<string, ResourceDef> = {
  ARCustomers: {
    module: 'AR',
    verbs: ALL,
    keys: ['CustomerNumber'],
    model: 'Customer',
    shape: {
      props: [
        'CustomerNumber',
        'ShortName',
        'GroupCode',
        'NationalAccount',
        'Status',
        'OnHold',
        'CustomerName',
        'AccountSet',
        'BillingCycle',
        'InterestProfile',
        'CurrencyCode',
        'PrintStatements',
        'AccountType',
        'Terms',
        'TaxGroup',
        'CreditLimitCustomerCurrency',
        'CustomerPriceList',
        'City',
        'BalanceDueInCustomerCurrency',
        'DateOfLastInvoice',
        'DateLastMaintained',
        'CustomerOptionalFieldValues',
      ],
      details: { CustomerOptionalFieldValues: OPT },
    },
  },
  ARInvoiceBatches: {
    module: 'AR',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchNumber'],
    model: 'InvoiceBatch',
    shape: {
      props: ['BatchNumber', 'BatchDate', 'BatchStatus', 'Description', 'NumberOfEntries', 'Invoices'],
      details: {
        Invoices: {
          props: [
            'BatchNumber',
            'EntryNumber',
            'CustomerNumber',
            'DocumentType',
            'TransactionType',
            'DocumentNumber',
            'DocumentDate',
            'AsOfDate',
            'DueDate',
            'PostingDate',
            'InvoiceType',
            'InvoiceDetails',
            'InvoicePaymentSchedules',
          ],
          details: {
            InvoiceDetails: {
              props: [
                'BatchNumber',
                'EntryNumber',
                'LineNumber',
                'ItemNumber',
                'DistributionCode',
                'ExtendedAmountWithTIP',
              ],
            },
            InvoicePaymentSchedules: {
              props: ['BatchNumber', 'EntryNumber', 'PaymentNumber', 'AmountDue', 'DueDate'],
            },
          },
        },
      },
    },
  },
  ARReceiptAndAdjustmentBatches: {
    module: 'AR',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchRecordType', 'BatchNumber'],
    model: 'ReceiptAndAdjustmentBatch',
    shape: {
      props: [
        'BatchRecordType',
        'BatchNumber',
        'BatchDate',
        'Description',
        'NumberOfEntries',
        'BankCode',
        'DefaultBankCurrency',
        'BatchStatus',
        'ReceiptsAdjustments',
      ],
      details: {
        ReceiptsAdjustments: {
          props: [
            'BatchType',
            'BatchNumber',
            'EntryNumber',
            'CustomerNumber',
            'ReceiptDateAdjustmentDate',
            'EntryDescription',
            'EntryReference',
            'BankReceiptAmount',
            'CustomerReceiptAmount',
            'TotalCustomerAmountApplied',
            'ReceiptTransactionType',
            'CustomerUnappliedAmount',
            'AppliedReceiptsAdjustments',
          ],
          details: {
            AppliedReceiptsAdjustments: {
              props: [
                'BatchType',
                'BatchNumber',
                'EntryNumber',
                'LineNumber',
                'CustomerNumber',
                'DocumentNumber',
                'PaymentNumber',
                'CustomerReceiptAmount',
                'Description',
                'Reference',
                'AdjustmentGLDistributions',
              ],
              details: {
                AdjustmentGLDistributions: {
                  props: [
                    'BatchType',
                    'BatchNumber',
                    'EntryNumber',
                    'LineNumber',
                    'SequenceNumber',
                    'TransactionType',
                    'DistributionAmount',
                    'DistributionCode',
                    'DistributionGLAccount',
                  ],
                },
              },
            },
          },
        },
      },
    },
  },
  GLAccounts: {
    module: 'GL',
    verbs: ALL,
    keys: ['UnformattedAccount'],
    model: 'Account',
    shape: {
      props: [
        'UnformattedAccount',
        'FormattedAccount',
        'Description',
        'AccountType',
        'NormalBalanceDRCR',
        'Status',
        'StructureCode',
        'AccountGroupCode',
      ],
    },
  },
  GLJournalBatches: {
    module: 'GL',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchNumber'],
    model: 'JournalBatch',
    shape: {
      props: [
        'BatchNumber',
        'Description',
        'Status',
        'SourceLedger',
        'DateLastEdited',
        'ReadyToPost',
        'JournalHeaders',
      ],
      details: {
        JournalHeaders: {
          props: [
            'BatchNumber',
            'EntryNumber',
            'SourceLedger',
            'SourceType',
            'Description',
            'DocumentDate',
            'PostingDate',
            'FiscalYear',
            'FiscalPeriod',
            'JournalDetails',
          ],
          details: {
            JournalDetails: {
              props: [
                'BatchNumber',
                'EntryNumber',
                'TransactionNumber',
                'AccountNumber',
                'Amount',
                'SourceCurrencyAmount',
                'HomeCurrency',
                'SourceCurrency',
                'Description',
                'Reference',
                'Comment',
                'JournalDate',
              ],
            },
          },
        },
      },
    },
  },
  ICItems: {
    module: 'IC',
    verbs: ALL,
    // key property name [?] in FACTS; POST takes UnformattedItemNumber
    keys: ['ItemNumber'],
    model: 'Item',
    shape: {
      props: [
        'ItemNumber',
        'UnformattedItemNumber',
        'Description',
        'StructureCode',
        'Category',
        'AccountSetCode',
        'StockItem',
        'StockingUnitOfMeasure',
        'DefaultPriceListCode',
        'UnitWeight',
        'KittingItem',
        'WeightUnitOfMeasure',
        'Inactive',
        'DateLastMaintained',
        'ItemUnitsOfMeasure',
      ],
      details: {
        ItemUnitsOfMeasure: { props: ['ItemNumber', 'UnitOfMeasure', 'ConversionFactor', 'FACTOR'] },
      },
    },
  },
  ICItemPricing: {
    module: 'IC',
    verbs: ALL,
    keys: ['CurrencyCode', 'UnformattedItemNumber', 'PriceListCode'],
    model: 'ItemPricing',
    shape: {
      props: [
        'CurrencyCode',
        'UnformattedItemNumber',
        'PriceListCode',
        'Description',
        'PriceBy',
        'SellingPriceBasedon',
        'ItemPricingDetails',
        'UpdateOperation',
      ],
      details: {
        ItemPricingDetails: {
          props: [
            'CurrencyCode',
            'UnformattedItemNumber',
            'PriceListCode',
            'PriceDetailType',
            'QuantityUnit',
            'UnitPrice',
            'UpdateOperation',
          ],
        },
      },
    },
  },
  OEOrders: {
    module: 'OE',
    verbs: ['GET', 'POST'],
    keys: ['OrderUniquifier'],
    model: 'Order',
    shape: {
      props: [
        'OrderUniquifier',
        'OrderNumber',
        'CustomerNumber',
        'OrderDate',
        'OrderDescription',
        'OrderReference',
        'PurchaseOrderNumber',
        'OrderComment',
        'ShipToLocationCode',
        'ShipViaCode',
        'OrderType',
        'ExpectedShipDate',
        'DefaultLocationCode',
        'DefaultPriceListCode',
        'TermsCode',
        'TaxGroup',
        'OnHold',
        'InvoiceWillBeProduced',
        'LastShipmentNumber',
        'LastInvoiceNumber',
        'OrderOptionalFields',
        'OrderDetails',
      ],
      details: {
        OrderOptionalFields: OPT,
        OrderDetails: {
          props: [
            'LineNumber',
            'LineType',
            'Item',
            'Description',
            'Location',
            'QuantityOrdered',
            'QuantityShipped',
            'QuantityBackordered',
            'QuantityCommitted',
            'OrderUnitOfMeasure',
            'OrderUnitPrice',
            'PriceOverride',
            'PricingUnitPrice',
            'MiscellaneousChargesCode',
            'ExtendedAmount',
            'OrderDetailOptionalFields',
            'UpdateOperation',
          ],
          details: { OrderDetailOptionalFields: OPT },
        },
      },
    },
  },
  OEInvoices: {
    module: 'OE',
    verbs: ['GET'],
    keys: ['InvoiceUniquifier'],
    model: 'Invoice',
    shape: {
      props: [
        'InvoiceUniquifier',
        'InvoiceNumber',
        'InvoiceDate',
        'CustomerNumber',
        'OrderNumber',
        'PurchaseOrderNumber',
      ],
    },
  },
  /**
   * Not in the 2022 endpoint list (FACTS §2.2 lists no OE shipment endpoint): modelled on the OE
   * shipment view for reads only, fed by orders posted with `QuantityShipped` or by `ship()`.
   */
  OEShipments: {
    module: 'OE',
    verbs: ['GET'],
    keys: ['ShipmentUniquifier'],
    model: 'Shipment',
    shape: {
      props: [
        'ShipmentUniquifier',
        'ShipmentNumber',
        'ShipmentDate',
        'CustomerNumber',
        'OrderNumber',
        'PurchaseOrderNumber',
        'ShipViaCode',
        'TrackingNumber',
        'ShipmentDetails',
      ],
      details: {
        ShipmentDetails: { props: ['LineNumber', 'LineType', 'Item', 'Location', 'QuantityShipped'] },
      },
    },
  },
  OEMiscellaneousCharges: {
    module: 'OE',
    verbs: ALL,
    keys: ['MiscellaneousChargeCode'],
    model: 'MiscellaneousCharge',
    shape: {
      props: [
        'Currency',
        'MiscellaneousChargeCode',
        'Description',
        'MiscellaneousChargeRevenueAccount',
        'Amount',
      ],
    },
  },
};

/** Field lengths the simulator enforces ([?] in FACTS §2.5: PO number 22; descriptions 60). */
export const SAGE300_FIELD_LENGTHS = { PurchaseOrderNumber: 22, Description: 60 } as const;

export interface Sage300Seed {
  /** item numbers, or items with a base price (USD, price list `defaultPriceList`) */
  items?: Array<string | { itemNumber: string; description?: string; price?: string; currency?: string }>;
  customers?: Array<string | { customerNumber: string; name?: string; currency?: string }>;
  /** GL accounts as the company writes them, segmented with `-` ("4000-00") or not ("4000") */
  accounts?: string[];
  bankCodes?: string[];
  locations?: string[];
  distributionCodes?: string[];
  miscChargeCodes?: string[];
}

export interface Sage300SimulatorOptions extends Sage300Seed {
  port?: number;
  /** company org IDs served; each gets its own copy of the seed */
  companies?: string[];
  /** users (uppercase IDs) and their passwords, as configured (uppercase) */
  users?: Record<string, string>;
  /** users that exist but lack the "Sage 300 Web API" authorization → 403 Forbidden */
  usersWithoutWebApi?: string[];
  /** records per GET (Web.config PageSize, default 100) */
  pageSize?: number;
  defaultPriceList?: string;
  /** the simulator's clock (default: real time) */
  now?: () => number;
  /** seed of the fault dice */
  seed?: number;
}

export interface Sage300Faults {
  /** share of writes answered with a record lock (409, code General) */
  lockRate: number;
  /** every request answered 503 (IIS "Service Unavailable") */
  outage: boolean;
  /** share of requests answered 429 TooManyRequests */
  throttleRate: number;
}

interface Company {
  data: Map<string, Rec[]>;
  seq: Map<string, number>;
  codes: { locations: Set<string>; banks: Set<string>; distribution: Set<string> };
}

const isoDay = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`;
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const dec = (v: unknown, field: string): MoneyDecimal => {
  const text = isLosslessNumber(v) ? v.toString() : typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text.trim()))
    throw new SageError('InvalidPayload', `The value of property '${field}' is not a valid number.`);
  return new MoneyDecimal(text.trim());
};
const num = (d: MoneyDecimal) => new LosslessNumber(d.toFixed());
const unformat = (account: string) => account.replace(/[-./ ]/g, '');

export class Sage300Simulator {
  faults: Sage300Faults = { lockRate: 0, outage: false, throttleRate: 0 };
  readonly stats = { requests: 0, locks: 0, outages: 0 };
  private readonly companies = new Map<string, Company>();
  private readonly opts: Required<Omit<Sage300SimulatorOptions, keyof Sage300Seed>> & Sage300Seed;
  private readonly server = new LocalHttpServer();
  private readonly dice: () => number;

  constructor(options: Sage300SimulatorOptions = {}) {
    this.opts = {
      port: 0,
      companies: ['SAMLTD'],
      users: { WEBAPI: 'WEBAPI' },
      usersWithoutWebApi: [],
      pageSize: 100,
      defaultPriceList: 'STD',
      now: Date.now,
      seed: 42,
      ...options,
    };
    this.dice = seededRandom(this.opts.seed);
    for (const c of this.opts.companies) this.companies.set(c.toUpperCase(), this.seedCompany(this.opts));
  }

  private seedCompany(seed: Sage300Seed): Company {
    const company: Company = {
      data: new Map(),
      seq: new Map(),
      codes: {
        locations: new Set(seed.locations ?? ['1']),
        banks: new Set(seed.bankCodes ?? []),
        distribution: new Set(seed.distributionCodes ?? ['SALES', 'FRT', 'PROMO', 'GIFTWR']),
      },
    };
    for (const name of Object.keys(SAGE300_RESOURCES)) company.data.set(name, []);
    const today = isoDay(this.opts.now());
    const put = (resource: string, rec: Rec) => company.data.get(resource)!.push(rec);
    for (const it of seed.items ?? []) {
      const i = typeof it === 'string' ? { itemNumber: it } : it;
      put('ICItems', {
        ItemNumber: i.itemNumber,
        UnformattedItemNumber: i.itemNumber,
        Description: i.description ?? i.itemNumber,
        StockItem: true,
        StockingUnitOfMeasure: 'Ea',
        DefaultPriceListCode: this.opts.defaultPriceList,
        Inactive: false,
        DateLastMaintained: today,
      });
      put('ICItemPricing', {
        CurrencyCode: i.currency ?? 'USD',
        UnformattedItemNumber: i.itemNumber,
        PriceListCode: this.opts.defaultPriceList,
        PriceBy: 'Quantity',
        ItemPricingDetails: [
          {
            CurrencyCode: i.currency ?? 'USD',
            UnformattedItemNumber: i.itemNumber,
            PriceListCode: this.opts.defaultPriceList,
            PriceDetailType: 'BasePriceQuantity',
            QuantityUnit: 'Ea',
            UnitPrice: new LosslessNumber(i.price ?? '10.00'),
          },
        ],
      });
    }
    for (const cu of seed.customers ?? []) {
      const c = typeof cu === 'string' ? { customerNumber: cu } : cu;
      put('ARCustomers', {
        CustomerNumber: c.customerNumber,
        ShortName: c.customerNumber.slice(0, 10),
        CustomerName: c.name ?? c.customerNumber,
        Status: 'Active',
        OnHold: 'No',
        CurrencyCode: c.currency ?? 'USD',
        AccountType: 'OpenItem',
        DateLastMaintained: today,
      });
    }
    for (const a of seed.accounts ?? [])
      put('GLAccounts', {
        UnformattedAccount: unformat(a),
        FormattedAccount: a,
        Description: a,
        Status: 'Active',
      });
    for (const code of seed.miscChargeCodes ?? ['FRT', 'FRTDSC', 'PROMO', 'GIFTWR'])
      put('OEMiscellaneousCharges', { MiscellaneousChargeCode: code, Description: code, Currency: 'USD' });
    return company;
  }

  // ---- in-process control and read API (twins of POST /__control and GET /__inspect/<Resource>) ----

  setFaults(f: Partial<Sage300Faults>): Sage300Faults {
    this.faults = { ...this.faults, ...f };
    return this.faults;
  }

  clearFaults(): void {
    this.faults = { lockRate: 0, outage: false, throttleRate: 0 };
  }

  /** every record of a resource (all companies unless one is named), as stored */
  documents(resource: string, company?: string): Rec[] {
    const cs = company ? [this.company(company)] : [...this.companies.values()];
    return cs.flatMap((c) => c.data.get(resource) ?? []);
  }

  /** changes an item as a user would in the desktop: stamps DateLastMaintained with today */
  touchItem(company: string, itemNumber: string, changes: Rec = {}): void {
    const item = this.company(company)
      .data.get('ICItems')!
      .find((i) => i.ItemNumber === itemNumber);
    if (!item) throw new Error(`no item ${itemNumber}`);
    Object.assign(item, changes, { DateLastMaintained: isoDay(this.opts.now()) });
  }

  /** ships an order (OE shipment entry in the desktop): a shipment record for every item line */
  ship(
    company: string,
    orderNumber: string,
    opts: { shipViaCode?: string; trackingNumber?: string; date?: string } = {},
  ): Rec {
    const c = this.company(company);
    const order = c.data.get('OEOrders')!.find((o) => o.OrderNumber === orderNumber);
    if (!order) throw new Error(`no order ${orderNumber}`);
    return this.createShipment(c, order, opts);
  }

  private company(name: string): Company {
    const c = this.companies.get(name.toUpperCase());
    if (!c) throw new Error(`no company ${name}`);
    return c;
  }

  private next(c: Company, counter: string): number {
    const n = (c.seq.get(counter) ?? 0) + 1;
    c.seq.set(counter, n);
    return n;
  }

  private roll(rate: number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.dice() < rate;
  }

  // ---- server ----

  get url(): string {
    return this.server.url;
  }

  /** The API root to configure in a client: `<url>/Sage300WebApi`. */
  get apiUrl(): string {
    return `${this.url}/Sage300WebApi`;
  }

  start(): Promise<string> {
    return this.server.listen(this.opts.port, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : (stringify(body) ?? '');
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...headers,
    });
    res.end(text);
  }

  private sendError(res: ServerResponse, err: SageError, headers: Record<string, string> = {}): void {
    this.send(
      res,
      err.status,
      { error: { code: err.code, message: { lang: 'en-US', value: err.message } } },
      headers,
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse, bodyText: string): void {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      if (url.pathname === '/__control') return this.control(res, method, bodyText);
      if (url.pathname.startsWith('/__inspect/')) {
        const resource = decodeURIComponent(url.pathname.slice('/__inspect/'.length));
        const company = url.searchParams.get('company') ?? undefined;
        return this.send(res, 200, this.documents(resource, company));
      }
      this.stats.requests++;
      if (this.faults.outage) {
        this.stats.outages++;
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body><h1>Service Unavailable</h1></body></html>');
        return;
      }
      this.api(req, res, url, method, bodyText);
    } catch (err) {
      if (err instanceof SageError) return this.sendError(res, err);
      this.sendError(res, new SageError('InternalServerError', (err as Error).message));
    }
  }

  private control(res: ServerResponse, method: string, bodyText: string): void {
    if (method === 'POST') {
      const f = (bodyText ? JSON.parse(bodyText) : {}) as Partial<Sage300Faults> & { clear?: boolean };
      if (f.clear) this.clearFaults();
      const { clear: _clear, ...rest } = f;
      this.setFaults(rest);
    }
    this.send(res, 200, { faults: this.faults, stats: this.stats });
  }

  private authenticate(req: IncomingMessage): string {
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new SageError('Unauthorized', 'Invalid credentials used in authentication header');
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    const user = decoded.slice(0, at);
    const password = decoded.slice(at + 1);
    // user IDs are uppercase; passwords compared as configured (uppercase) (FACTS §2.1)
    if (at < 0 || this.opts.users[user] === undefined || this.opts.users[user] !== password)
      throw new SageError('Unauthorized', 'Invalid credentials used in authentication header');
    if (this.opts.usersWithoutWebApi.includes(user))
      throw new SageError(
        'Forbidden',
        'The specified user does not have enough rights to process the request',
      );
    return user;
  }

  private api(req: IncomingMessage, res: ServerResponse, url: URL, method: string, bodyText: string): void {
    const m = /^\/Sage300WebApi\/v1\.0\/-\/([^/]+)\/([^/]+)\/([^/(]+)(?:\((.*)\))?\/?$/.exec(
      decodeURIComponent(url.pathname),
    );
    // FACTS §2.1: Basic on every request; 401 with a challenge when missing or wrong
    try {
      this.authenticate(req);
    } catch (err) {
      return this.sendError(res, err as SageError, { 'www-authenticate': 'Basic realm="Sage300WebApi"' });
    }
    if (!/^application\/json/i.test(req.headers['content-type'] ?? ''))
      throw new SageError('InternalServerError', 'Content-Type application/json is required');
    if (!m) throw new SageError('ResourceNotFound', 'The resource requested does not exist');
    const [, companyId, module, name, key] = m;
    const company = this.companies.get(companyId.toUpperCase());
    // unknown company: sign-on to the company fails like a wrong password ([?] FACTS §2.8 says "error")
    if (!company)
      return this.sendError(
        res,
        new SageError('Unauthorized', `Company ${companyId} is not available to this user`),
        {
          'www-authenticate': 'Basic realm="Sage300WebApi"',
        },
      );
    const def = SAGE300_RESOURCES[name];
    if (!def || def.module !== module.toUpperCase())
      throw new SageError('ResourceNotFound', 'The resource requested does not exist');
    if (!def.verbs.includes(method))
      throw new SageError('MethodNotAllowed', 'The request is not supported by the specified resource');
    if (this.roll(this.faults.throttleRate))
      throw new SageError('TooManyRequests', 'Server was flooded with too many concurrent requests');
    if (key !== undefined && /^'\$(process|template)'$/.test(key))
      throw new SageError('InvalidAction', `${name} is not a process endpoint`);
    if (method !== 'GET' && this.roll(this.faults.lockRate)) {
      this.stats.locks++;
      throw new SageError('General', SAGE300_LOCK_MESSAGE, 409);
    }
    const base = `http://${req.headers.host ?? 'localhost'}/Sage300WebApi/v1.0/-/${companyId}/${module}`;
    const body = method === 'GET' || method === 'DELETE' ? undefined : this.parseBody(bodyText, name, def);
    if (method === 'GET' && key === undefined)
      return this.send(res, 200, this.feed(company, name, def, url, base));
    if (method === 'GET') {
      const rec = this.byKey(company, name, def, key!);
      return this.send(res, 200, { '@odata.context': `${base}/$metadata#${name}/$entity`, ...rec });
    }
    if (method === 'POST') {
      if (key !== undefined)
        throw new SageError('InvalidAction', 'POST with an entity key must be $template or $process');
      const created = this.insert(company, name, def, body!);
      return this.send(res, 201, { '@odata.context': `${base}/$metadata#${name}/$entity`, ...created });
    }
    if (key === undefined) throw new SageError('InvalidEntityKey', 'An entity key is required');
    const rec = this.byKey(company, name, def, key);
    if (method === 'DELETE') {
      const list = company.data.get(name)!;
      list.splice(list.indexOf(rec), 1);
      return this.send(res, 204);
    }
    for (const k of def.keys)
      if (body![k] !== undefined && String(body![k]) !== String(rec[k]))
        throw new SageError('RecordInvalid', `${k} cannot be changed`);
    if (method === 'PUT') {
      for (const p of Object.keys(rec)) if (!def.keys.includes(p)) delete rec[p];
    }
    Object.assign(rec, body);
    if ('DateLastMaintained' in rec || name === 'ICItems' || name === 'ARCustomers')
      rec.DateLastMaintained = isoDay(this.opts.now());
    if (name === 'GLJournalBatches') rec.DateLastEdited = isoDay(this.opts.now());
    return this.send(res, 200, { '@odata.context': `${base}/$metadata#${name}/$entity`, ...rec });
  }

  private parseBody(text: string, name: string, def: ResourceDef): Rec {
    let body: unknown;
    try {
      body = parseLossless(text || '{}');
    } catch {
      throw new SageError('InvalidPayload', 'The payload body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new SageError('InvalidPayload', 'only supports the insertion of one record per request');
    checkShape(body as Rec, def.shape, `Sage.CA.SBS.ERP.Sage300.${def.module}.WebApi.Models.${def.model}`);
    void name;
    return body as Rec;
  }

  private parseKey(def: ResourceDef, key: string): Rec {
    const parts = key.split(',').map((p) => p.trim());
    const out: Rec = {};
    parts.forEach((p, i) => {
      const named = /^([A-Za-z]+)\s*=\s*(.+)$/.exec(p);
      const prop = named ? named[1] : def.keys[i];
      const raw = named ? named[2] : p;
      if (!prop || !def.keys.includes(prop))
        throw new SageError(
          'InvalidEntityKey',
          'The entity key is malformed or is not compatible with the requested resource',
        );
      out[prop] = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : raw;
    });
    if (Object.keys(out).length !== def.keys.length)
      throw new SageError(
        'InvalidEntityKey',
        'The entity key is malformed or is not compatible with the requested resource',
      );
    return out;
  }

  private byKey(c: Company, name: string, def: ResourceDef, key: string): Rec {
    const k = this.parseKey(def, key);
    const rec = c.data.get(name)!.find((r) => def.keys.every((p) => String(r[p]) === String(k[p])));
    if (!rec) throw new SageError('RecordNotFound', 'A Record cannot be found for the specified entity key');
    return rec;
  }

  private feed(c: Company, name: string, def: ResourceDef, url: URL, base: string): Rec {
    const q = url.searchParams;
    for (const k of new Set(q.keys())) {
      if (q.getAll(k).length > 1)
        throw new SageError('InvalidParameters', `query option ${k} given more than once`);
      if (k.startsWith('$') && !['$filter', '$select', '$top', '$skip', '$count'].includes(k))
        throw new SageError('InvalidParameters', `query option ${k} is not supported`);
    }
    let rows = c.data.get(name)!;
    const filter = q.get('$filter');
    if (filter) {
      let expr: FilterExpr;
      try {
        expr = parseFilter(filter);
      } catch (err) {
        throw new SageError('InvalidParameters', `$filter: ${(err as Error).message}`);
      }
      for (const f of filterFields(expr))
        if (!def.shape.props.includes(f) || def.shape.details?.[f])
          throw new SageError('InvalidParameters', `Could not find a property named '${f}' on ${name}`);
      rows = rows.filter((r) => evaluate(expr, r));
    }
    const int = (k: string) => {
      const v = q.get(k);
      if (v === null) return undefined;
      if (!/^\d+$/.test(v)) throw new SageError('InvalidParameters', `${k} must be a non-negative integer`);
      return Number(v);
    };
    const skip = int('$skip') ?? 0;
    const top = int('$top');
    const total = rows.length;
    const window = rows.slice(skip, top === undefined ? undefined : skip + top);
    const page = window.slice(0, this.opts.pageSize);
    const select = q.get('$select');
    let fields: string[] | undefined;
    if (select) {
      fields = select.split(',').map((s) => s.trim());
      for (const f of fields)
        if (!def.shape.props.includes(f))
          throw new SageError('InvalidParameters', `Could not find a property named '${f}' on ${name}`);
    }
    const out: Rec = {
      '@odata.context': `${base}/$metadata#${name}${fields ? `(${fields.join(',')})` : ''}`,
    };
    if (q.get('$count') === 'true') out['@odata.count'] = total;
    out.value = page.map((r) => (fields ? Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) : r));
    if (window.length > page.length) {
      const next = new URLSearchParams(q);
      next.set('$skip', String(skip + page.length));
      if (top !== undefined) next.set('$top', String(top - page.length));
      out['@odata.nextLink'] = `${base}/${name}?${next.toString()}`;
    }
    return out;
  }

  // ---- inserts (FACTS §2.2, §2.3, §2.8 point 3) ----

  private insert(c: Company, name: string, def: ResourceDef, body: Rec): Rec {
    switch (name) {
      case 'OEOrders':
        return this.insertOrder(c, body);
      case 'ARInvoiceBatches':
        return this.insertInvoiceBatch(c, body);
      case 'GLJournalBatches':
        return this.insertJournalBatch(c, body);
      case 'ARReceiptAndAdjustmentBatches':
        return this.insertReceiptBatch(c, body);
      default: {
        const list = c.data.get(name)!;
        const rec: Rec = { ...body };
        if (name === 'ICItems' && rec.ItemNumber === undefined) rec.ItemNumber = rec.UnformattedItemNumber;
        if (name === 'GLAccounts' && typeof rec.UnformattedAccount === 'string') {
          rec.FormattedAccount ??= rec.UnformattedAccount;
          rec.UnformattedAccount = unformat(rec.UnformattedAccount);
        }
        for (const k of def.keys)
          if (rec[k] === undefined || rec[k] === '')
            throw new SageError('InvalidPayload', `${k} is required`);
        if (list.some((r) => def.keys.every((k) => String(r[k]) === String(rec[k]))))
          throw new SageError(
            'RecordDuplicate',
            'An insert request was made with a key value that already exist in the system',
          );
        if (name === 'ICItems' || name === 'ARCustomers') rec.DateLastMaintained = isoDay(this.opts.now());
        list.push(rec);
        return rec;
      }
    }
  }

  private customer(c: Company, id: unknown): Rec {
    const cu = c.data.get('ARCustomers')!.find((r) => r.CustomerNumber === id);
    if (!cu) throw new SageError('RecordInvalid', `Customer Number ${String(id)} does not exist.`);
    if (cu.Status === 'Inactive') throw new SageError('RecordInvalid', `Customer ${String(id)} is inactive.`);
    return cu;
  }

  private text(
    v: unknown,
    field: string,
    max: number = SAGE300_FIELD_LENGTHS.Description,
  ): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new SageError('InvalidPayload', `${field} must be a string`);
    if (v.length > max) throw new SageError('RecordInvalid', `${field} is longer than ${max} characters.`);
    return v;
  }

  private insertOrder(c: Company, body: Rec): Rec {
    this.customer(c, body.CustomerNumber);
    this.text(body.PurchaseOrderNumber, 'PurchaseOrderNumber', SAGE300_FIELD_LENGTHS.PurchaseOrderNumber);
    this.text(body.OrderDescription, 'OrderDescription');
    this.text(body.OrderReference, 'OrderReference');
    const details = (body.OrderDetails as Rec[] | undefined) ?? [];
    if (details.length === 0) throw new SageError('RecordInvalid', 'The order has no detail lines.');
    const items = c.data.get('ICItems')!;
    const misc = c.data.get('OEMiscellaneousCharges')!;
    const lines: Rec[] = details.map((d, i) => {
      const line: Rec = { ...d, LineNumber: (i + 1) * 32 };
      if ((d.LineType ?? 'Item') === 'Item') {
        line.LineType = 'Item';
        const item = items.find((it) => it.ItemNumber === d.Item);
        if (!item) throw new SageError('RecordInvalid', `Item Number ${String(d.Item)} does not exist.`);
        if (item.Inactive === true)
          throw new SageError('RecordInvalid', `Item ${String(d.Item)} is inactive.`);
        const location = String(d.Location ?? body.DefaultLocationCode ?? '1');
        if (!c.codes.locations.has(location))
          throw new SageError('RecordInvalid', `Location ${location} does not exist.`);
        line.Location = location;
        const qty = dec(d.QuantityOrdered ?? 0, 'QuantityOrdered');
        if (qty.lte(0)) throw new SageError('RecordInvalid', 'Quantity ordered must be greater than zero.');
        const shipped = dec(d.QuantityShipped ?? 0, 'QuantityShipped');
        if (shipped.gt(qty))
          throw new SageError('RecordInvalid', 'Quantity shipped exceeds quantity ordered.');
        const price =
          d.OrderUnitPrice !== undefined
            ? dec(d.OrderUnitPrice, 'OrderUnitPrice')
            : this.basePrice(c, String(d.Item));
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
    const uniq = this.next(c, 'OrderUniquifier');
    const order: Rec = {
      ...body,
      OrderUniquifier: uniq,
      OrderNumber: `ORD${pad(this.next(c, 'OrderNumber'), 12)}`,
      OrderDate: body.OrderDate ?? isoDay(this.opts.now()),
      PurchaseOrderNumber: body.PurchaseOrderNumber ?? '',
      LastShipmentNumber: '',
      LastInvoiceNumber: '',
      OrderDetails: lines,
    };
    c.data.get('OEOrders')!.push(order);
    const anyShipped = lines.some(
      (l) => l.LineType === 'Item' && dec(l.QuantityShipped, 'QuantityShipped').gt(0),
    );
    if (anyShipped) {
      this.createShipment(c, order, {}, true);
      if (body.InvoiceWillBeProduced === true) {
        const inv = `IN${pad(this.next(c, 'InvoiceNumber'), 13)}`;
        c.data.get('OEInvoices')!.push({
          InvoiceUniquifier: this.next(c, 'InvoiceUniquifier'),
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

  private createShipment(
    c: Company,
    order: Rec,
    opts: { shipViaCode?: string; trackingNumber?: string; date?: string },
    fromOrder = false,
  ): Rec {
    const lines = (order.OrderDetails as Rec[]).filter((l) => l.LineType === 'Item');
    const shipment: Rec = {
      ShipmentUniquifier: this.next(c, 'ShipmentUniquifier'),
      ShipmentNumber: `SH${pad(this.next(c, 'ShipmentNumber'), 13)}`,
      ShipmentDate: opts.date ?? isoDay(this.opts.now()),
      CustomerNumber: order.CustomerNumber,
      OrderNumber: order.OrderNumber,
      PurchaseOrderNumber: order.PurchaseOrderNumber,
      ShipViaCode: opts.shipViaCode ?? order.ShipViaCode ?? '',
      TrackingNumber: opts.trackingNumber ?? '',
      ShipmentDetails: lines
        .map((l) => ({
          LineNumber: l.LineNumber,
          LineType: 'Item',
          Item: l.Item,
          Location: l.Location,
          QuantityShipped: fromOrder ? l.QuantityShipped : l.QuantityBackordered,
        }))
        .filter((l) => dec(l.QuantityShipped, 'QuantityShipped').gt(0)),
    };
    if (!fromOrder)
      for (const l of lines) {
        l.QuantityShipped = num(dec(l.QuantityOrdered, 'QuantityOrdered'));
        l.QuantityBackordered = new LosslessNumber('0');
      }
    c.data.get('OEShipments')!.push(shipment);
    order.LastShipmentNumber = shipment.ShipmentNumber;
    return shipment;
  }

  private basePrice(c: Company, item: string): MoneyDecimal {
    const p = c.data
      .get('ICItemPricing')!
      .find((r) => r.UnformattedItemNumber === item && r.PriceListCode === this.opts.defaultPriceList);
    const d = (p?.ItemPricingDetails as Rec[] | undefined)?.find(
      (x) => x.PriceDetailType === 'BasePriceQuantity',
    );
    return d ? dec(d.UnitPrice, 'UnitPrice') : new MoneyDecimal(0);
  }

  private insertInvoiceBatch(c: Company, body: Rec): Rec {
    this.text(body.Description, 'Description');
    const invoices = (body.Invoices as Rec[] | undefined) ?? [];
    const batch = this.next(c, 'ARInvoiceBatch');
    const dist = c.codes.distribution;
    const out: Rec[] = invoices.map((inv, i) => {
      this.customer(c, inv.CustomerNumber);
      const type = inv.DocumentType ?? 'Invoice';
      if (!['Invoice', 'DebitNote', 'CreditNote', 'Interest', '4'].includes(String(type)))
        throw new SageError('InvalidPayload', `DocumentType ${String(type)} is not valid.`);
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
      return {
        ...inv,
        BatchNumber: batch,
        EntryNumber: entry,
        DocumentType: type,
        // document numbers are assigned on entry ([?] property name in FACTS §2.3)
        DocumentNumber: inv.DocumentNumber ?? `IN${pad(this.next(c, 'ARDocumentNumber'), 13)}`,
        InvoiceType: inv.InvoiceType ?? 'Summary',
        InvoiceDetails: details,
        InvoicePaymentSchedules: schedules,
      };
    });
    const rec: Rec = {
      ...body,
      BatchNumber: batch,
      BatchDate: body.BatchDate ?? isoDay(this.opts.now()),
      BatchStatus: body.BatchStatus ?? 'Open',
      Description: body.Description ?? '',
      NumberOfEntries: out.length,
      Invoices: out,
    };
    c.data.get('ARInvoiceBatches')!.push(rec);
    return rec;
  }

  private insertJournalBatch(c: Company, body: Rec): Rec {
    this.text(body.Description, 'Description');
    const chart = c.data.get('GLAccounts')!;
    const batch = pad(this.next(c, 'GLBatch'), 6);
    const headers = ((body.JournalHeaders as Rec[] | undefined) ?? []).map((h, i) => {
      const entry = pad(i + 1, 5);
      this.text(h.Description, 'Description');
      let sum = new MoneyDecimal(0);
      const details = ((h.JournalDetails as Rec[] | undefined) ?? []).map((d, j) => {
        const acct = chart.find((a) => a.UnformattedAccount === d.AccountNumber);
        if (!acct) throw new SageError('RecordInvalid', `Account ${String(d.AccountNumber)} does not exist.`);
        if (acct.Status === 'Inactive')
          throw new SageError('RecordInvalid', `Account ${String(d.AccountNumber)} is inactive.`);
        this.text(d.Description, 'Description');
        this.text(d.Reference, 'Reference');
        const amount = dec(d.Amount ?? 0, 'Amount');
        sum = sum.plus(amount);
        return {
          ...d,
          BatchNumber: batch,
          EntryNumber: entry,
          TransactionNumber: pad((j + 1) * 20, 10),
          Amount: num(amount),
          SourceCurrencyAmount: num(
            d.SourceCurrencyAmount !== undefined ? dec(d.SourceCurrencyAmount, 'x') : amount,
          ),
        };
      });
      if (details.length < 2)
        throw new SageError('RecordInvalid', `Entry ${entry} needs at least two details.`);
      // GL batches must balance (signed Amount, + debit, − credit), FACTS §2.8 point 3
      if (!sum.isZero())
        throw new SageError('RecordInvalid', `Entry ${entry} is out of balance by ${sum.toFixed()}.`);
      return {
        ...h,
        BatchNumber: batch,
        EntryNumber: entry,
        SourceLedger: h.SourceLedger ?? 'GL',
        SourceType: h.SourceType ?? 'JE',
        JournalDetails: details,
      };
    });
    if (headers.length === 0) throw new SageError('RecordInvalid', 'The batch has no entries.');
    const rec: Rec = {
      ...body,
      BatchNumber: batch,
      Description: body.Description ?? '',
      Status: 'Open',
      SourceLedger: 'GL',
      DateLastEdited: isoDay(this.opts.now()),
      JournalHeaders: headers,
    };
    c.data.get('GLJournalBatches')!.push(rec);
    return rec;
  }

  private insertReceiptBatch(c: Company, body: Rec): Rec {
    const type = body.BatchRecordType;
    if (type !== 'CA' && type !== 'AD')
      throw new SageError(
        'InvalidPayload',
        'BatchRecordType must be specified: CA for receipts, AD for adjustments.',
      );
    this.text(body.Description, 'Description');
    if (type === 'CA' && !c.codes.banks.has(String(body.BankCode)))
      throw new SageError('RecordInvalid', `Bank ${String(body.BankCode)} does not exist.`);
    const batch = this.next(c, `ARBatch${type}`);
    const entries = ((body.ReceiptsAdjustments as Rec[] | undefined) ?? []).map((e, i) => {
      this.customer(c, e.CustomerNumber);
      if (
        type === 'CA' &&
        !['Receipt', 'Prepayment', 'UnappliedCash', 'ApplyDocument', 'MiscellaneousReceipt'].includes(
          String(e.ReceiptTransactionType ?? 'Receipt'),
        )
      )
        throw new SageError(
          'InvalidPayload',
          `ReceiptTransactionType ${String(e.ReceiptTransactionType)} is not valid.`,
        );
      if (type === 'CA' && dec(e.BankReceiptAmount ?? 0, 'BankReceiptAmount').lte(0))
        throw new SageError('RecordInvalid', 'The receipt amount must be greater than zero.');
      return {
        ...e,
        BatchType: type,
        BatchNumber: batch,
        EntryNumber: i + 1,
        AppliedReceiptsAdjustments: ((e.AppliedReceiptsAdjustments as Rec[] | undefined) ?? []).map(
          (a, j) => ({
            ...a,
            BatchType: type,
            BatchNumber: batch,
            EntryNumber: i + 1,
            LineNumber: (j + 1) * 20,
          }),
        ),
      };
    });
    if (entries.length === 0) throw new SageError('RecordInvalid', 'The batch has no entries.');
    const rec: Rec = {
      ...body,
      BatchNumber: batch,
      BatchDate: body.BatchDate ?? isoDay(this.opts.now()),
      Description: body.Description ?? '',
      BatchStatus: 'Open',
      NumberOfEntries: entries.length,
      ReceiptsAdjustments: entries,
    };
    c.data.get('ARReceiptAndAdjustmentBatches')!.push(rec);
    return rec;
  }
}

/** Unknown properties → InvalidPayload, as the Web API does (Postman "Dealing with Errors"). */
function checkShape(body: Rec, shape: Shape, model: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata.')) continue;
    if (!shape.props.includes(k))
      throw new SageError('InvalidPayload', `The property '${k}' does not exist on type '${model}'.`);
    const sub = shape.details?.[k];
    if (sub) {
      if (!Array.isArray(v))
        throw new SageError('InvalidPayload', `The property '${k}' must be a collection.`);
      for (const row of v as Rec[]) checkShape(row, sub, `${model}.${k}`);
    }
  }
}

export async function startSage300Simulator(
  options: Sage300SimulatorOptions = {},
): Promise<Sage300Simulator> {
  const sim = new Sage300Simulator(options);
  await sim.start();
  return sim;
}
