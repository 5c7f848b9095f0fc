import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { decimal, sumDecimals } from '@connector/money';
import { SAGE500_NATURAL_KEY_MAX, capabilitiesOf } from '../capabilities';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
  type ErpErrorDetail,
} from '../errors';
import { toHomeCurrency } from '../fx';
import { segmentedAccount } from '../segmented-account';
import type {
  ChangeWindow,
  ChargeKind,
  CreditNoteDraft,
  CustomerDraft,
  DocumentCharge,
  DocumentLine,
  ErpCustomer,
  ForeignCurrency,
  MasterDataProblem,
  MasterDataRefs,
  DocumentKind,
  ErpCapabilities,
  ErpDocumentRef,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  ErpShipmentRecord,
  ErpWarehouseStock,
  InvoiceDraft,
  JournalDraft,
  ReceiptDraft,
  SalesDocumentDraft,
} from '../port';
import { SQL, mssqlDialect, pgDialect, type ProcParam, type Sage500Dialect } from './dialect';
import { documentStatusOf } from './status';
import { formatSage500Address, type Sage500ShipTo } from './address';

export interface Sage500AdapterOptions {
  /**
   * The company database: `mssql://host[:port]/database[?encrypt=true&trustServerCertificate=true&instanceName=…]`
   * (SQL Server, what Sage 500 runs on) or `postgres://…` (the simulator, libs/sage500-simulator).
   */
  url: string;
  /** CompanyID, 3 characters (the API procedures' @iCompanyID) */
  company: string;
  /** the SQL login */
  user: string;
  password: string;
  /** per statement (SQL Server requestTimeout; default 30 s) */
  timeoutMs?: number;
  /** warehouse of lines without one (StgSalesOrder.DfltWarehouseID; default WHS) */
  defaultWarehouse?: string;
  /** misc (non-stock) ItemIDs the order charges are entered as, one per charge kind (ours; the customer creates them) */
  chargeItems?: Partial<Record<ChargeKind, string>>;
  /** the company's GL account structure (segment lengths), when accounts are written formatted */
  accountSegments?: readonly number[];
  /** TranType of a settlement journal in #tciTransToPost [?]; see docs/sage500.md */
  glTranType?: number;
  /** tglPosting.SourceModuleNo of a settlement journal [?] (default 1) */
  glSourceModuleNo?: number;
  /** the exchange-rate schedule exchangeRate reads (tmcCurrExchSchd.CurrExchSchdID [?]; default DEFAULT) */
  rateSchedule?: string;
  /** the server's offset from UTC in minutes east: Sage 500 dates are the server's local time (GETDATE) */
  serverUtcOffsetMinutes?: number;
  poolMax?: number;
}

/** What each charge kind is entered as on the order: a line of a misc item (ours; configurable). */
export const SAGE500_DEFAULT_CHARGE_ITEMS: Record<ChargeKind, string> = {
  SHIPPING: 'AMZ-FREIGHT',
  SHIPPING_DISCOUNT: 'AMZ-FRTDISC',
  PROMOTION: 'AMZ-PROMO',
  GIFT_WRAP: 'AMZ-GIFTWRAP',
};

/** Our extension tables (install/sage500-extension.sql). */
export const SAGE500_SO_EXT_TABLE = 'tsoSalesOrderExt_CNX';
export const SAGE500_DOC_EXT_TABLE = 'tciDocumentExt_CNX';
/** Our AR procedures: public material names none for Sage 500 (docs/sage500.md). */
export const SAGE500_AR_INVOICE_PROC = 'spARInvoiceIns_CNX';
export const SAGE500_CASH_RECEIPT_PROC = 'spARCashRcptIns_CNX';
/** Our credit memo procedure (install/spARCreditMemoIns_CNX.sql): a memo applied to one invoice. */
export const SAGE500_CREDIT_MEMO_PROC = 'spARCreditMemoIns_CNX';
/** Our staging table of document lines (invoices, credit memos), keyed by a migration session. */
export const SAGE500_LINE_STAGING_TABLE = 'tarDocLineStg_CNX';
/** Sage's Data Import Manager customer import (StgCustomer), [3P] spARapiCustomerIns. */
export const SAGE500_CUSTOMER_PROC = 'spARapiCustomerIns';
/** The rate schedule read when the connection names none [?]. */
export const SAGE500_DEFAULT_RATE_SCHEDULE = 'DEFAULT';
/** tarInvoice.TranType [?] (docs/sage500.md): an AR invoice and a credit memo. */
export const SAGE500_AR_TRAN_TYPE = { INVOICE: 501, CREDIT_MEMO: 502 } as const;
/** SQL Server's limit is 2,100 parameters a statement: master-data reads go in chunks of this many codes. */
export const SAGE500_IN_LIST_CHUNK = 1000;

/** @oRetVal of our AR procedures that are refusals (the data is wrong; trying again will not help). */
export const SAGE500_AR_REFUSALS: Record<number, string> = {
  2: 'customer not found',
  3: 'parameter error',
  4: 'cash account not found',
  5: 'invoice not found for this customer',
  6: 'more than the invoice still open to credit',
  7: 'more of an item than the invoice holds, less what earlier credit memos credited',
  8: 'item not found, or not on the invoice',
  9: 'no exchange rate for a foreign currency',
  10: 'warehouse not found',
};

/** One document line staged in tarDocLineStg_CNX (amounts as exact decimal strings). */
export interface Sage500StagedLine {
  ItemID: string;
  Description: string | null;
  Qty: string;
  UnitPrice: string;
  ExtAmt: string;
  STaxAmt: string;
  WhseID: string | null;
}

/** tdmMigrationLogWrk.Status */
const LOG = { INFO: 0, FAILURE: 1, WARNING: 2, SUCCESS: 3 } as const;
/** @oRetVal of the API procedures */
const RET = { UNKNOWN: 0, SUCCESS: 1, FAILURE: 2, PARAMETER: 3 } as const;
/** spglAPIPostBatchlessGLPosting post statuses (#tciTransToPost.PostStatus) */
export const GL_POST_STATUS: Record<number, string> = {
  1: 'posted',
  2: 'invalid GL account',
  [-1]: 'transaction type not supported',
  [-2]: 'transactions not committed',
  [-3]: 'GL batch does not exist or is invalid',
  [-4]: 'posting to a prior SO period',
  [-5]: 'posting to a closed GL period',
  [-6]: 'transactions locked by another user',
  [-7]: 'debits and credits do not equal',
};

/** tdmMigrationLogWrk columns whose value may be quoted in an error (they hold no buyer data). */
const SAFE_LOG_COLUMNS = new Set([
  'ItemID',
  'CustID',
  'TranNo',
  'WarehouseID',
  'DfltWarehouseID',
  'CurrID',
  'UnitMeasID',
  'ShipMethID',
  'Action',
  'CustClassID',
  'PmtTermsID',
  'STaxSchdID',
]);

/** The most `@oContinue` rounds one import may take before the adapter gives up (a stuck procedure). */
const MAX_ROUNDS = 1000;

type Row = Record<string, unknown>;

/** A datetime the server sent (a Date from tedious read as UTC, or the simulator's text) as its wall-clock reading in ms. */
function wallMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const s = String(v);
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

/**
 * The server's wall clock for an instant, as ISO 8601 with the `T` and no zone
 * ('2026-11-28T06:00:00.000'): SQL Server reads that form the same under every language and
 * DATEFORMAT (the form with a space is read per DATEFORMAT for DATETIME), and PostgreSQL reads it too.
 */
export function wallText(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '');
}

/**
 * A calendar date (YYYY-MM-DD) as SQL Server reads it the same under every DATEFORMAT: 'YYYYMMDD'
 * ('2026-11-27' is read year-day-month for DATETIME under British English). PostgreSQL reads it too.
 */
export function sqlDate(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate))
    throw new ErpValidationError(`"${isoDate}" is not a date (YYYY-MM-DD)`, {
      erp: 'SAGE500',
      erpCode: 'Date',
    });
  return isoDate.replace(/-/g, '');
}

