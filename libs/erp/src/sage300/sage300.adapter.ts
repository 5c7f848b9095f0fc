import type { CreditNoteDraft, CustomerDraft, ErpCustomer, MasterDataProblem, MasterDataRefs } from '../port';
import { createHash } from 'node:crypto';
import { LosslessNumber, parse as parseLossless, stringify } from 'lossless-json';
import type { HttpResponse, HttpTransport } from '@connector/core';
import { decimal, sumDecimals, type MoneyDecimal } from '@connector/money';
import { SAGE300_PO_NUMBER_LENGTH, capabilitiesOf } from '../capabilities';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
  type ErpErrorDetail,
} from '../errors';
import { segmentedAccount } from '../segmented-account';
import { ServerClock, keysetPage } from '../change-reads';
import type {
  ChangeCursor,
  ChangeWindow,
  ChargeKind,
  DocumentKind,
  DocumentStatus,
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

export interface Sage300AdapterOptions {
  /** `http://host/Sage300WebApi` (the `/v1.0/-` part is added when missing) */
  baseUrl: string;
  /** company org ID, e.g. SAMLTD */
  company: string;
  /** sent upper-cased (Sage 300 user IDs are uppercase; reference/erp/FACTS.md §2.1) */
  user: string;
  /** sent upper-cased, as Sage 300 stores it (reference/erp/FACTS.md §2.1) */
  password: string;
  http: HttpTransport;
  /** per request; the transport's own timeout applies too */
  timeoutMs?: number;
  /** IC location for lines without a warehouse code (default "1") */
  defaultLocation?: string;
  /** OE miscellaneous charge code per charge kind */
  miscChargeCodes?: Partial<Record<ChargeKind, string>>;
  /** AR distribution codes of the summary invoice lines: `SALES` for item lines, one per charge kind */
  distributionCodes?: Partial<Record<ChargeKind | 'SALES', string>>;
  /** `$top` of the change-polling reads (the server pages at its own PageSize, default 100) */
  readPageSize?: number;
  /** the company's GL account structure, segment lengths (e.g. [4, 2]); see sage300Account */
  accountSegments?: readonly number[];
  /** how long the server time of the last answer stands for erpClock() before a new request (default 1 s) */
  clockMaxAgeMs?: number;
}

/** Sage 300 error envelope (reference/erp/FACTS.md §2.6). */
interface SageErrorBody {
  error?: { code?: string; message?: { value?: string } | string };
}

type Rec = Record<string, unknown>;

/**
 * A field of a parsed body as text: what `String()` gives for the scalars a body holds (its numbers are
 * LosslessNumbers, written as their digits); a nested object or array comes out as JSON, not '[object Object]'.
 */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return String(v);
  return stringify(v) ?? '';
}

const DEFAULT_MISC: Record<ChargeKind, string> = {
  SHIPPING: 'FRT',
  SHIPPING_DISCOUNT: 'FRTDSC',
  PROMOTION: 'PROMO',
  GIFT_WRAP: 'GIFTWR',
};
const DEFAULT_DIST: Record<ChargeKind | 'SALES', string> = {
  SALES: 'SALES',
  SHIPPING: 'FRT',
  SHIPPING_DISCOUNT: 'FRT',
  PROMOTION: 'PROMO',
  GIFT_WRAP: 'GIFTWR',
};

/** Batch and entry descriptions hold 60 characters ([?]). */
export const SAGE300_DESCRIPTION_LENGTH = 60;

/**
 * Where a natural key lives in a batch `Description` (60 characters). Keys that fit are stored as
 * they are; a longer key is stored as its first 43 characters, `~`, and the first 16 hex digits of
 * its SHA-256, so the same key always gives the same 60-character text and two keys sharing a
 * 43-character prefix still differ (`length`: the same rule for a field of another length, at
 * least 18; Sage 100 uses it for `CustomerPONo`). Journal keys (`<settlementId>/<marketplace>/<currency>`, about
 * 30 characters) fit as they are.
 */
