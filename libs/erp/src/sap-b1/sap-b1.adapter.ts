import { LosslessNumber, isLosslessNumber, parse, stringify } from 'lossless-json';
import type { HttpResponse, HttpTransport } from '@connector/core';
import { decimal, sumDecimals } from '@connector/money';
import { SAP_B1_NATURAL_KEY_MAX, capabilitiesOf } from '../capabilities';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpSessionExpiredError,
  ErpUnavailableError,
  ErpValidationError,
  type ErpErrorDetail,
} from '../errors';
import type {
  ChargeKind,
  DocumentKind,
  DocumentStatus,
  ErpCapabilities,
  ErpDocumentRef,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  ErpShipmentRecord,
  ErpWatermark,
  InvoiceDraft,
  JournalDraft,
  ReceiptDraft,
  SalesDocumentDraft,
} from '../port';

export interface SapB1AdapterOptions {
  /** `https://host:50000` or `https://host:50000/b1s/v1` */
  baseUrl: string;
  companyDb: string;
  user: string;
  password: string;
  http: HttpTransport;
  /** per request; a slower answer is ErpUnavailableError (default 60 s) */
  timeoutMs?: number;
  /** AdditionalExpenses code (freight) each charge is booked on (default: all on 1) */
  chargeExpenseCodes?: Partial<Record<ChargeKind, number>>;
  /** the company's local currency: journals in another currency are written in FCDebit/FCCredit (default USD) */
  localCurrency?: string;
  /** page size asked of the server with `Prefer: odata.maxpagesize` when following nextLinks (default 100) */
  serverPageSize?: number;
}

/**
 * Where each document kind keeps our natural key (reference/erp/FACTS.md §1.3, §1.5): NumAtCard on marketing
 * documents, Reference (OJDT.Ref1) on journal entries, Reference2 on incoming payments.
 */
export const SAP_B1_NATURAL_KEY_FIELDS: Record<DocumentKind, { entity: string; field: string }> = {
  SALES_ORDER: { entity: 'Orders', field: 'NumAtCard' },
  INVOICE: { entity: 'Invoices', field: 'NumAtCard' },
  JOURNAL: { entity: 'JournalEntries', field: 'Reference' },
  RECEIPT: { entity: 'IncomingPayments', field: 'Reference2' },
};

type Row = Record<string, unknown>;
interface SlErrorBody {
  error?: { code?: number | string; message?: { value?: string } | string };
}

const ERP = 'SAP_B1' as const;
const num = (v: string) => new LosslessNumber(decimal(v).toFixed());
/**
 * A field of a parsed body as text, '' when absent: what `String()` gives for the scalars a body holds (its
 * numbers are LosslessNumbers, written as their digits); a nested object or array comes out as JSON.
 */
const str = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : (stringify(v) ?? '');
/** An OData string literal: quotes doubled (reference/erp/FACTS.md §1.4). */
export const odataString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * ErpPort on the SAP Business One Service Layer (v1, OData v3), reference/erp/FACTS.md §1. One session (B1SESSION +
 * ROUTEID cookies) is opened lazily and reused; a 401 / code 301 logs in again once and repeats the
 * call. Amounts travel as exact JSON numbers written from and read into decimal strings.
 */
export class SapB1Adapter implements ErpPort {
  readonly capabilities: ErpCapabilities = capabilitiesOf('SAP_B1')!;
  /** logins done (tests count them) */
  logins = 0;
  private readonly root: string;
  private cookie?: string;
  private loggingIn?: Promise<void>;
  private readonly accountCodes = new Map<string, string>();

  constructor(private readonly opts: SapB1AdapterOptions) {
    const trimmed = opts.baseUrl.replace(/\/+$/, '');
    this.root = /\/b1s\/v\d$/.test(trimmed) ? `${trimmed}/` : `${trimmed}/b1s/v1/`;
  }

  // ---- ErpPort --------------------------------------------------------------------------------

  async ping(): Promise<void> {
    await this.get('Items?$select=ItemCode&$top=1');
  }