/** pg type parsers that keep `timestamp` (oid 1114) as the server's text, not read in this process's zone. */
const WALL_CLOCK_TYPES = {
  getTypeParser: (oid: number, format?: string): unknown =>
    oid === 1114 ? (s: string) => s : pg.types.getTypeParser(oid, format as 'text'),
} as unknown as Knex.PgConnectionConfig['types'];

/**
 * The tedious connection of a Sage 500 URL, `mssql://host[:port]/DATABASE?encrypt=…&trustServerCertificate=…&instanceName=…`:
 * encryption on unless `encrypt=false`, the server certificate checked unless
 * `trustServerCertificate=true`, the login from the connection's credentials (never the URL).
 */
export function mssqlConnectionOf(o: Pick<Sage500AdapterOptions, 'url' | 'user' | 'password' | 'timeoutMs'>) {
  const u = new URL(o.url);
  if (!/^(mssql|sqlserver):$/i.test(u.protocol) || !u.hostname || u.pathname.length < 2)
    throw new ErpValidationError('Sage 500 URL must be mssql://host[:port]/DATABASE', {
      erp: 'SAGE500',
      erpCode: 'Url',
    });
  const q = u.searchParams;
  const instanceName = q.get('instanceName');
  return {
    server: decodeURIComponent(u.hostname),
    ...(u.port ? { port: Number(u.port) } : {}),
    database: decodeURIComponent(u.pathname.slice(1)),
    user: o.user,
    password: o.password,
    requestTimeout: o.timeoutMs ?? 30_000,
    options: {
      encrypt: q.get('encrypt') !== 'false',
      trustServerCertificate: q.get('trustServerCertificate') === 'true',
      appName: 'amazon-connector',
      ...(instanceName ? { instanceName } : {}),
    },
  };
}

/** A column value as text ('' for null). */
function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

const pad10 = (n: number) => String(n).padStart(10, '0');

/** What people read on the order (TranCmnt, 50): the Amazon order id. */
export function sage500TranCmnt(amazonOrderId: string): string {
  return `Amazon ${amazonOrderId}`;
}

/** A document's total: Σ round(qty × unit price, 2) + line taxes + charges and their taxes. */
export function sage500DocumentTotal(d: { lines: DocumentLine[]; charges: DocumentCharge[] }): string {
  return sumDecimals([
    ...d.lines.map((l) => decimal(l.unitPrice).times(l.quantity).toDecimalPlaces(2)),
    ...d.lines.map((l) => l.taxAmount ?? '0'),
    ...d.charges.map((c) => c.amount),
    ...d.charges.map((c) => c.taxAmount ?? '0'),
  ]).toFixed();
}

/**
 * The lines of an invoice or credit memo as staged in tarDocLineStg_CNX: one per item line, and one
 * of the charge kind's misc item per charge (quantity 1). Descriptions are for people: cut to 40.
 */
export function sage500StagedLines(
  d: { lines: DocumentLine[]; charges: DocumentCharge[] },
  chargeItems: Record<ChargeKind, string>,
): Sage500StagedLine[] {
  return [
    ...d.lines.map((l) => ({
      ItemID: l.itemCode,
      Description: l.description ? l.description.slice(0, 40) : null,
      Qty: String(l.quantity),
      UnitPrice: decimal(l.unitPrice).toFixed(),
      ExtAmt: decimal(l.unitPrice).times(l.quantity).toDecimalPlaces(2).toFixed(),
      STaxAmt: decimal(l.taxAmount ?? '0').toFixed(),
      WhseID: l.warehouseCode ?? null,
    })),
    ...d.charges.map((c) => ({
      ItemID: chargeItems[c.kind],
      Description: (c.description ?? c.kind).slice(0, 40),
      Qty: '1',
      UnitPrice: decimal(c.amount).toFixed(),
      ExtAmt: decimal(c.amount).toFixed(),
      STaxAmt: decimal(c.taxAmount ?? '0').toFixed(),
      WhseID: null,
    })),
  ];
}

/** The exchange rate a document carries: the draft's when it is in a foreign currency, else none (home: 1). */
const rateOf = (fx?: ForeignCurrency) => (fx ? decimal(fx.rate).toFixed() : null);

/** The parameters of spARCreditMemoIns_CNX for a credit note (the T-SQL text is pinned by dialect tests). */
export function sage500CreditMemoParams(
  company: string,
  draft: CreditNoteDraft,
  session: number,
  warehouse: string,
): ProcParam[] {
  return [
    { name: 'iCompanyID', type: 'VARCHAR(3)', value: company },
    { name: 'iCustID', type: 'VARCHAR(12)', value: draft.customerCode },
    { name: 'iApplyToInvcKey', type: 'INTEGER', value: Number(draft.baseInvoice.internalId) },
    { name: 'iTranDate', type: 'DATE', value: sqlDate(draft.documentDate) },
    { name: 'iCurrID', type: 'VARCHAR(3)', value: draft.currency },
    { name: 'iCurrExchRate', type: 'DECIMAL(28,10)', value: rateOf(draft.fx) },
    { name: 'iTranAmt', type: 'DECIMAL(15,3)', value: sage500DocumentTotal(draft) },
    { name: 'iReturnToStock', type: 'SMALLINT', value: draft.returnToStock ? 1 : 0 },
    { name: 'iWhseID', type: 'VARCHAR(6)', value: warehouse },
    { name: 'iSessionKey', type: 'INTEGER', value: session },
    {
      name: 'iTranCmnt',
      type: 'VARCHAR(50)',
      value: sage500TranCmnt(draft.naturalKey).slice(0, 50),
    },
    { name: 'oMemoKey', type: 'INTEGER', output: true },
    { name: 'oTranNo', type: 'VARCHAR(10)', output: true },
    { name: 'oRetVal', type: 'INTEGER', output: true },
  ];
}

/**
 * The parameters of one run of a Data Import Manager API procedure ([3P] signature). The customer
 * import names two of them differently from the sales-order import ([3P] spARapiCustomerIns header):
 * `@iUseStageTable` and `@_oRetVal`.
 */
export function sage500ImportParams(
  proc: string,
  company: string,
  session: number,
  prev: Record<string, unknown>,
): ProcParam[] {
  const customers = proc === SAGE500_CUSTOMER_PROC;
  return [
    { name: 'oContinue', type: 'SMALLINT', value: prev.oContinue ?? 0, output: true },
    { name: 'iCancel', type: 'SMALLINT', value: 0 },
    { name: 'iSessionKey', type: 'INTEGER', value: session },
    { name: 'iCompanyID', type: 'VARCHAR(3)', value: company },
    // 1: no report (the result is read from tdmMigrationLogWrk)
    { name: 'iRptOption', type: 'INTEGER', value: 1 },
    { name: 'iPrintWarnings', type: 'SMALLINT', value: 1 },
    { name: customers ? 'iUseStageTable' : 'UseStageTable', type: 'SMALLINT', value: 1 },
    { name: 'oRecsProcessed', type: 'INTEGER', value: prev.oRecsProcessed ?? 0, output: true },
    { name: 'oFailedRecs', type: 'INTEGER', value: prev.oFailedRecs ?? 0, output: true },
    { name: 'oTotalRecs', type: 'INTEGER', value: prev.oTotalRecs ?? 0, output: true },
    { name: customers ? '_oRetVal' : 'oRetVal', type: 'INTEGER', value: 0, output: true },
  ];
}

/**
 * Sage 500 over SQL Server (docs/sage500.md): sales orders through the Data Import Manager API
 * (a migration session, staged StgSalesOrder/StgSOLine rows, spSOapiSalesOrdIns in its @oContinue
 * loop, results from tdmMigrationLogWrk), journals staged in tglPosting and posted by
 * spglAPIPostBatchlessGLPosting, invoices and receipts through the connector's own _CNX procedures
 * (no public Sage procedure exists), reads straight from the application tables. The Amazon order id
 * lives in our extension table keyed by SOKey (it does not fit CustPONo or UserFld*), written in the
 * same transaction as the order, so an order and its key commit together or not at all.
 */
export class Sage500Adapter implements ErpPort {
  readonly capabilities: ErpCapabilities = capabilitiesOf('SAGE500')!;
  readonly dialect: Sage500Dialect;
  private knex?: Knex;
  private readonly charges: Record<ChargeKind, string>;
  private readonly offsetMs: number;
  /** What this adapter sent: SQL statements (each a round trip) and procedure runs among them (benches read it). */
  readonly sent = { statements: 0, procedureRuns: 0 };