export function sage300KeyText(naturalKey: string, length = SAGE300_DESCRIPTION_LENGTH): string {
  if (naturalKey.length <= length) return naturalKey;
  const hash = createHash('sha256').update(naturalKey).digest('hex').slice(0, 16);
  return `${naturalKey.slice(0, length - 17)}~${hash}`;
}

/** The unformatted account id of a formatted Sage 300 GL account (segmentedAccount). */
export function sage300Account(account: string, segments?: readonly number[]): string {
  return segmentedAccount(account, segments, 'SAGE300');
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const cut = (s: string | undefined, n = SAGE300_DESCRIPTION_LENGTH) => (s ?? '').slice(0, n);
const money = (d: MoneyDecimal | string) => new LosslessNumber(decimal(d).toFixed());
const LOCK_RE = /lock|in use|another user|being (modified|edited)/i;

/** A Sage 300 date ('2026-10-02T00:00:00Z' or '2026-10-02') as the ISO instant of its day. */
function dateAt(v: unknown): string {
  const ms = Date.parse(text(v));
  if (Number.isNaN(ms))
    throw new ErpUnavailableError(`Sage 300 sent a date that is not one: ${text(v)}`, { erp: 'SAGE300' });
  return dayOf(ms);
}

/** Midnight UTC of the day of an instant, ISO. */
function dayOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/**
 * Sage 300 through its Web API (reference/erp/FACTS.md §2): HTTP Basic with upper-cased user and password on every
 * request, one record per POST, OData reads with `@odata.nextLink` paging. Sales orders go to
 * `OE/OEOrders` (the Amazon order id in `PurchaseOrderNumber`), invoices to one-invoice AR invoice
 * batches, journals to GL journal batches, receipts to AR receipt batches (`CA`), and the natural key
 * of a batch lives in its `Description` (see sage300KeyText). OE orders take only GET and POST in the
 * 2022 API, so an order cannot be cancelled through it.
 */
export class Sage300Adapter implements ErpPort {
  readonly capabilities: ErpCapabilities = capabilitiesOf('SAGE300')!;
  private readonly root: string;
  private readonly auth: string;
  private readonly misc: Record<ChargeKind, string>;
  private readonly dist: Record<ChargeKind | 'SALES', string>;
  /** the Web API's time, from the Date header of its answers */
  private readonly clock: ServerClock;
  /** false once the server answered 404 for IC/ICLocationDetails (a 2022 server) */
  private locationDetails = true;

  constructor(private readonly opts: Sage300AdapterOptions) {
    let base = opts.baseUrl.replace(/\/+$/, '');
    if (!/\/Sage300WebApi/i.test(base)) base += '/Sage300WebApi';
    if (!/\/v1\.0\/-$/.test(base)) base += '/v1.0/-';
    this.root = `${base}/${encodeURIComponent(opts.company.toUpperCase())}`;
    this.auth = `Basic ${Buffer.from(`${opts.user.toUpperCase()}:${opts.password.toUpperCase()}`).toString('base64')}`;
    this.misc = { ...DEFAULT_MISC, ...opts.miscChargeCodes };
    this.dist = { ...DEFAULT_DIST, ...opts.distributionCodes };
    this.clock = new ServerClock(opts.clockMaxAgeMs);
  }

  // ---- transport and errors ----

  private detail(httpStatus?: number, erpCode?: string): ErpErrorDetail {
    return { erp: 'SAGE300', ...(erpCode ? { erpCode } : {}), ...(httpStatus ? { httpStatus } : {}) };
  }

  private async call(method: string, url: string, body?: unknown): Promise<Rec> {
    const what = `${method} ${url.slice(this.root.length)}`;
    let res: HttpResponse;
    try {
      const req = this.opts.http.request({
        method,
        url,
        headers: {
          Authorization: this.auth,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        ...(body !== undefined ? { body: stringify(body) ?? '' } : {}),
      });
      res = this.opts.timeoutMs ? await withTimeout(req, this.opts.timeoutMs) : await req;
      this.clock.observe(res.headers);
    } catch (err) {
      throw new ErpUnavailableError(
        `Sage 300 did not answer ${what}: ${(err as Error).message}`,
        this.detail(),
        {
          cause: err,
        },
      );
    }
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = text ? parseLossless(text, undefined, (v: string) => v) : {};
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300) {
      // a cut body or a proxy's page served with 200 is retriable; a write is looked up by key first
      if (json === undefined)
        throw new ErpUnavailableError(`Sage 300 sent no JSON for ${what}`, this.detail(res.status));
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        throw new ErpUnavailableError(
          `Sage 300 answered ${what} without a JSON object`,
          this.detail(res.status, 'MALFORMED_BODY'),
        );
      return json as Rec;
    }
    const err = (json as SageErrorBody | undefined)?.error;
    const code = err?.code;
    const message =
      typeof err?.message === 'string' ? err.message : (err?.message?.value ?? text.slice(0, 200));
    const d = this.detail(res.status, code);
    const say = `Sage 300 ${what}: ${code ?? res.status} ${message}`;
    if (res.status === 401 || res.status === 403 || code === 'Unauthorized' || code === 'Forbidden')
      throw new ErpAuthError(say, d);
    if (res.status === 409 && code !== 'RecordDuplicate') throw new ErpRecordLockedError(say, d);
    if ((code === 'General' || code === 'RecordInvalid') && LOCK_RE.test(message))
      throw new ErpRecordLockedError(say, d);
    if (res.status >= 500 || res.status === 429 || code === 'TooManyRequests')
      throw new ErpUnavailableError(say, d);
    throw new ErpValidationError(say, d);
  }

  private url(module: string, resource: string, query?: Record<string, string>): string {
    const q = query
      ? '?' +
        Object.entries(query)
          .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
          .join('&')
      : '';
    return `${this.root}/${module}/${resource}${q}`;
  }

  /** Every row of a feed, following `@odata.nextLink` (or the older `odata.nextLink`). */
  private async readAll(module: string, resource: string, query: Record<string, string>): Promise<Rec[]> {
    const rows: Rec[] = [];
    let next: string | undefined = this.url(module, resource, query);
    while (next) {
      const page = await this.call('GET', next);
      const value: unknown = page.value ?? [];
      if (!Array.isArray(value) || value.some((r) => !r || typeof r !== 'object'))
        throw new ErpUnavailableError(
          `Sage 300 answered a ${module}/${resource} page whose value is not a list of records`,
          this.detail(200, 'MALFORMED_BODY'),
        );
      rows.push(...(value as Rec[]));
      const link: unknown = page['@odata.nextLink'] ?? page['odata.nextLink'];
      next = typeof link === 'string' ? link : undefined;
    }
    return rows;
  }

  // ---- port ----

  async ping(): Promise<void> {
    await this.call('GET', this.url('AR', 'ARCustomers', { $top: '1', $select: 'CustomerNumber' }));
  }

  async findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    switch (kind) {
      case 'SALES_ORDER': {
        if (naturalKey.length > SAGE300_PO_NUMBER_LENGTH) return null;
        const rows = await this.readAll('OE', 'OEOrders', {
          $filter: `PurchaseOrderNumber eq ${quote(naturalKey)}`,
          $select: 'OrderUniquifier,OrderNumber,PurchaseOrderNumber',
        });
        return rows[0] ? this.orderRef(rows[0], naturalKey) : null;
      }
      case 'INVOICE': {
        const rows = await this.readAll('AR', 'ARInvoiceBatches', {
          $filter: `Description eq ${quote(sage300KeyText(naturalKey))}`,
        });
        return rows[0] ? this.batchRef('INVOICE', rows[0], naturalKey) : null;
      }
      case 'JOURNAL': {
        const rows = await this.readAll('GL', 'GLJournalBatches', {
          $filter: `Description eq ${quote(sage300KeyText(naturalKey))}`,
        });
        return rows[0] ? this.batchRef('JOURNAL', rows[0], naturalKey) : null;
      }
      case 'RECEIPT': {
        const rows = await this.readAll('AR', 'ARReceiptAndAdjustmentBatches', {
          $filter: `BatchRecordType eq 'CA' and Description eq ${quote(sage300KeyText(naturalKey))}`,
        });
        return rows[0] ? this.batchRef('RECEIPT', rows[0], naturalKey) : null;
      }
      case 'CREDIT_NOTE':
        return null;
    }
  }

  private orderRef(o: Rec, naturalKey: string): ErpDocumentRef {
    return {
      kind: 'SALES_ORDER',
      naturalKey,
      internalId: String(o.OrderUniquifier),
      documentNumber: String(o.OrderNumber),
      status: 'OPEN',
    };
  }

  private batchRef(kind: DocumentKind, b: Rec, naturalKey: string): ErpDocumentRef {
    const entries = (b.Invoices ?? b.JournalHeaders ?? b.ReceiptsAdjustments) as Rec[] | undefined;
    const entry = text(entries?.[0]?.EntryNumber ?? '1');
    const status = text(b.BatchStatus ?? b.Status ?? 'Open');
    const ds: DocumentStatus = /posted/i.test(status)
      ? 'CLOSED'
      : /deleted/i.test(status)
        ? 'CANCELLED'
        : 'OPEN';
    const id =
      kind === 'RECEIPT' ? `CA-${String(b.BatchNumber)}-${entry}` : `${String(b.BatchNumber)}-${entry}`;
    return { kind, naturalKey, internalId: id, documentNumber: id, status: ds };
  }

  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    if (draft.naturalKey.length > SAGE300_PO_NUMBER_LENGTH)
      throw new ErpValidationError(
        `order id ${draft.naturalKey} does not fit PurchaseOrderNumber (${SAGE300_PO_NUMBER_LENGTH} characters)`,
        this.detail(),
      );
    const body = {
      CustomerNumber: draft.customerCode,
      OrderDate: draft.documentDate,
      PurchaseOrderNumber: draft.naturalKey,
      OrderReference: cut(draft.naturalKey),
      OrderDescription: cut(draft.comments),
      ...(draft.dueDate ? { ExpectedShipDate: draft.dueDate } : {}),
      OrderDetails: [
        ...draft.lines.map((l) => ({
          LineType: 'Item',
          Item: l.itemCode,
          ...(l.description ? { Description: cut(l.description) } : {}),
          Location: l.warehouseCode ?? this.opts.defaultLocation ?? '1',
          QuantityOrdered: l.quantity,
          OrderUnitPrice: money(l.unitPrice),
          PriceOverride: true,
        })),
        ...draft.charges.map((c) => ({
          LineType: 'Miscellaneous',
          MiscellaneousChargesCode: this.misc[c.kind],
          ExtendedAmount: money(c.amount),
        })),
      ],
    };
    const o = await this.call('POST', this.url('OE', 'OEOrders'), body);
    return this.orderRef(o, draft.naturalKey);
  }

  // issue 14: written by this adapter's credit-note, customer, currency and master-data work
  createCreditNote(_draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    return Promise.reject(
      new ErpUnsupportedError('credit notes are not written yet', { erp: this.capabilities.kind }),
    );
  }
  findCustomer(_customerCode: string): Promise<ErpCustomer | null> {
    return Promise.reject(
      new ErpUnsupportedError('customers are not read yet', { erp: this.capabilities.kind }),
    );
  }
  createCustomer(_draft: CustomerDraft): Promise<ErpCustomer> {
    return Promise.reject(
      new ErpUnsupportedError('customers are not created yet', { erp: this.capabilities.kind }),
    );
  }
  exchangeRate(_currency: string, _date: string): Promise<string | null> {
    return Promise.resolve(null);
  }
  checkMasterData(_refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    return Promise.resolve([]);
  }

  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    const details = [
      ...draft.lines.map((l) => ({
        DistributionCode: this.dist.SALES,
        ExtendedAmountWithTIP: money(decimal(l.unitPrice).times(l.quantity).toDecimalPlaces(2)),
      })),
      ...draft.charges.map((c) => ({
        DistributionCode: this.dist[c.kind],
        ExtendedAmountWithTIP: money(c.amount),
      })),
    ];
    const body = {
      BatchDate: draft.documentDate,
      Description: sage300KeyText(draft.naturalKey),
      Invoices: [
        {
          CustomerNumber: draft.customerCode,
          DocumentType: 'Invoice',
          TransactionType: 'InvoiceSummaryIssued',
          DocumentDate: draft.documentDate,
          AsOfDate: draft.documentDate,
          DueDate: draft.dueDate ?? draft.documentDate,
          InvoiceType: 'Summary',
          InvoiceDetails: details,
        },
      ],
    };
    const b = await this.call('POST', this.url('AR', 'ARInvoiceBatches'), body);
    return this.batchRef('INVOICE', b, draft.naturalKey);
  }

  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    throw new ErpUnsupportedError(
      `Sage 300 Web API OE/OEOrders takes GET and POST only: order ${ref.documentNumber} must be cancelled in Sage 300`,
      this.detail(undefined, 'MethodNotAllowed'),
    );
  }

  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    const debit = sumDecimals(draft.lines.map((l) => l.debit));
    const credit = sumDecimals(draft.lines.map((l) => l.credit));
    if (!debit.eq(credit))
      throw new ErpValidationError(
        `journal ${draft.naturalKey} does not balance: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`,
        this.detail(),
      );
    const body = {
      Description: sage300KeyText(draft.naturalKey),
      JournalHeaders: [
        {
          SourceLedger: 'GL',
          SourceType: 'JE',
          Description: cut(draft.memo),
          DocumentDate: draft.postingDate,
          PostingDate: draft.postingDate,
          JournalDetails: draft.lines.map((l) => {
            const amount = money(decimal(l.debit).minus(decimal(l.credit)));
            return {
              AccountNumber: sage300Account(l.account, this.opts.accountSegments),
              Amount: amount,
              SourceCurrencyAmount: amount,
              SourceCurrency: draft.currency,
              Description: cut(l.description),
              Reference: cut(draft.reference),
            };
          }),
        },
      ],
    };
    const b = await this.call('POST', this.url('GL', 'GLJournalBatches'), body);
    return this.batchRef('JOURNAL', b, draft.naturalKey);
  }

  async createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef> {
    if (decimal(draft.amount).lte(0))
      throw new ErpValidationError(
        `receipt ${draft.naturalKey}: amount ${draft.amount} is not positive`,
        this.detail(),
      );
    const body = {
      BatchRecordType: 'CA',
      BatchDate: draft.date,
      Description: sage300KeyText(draft.naturalKey),
      BankCode: draft.bankAccount,
      DefaultBankCurrency: draft.currency,
      ReceiptsAdjustments: [
        {
          CustomerNumber: draft.customerCode,
          ReceiptDateAdjustmentDate: draft.date,
          EntryDescription: cut(draft.naturalKey),
          EntryReference: cut(draft.reference),
          BankReceiptAmount: money(draft.amount),
          CustomerReceiptAmount: money(draft.amount),
          // unapplied cash: a person applies it to the invoices ([?] value name, reference/erp/FACTS.md §2.3)
          ReceiptTransactionType: 'UnappliedCash',
        },
      ],
    };
    const b = await this.call('POST', this.url('AR', 'ARReceiptAndAdjustmentBatches'), body);
    return this.batchRef('RECEIPT', b, draft.naturalKey);
  }

  async erpClock(): Promise<string> {
    if (!this.clock.fresh())
      await this.call('GET', this.url('AR', 'ARCustomers', { $top: '1', $select: 'CustomerNumber' }));
    const now = this.clock.latest();
    if (!now) throw new ErpUnavailableError('Sage 300 answered without a Date header', this.detail());
    return now;
  }

  /**
   * One keyset page of a change window over a date field. Sage 300 offers no `$orderby`
   * (reference/erp/FACTS.md §2.4) and its last-maintained fields are dates, so every row from the
   * cursor's day to `until` is read, sorted here by (date, key), and cut after the cursor: each
   * page costs a read of the cursor's whole day. A row's changedAt is its date at 00:00Z.
   */
  private async changedIn(
    module: string,
    resource: string,
    dateField: string,
    keyField: string,
    w: ChangeWindow,
    keep: (r: Rec) => boolean = () => true,
  ): Promise<{ rows: Rec[]; next: ChangeCursor | null }> {
    if (!(w.pageSize > 0)) return { rows: [], next: null };
    const until = Date.parse(w.until);
    if (Number.isNaN(until))
      throw new ErpValidationError(`change window until is not a date: ${w.until}`, this.detail());
    const filters = [`${dateField} le datetime'${new Date(until).toISOString().slice(0, 19)}'`];
    if (w.after) {
      const at = Date.parse(w.after.changedAt);
      if (Number.isNaN(at))
        throw new ErpValidationError(`change cursor is not a date: ${w.after.changedAt}`, this.detail());
      filters.unshift(`${dateField} ge datetime'${dayOf(at).slice(0, 19)}'`);
    }
    const all = await this.readAll(module, resource, { $filter: filters.join(' and ') });
    // rows that are not wanted (not Amazon's) are dropped before the page is cut, so a page is only
    // empty when the window is
    return keysetPage(
      all.filter(keep),
      (r) => ({ changedAt: dateAt(r[dateField]), key: text(r[keyField]) }),
      w,
    );
  }

  async readItemChanges(window: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>> {
    const { rows, next } = await this.changedIn('IC', 'ICItems', 'DateLastMaintained', 'ItemNumber', window);
    const prices = await this.pricesOf(rows);
    return {
      // no quantities: stock moves do not change DateLastMaintained (reference/erp/FACTS.md §2.4)
      items: rows.map((r) => ({ ...this.itemOf(r, prices), quantities: null })),
      next,
    };
  }

  /**
   * Every item in item-number order with its base prices and stock per location. Without `$orderby`
   * each page reads the item numbers after `afterKey` and sorts them here. Quantities come from
   * `IC/ICLocationDetails`, which the 2022 Web API does not list (reference/erp/FACTS.md §2.3) and
   * newer servers are reported to serve: when the server answers 404 for it, that is remembered and
   * quantities are null (the poller then has no stock to publish from this ERP).
   */
  /** The item list of the full scan in progress, read once when it starts (Sage 300 pages by $skip only). */
  private scanRows?: Rec[];

  async scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }> {
    // Sage 300 has no $orderby (reference/erp/FACTS.md §2.4): a scan reads the item list once, in key
    // order here, and serves its pages from it; prices and stock are read fresh for each page
    if (afterKey === null || !this.scanRows) {
      const all = await this.readAll('IC', 'ICItems', {
        ...(afterKey !== null ? { $filter: `ItemNumber gt ${quote(afterKey)}` } : {}),
      });
      this.scanRows = all.sort((a, b) => (text(a.ItemNumber) < text(b.ItemNumber) ? -1 : 1));
    }
    const sorted = this.scanRows;
    const start = afterKey === null ? 0 : firstAfter(sorted, afterKey);
    const rows = sorted.slice(start, start + Math.max(0, pageSize));
    const prices = await this.pricesOf(rows);
    const stock = await this.stockOf(rows);
    const more = start + rows.length < sorted.length && rows.length > 0;
    if (!more) this.scanRows = undefined;
    return {
      items: rows.map((r) => ({
        ...this.itemOf(r, prices),
        quantities: stock ? (stock.get(text(r.ItemNumber)) ?? []) : null,
      })),
      nextKey: more ? text(rows[rows.length - 1].ItemNumber) : null,
    };
  }

  private itemOf(
    r: Rec,
    prices: Map<string, ErpItemSnapshot['prices']>,
  ): Omit<ErpItemSnapshot, 'quantities'> {
    return {
      itemCode: text(r.ItemNumber),
      ...(r.Description ? { description: text(r.Description) } : {}),
      // the item's Inactive flag (as the simulator names it; the 2022 reference names none)
      active: r.Inactive !== true && text(r.Inactive ?? '').toLowerCase() !== 'true',
      changedAt: dateAt(r.DateLastMaintained),
      prices: prices.get(text(r.UnformattedItemNumber ?? r.ItemNumber)) ?? [],
    };
  }

  /** Base prices per price list of some items, by unformatted item number. */
  private async pricesOf(rows: Rec[]): Promise<Map<string, ErpItemSnapshot['prices']>> {
    const prices = new Map<string, ErpItemSnapshot['prices']>();
    for (let i = 0; i < rows.length; i += 20) {
      const chunk = rows.slice(i, i + 20).map((r) => text(r.UnformattedItemNumber ?? r.ItemNumber));
      const pricing = await this.readAll('IC', 'ICItemPricing', {
        $filter: chunk.map((c) => `UnformattedItemNumber eq ${quote(c)}`).join(' or '),
      });
      for (const p of pricing) {
        const base = (p.ItemPricingDetails as Rec[] | undefined)?.find(
          (d) => d.PriceDetailType === 'BasePriceQuantity',
        );
        if (!base) continue;
        const key = text(p.UnformattedItemNumber);
        prices.set(key, [
          ...(prices.get(key) ?? []),
          {
            priceList: text(p.PriceListCode),
            price: decimal(text(base.UnitPrice)).toFixed(),
            currency: text(p.CurrencyCode),
          },
        ]);
      }
    }
    return prices;
  }

  /** Stock per location of some items by item number, or null when the server has no ICLocationDetails. */
  private async stockOf(rows: Rec[]): Promise<Map<string, ErpWarehouseStock[]> | null> {
    if (!this.locationDetails) return null;
    const stock = new Map<string, ErpWarehouseStock[]>();
    try {
      for (let i = 0; i < rows.length; i += 20) {
        const chunk = rows.slice(i, i + 20).map((r) => text(r.ItemNumber));
        const details = await this.readAll('IC', 'ICLocationDetails', {
          $filter: chunk.map((c) => `ItemNumber eq ${quote(c)}`).join(' or '),
        });
        for (const d of details) {
          const key = text(d.ItemNumber);
          stock.set(key, [
            ...(stock.get(key) ?? []),
            {
              warehouseCode: text(d.Location),
              onHand: decimal(text(d.QuantityOnHand ?? '0')).toFixed(),
              committed: decimal(text(d.QuantityCommitted ?? '0')).toFixed(),
            },
          ]);
        }
      }
    } catch (err) {
      // a 2022 server: the endpoint is absent (ResourceNotFound, 404); remembered for this adapter
      if (err instanceof ErpValidationError && err.detail.httpStatus === 404) {
        this.locationDetails = false;
        return null;
      }
      throw err;
    }
    for (const list of stock.values())
      list.sort((a, b) =>
        a.warehouseCode < b.warehouseCode ? -1 : a.warehouseCode > b.warehouseCode ? 1 : 0,
      );
    return stock;
  }

  /**
   * OE shipments of Amazon orders (a PO number on the shipment) changed in the window; their change
   * date is the shipment date, the only date the shipment view carries. A deleted shipment is gone
   * from the view, so it is never read.
   */
  async readShipments(window: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>> {
    const { rows, next } = await this.changedIn(
      'OE',
      'OEShipments',
      'ShipmentDate',
      'ShipmentNumber',
      window,
      (s) => text(s.PurchaseOrderNumber ?? '').trim() !== '',
    );
    return {
      items: rows.map((s) => ({
        naturalKey: text(s.PurchaseOrderNumber),
        shipmentId: text(s.ShipmentNumber),
        shipmentNumber: text(s.ShipmentNumber),
        ...(s.OrderNumber ? { erpOrderNumber: text(s.OrderNumber) } : {}),
        shippedAt: dateAt(s.ShipmentDate),
        changedAt: dateAt(s.ShipmentDate),
        ...(s.ShipViaCode ? { carrier: text(s.ShipViaCode) } : {}),
        ...(s.TrackingNumber ? { trackingNumber: text(s.TrackingNumber) } : {}),
        lines: ((s.ShipmentDetails as Rec[] | undefined) ?? [])
          .filter((l) => (l.LineType ?? 'Item') === 'Item')
          .map((l) => ({ itemCode: text(l.Item), quantity: Number(text(l.QuantityShipped)) })),
      })),
      next,
    };
  }

  async close(): Promise<void> {}
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The index of the first row whose item number sorts after `key` (rows sorted by ItemNumber). */
function firstAfter(rows: Rec[], key: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (text(rows[mid].ItemNumber) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