  async findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    const { entity, field } = SAP_B1_NATURAL_KEY_FIELDS[kind];
    const filter = `${field} eq ${odataString(naturalKey)}`;
    const sel =
      kind === 'JOURNAL'
        ? 'JdtNum,Number,Reference'
        : kind === 'RECEIPT'
          ? `DocEntry,DocNum,Cancelled,${field}`
          : `DocEntry,DocNum,DocumentStatus,Cancelled,${field}`;
    const key = kind === 'JOURNAL' ? 'JdtNum' : 'DocEntry';
    const rows = await this.getAll(
      `${entity}?$filter=${encodeURIComponent(filter)}&$select=${sel}&$orderby=${key}`,
    );
    if (rows.length === 0) return null;
    const live = rows.find((r) => r.Cancelled !== 'tYES') ?? rows[0];
    return this.ref(kind, naturalKey, live);
  }

  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    const body = this.documentBody(draft);
    const created = await this.post('Orders', body);
    return this.ref('SALES_ORDER', draft.naturalKey, created);
  }

  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    const body = this.documentBody(draft);
    if (draft.baseOrder) {
      const order = await this.get(
        `Orders(${this.docEntry(draft.baseOrder)})?$select=DocEntry,DocumentStatus,Cancelled,DocumentLines`,
      );
      // Copy from the order (reference/erp/FACTS.md §1.3: BaseType 17 / BaseEntry / BaseLine closes the order line).
      // An order no longer open cannot be copied from; the invoice then stands alone.
      if (order.Cancelled !== 'tYES' && order.DocumentStatus !== 'bost_Close') {
        const open = ((order.DocumentLines as Row[] | undefined) ?? []).filter(
          (l) => l.LineStatus !== 'bost_Close',
        );
        const used = new Set<Row>();
        body.DocumentLines = (body.DocumentLines as Row[]).map((line) => {
          const base = open.find((l) => !used.has(l) && l.ItemCode === line.ItemCode);
          if (!base) return line;
          used.add(base);
          return { ...line, BaseType: 17, BaseEntry: order.DocEntry, BaseLine: base.LineNum };
        });
      }
    }
    const created = await this.post('Invoices', body);
    return this.ref('INVOICE', draft.naturalKey, created);
  }

  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    const path = `Orders(${this.docEntry(ref)})`;
    const sel = '?$select=DocEntry,DocNum,DocumentStatus,Cancelled,NumAtCard';
    const before = await this.get(path + sel);
    if (before.Cancelled === 'tYES') return this.ref('SALES_ORDER', ref.naturalKey, before);
    await this.send('POST', `${path}/Cancel`);
    return this.ref('SALES_ORDER', ref.naturalKey, await this.get(path + sel));
  }

  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    this.checkKey(draft.naturalKey);
    if (draft.lines.length < 2) throw this.invalid('a journal entry needs at least two lines');
    for (const l of draft.lines) {
      const d = decimal(l.debit);
      const c = decimal(l.credit);
      if (d.isNeg() || c.isNeg() || d.isZero() === c.isZero())
        throw this.invalid(`journal line ${l.account}: exactly one of debit / credit must be positive`);
    }
    const debit = sumDecimals(draft.lines.map((l) => l.debit));
    const credit = sumDecimals(draft.lines.map((l) => l.credit));
    if (!debit.eq(credit))
      throw this.invalid(`journal does not balance: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`);
    const foreign = draft.currency !== (this.opts.localCurrency ?? 'USD');
    const lines: Row[] = [];
    for (const l of draft.lines) {
      const account = await this.accountCode(l.account);
      lines.push({
        AccountCode: account,
        ...(foreign
          ? { FCCurrency: draft.currency, FCDebit: num(l.debit), FCCredit: num(l.credit) }
          : { Debit: num(l.debit), Credit: num(l.credit) }),
        LineMemo: l.description,
      });
    }
    const created = await this.post('JournalEntries', {
      ReferenceDate: draft.postingDate,
      TaxDate: draft.postingDate,
      DueDate: draft.postingDate,
      Memo: draft.memo,
      Reference: draft.naturalKey,
      Reference2: draft.reference,
      JournalEntryLines: lines,
    });
    return this.ref('JOURNAL', draft.naturalKey, created);
  }

  async createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef> {
    this.checkKey(draft.naturalKey);
    if (!decimal(draft.amount).gt(0)) throw this.invalid(`receipt amount ${draft.amount} is not positive`);
    // A payment on account by bank transfer (reference/erp/FACTS.md §1.3 IncomingPayments: TransferAccount/Sum/Date/Reference)
    const created = await this.post('IncomingPayments', {
      DocType: 'rCustomer',
      CardCode: draft.customerCode,
      DocDate: draft.date,
      DocCurrency: draft.currency,
      TransferAccount: draft.bankAccount,
      TransferSum: num(draft.amount),
      TransferDate: draft.date,
      TransferReference: draft.reference,
      Reference2: draft.naturalKey,
      Remarks: `Amazon ${draft.naturalKey}`,
    });
    return this.ref('RECEIPT', draft.naturalKey, created);
  }

  async readItemChanges(since: ErpWatermark, pageSize = 100): Promise<ErpPage<ErpItemSnapshot>> {
    const rows = await this.readChanges(
      'Items',
      'ItemCode',
      'ItemCode,ItemName,UpdateDate,UpdateTime,ItemPrices,ItemWarehouseInfoCollection',
      since,
      pageSize,
    );
    return this.page(rows, since, 'ItemCode', (r) => ({
      itemCode: str(r.ItemCode),
      description: r.ItemName === undefined ? undefined : str(r.ItemName),
      changedAt: changedAt(r),
      prices: ((r.ItemPrices as Row[] | undefined) ?? []).map((p) => ({
        priceList: str(p.PriceList),
        price: amount(p.Price),
        currency: str(p.Currency),
      })),
      quantities: ((r.ItemWarehouseInfoCollection as Row[] | undefined) ?? []).map((w) => {
        const onHand = amount(w.InStock);
        const committed = amount(w.Committed);
        return {
          warehouseCode: str(w.WarehouseCode),
          onHand,
          committed,
          available: decimal(onHand).minus(decimal(committed)).toFixed(),
        };
      }),
    }));
  }

  async readShipments(since: ErpWatermark, pageSize = 100): Promise<ErpPage<ErpShipmentRecord>> {
    const rows = await this.readChanges(
      'DeliveryNotes',
      'DocEntry',
      'DocEntry,DocNum,DocDate,NumAtCard,TrackingNumber,TransportationCode,Cancelled,UpdateDate,UpdateTime,DocumentLines',
      since,
      pageSize,
    );
    const page = this.page(rows, since, 'DocEntry', (r) => ({
      naturalKey: str(r.NumAtCard),
      shipmentNumber: str(r.DocNum),
      shippedAt: `${str(r.DocDate).slice(0, 10)}T00:00:00.000Z`,
      carrier: r.TransportationCode === undefined ? undefined : str(r.TransportationCode),
      trackingNumber: r.TrackingNumber === undefined ? undefined : str(r.TrackingNumber),
      lines: ((r.DocumentLines as Row[] | undefined) ?? []).map((l) => ({
        itemCode: str(l.ItemCode),
        quantity: Number(str(l.Quantity)),
      })),
    }));
    // deliveries without a customer reference are not Amazon's; cancelled ones were not shipped
    const keep = new Set(rows.filter((r) => r.NumAtCard && r.Cancelled !== 'tYES').map((r) => str(r.DocNum)));
    return { items: page.items.filter((s) => keep.has(s.shipmentNumber)), watermark: page.watermark };
  }

  async close(): Promise<void> {
    if (!this.cookie) return;
    const cookie = this.cookie;
    this.cookie = undefined;
    try {
      await this.raw('POST', 'Logout', undefined, { cookie });
    } catch {
      // the session dies on its own after the idle timeout
    }
  }

  // ---- documents ------------------------------------------------------------------------------

  private documentBody(draft: SalesDocumentDraft): Row {
    this.checkKey(draft.naturalKey);
    if (draft.lines.length === 0) throw this.invalid('a document needs at least one line');
    const codes = this.opts.chargeExpenseCodes ?? {};
    const expenses = draft.charges
      .filter((c) => !decimal(c.amount).isZero())
      .map((c) => ({
        ExpenseCode: codes[c.kind] ?? 1,
        LineTotal: num(c.amount),
        ...(c.taxAmount !== undefined ? { TaxSum: num(c.taxAmount) } : {}),
        Remarks: c.description ?? c.kind,
      }));
    return {
      CardCode: draft.customerCode,
      DocDate: draft.documentDate,
      DocDueDate: draft.dueDate ?? draft.documentDate,
      TaxDate: draft.documentDate,
      DocCurrency: draft.currency,
      NumAtCard: draft.naturalKey,
      ...(draft.comments !== undefined ? { Comments: draft.comments } : {}),
      DocumentLines: draft.lines.map((l) => ({
        ItemCode: l.itemCode,
        ...(l.description !== undefined ? { ItemDescription: l.description } : {}),
        Quantity: l.quantity,
        UnitPrice: num(l.unitPrice),
        ...(l.taxAmount !== undefined ? { TaxTotal: num(l.taxAmount) } : {}),
        ...(l.warehouseCode !== undefined ? { WarehouseCode: l.warehouseCode } : {}),
        ...(l.sourceLineId !== undefined ? { FreeText: l.sourceLineId } : {}),
      })),
      ...(expenses.length ? { DocumentAdditionalExpenses: expenses } : {}),
    };
  }

  private ref(kind: DocumentKind, naturalKey: string, row: Row): ErpDocumentRef {
    const journal = kind === 'JOURNAL';
    let status: DocumentStatus = 'OPEN';
    if (row.Cancelled === 'tYES') status = 'CANCELLED';
    else if (row.DocumentStatus === 'bost_Close') status = 'CLOSED';
    return {
      kind,
      naturalKey,
      internalId: str(journal ? row.JdtNum : row.DocEntry),
      documentNumber: str(journal ? (row.Number ?? row.JdtNum) : row.DocNum),
      status,
    };
  }

  private docEntry(ref: ErpDocumentRef): number {
    if (!/^\d+$/.test(ref.internalId)) throw this.invalid(`not a DocEntry: ${ref.internalId}`);
    return Number(ref.internalId);
  }

  private checkKey(key: string): void {
    if (!key || key.length > SAP_B1_NATURAL_KEY_MAX)
      throw this.invalid(`natural key must have 1..${SAP_B1_NATURAL_KEY_MAX} characters: ${key}`);
  }

  /** The account's internal Code for what the company writes (Code or segmented FormatCode), cached. */
  private async accountCode(account: string): Promise<string> {
    const cached = this.accountCodes.get(account);
    if (cached) return cached;
    const q = `Code eq ${odataString(account)} or FormatCode eq ${odataString(account)}`;
    const rows = await this.getAll(
      `ChartOfAccounts?$filter=${encodeURIComponent(q)}&$select=Code,FormatCode`,
    );
    const hit = rows.find((r) => r.Code === account) ?? rows[0];
    // unknown accounts are sent as written; the Service Layer refuses them with its own code
    if (!hit) return account;
    this.accountCodes.set(account, str(hit.Code));
    return str(hit.Code);
  }

  // ---- change polling -------------------------------------------------------------------------

  /**
   * Rows changed at or after the watermark, oldest first (reference/erp/FACTS.md §1.4 pattern on UpdateDate /
   * UpdateTime), following odata.nextLink until `pageSize` unseen rows are collected.
   */
  private async readChanges(
    entity: string,
    key: string,
    select: string,
    since: ErpWatermark,
    pageSize: number,
  ): Promise<Row[]> {
    const at = since.changedAt ? new Date(since.changedAt) : new Date(0);
    const iso = at.toISOString();
    const date = iso.slice(0, 10);
    const time = iso.slice(11, 19);
    const filter = `UpdateDate gt ${odataString(date)} or (UpdateDate eq ${odataString(date)} and UpdateTime ge ${odataString(time)})`;
    const seen = new Set(since.seenKeysAtChangedAt ?? []);
    const sinceAt = changedAtOf(date, time);
    const out: Row[] = [];
    let path: string | undefined =
      `${entity}?$filter=${encodeURIComponent(filter)}&$select=${select}&$orderby=UpdateDate,UpdateTime,${key}`;
    while (path && out.length < pageSize) {
      const res = await this.send('GET', path, undefined, {
        Prefer: `odata.maxpagesize=${this.opts.serverPageSize ?? 100}`,
      });
      const body = res as Row;
      for (const r of (body.value as Row[] | undefined) ?? []) {
        if (changedAt(r) === sinceAt && seen.has(str(r[key]))) continue;
        if (out.length < pageSize) out.push(r);
      }
      const next = body['odata.nextLink'] ?? body['@odata.nextLink'];
      path = typeof next === 'string' ? next : undefined;
    }
    return out;
  }

  private page<T>(rows: Row[], since: ErpWatermark, key: string, map: (r: Row) => T): ErpPage<T> {
    if (rows.length === 0) return { items: [], watermark: since };
    const last = changedAt(rows[rows.length - 1]);
    const atLast = rows.filter((r) => changedAt(r) === last).map((r) => str(r[key]));
    const carried =
      since.changedAt && changedAtOf(since.changedAt) === last ? (since.seenKeysAtChangedAt ?? []) : [];
    return {
      items: rows.map(map),
      watermark: { changedAt: last, seenKeysAtChangedAt: [...new Set([...carried, ...atLast])] },
    };
  }

  // ---- transport ------------------------------------------------------------------------------

  private async get(path: string): Promise<Row> {
    return (await this.send('GET', path)) as Row;
  }

  /** Every row of a collection, following odata.nextLink. */
  private async getAll(path: string): Promise<Row[]> {
    const out: Row[] = [];
    let next: string | undefined = path;
    while (next) {
      const body = (await this.send('GET', next, undefined, {
        Prefer: `odata.maxpagesize=${this.opts.serverPageSize ?? 100}`,
      })) as Row;
      out.push(...((body.value as Row[] | undefined) ?? []));
      const link = body['odata.nextLink'] ?? body['@odata.nextLink'];
      next = typeof link === 'string' ? link : undefined;
    }
    return out;
  }

  private async post(path: string, body: Row): Promise<Row> {
    return (await this.send('POST', path, body)) as Row;
  }

  /** One call with the session; on 401 / 301 one fresh login and one retry (reference/erp/FACTS.md §1.1). */
  private async send(
    method: string,
    path: string,
    body?: Row,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const text = body === undefined ? undefined : stringify(body);
    await this.ensureSession();
    const used = this.cookie!;
    let res = await this.raw(method, path, text, { ...headers, cookie: used });
    if (isSessionError(res)) {
      // another call may have logged in again meanwhile: only drop the session this call used
      if (this.cookie === used) this.cookie = undefined;
      await this.ensureSession();
      res = await this.raw(method, path, text, { ...headers, cookie: this.cookie! });
      if (isSessionError(res))
        throw new ErpSessionExpiredError('SAP B1 session invalid again right after a fresh login', {
          erp: ERP,
          erpCode: '301',
          httpStatus: res.status,
        });
    }
    if (res.status >= 400) throw toError(res);
    if (res.status === 204 || res.body.length === 0) return undefined;
    return parseBody(res);
  }

  private async ensureSession(): Promise<void> {
    if (this.cookie) return;
    this.loggingIn ??= this.login().finally(() => (this.loggingIn = undefined));
    await this.loggingIn;
  }

  private async login(): Promise<void> {
    const res = await this.raw(
      'POST',
      'Login',
      JSON.stringify({
        CompanyDB: this.opts.companyDb,
        UserName: this.opts.user,
        Password: this.opts.password,
      }),
      {},
    );
    if (res.status >= 500) throw toError(res);
    if (res.status >= 400) {
      const e = errorOf(res);
      throw new ErpAuthError(
        `SAP B1 login refused for ${this.opts.user}@${this.opts.companyDb}: ${e.message}`,
        {
          erp: ERP,
          erpCode: e.code,
          httpStatus: res.status,
        },
      );
    }
    const body = parseBody(res) as Row;
    // The body's SessionId is the B1SESSION value (reference/erp/FACTS.md §1.1); ROUTEID comes only as a cookie.
    const cookies = parseSetCookie(res.headers['set-cookie'] ?? '');
    const session = cookies.B1SESSION ?? str(body.SessionId);
    if (!session) throw new ErpAuthError('SAP B1 login answered without a session', { erp: ERP });
    this.cookie = [`B1SESSION=${session}`, ...(cookies.ROUTEID ? [`ROUTEID=${cookies.ROUTEID}`] : [])].join(
      '; ',
    );
    this.logins++;
  }

  private async raw(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<HttpResponse> {
    const url = /^https?:\/\//.test(path) ? path : this.root + path;
    const timeoutMs = this.opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.opts.http.request({
          method,
          url,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          body,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      throw new ErpUnavailableError(
        `SAP B1 ${method} ${path.split('?')[0]}: ${(err as Error).message}`,
        { erp: ERP },
        {
          cause: err,
        },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private invalid(message: string): ErpValidationError {
    return new ErpValidationError(message, { erp: ERP });
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function parseBody(res: HttpResponse): unknown {
  const text = res.body.toString('utf8');
  if (!text.trim()) return undefined;
  return parse(text);
}

function errorOf(res: HttpResponse): { code?: string; message: string } {
  try {
    const b = parse(res.body.toString('utf8')) as SlErrorBody;
    const code = b.error?.code;
    const m = b.error?.message;
    return {
      code: code === undefined ? undefined : String(code),
      message: typeof m === 'string' ? m : (m?.value ?? `HTTP ${res.status}`),
    };
  } catch {
    return { message: `HTTP ${res.status}` };
  }
}

function isSessionError(res: HttpResponse): boolean {
  if (res.status === 401) return true;
  return res.status >= 400 && errorOf(res).code === '301';
}

/** SAP's answer → the port's typed error (reference/erp/FACTS.md §1.6). */
function toError(res: HttpResponse): Error {
  const e = errorOf(res);
  const detail: ErpErrorDetail = { erp: ERP, erpCode: e.code, httpStatus: res.status };
  const msg = `SAP B1 ${e.code ?? res.status}: ${e.message}`;
  if (e.code === '-2039' || res.status === 412 || res.status === 409)
    return new ErpRecordLockedError(msg, detail);
  if (res.status >= 500 || res.status === 429 || res.status === 408)
    return new ErpUnavailableError(msg, detail);
  if (res.status === 401 || res.status === 403) return new ErpAuthError(msg, detail);
  return new ErpValidationError(msg, detail);
}

function parseSetCookie(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/(?:^|[,;]\s*)(B1SESSION|ROUTEID)=([^;,\s]*)/g)) out[m[1]] = m[2]!;
  return out;
}

function amount(v: unknown): string {
  if (v === undefined || v === null) return '0';
  if (isLosslessNumber(v)) return decimal(v.toString()).toFixed();
  return decimal(str(v)).toFixed();
}

/** UpdateDate ('2024-05-01' or '2024-05-01T00:00:00Z') + UpdateTime ('14:31:07') → ISO instant (server time taken as UTC). */
function changedAtOf(date: string, time?: string): string {
  if (time === undefined) return new Date(date).toISOString();
  return `${date.slice(0, 10)}T${(time || '00:00:00').slice(0, 8)}.000Z`;
}

function changedAt(r: Row): string {
  return changedAtOf(str(r.UpdateDate), str(r.UpdateTime));
}