  constructor(
    private readonly opts: Sage500AdapterOptions,
    /** a knex instance to use instead of one made from the URL (tests) */
    knex?: Knex,
  ) {
    if (!/^[A-Za-z0-9]{1,3}$/.test(opts.company))
      throw new ErpValidationError(`Sage 500 CompanyID "${opts.company}" is not 1–3 letters or digits`, {
        erp: 'SAGE500',
      });
    this.dialect = /^postgres(ql)?:/i.test(opts.url) ? pgDialect : mssqlDialect;
    this.knex = knex;
    knex?.on('query', () => void this.sent.statements++);
    this.charges = { ...SAGE500_DEFAULT_CHARGE_ITEMS, ...opts.chargeItems };
    this.offsetMs = (opts.serverUtcOffsetMinutes ?? 0) * 60_000;
  }

  private get db(): Knex {
    if (!this.knex) {
      this.knex = this.connect();
      this.knex.on('query', () => void this.sent.statements++);
    }
    return this.knex;
  }

  private connect(): Knex {
    const pool = { min: 0, max: this.opts.poolMax ?? 4 };
    // knex prints pool events (a pooled connection the server dropped) to the console; every failure
    // that matters reaches the caller as a typed error, and the service logs it there
    const log = {
      warn: () => undefined,
      error: () => undefined,
      deprecate: () => undefined,
      debug: () => undefined,
    };
    if (this.dialect.name === 'pg') {
      return knexFactory({
        client: 'pg',
        connection: {
          connectionString: this.opts.url,
          user: this.opts.user,
          password: this.opts.password,
          // datetimes as the server wrote them (its wall clock), not read in this process's zone
          types: WALL_CLOCK_TYPES,
        },
        pool,
        log,
        acquireConnectionTimeout: 10_000,
      });
    }
    return knexFactory({
      client: 'mssql',
      connection: mssqlConnectionOf(this.opts),
      pool,
      log,
      acquireConnectionTimeout: 10_000,
    });
  }

  // ---- errors ----

  private detail(erpCode?: string | number): ErpErrorDetail {
    return { erp: 'SAGE500', ...(erpCode !== undefined ? { erpCode: String(erpCode) } : {}) };
  }

  /**
   * A failure as a typed error: deadlock victim (1205) and lock timeout (1222) are record locks
   * (retriable: the transaction was rolled back whole), a refused login is an auth error, other SQL
   * errors are the ERP refusing (not retriable), and anything without a SQL number (network, pool,
   * a dropped connection) is the ERP being unavailable. Messages carry no bound values.
   */
  classify(err: unknown, what: string): Error {
    if (err instanceof ErpValidationError || err instanceof ErpRecordLockedError) return err;
    if (
      err instanceof ErpUnavailableError ||
      err instanceof ErpAuthError ||
      err instanceof ErpUnsupportedError
    )
      return err;
    const n = this.dialect.errorNumber(err);
    const text = ((err as Error)?.message ?? String(err)).split('\n')[0].slice(-300);
    const say = `Sage 500 ${what}: ${n !== undefined ? `SQL error ${n}: ` : ''}${text}`;
    const opts = { cause: err };
    if (n === SQL.DEADLOCK || n === SQL.LOCK_TIMEOUT)
      return new ErpRecordLockedError(say, this.detail(n), opts);
    if (n === SQL.LOGIN_FAILED || n === SQL.CANNOT_OPEN_DB)
      return new ErpAuthError(say, this.detail(n), opts);
    if (n !== undefined) return new ErpValidationError(say, this.detail(n), opts);
    // a SQL Server error the server sent (RequestError with a number) was handled above; the
    // simulator's other SQLSTATEs: connection classes (08, 57P) are unavailability, the rest refusals
    const code = (err as { code?: unknown })?.code;
    if (
      this.dialect.name === 'pg' &&
      typeof code === 'string' &&
      /^[0-9A-Z]{5}$/.test(code) &&
      !/^(08|57)/.test(code)
    )
      return new ErpValidationError(say, this.detail(code), opts);
    return new ErpUnavailableError(say, this.detail(typeof code === 'string' ? code : undefined), opts);
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.classify(err, what);
    }
  }

  private async call(db: Knex | Knex.Transaction, proc: string, params: ProcParam[]): Promise<Row> {
    const { sql, bindings } = this.dialect.call(proc, params);
    this.sent.procedureRuns++;
    return this.dialect.outputs(await db.raw(sql, bindings as Knex.RawBinding[]));
  }

  /** spGetNextSurrogateKey: the next key of a Sage table (a migration session, a GL batch). */
  private async nextKey(table: string): Promise<number> {
    const out = await this.call(this.db, 'spGetNextSurrogateKey', [
      { name: 'iTableName', type: 'VARCHAR(30)', value: table },
      { name: 'oNewKey', type: 'INTEGER', output: true },
    ]);
    const key = Number(out.oNewKey);
    if (!Number.isInteger(key) || key <= 0)
      throw new ErpUnavailableError(`Sage 500 spGetNextSurrogateKey '${table}' gave no key`, this.detail());
    return key;
  }

  // ---- port ----

  async ping(): Promise<void> {
    await this.run('ping', () =>
      this.db('tsoSalesOrder').where({ CompanyID: this.opts.company }).first('SOKey'),
    );
  }

  async findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    return this.run(`find ${kind}`, () => this.find(this.db, kind, naturalKey));
  }

  private async find(db: Knex | Knex.Transaction, kind: DocumentKind, naturalKey: string) {
    if (kind === 'SALES_ORDER') {
      const r = await db(`${SAGE500_SO_EXT_TABLE} as x`)
        .join('tsoSalesOrder as so', 'so.SOKey', 'x.SOKey')
        .where({ 'x.CompanyID': this.opts.company, 'x.AmazonOrderId': naturalKey })
        .first<Row | undefined>('so.SOKey', 'so.TranID', 'so.Status');
      return r
        ? this.ref('SALES_ORDER', naturalKey, Number(r.SOKey), String(r.TranID), Number(r.Status))
        : null;
    }
    const r = await db(SAGE500_DOC_EXT_TABLE)
      .where({ CompanyID: this.opts.company, DocKind: kind, NaturalKey: naturalKey })
      .first<Row | undefined>('TranKey', 'TranNo');
    // a journal is only recorded once posted, a credit memo once applied; invoices and receipts are open AR documents
    return r
      ? this.ref(
          kind,
          naturalKey,
          Number(r.TranKey),
          String(r.TranNo),
          kind === 'JOURNAL' || kind === 'CREDIT_NOTE' ? 4 : 1,
        )
      : null;
  }

  private ref(
    kind: DocumentKind,
    naturalKey: string,
    key: number,
    number: string,
    status: number,
  ): ErpDocumentRef {
    return {
      kind,
      naturalKey,
      internalId: String(key),
      documentNumber: number.trim(),
      status: documentStatusOf(status),
    };
  }

  private checkKey(naturalKey: string, max = SAGE500_NATURAL_KEY_MAX) {
    if (!naturalKey || naturalKey.length > max)
      throw new ErpValidationError(
        `natural key "${naturalKey}" is empty or longer than ${max} characters`,
        this.detail('KeyLength'),
      );
  }

  /**
   * One sales order through the DIM API. The session key comes first (its own short statement); then,
   * in one transaction: the duplicate check on our extension table, the staged header and lines,
   * spSOapiSalesOrdIns until @oContinue is 0, the result from tdmMigrationLogWrk, the extension row,
   * and the session's staging and log rows deleted. A failure rolls it all back, and the staged rows of
   * the session are deleted again outside it (a procedure that committed them on its own), so a failed
   * attempt is never imported twice.
   */
  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    this.checkKey(draft.naturalKey);
    // the ship-to address, checked against the columns before anything is staged
    const shipTo: Sage500ShipTo | undefined = draft.shipTo ? formatSage500Address(draft.shipTo) : undefined;
    if (draft.lines.length === 0)
      throw new ErpValidationError(`order ${draft.naturalKey} has no lines`, this.detail('NoLines'));
    const session = await this.run('spGetNextSurrogateKey', () => this.nextKey('tsmMigrateSession'));
    // TranNo: the session key, zero-padded to the column's 10 characters (our choice: unique per session)
    const tranNo = pad10(session);
    if (tranNo.length > 10)
      throw new ErpValidationError(
        `migration session key ${session} does not fit TranNo`,
        this.detail('TranNo'),
      );
    try {
      return await this.db.transaction(async (trx) => {
        const existing = await this.find(trx, 'SALES_ORDER', draft.naturalKey);
        if (existing) return existing;
        await trx('StgSalesOrder').insert({
          SessionKey: session,
          Action: 1,
          ProcessStatus: 0,
          TranNo: tranNo,
          CustID: draft.customerCode,
          TranDate: sqlDate(draft.documentDate),
          CurrID: draft.currency,
          TranCmnt: sage500TranCmnt(draft.naturalKey),
          SOStatus: 'Open',
          DfltWarehouseID: this.opts.defaultWarehouse ?? 'WHS',
          ...(shipTo ?? {}),
        });
        const lines = [
          ...draft.lines.map((l) => ({
            ItemID: l.itemCode,
            // item descriptions are informational (the ItemID is the key): cut to the column, by rule
            Description: l.description ? l.description.slice(0, 40) : null,
            QtyOrd: String(l.quantity),
            UnitPrice: decimal(l.unitPrice).toFixed(),
            WarehouseID: l.warehouseCode ?? null,
          })),
          ...draft.charges.map((c) => ({
            ItemID: this.charges[c.kind],
            Description: (c.description ?? c.kind).slice(0, 40),
            QtyOrd: '1',
            UnitPrice: decimal(c.amount).toFixed(),
            WarehouseID: null,
          })),
        ];
        await trx('StgSOLine').insert(
          lines.map((l, i) => ({
            SessionKey: session,
            Action: 1,
            ProcessStatus: 0,
            TranNo: tranNo,
            SOLineNo: i + 1,
            ...l,
          })),
        );
        const { retVal, log } = await this.importSession(trx, 'spSOapiSalesOrdIns', session);
        this.checkImport(`order ${draft.naturalKey}`, 'spSOapiSalesOrdIns', retVal, log);
        const so = await trx('tsoSalesOrder')
          .where({ CompanyID: this.opts.company, TranNo: tranNo })
          .first<Row | undefined>('SOKey', 'TranID', 'Status');
        if (!so)
          throw new ErpUnavailableError(
            `spSOapiSalesOrdIns reported success but sales order ${tranNo} is not in tsoSalesOrder`,
            this.detail(),
          );
        await trx(SAGE500_SO_EXT_TABLE).insert({
          SOKey: so.SOKey,
          CompanyID: this.opts.company,
          AmazonOrderId: draft.naturalKey,
        });
        await this.cleanSession(trx, session);
        return this.ref(
          'SALES_ORDER',
          draft.naturalKey,
          Number(so.SOKey),
          String(so.TranID),
          Number(so.Status),
        );
      });
    } catch (err) {
      await this.cleanSession(this.db, session).catch(() => undefined);
      throw this.uniqueAsRace(this.classify(err, `sales order ${draft.naturalKey}`), err, draft.naturalKey);
    }
  }

  /** A unique-key failure on our extension table: another writer wrote the same key at the same time. */
  private uniqueAsRace(typed: Error, err: unknown, key: string): Error {
    const n = this.dialect.errorNumber(err);
    if (n === SQL.UNIQUE_KEY || n === SQL.UNIQUE_INDEX)
      return new ErpRecordLockedError(
        `Sage 500: ${key} was written by another writer at the same moment (unique key); look it up again`,
        this.detail(n),
        { cause: err },
      );
    return typed;
  }

  private async cleanSession(
    db: Knex | Knex.Transaction,
    session: number,
    tables: readonly string[] = ['StgSOLine', 'StgSalesOrder'],
  ) {
    for (const t of tables) await db(t).where({ SessionKey: session }).delete();
    await db('tdmMigrationLogWrk').where({ SessionKey: session }).delete();
  }

  /** A DIM API procedure run over the session's staged rows until @oContinue is 0; its @oRetVal and log rows. */
  private async importSession(
    trx: Knex.Transaction,
    proc: string,
    session: number,
  ): Promise<{ retVal: number; log: Row[] }> {
    const retName = proc === SAGE500_CUSTOMER_PROC ? '_oRetVal' : 'oRetVal';
    let out: Row = {};
    for (let round = 0; ; round++) {
      if (round >= MAX_ROUNDS)
        throw new ErpUnavailableError(`${proc} still continuing after ${MAX_ROUNDS} runs`, this.detail());
      out = await this.call(trx, proc, sage500ImportParams(proc, this.opts.company, session, out));
      if (Number(out.oContinue) !== 1) break;
    }
    const log = await trx('tdmMigrationLogWrk')
      .where({ SessionKey: session })
      .select<Row[]>('EntityID', 'ColumnID', 'ColumnValue', 'Duplicate', 'Comment', 'Status');
    return { retVal: Number(out[retName]), log };
  }

  /** The import's outcome from @oRetVal and the session's log rows, as a typed error when it failed. */
  private checkImport(what: string, proc: string, retVal: number, log: Row[]) {
    const failures = log.filter((r) => Number(r.Status) === LOG.FAILURE);
    if (failures.length) {
      const f = failures[0];
      const dup = Number(f.Duplicate) === 1;
      const column = str(f.ColumnID).trim();
      // the value only for columns that hold no buyer data (a ship-to column's value is PII)
      const value =
        SAFE_LOG_COLUMNS.has(column) && f.ColumnValue != null ? ` = ${str(f.ColumnValue).trim()}` : '';
      throw new ErpValidationError(
        `Sage 500 refused ${what}: ${str(f.Comment).trim()}${column ? ` (${column}${value})` : ''}${dup ? ' [duplicate]' : ''}`,
        this.detail(dup ? 'Duplicate' : `Log:${column}`),
      );
    }
    if (retVal === RET.PARAMETER)
      throw new ErpValidationError(`${proc}: parameter error (@oRetVal 3)`, this.detail(3));
    if (retVal !== RET.SUCCESS || !log.some((r) => Number(r.Status) === LOG.SUCCESS))
      throw new ErpUnavailableError(
        `${proc} ended with @oRetVal ${retVal} and no success row for ${what}`,
        this.detail(retVal),
      );
  }

  /**
   * An AR document (invoice, credit memo, receipt) through one of our _CNX procedures, with its
   * extension row, in one transaction. Documents with lines get a migration session key first (its
   * own short statement); their lines are staged in tarDocLineStg_CNX under it, in the same
   * transaction, and the procedure takes them. A failure rolls it all back, and the session's staged
   * lines are deleted again outside it (a procedure that committed on its own).
   */
  private async arDocument(
    kind: 'INVOICE' | 'RECEIPT' | 'CREDIT_NOTE',
    key: string,
    proc: string,
    params: (session: number | null) => ProcParam[],
    keyOut: string,
    doc: { currency: string; fx?: ForeignCurrency; lines?: Sage500StagedLine[] },
  ): Promise<ErpDocumentRef> {
    this.checkKey(key, 100);
    let session: number | null = null;
    // (the writer looks the key up before every insert; the transaction looks again, so a retry
    // after a crash finds the document and the session key it took is simply left unused)
    if (doc.lines) session = await this.run('spGetNextSurrogateKey', () => this.nextKey('tsmMigrateSession'));
    const status = kind === 'CREDIT_NOTE' ? 4 : 1;
    try {
      return await this.db.transaction(async (trx) => {
        const existing = await this.find(trx, kind, key);
        if (existing) return existing;
        if (doc.lines?.length)
          await trx(SAGE500_LINE_STAGING_TABLE).insert(
            doc.lines.map((l, i) => ({ SessionKey: session, SeqNo: i + 1, ...l })),
          );
        const out = await this.call(trx, proc, params(session));
        const ret = Number(out.oRetVal);
        if (ret !== RET.SUCCESS) {
          const why = SAGE500_AR_REFUSALS[ret];
          if (why)
            throw new ErpValidationError(
              `Sage 500 ${proc} refused ${key}: ${why} (@oRetVal ${ret})`,
              this.detail(ret),
            );
          throw new ErpUnavailableError(
            `Sage 500 ${proc} ended with @oRetVal ${ret} for ${key}`,
            this.detail(ret),
          );
        }
        const tranKey = Number(out[keyOut]);
        const tranNo = out.oTranNo != null ? str(out.oTranNo).trim() : String(tranKey);
        await trx(SAGE500_DOC_EXT_TABLE).insert({
          CompanyID: this.opts.company,
          DocKind: kind,
          NaturalKey: key,
          TranKey: tranKey,
          TranNo: tranNo,
          CurrID: doc.currency,
          CurrExchRate: rateOf(doc.fx),
        });
        return this.ref(kind, key, tranKey, tranNo, status);
      });
    } catch (err) {
      if (session !== null)
        await this.db(SAGE500_LINE_STAGING_TABLE)
          .where({ SessionKey: session })
          .delete()
          .catch(() => undefined);
      throw this.uniqueAsRace(this.classify(err, `${kind.toLowerCase()} ${key}`), err, key);
    }
  }

  /**
   * An AR invoice through spARInvoiceIns_CNX (ours: public material names no Sage 500 AR invoice
   * import): the order's total (sage500DocumentTotal), its lines staged (credit memos are checked
   * against them), the exchange rate when the invoice is in a foreign currency.
   */
  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    return this.arDocument(
      'INVOICE',
      draft.naturalKey,
      SAGE500_AR_INVOICE_PROC,
      (session) => [
        { name: 'iCompanyID', type: 'VARCHAR(3)', value: this.opts.company },
        { name: 'iCustID', type: 'VARCHAR(12)', value: draft.customerCode },
        { name: 'iTranDate', type: 'DATE', value: sqlDate(draft.documentDate) },
        { name: 'iCurrID', type: 'VARCHAR(3)', value: draft.currency },
        { name: 'iTranAmt', type: 'DECIMAL(15,3)', value: sage500DocumentTotal(draft) },
        { name: 'iTranCmnt', type: 'VARCHAR(50)', value: sage500TranCmnt(draft.naturalKey).slice(0, 50) },
        { name: 'oInvcKey', type: 'INTEGER', output: true },
        { name: 'oTranNo', type: 'VARCHAR(10)', output: true },
        { name: 'oRetVal', type: 'INTEGER', output: true },
        { name: 'iCurrExchRate', type: 'DECIMAL(28,10)', value: rateOf(draft.fx) },
        { name: 'iSessionKey', type: 'INTEGER', value: session },
      ],
      'oInvcKey',
      { currency: draft.currency, fx: draft.fx, lines: sage500StagedLines(draft, this.charges) },
    );
  }

  /**
   * A credit memo through spARCreditMemoIns_CNX (ours, install/spARCreditMemoIns_CNX.sql), applied
   * to the invoice it reverses (its InvcKey): the refunded lines and charges staged, the goods back in
   * the warehouse only when `returnToStock`. The procedure refuses more than the invoice still has
   * open, and more of an item than it holds less earlier memos.
   */
  async createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    this.checkKey(draft.naturalKey, 100);
    if (draft.baseInvoice.kind !== 'INVOICE' || !/^\d+$/.test(draft.baseInvoice.internalId))
      throw new ErpValidationError(
        `credit note ${draft.naturalKey}: the document it reverses is not a Sage 500 invoice (${draft.baseInvoice.kind} ${draft.baseInvoice.internalId})`,
        this.detail('ApplyToInvcKey'),
      );
    if (draft.lines.length + draft.charges.length === 0)
      throw new ErpValidationError(`credit note ${draft.naturalKey} has no lines`, this.detail('NoLines'));
    const bad = draft.lines.find((l) => !Number.isInteger(l.quantity) || l.quantity <= 0);
    if (bad)
      throw new ErpValidationError(
        `credit note ${draft.naturalKey}: quantity ${bad.quantity} of ${bad.itemCode} is not a positive whole number`,
        this.detail('Qty'),
      );
    const total = decimal(sage500DocumentTotal(draft));
    if (total.lte(0))
      throw new ErpValidationError(
        `credit note ${draft.naturalKey}: total ${total.toFixed()} is not positive`,
        this.detail('TranAmt'),
      );
    const warehouse = this.opts.defaultWarehouse ?? 'WHS';
    return this.arDocument(
      'CREDIT_NOTE',
      draft.naturalKey,
      SAGE500_CREDIT_MEMO_PROC,
      (session) => sage500CreditMemoParams(this.opts.company, draft, session ?? 0, warehouse),
      'oMemoKey',
      { currency: draft.currency, fx: draft.fx, lines: sage500StagedLines(draft, this.charges) },
    );
  }

  /** The customer with this CustID: its name, its primary address's currency [?], active when Status is 1. */
  async findCustomer(customerCode: string): Promise<ErpCustomer | null> {
    return this.run('find customer', () => this.customerIn(this.db, customerCode));
  }

  private async customerIn(db: Knex | Knex.Transaction, code: string): Promise<ErpCustomer | null> {
    const r = await db('tarCustomer as c')
      .leftJoin('tarCustAddr as a', 'a.AddrKey', 'c.PrimaryAddrKey')
      .where({ 'c.CompanyID': this.opts.company, 'c.CustID': code })
      .first<Row | undefined>('c.CustID', 'c.CustName', 'c.Status', 'a.CurrID');
    if (!r) return null;
    return {
      customerCode: str(r.CustID).trim(),
      name: str(r.CustName).trim(),
      ...(r.CurrID ? { currency: str(r.CurrID).trim() } : {}),
      // tarCustomer.Status: 1 active, 2 inactive, 3 temporary, 4 deleted
      active: Number(r.Status) === 1,
    };
  }

  /**
   * A customer per buyer through the Data Import Manager: a StgCustomer row with the template
   * customer's class, payment terms and sales tax schedule (the receivable account is the class's:
   * StgCustomer has none of its own), the name and address formatted to Sage's columns
   * (formatSage500Address: refused, never cut silently), then spARapiCustomerIns until @oContinue is
   * 0, its log read, the session's rows deleted. A CustID that exists is an ErpValidationError
   * (erpCode Duplicate), whether found before staging or by the import.
   */
  async createCustomer(draft: CustomerDraft): Promise<ErpCustomer> {
    const max = this.capabilities.customerCodeMaxLength;
    if (!draft.customerCode || draft.customerCode.length > max)
      throw new ErpValidationError(
        `Sage 500 CustID "${draft.customerCode}" is empty or longer than ${max} characters`,
        this.detail('CustID'),
      );
    const a = formatSage500Address({ ...draft.address, name: draft.name });
    const template = await this.run('customer template', () =>
      this.db('tarCustomer as c')
        .join('tarCustClass as cc', 'cc.CustClassKey', 'c.CustClassKey')
        .leftJoin('tarCustAddr as a', 'a.AddrKey', 'c.PrimaryAddrKey')
        .leftJoin('tciPaymentTerms as pt', 'pt.PmtTermsKey', 'a.PmtTermsKey')
        .leftJoin('tciSTaxSchedule as st', 'st.STaxSchdKey', 'a.STaxSchdKey')
        .where({ 'c.CompanyID': this.opts.company, 'c.CustID': draft.templateCustomerCode })
        .first<Row | undefined>('cc.CustClassID', 'pt.PmtTermsID', 'st.STaxSchdID'),
    );
    if (!template)
      throw new ErpValidationError(
        `Sage 500: template customer ${draft.templateCustomerCode} not found`,
        this.detail('TemplateCustID'),
      );
    if (await this.findCustomer(draft.customerCode))
      throw new ErpValidationError(
        `Sage 500: customer ${draft.customerCode} already exists`,
        this.detail('Duplicate'),
      );
    const session = await this.run('spGetNextSurrogateKey', () => this.nextKey('tsmMigrateSession'));
    try {
      return await this.db.transaction(async (trx) => {
        await trx('StgCustomer').insert({
          SessionKey: session,
          Action: 1,
          ProcessStatus: 0,
          CustID: draft.customerCode,
          CustName: a.ShipToName,
          CustClassID: str(template.CustClassID).trim(),
          PmtTermsID: template.PmtTermsID ? str(template.PmtTermsID).trim() : null,
          STaxSchdID: template.STaxSchdID ? str(template.STaxSchdID).trim() : null,
          CurrID: draft.currency,
          AddrName: a.ShipToName,
          AddrLine1: a.ShipToAddrLine1,
          AddrLine2: a.ShipToAddrLine2,
          AddrLine3: a.ShipToAddrLine3,
          AddrLine4: a.ShipToAddrLine4,
          AddrLine5: a.ShipToAddrLine5,
          City: a.ShipToCity,
          StateID: a.ShipToStateID,
          PostalCode: a.ShipToPostalCode,
          CountryID: a.ShipToCountryID,
        });
        const { retVal, log } = await this.importSession(trx, SAGE500_CUSTOMER_PROC, session);
        this.checkImport(`customer ${draft.customerCode}`, SAGE500_CUSTOMER_PROC, retVal, log);
        const made = await this.customerIn(trx, draft.customerCode);
        if (!made)
          throw new ErpUnavailableError(
            `${SAGE500_CUSTOMER_PROC} reported success but customer ${draft.customerCode} is not in tarCustomer`,
            this.detail(),
          );
        await this.cleanSession(trx, session, ['StgCustomer']);
        return made;
      });
    } catch (err) {
      await this.cleanSession(this.db, session, ['StgCustomer']).catch(() => undefined);
      throw this.classify(err, `customer ${draft.customerCode}`);
    }
  }

  /** The company's home currency, tsmCompany.CurrID [3P]. */
  private async homeCurrency(db: Knex | Knex.Transaction): Promise<string> {
    const r = await db('tsmCompany').where({ CompanyID: this.opts.company }).first<Row | undefined>('CurrID');
    if (!r?.CurrID)
      throw new ErpValidationError(
        `Sage 500 company ${this.opts.company} has no home currency (tsmCompany)`,
        this.detail('tsmCompany'),
      );
    return str(r.CurrID).trim();
  }

  /**
   * The rate of `currency` into the home currency on `date` from the rate table: the connection's
   * schedule in tmcCurrExchSchd, its tmcCurrExchSchdDtl row from `currency` to the home currency in
   * effect that day (latest EffectiveDate on or before it, not expired) [3P table and columns; the
   * direction, target units per source unit, and the schedule's name are [?]]. "1" for the home
   * currency, null when there is no row.
   */
  async exchangeRate(currency: string, date: string): Promise<string | null> {
    const day = sqlDate(date);
    return this.run('exchange rate', async () => {
      const home = await this.homeCurrency(this.db);
      if (currency.trim().toUpperCase() === home.toUpperCase()) return '1';
      const r = await this.db('tmcCurrExchSchdDtl as d')
        .join('tmcCurrExchSchd as s', 's.CurrExchSchdKey', 'd.CurrExchSchdKey')
        .where({
          's.CompanyID': this.opts.company,
          's.CurrExchSchdID': this.opts.rateSchedule ?? SAGE500_DEFAULT_RATE_SCHEDULE,
          'd.SourceCurrID': currency,
          'd.TargetCurrID': home,
        })
        .where('d.EffectiveDate', '<=', day)
        .where((b) => void b.whereNull('d.ExpirationDate').orWhere('d.ExpirationDate', '>=', day))
        .orderBy('d.EffectiveDate', 'desc')
        // the rate is a float in SQL Server: read as an exact decimal of 10 places, never as a JavaScript float
        .first<Row | undefined>(
          this.db.raw('CAST(CAST(?? AS DECIMAL(28,10)) AS VARCHAR(40)) AS ??', ['d.CurrExchRate', 'rate']),
        );
      return r ? decimal(str(r.rate)).toFixed() : null;
    });
  }

  /**
   * What of the given customers, items and GL accounts Sage 500 lacks or holds inactive: one query
   * per kind and per 1,000 codes (SQL Server takes 2,100 parameters a statement). Customers are
   * inactive unless tarCustomer.Status is 1, items unless timItem.Status is 1 [?]; GL accounts are
   * only checked for existence (tglAccount's status column is not in public material [?]).
   */
  async checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    const uniq = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter((x) => x !== ''))];
    const chunks = (xs: string[]) =>
      Array.from({ length: Math.ceil(xs.length / SAGE500_IN_LIST_CHUNK) }, (_, i) =>
        xs.slice(i * SAGE500_IN_LIST_CHUNK, (i + 1) * SAGE500_IN_LIST_CHUNK),
      );
    const read = async (table: string, col: string, codes: string[], status: boolean) => {
      const found = new Map<string, number>();
      for (const part of chunks(codes)) {
        const rows = await this.db(table)
          .where({ CompanyID: this.opts.company })
          .whereIn(col, part)
          .select<Row[]>(status ? [col, 'Status'] : [col]);
        for (const r of rows) found.set(str(r[col]).trim(), status ? Number(r.Status) : 1);
      }
      return found;
    };
    return this.run('master data', async () => {
      const problems: MasterDataProblem[] = [];
      const customers = uniq(refs.customers);
      const cust = await read('tarCustomer', 'CustID', customers, true);
      for (const c of customers) {
        const st = cust.get(c);
        if (st === undefined) problems.push({ kind: 'CUSTOMER', code: c, problem: 'MISSING' });
        else if (st !== 1) problems.push({ kind: 'CUSTOMER', code: c, problem: 'INACTIVE' });
      }
      const items = uniq(refs.items);
      const item = await read('timItem', 'ItemID', items, true);
      for (const i of items) {
        const st = item.get(i);
        if (st === undefined) problems.push({ kind: 'ITEM', code: i, problem: 'MISSING' });
        else if (st !== 1) problems.push({ kind: 'ITEM', code: i, problem: 'INACTIVE' });
      }
      const accounts = uniq(refs.glAccounts);
      const numberOf = (a: string) =>
        this.opts.accountSegments ? segmentedAccount(a, this.opts.accountSegments, 'SAGE500') : a;
      const gl = await read('tglAccount', 'GLAcctNo', [...new Set(accounts.map(numberOf))], false);
      for (const a of accounts)
        if (!gl.has(numberOf(a))) problems.push({ kind: 'GL_ACCOUNT', code: a, problem: 'MISSING' });
      return problems;
    });
  }

  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    throw new ErpUnsupportedError(
      `Sage 500: no public API cancels a sales order; cancel order ${ref.documentNumber} in Sage 500`,
      this.detail('NoCancelApi'),
    );
  }

  /**
   * A settlement journal: balanced here first (debits = credits, else post status −7 without a round
   * trip), then in one transaction: the tglPosting rows of a new batch key, the batch in
   * #tciTransToPost, spglAPIPostBatchlessGLPosting (suspense replacement off: an unknown account is an
   * error, not a posting to suspense), its post status read back, and our extension row. −5 (closed
   * period) and −7 are refusals; −6 (locked by another user) is retriable.
   */
  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    this.checkKey(draft.naturalKey, 100);
    const debit = sumDecimals(draft.lines.map((l) => l.debit));
    const credit = sumDecimals(draft.lines.map((l) => l.credit));
    if (!debit.eq(credit))
      throw new ErpValidationError(
        `journal ${draft.naturalKey} does not balance: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()} (post status -7)`,
        this.detail(-7),
      );
    const existing = await this.findByNaturalKey('JOURNAL', draft.naturalKey);
    if (existing) return existing;
    const batch = await this.run('spGetNextSurrogateKey', () => this.nextKey('tciBatchLog'));
    const tranNo = pad10(batch);
    const tranType = this.opts.glTranType ?? 0;
    try {
      return await this.db.transaction(async (trx) => {
        const again = await this.find(trx, 'JOURNAL', draft.naturalKey);
        if (again) return again;
        // in both currencies: a foreign journal's home amounts from toHomeCurrency, its rounding line
        // (home amount only) on the rounding account; a home-currency journal is the same in both
        const home = await this.homeCurrency(trx);
        if (draft.fx && draft.fx.homeCurrency !== home)
          throw new ErpValidationError(
            `journal ${draft.naturalKey}: converted to ${draft.fx.homeCurrency}, but the company's home currency is ${home}`,
            this.detail('CurrID'),
          );
        if (!draft.fx && draft.currency !== home)
          throw new ErpValidationError(
            `journal ${draft.naturalKey} is in ${draft.currency}, the company's home currency is ${home}: it needs an exchange rate`,
            this.detail('CurrExchRate'),
          );
        const lines = draft.fx
          ? toHomeCurrency(draft, draft.fx)
          : draft.lines.map((l) => ({ ...l, homeDebit: l.debit, homeCredit: l.credit }));
        const numbers = lines.map((l) =>
          this.opts.accountSegments
            ? segmentedAccount(l.account, this.opts.accountSegments, 'SAGE500')
            : l.account.trim(),
        );
        const accounts = await trx('tglAccount')
          .where({ CompanyID: this.opts.company })
          .whereIn('GLAcctNo', [...new Set(numbers)])
          .select<Row[]>('GLAcctKey', 'GLAcctNo');
        const keyOf = new Map(accounts.map((a) => [String(a.GLAcctNo).trim(), Number(a.GLAcctKey)]));
        const missing = numbers.filter((n) => !keyOf.has(n));
        if (missing.length)
          throw new ErpValidationError(
            `journal ${draft.naturalKey}: GL account(s) ${[...new Set(missing)].join(', ')} not in tglAccount`,
            this.detail('GLAcctNo'),
          );
        await trx('tglPosting').insert(
          lines.map((l, i) => ({
            GLAcctKey: keyOf.get(numbers[i]),
            BatchKey: batch,
            CurrID: draft.currency,
            // PostAmt in the journal's currency, PostAmtHC in the home currency [3P]
            PostAmt: decimal(l.debit).minus(decimal(l.credit)).toFixed(),
            PostAmtHC: decimal(l.homeDebit).minus(decimal(l.homeCredit)).toFixed(),
            PostDate: sqlDate(draft.postingDate),
            TranDate: sqlDate(draft.postingDate),
            TranNo: tranNo,
            TranType: tranType,
            SourceModuleNo: this.opts.glSourceModuleNo ?? 1,
            // comments are for people (the key is in our extension table): cut to the columns, by rule
            PostCmnt: draft.memo.slice(0, 50),
            ExtCmnt: `${draft.reference} ${l.description}`.slice(0, 255),
          })),
        );
        const posted = await this.dialect.postBatchless(
          trx,
          {
            CompanyID: this.opts.company,
            TranID: tranNo,
            TranType: tranType,
            TranKey: batch,
            GLBatchKey: batch,
          },
          draft.reference.slice(0, 50),
        );
        this.sent.procedureRuns++;
        this.checkPost(draft.naturalKey, posted.retVal, posted.postStatus);
        await trx(SAGE500_DOC_EXT_TABLE).insert({
          CompanyID: this.opts.company,
          DocKind: 'JOURNAL',
          NaturalKey: draft.naturalKey,
          TranKey: batch,
          TranNo: tranNo,
          CurrID: draft.currency,
          CurrExchRate: rateOf(draft.fx),
        });
        return this.ref('JOURNAL', draft.naturalKey, batch, tranNo, 4);
      });
    } catch (err) {
      throw this.uniqueAsRace(this.classify(err, `journal ${draft.naturalKey}`), err, draft.naturalKey);
    }
  }

  /** A GL post status as a typed error (docs/sage500.md): −6 retriable, the others refusals. */
  checkPost(key: string, retVal: number, status: number) {
    if (status === 1 && retVal === 1) return;
    const say = `Sage 500 GL posting of ${key}: post status ${status} (${GL_POST_STATUS[status] ?? 'not posted'}), @oRetVal ${retVal}`;
    if (status === -6) throw new ErpRecordLockedError(say, this.detail(-6));
    if (status < 0 || status === 2) throw new ErpValidationError(say, this.detail(status));
    throw new ErpUnavailableError(say, this.detail(retVal));
  }

  /** A cash receipt (unapplied) through spARCashRcptIns_CNX (ours: public material names no Sage 500 receipt import). */
  async createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef> {
    if (decimal(draft.amount).lte(0))
      throw new ErpValidationError(
        `receipt ${draft.naturalKey}: amount ${draft.amount} is not positive`,
        this.detail(),
      );
    return this.arDocument(
      'RECEIPT',
      draft.naturalKey,
      SAGE500_CASH_RECEIPT_PROC,
      () => [
        { name: 'iCompanyID', type: 'VARCHAR(3)', value: this.opts.company },
        { name: 'iCustID', type: 'VARCHAR(12)', value: draft.customerCode },
        { name: 'iTranDate', type: 'DATE', value: sqlDate(draft.date) },
        { name: 'iCurrID', type: 'VARCHAR(3)', value: draft.currency },
        { name: 'iTranAmt', type: 'DECIMAL(15,3)', value: decimal(draft.amount).toFixed() },
        { name: 'iCashAcctNo', type: 'VARCHAR(100)', value: draft.bankAccount },
        { name: 'iTranCmnt', type: 'VARCHAR(50)', value: draft.reference.slice(0, 50) },
        { name: 'oCustPmtKey', type: 'INTEGER', output: true },
        { name: 'oTranNo', type: 'VARCHAR(10)', output: true },
        { name: 'oRetVal', type: 'INTEGER', output: true },
        { name: 'iCurrExchRate', type: 'DECIMAL(28,10)', value: rateOf(draft.fx) },
      ],
      'oCustPmtKey',
      { currency: draft.currency, fx: draft.fx },
    );
  }

  async erpClock(): Promise<string> {
    const rows = await this.run('clock', async () => {
      const res: unknown = await this.db.raw(this.dialect.now);
      return this.dialect.name === 'pg' ? ((res as { rows: Row[] }).rows ?? []) : (res as Row[]);
    });
    const now = rows[0]?.now;
    if (now === undefined || now === null)
      throw new ErpUnavailableError('Sage 500 gave no server time', this.detail());
    return new Date(wallMs(now) - this.offsetMs).toISOString();
  }

  /**
   * Bounds a query to a change window in (date, key) order: changed at or before `until`, strictly
   * after the cursor, `pageSize` rows. Dates are compared on the server's wall clock.
   */
  private windowed<Q extends Knex.QueryBuilder>(
    q: Q,
    dateCol: string,
    keyCol: string,
    w: ChangeWindow,
    numericKey = false,
  ) {
    const until = Date.parse(w.until);
    if (Number.isNaN(until))
      throw new ErpValidationError(`change window until is not a date: ${w.until}`, this.detail());
    void q
      .where(dateCol, '<=', wallText(until + this.offsetMs))
      .orderBy([{ column: dateCol }, { column: keyCol }])
      .limit(w.pageSize);
    if (w.after) {
      const ms = Date.parse(w.after.changedAt);
      if (Number.isNaN(ms))
        throw new ErpValidationError(`change cursor is not a date: ${w.after.changedAt}`, this.detail());
      const at = wallText(ms + this.offsetMs);
      const key = numericKey ? Number(w.after.key) : w.after.key;
      void q.where((b) => {
        void b.where(dateCol, '>', at).orWhere((c) => {
          void c.where(dateCol, at).andWhere(keyCol, '>', key);
        });
      });
    }
    return q;
  }

  /** Stock items only: misc, service, expense and comment items (types 1–4 [?]) are not listed on Amazon. */
  private items(db: Knex) {
    return db('timItem').where({ CompanyID: this.opts.company }).where('ItemType', '>=', 5);
  }

  /**
   * Items whose `timItem.UpdateDate` [?] is in the window, in (UpdateDate, ItemID) order, with their
   * prices. No quantities: stock moves are not known to touch UpdateDate (the full scan finds them).
   */
  async readItemChanges(w: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>> {
    if (!(w.pageSize > 0)) return { items: [], next: null };
    return this.run('item changes', async () => {
      const rows = await this.windowed(
        this.items(this.db).select<Row[]>('ItemKey', 'ItemID', 'ShortDesc', 'Status', 'UpdateDate'),
        'UpdateDate',
        'ItemID',
        w,
      );
      const prices = await this.pricesOf(rows);
      const items = rows.map((r) => ({ ...this.itemOf(r, prices), quantities: null }));
      const last = items[items.length - 1];
      return { items, next: last ? { changedAt: last.changedAt, key: last.itemCode } : null };
    });
  }

  /** List prices per item key from timItemUnitPrice [?] (as text: SQL Server decimals would reach JavaScript as floats). */
  private async pricesOf(rows: Row[]): Promise<Map<number, ErpItemSnapshot['prices']>> {
    const prices = new Map<number, ErpItemSnapshot['prices']>();
    if (!rows.length) return prices;
    const found = await this.db('timItemUnitPrice')
      .whereIn(
        'ItemKey',
        rows.map((r) => Number(r.ItemKey)),
      )
      .orderBy(['ItemKey', 'PriceListID', 'CurrID'])
      .select<Row[]>(
        'ItemKey',
        'PriceListID',
        'CurrID',
        this.db.raw('CAST(?? AS VARCHAR(40)) AS ??', ['UnitPrice', 'price']),
      );
    for (const p of found) {
      const k = Number(p.ItemKey);
      prices.set(k, [
        ...(prices.get(k) ?? []),
        {
          priceList: str(p.PriceListID).trim(),
          price: decimal(str(p.price)).toFixed(),
          currency: str(p.CurrID).trim(),
        },
      ]);
    }
    return prices;
  }

  private itemOf(
    r: Row,
    prices: Map<number, ErpItemSnapshot['prices']>,
  ): Omit<ErpItemSnapshot, 'quantities'> {
    return {
      itemCode: str(r.ItemID).trim(),
      ...(r.ShortDesc ? { description: str(r.ShortDesc).trim() } : {}),
      // timItem.Status 1 active [?]
      active: Number(r.Status) === 1,
      changedAt: new Date(wallMs(r.UpdateDate) - this.offsetMs).toISOString(),
      prices: prices.get(Number(r.ItemKey)) ?? [],
    };
  }

  /** Every stock item in ItemID order with prices and stock per warehouse: on hand from timWhseBinInvt, committed = timInventory.QtyOnSO. */
  async scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }> {
    return this.run('item scan', async () => {
      const q = this.items(this.db)
        .orderBy('ItemID')
        .limit(Math.max(0, pageSize) + 1)
        .select<Row[]>('ItemKey', 'ItemID', 'ShortDesc', 'Status', 'UpdateDate');
      if (afterKey !== null) void q.where('ItemID', '>', afterKey);
      const all = await q;
      const rows = all.slice(0, Math.max(0, pageSize));
      const stock = new Map<number, ErpWarehouseStock[]>();
      const prices = await this.pricesOf(rows);
      if (rows.length) {
        const keys = rows.map((r) => Number(r.ItemKey));
        // quantities as text: SQL Server decimals would reach JavaScript as floats
        const onHand = await this.db('timWhseBinInvt as bi')
          .join('timWhseBin as b', 'b.WhseBinKey', 'bi.WhseBinKey')
          .join('timWarehouse as w', 'w.WhseKey', 'b.WhseKey')
          .whereIn('bi.ItemKey', keys)
          .groupBy('bi.ItemKey', 'w.WhseID', 'w.WhseKey')
          .select<Row[]>(
            'bi.ItemKey',
            'w.WhseID',
            'w.WhseKey',
            this.db.raw('CAST(SUM(??) AS VARCHAR(40)) AS ??', ['bi.QtyOnHand', 'onHand']),
          );
        const committed = await this.db('timInventory')
          .whereIn('ItemKey', keys)
          .select<Row[]>(
            'ItemKey',
            'WhseKey',
            this.db.raw('CAST(?? AS VARCHAR(40)) AS ??', ['QtyOnSO', 'committed']),
          );
        const so = new Map(committed.map((c) => [`${str(c.ItemKey)}/${str(c.WhseKey)}`, str(c.committed)]));
        for (const s of onHand) {
          const k = Number(s.ItemKey);
          stock.set(k, [
            ...(stock.get(k) ?? []),
            {
              warehouseCode: str(s.WhseID).trim(),
              onHand: decimal(str(s.onHand)).toFixed(),
              committed: decimal(so.get(`${k}/${str(s.WhseKey)}`) ?? '0').toFixed(),
            },
          ]);
        }
      }
      return {
        items: rows.map((r) => ({
          ...this.itemOf(r, prices),
          quantities: (stock.get(Number(r.ItemKey)) ?? []).sort((a, b) =>
            a.warehouseCode < b.warehouseCode ? -1 : 1,
          ),
        })),
        nextKey: all.length > rows.length && rows.length ? str(rows[rows.length - 1].ItemID).trim() : null,
      };
    });
  }

  /**
   * Shipments of Amazon orders (their sales order has a row in our extension table) changed in the
   * window, in (UpdateDate, ShipKey) order. The shipment tables' columns are the simulator's [?]
   * (tsoShipment, tsoShipLine); a deleted shipment is gone, so it is never read.
   */
  async readShipments(w: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>> {
    if (!(w.pageSize > 0)) return { items: [], next: null };
    return this.run('shipments', async () => {
      // one row per shipment: the Amazon order of its first line
      const firstLine = this.db('tsoShipLine as fl')
        .whereRaw('?? = ??', ['fl.ShipKey', 'sh.ShipKey'])
        .min('fl.ShipLineKey');
      const heads = await this.windowed(
        this.db('tsoShipment as sh')
          .join('tsoShipLine as sl', 'sl.ShipKey', 'sh.ShipKey')
          .join('tsoSOLine as l', 'l.SOLineKey', 'sl.SOLineKey')
          .join('tsoSalesOrder as so', 'so.SOKey', 'l.SOKey')
          .join(`${SAGE500_SO_EXT_TABLE} as x`, 'x.SOKey', 'so.SOKey')
          .where({ 'sh.CompanyID': this.opts.company })
          .where('sl.ShipLineKey', '=', firstLine)
          .select<Row[]>(
            'sh.ShipKey',
            'sh.TranID',
            'sh.ShipDate',
            'sh.ShipMethID',
            'sh.TrackingNo',
            'sh.UpdateDate',
            'so.TranID as SOTranID',
            'x.AmazonOrderId',
          ),
        'sh.UpdateDate',
        'sh.ShipKey',
        w,
        true,
      );
      const lines = heads.length
        ? await this.db('tsoShipLine as sl')
            .join('timItem as i', 'i.ItemKey', 'sl.ItemKey')
            // stock items only: a line of a misc charge item (freight, promotion) is no package content
            .where('i.ItemType', '>=', 5)
            .whereIn(
              'sl.ShipKey',
              heads.map((h) => Number(h.ShipKey)),
            )
            .orderBy('sl.ShipLineKey')
            .select<Row[]>(
              'sl.ShipKey',
              'i.ItemID',
              this.db.raw('CAST(?? AS VARCHAR(40)) AS ??', ['sl.QtyShipped', 'qty']),
            )
        : [];
      const items = heads.map((h): ErpShipmentRecord => ({
        naturalKey: str(h.AmazonOrderId).trim(),
        shipmentId: str(h.ShipKey),
        shipmentNumber: str(h.TranID).trim(),
        erpOrderNumber: str(h.SOTranID).trim(),
        shippedAt: new Date(wallMs(h.ShipDate) - this.offsetMs).toISOString(),
        changedAt: new Date(wallMs(h.UpdateDate) - this.offsetMs).toISOString(),
        ...(h.ShipMethID ? { carrier: str(h.ShipMethID).trim() } : {}),
        ...(h.TrackingNo ? { trackingNumber: str(h.TrackingNo).trim() } : {}),
        lines: lines
          .filter((l) => Number(l.ShipKey) === Number(h.ShipKey))
          .map((l) => ({ itemCode: str(l.ItemID).trim(), quantity: Number(decimal(str(l.qty)).toFixed()) })),
      }));
      const last = items[items.length - 1];
      return { items, next: last ? { changedAt: last.changedAt, key: last.shipmentId } : null };
    });
  }

  async close(): Promise<void> {
    await this.knex?.destroy();
    this.knex = undefined;
  }
}
