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
import { toHomeCurrency } from '../fx';
import { ServerClock, keysetPage } from '../change-reads';
import type {
  ChangeCursor,
  ChangeWindow,
  ChargeKind,
  CreditNoteDraft,
  CustomerDraft,
  DocumentKind,
  DocumentStatus,
  ErpCapabilities,
  ErpCustomer,
  ErpDocumentRef,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  ErpShipmentRecord,
  ErpWarehouseStock,
  ForeignCurrency,
  InvoiceDraft,
  JournalDraft,
  MasterDataProblem,
  MasterDataRefs,
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
  /** the CS rate type of foreign-currency documents and rate reads (default `SP`, Sage's spot rate) */
  rateType?: string;
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
 * Where a natural key lives in a batch `Description` or an OE credit note's `Reference` (60
 * characters; the Reference length is [?]). Keys that fit are stored as
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

/** The internal id prefix of OE invoices and credit notes (an AR batch entry is `<batch>-<entry>`). */
const OE_PREFIX = 'OE/';

/** Codes per `$filter` of checkMasterData (joined by `or`; the URL stays well under IIS's limits). */
const MASTER_DATA_CHUNK = 25;

/** What a new customer copies from the template (the marketplace's customer). */
const TEMPLATE_FIELDS = [
  'GroupCode',
  'AccountSet',
  'Terms',
  'TaxGroup',
  'BillingCycle',
  'InterestProfile',
  'AccountType',
  'CustomerPriceList',
  'PrintStatements',
];

/**
 * Lengths of ARCUS fields a new customer fills ([?]: not in reference/erp; the ARCUS view's
 * NAMECUST 60, TEXTSNAM 10, TEXTSTRE1..4 60, NAMECITY 30, CODESTTE 30, CODEPSTL 20, CODECTRY 30).
 */
const CUSTOMER_FIELD_LENGTHS = {
  CustomerName: 60,
  ShortName: 10,
  AddressLine: 60,
  City: 30,
  StateProvince: 30,
  ZipPostalCode: 20,
  Country: 30,
} as const;

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
 * `OE/OEOrders` (the Amazon order id in `PurchaseOrderNumber`); invoices are the OE invoice of an
 * order posted shipped, or a one-invoice AR invoice batch when the order was already open in Sage 300
 * (createInvoice); credit notes go to `OE/OECreditDebitNotes` or an AR credit note (createCreditNote);
 * journals to GL journal batches, receipts to AR receipt batches (`CA`), and the natural key of a
 * batch lives in its `Description` (see sage300KeyText). OE orders take only GET and POST in the
 * 2022 API, so an order can be neither cancelled nor shipped through it once written
 * (docs/sage300.md).
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
  /** the CS rate type of foreign documents and rate reads */
  private readonly rateType: string;

  constructor(private readonly opts: Sage300AdapterOptions) {
    let base = opts.baseUrl.replace(/\/+$/, '');
    if (!/\/Sage300WebApi/i.test(base)) base += '/Sage300WebApi';
    if (!/\/v1\.0\/-$/.test(base)) base += '/v1.0/-';
    this.root = `${base}/${encodeURIComponent(opts.company.toUpperCase())}`;
    this.auth = `Basic ${Buffer.from(`${opts.user.toUpperCase()}:${opts.password.toUpperCase()}`).toString('base64')}`;
    this.misc = { ...DEFAULT_MISC, ...opts.miscChargeCodes };
    this.dist = { ...DEFAULT_DIST, ...opts.distributionCodes };
    this.clock = new ServerClock(opts.clockMaxAgeMs);
    this.rateType = opts.rateType ?? 'SP';
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
          $select: 'OrderUniquifier,OrderNumber,PurchaseOrderNumber,OrderCompleted',
        });
        return rows[0] ? this.orderRef(rows[0], naturalKey) : null;
      }
      case 'INVOICE': {
        // the OE invoice of the order (written by createInvoice, or in the desktop), else the AR batch
        if (naturalKey.length <= SAGE300_PO_NUMBER_LENGTH) {
          const oe = await this.readAll('OE', 'OEInvoices', {
            $filter: `PurchaseOrderNumber eq ${quote(naturalKey)}`,
            $select: 'InvoiceUniquifier,InvoiceNumber,PurchaseOrderNumber',
          });
          if (oe[0]) return this.oeRef('INVOICE', text(oe[0].InvoiceNumber), naturalKey);
        }
        const rows = await this.readAll('AR', 'ARInvoiceBatches', {
          $filter: `Description eq ${quote(sage300KeyText(naturalKey))}`,
        });
        return rows[0] ? this.batchRef('INVOICE', rows[0], naturalKey) : null;
      }
      case 'CREDIT_NOTE': {
        // an OE credit note keeps the key in Reference, an AR credit-note batch in its Description
        const oe = await this.readAll('OE', 'OECreditDebitNotes', {
          $filter: `Reference eq ${quote(sage300KeyText(naturalKey))}`,
          $select: 'CNUniquifier,CreditDebitNoteNumber,Reference',
        });
        if (oe[0]) return this.oeRef('CREDIT_NOTE', text(oe[0].CreditDebitNoteNumber), naturalKey);
        const rows = await this.readAll('AR', 'ARInvoiceBatches', {
          $filter: `Description eq ${quote(sage300KeyText(naturalKey))}`,
        });
        return rows[0] ? this.batchRef('CREDIT_NOTE', rows[0], naturalKey) : null;
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
    }
  }

  private orderRef(o: Rec, naturalKey: string): ErpDocumentRef {
    return {
      kind: 'SALES_ORDER',
      naturalKey,
      internalId: String(o.OrderUniquifier),
      documentNumber: String(o.OrderNumber),
      // the "order completed" field [?]: complete once shipped and invoiced in full
      status: /^complete/i.test(text(o.OrderCompleted ?? '')) ? 'CLOSED' : 'OPEN',
    };
  }

  /** An OE invoice or credit note: `OE/<number>` tells it from an AR batch entry (`<batch>-<entry>`). */
  private oeRef(kind: DocumentKind, number: string, naturalKey: string): ErpDocumentRef {
    return { kind, naturalKey, internalId: `${OE_PREFIX}${number}`, documentNumber: number, status: 'OPEN' };
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

  /**
   * The OE order body of a draft. `shipAll`: every item line shipped as it is posted
   * (`QuantityShipped` = `QuantityOrdered`) and `InvoiceWillBeProduced`, so Sage 300 makes the
   * order, its shipment and its OE invoice in one POST and the order is complete, nothing left
   * committed (Sage's own order-to-ledger sample, reference/erp/FACTS.md §2.2 [S3-SI]).
   */
  private orderBody(draft: SalesDocumentDraft, shipAll: boolean): Rec {
    if (draft.naturalKey.length > SAGE300_PO_NUMBER_LENGTH)
      throw new ErpValidationError(
        `order id ${draft.naturalKey} does not fit PurchaseOrderNumber (${SAGE300_PO_NUMBER_LENGTH} characters)`,
        this.detail(),
      );
    return {
      CustomerNumber: draft.customerCode,
      OrderDate: draft.documentDate,
      PurchaseOrderNumber: draft.naturalKey,
      OrderReference: cut(draft.naturalKey),
      OrderDescription: cut(draft.comments),
      ...(draft.dueDate ? { ExpectedShipDate: draft.dueDate } : {}),
      ...this.oeRate(draft.currency, draft.documentDate, draft.fx),
      ...(shipAll ? { InvoiceWillBeProduced: true } : {}),
      OrderDetails: [
        ...draft.lines.map((l) => ({
          LineType: 'Item',
          Item: l.itemCode,
          ...(l.description ? { Description: cut(l.description) } : {}),
          Location: l.warehouseCode ?? this.opts.defaultLocation ?? '1',
          QuantityOrdered: l.quantity,
          ...(shipAll ? { QuantityShipped: l.quantity } : {}),
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
  }

  /**
   * The rate fields of an OE document in a foreign currency (names [?]: the OE header views'
   * customer currency, rate type, rate date and rate; the 2022 samples show none). Without `fx`
   * nothing is sent and Sage 300 takes the customer's currency and its own rate table.
   */
  private oeRate(currency: string, date: string, fx?: ForeignCurrency): Rec {
    if (!fx) return {};
    return {
      CustomerCurrency: currency,
      RateType: this.rateType,
      RateDate: date,
      ExchangeRate: money(fx.rate),
    };
  }

  /** The rate fields of an AR document or receipt entry in a foreign currency (names [?]: ARIBH/ARTCR). */
  private arRate(currency: string, date: string, fx?: ForeignCurrency): Rec {
    if (!fx) return {};
    return { CurrencyCode: currency, RateType: this.rateType, RateDate: date, ExchangeRate: money(fx.rate) };
  }

  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    const o = await this.call('POST', this.url('OE', 'OEOrders'), this.orderBody(draft, false));
    return this.orderRef(o, draft.naturalKey);
  }

  /**
   * The invoice of a shipped order, by this rule:
   * 1. no OE order for the Amazon order yet: one `POST OE/OEOrders` ships every line and produces the
   *    OE invoice (orderBody `shipAll`): the order is complete, its stock leaves the location and
   *    nothing stays committed; the invoice is `OE/<invoice number>`;
   * 2. the OE order exists (written open by createSalesOrder before it shipped): the 2022 Web API
   *    cannot ship or invoice it (OE/OEOrders takes GET and POST only, no PATCH or PUT; there is no
   *    OE/OEShipments endpoint; OE/OEInvoices is GET only: reference/erp/sage300/endpoints-2022.json),
   *    so the invoice is a summary AR invoice batch (one entry, the key in the batch Description) and
   *    the OE order stays open with its stock committed until someone ships it in Sage 300.
   * (An OE invoice made in the desktop is found by findByNaturalKey before this is called.)
   */
  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    const order = draft.baseOrder ?? (await this.findByNaturalKey('SALES_ORDER', draft.naturalKey));
    if (!order) {
      const o = await this.call('POST', this.url('OE', 'OEOrders'), this.orderBody(draft, true));
      const number = text(o.LastInvoiceNumber ?? '');
      if (!number)
        throw new ErpUnavailableError(
          `Sage 300 wrote order ${text(o.OrderNumber)} for ${draft.naturalKey} shipped but answered no invoice number`,
          this.detail(201, 'MALFORMED_BODY'),
        );
      return this.oeRef('INVOICE', number, draft.naturalKey);
    }
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
          ...this.arRate(draft.currency, draft.documentDate, draft.fx),
          InvoiceDetails: this.summaryDetails(draft.lines, draft.charges),
        },
      ],
    };
    const b = await this.call('POST', this.url('AR', 'ARInvoiceBatches'), body);
    return this.batchRef('INVOICE', b, draft.naturalKey);
  }

  /** Summary AR detail lines: an item line's extension to the sales distribution, a charge to its own. */
  private summaryDetails(lines: InvoiceDraft['lines'], charges: InvoiceDraft['charges']): Rec[] {
    return [
      ...lines.map((l) => ({
        DistributionCode: this.dist.SALES,
        ExtendedAmountWithTIP: money(decimal(l.unitPrice).times(l.quantity).toDecimalPlaces(2)),
      })),
      ...charges.map((c) => ({
        DistributionCode: this.dist[c.kind],
        ExtendedAmountWithTIP: money(c.amount),
      })),
    ];
  }

  /**
   * A credit note against the invoice it reverses, the key (sage300KeyText) where the document keeps
   * a reference:
   * - an OE invoice (`OE/<number>`, rule 1 of createInvoice): `POST OE/OECreditDebitNotes` naming the
   *   invoice (`InvoiceNumber` [?]) with item lines (`QuantityReturned`, `UnitPrice`) and a credit type
   *   per line: `ItemsReturnedToInventory` when `returnToStock`, else `DamagedItems` (the goods do not
   *   come back; names [?]); charges as miscellaneous-charge lines; the key in `Reference`.
   * - an AR batch invoice (rule 2): an AR invoice batch with one `CreditNote` entry applied to the
   *   invoice's document number (`ApplyToDocument` [?]), summary lines; the key in the batch
   *   Description. No stock moves: the fallback invoice never took any out (its OE order did not ship
   *   through the API), so `returnToStock` has nothing to put back.
   * Sage 300 computes tax from the customer's tax group, so line taxes are not sent (as on orders).
   */
  async createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    const base = draft.baseInvoice;
    if (base.internalId.startsWith(OE_PREFIX)) {
      const body = {
        CustomerNumber: draft.customerCode,
        Reference: sage300KeyText(draft.naturalKey),
        Description: cut(draft.comments ?? `Amazon ${draft.reason.toLowerCase()} ${draft.naturalKey}`),
        CreditDebitNoteDate: draft.documentDate,
        CreditDebitNoteType: 'CreditNote',
        InvoiceNumber: base.documentNumber,
        ...this.oeRate(draft.currency, draft.documentDate, draft.fx),
        CreditDebitDetails: [
          ...draft.lines.map((l) => ({
            LineType: 'Item',
            Item: l.itemCode,
            Location: l.warehouseCode ?? this.opts.defaultLocation ?? '1',
            QuantityReturned: l.quantity,
            UnitPrice: money(l.unitPrice),
            ReturnType: draft.returnToStock ? 'ItemsReturnedToInventory' : 'DamagedItems',
          })),
          ...draft.charges.map((c) => ({
            LineType: 'Miscellaneous',
            MiscellaneousChargesCode: this.misc[c.kind],
            ExtendedAmountMiscellaneousCharge: money(c.amount),
          })),
        ],
      };
      const n = await this.call('POST', this.url('OE', 'OECreditDebitNotes'), body);
      return this.oeRef('CREDIT_NOTE', text(n.CreditDebitNoteNumber), draft.naturalKey);
    }
    const applyTo = await this.arDocumentNumber(base);
    const body = {
      BatchDate: draft.documentDate,
      Description: sage300KeyText(draft.naturalKey),
      Invoices: [
        {
          CustomerNumber: draft.customerCode,
          DocumentType: 'CreditNote',
          // transaction type of a summary credit note [?] (the sample shows InvoiceSummaryIssued for invoices)
          TransactionType: 'CreditNoteSummaryIssued',
          ApplyToDocument: applyTo,
          DocumentDate: draft.documentDate,
          AsOfDate: draft.documentDate,
          DueDate: draft.documentDate,
          InvoiceType: 'Summary',
          ...this.arRate(draft.currency, draft.documentDate, draft.fx),
          InvoiceDetails: this.summaryDetails(draft.lines, draft.charges),
        },
      ],
    };
    const b = await this.call('POST', this.url('AR', 'ARInvoiceBatches'), body);
    return this.batchRef('CREDIT_NOTE', b, draft.naturalKey);
  }

  /** The AR document number of an invoice written as a batch entry (`<batch>-<entry>`). */
  private async arDocumentNumber(ref: ErpDocumentRef): Promise<string> {
    const m = /^(\d+)-(\d+)$/.exec(ref.internalId);
    if (!m)
      throw new ErpValidationError(
        `invoice ${ref.documentNumber} of ${ref.naturalKey} is neither an OE invoice nor an AR batch entry`,
        this.detail(),
      );
    const b = await this.call('GET', this.url('AR', `ARInvoiceBatches(${m[1]})`));
    const entry = ((b.Invoices as Rec[] | undefined) ?? []).find((e) => text(e.EntryNumber) === m[2]);
    const number = text(entry?.DocumentNumber ?? '');
    if (!number)
      throw new ErpValidationError(
        `AR invoice batch ${m[1]} has no entry ${m[2]} with a document number`,
        this.detail(undefined, 'RecordNotFound'),
      );
    return number;
  }

  async findCustomer(customerCode: string): Promise<ErpCustomer | null> {
    const rows = await this.readAll('AR', 'ARCustomers', {
      $filter: `CustomerNumber eq ${quote(customerCode)}`,
      $select: 'CustomerNumber,CustomerName,CurrencyCode,Status',
    });
    const r = rows[0];
    if (!r) return null;
    return {
      customerCode: text(r.CustomerNumber),
      name: text(r.CustomerName ?? ''),
      ...(r.CurrencyCode ? { currency: text(r.CurrencyCode) } : {}),
      active: text(r.Status ?? 'Active') !== 'Inactive',
    };
  }

  /**
   * `POST AR/ARCustomers` copying the template customer's group, account set (which names the
   * receivables control account), terms, tax group, billing cycle, interest profile, account type and
   * price list. The name goes to `CustomerName` (60) and its first 10 characters to `ShortName`;
   * address fields are cut to their lengths (CUSTOMER_FIELD_LENGTHS, [?]): a documented cut, the
   * full address stays in the PII vault. An existing code is refused by Sage 300 (`RecordDuplicate`).
   */
  async createCustomer(draft: CustomerDraft): Promise<ErpCustomer> {
    if (draft.customerCode.length > this.capabilities.customerCodeMaxLength)
      throw new ErpValidationError(
        `customer code ${draft.customerCode} is longer than ${this.capabilities.customerCodeMaxLength} characters (Sage 300 CustomerNumber)`,
        this.detail(),
      );
    let template: Rec;
    try {
      template = await this.call('GET', this.url('AR', `ARCustomers(${quote(draft.templateCustomerCode)})`));
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.httpStatus === 404)
        throw new ErpValidationError(
          `template customer ${draft.templateCustomerCode} does not exist in Sage 300`,
          this.detail(404, 'RecordNotFound'),
          { cause: err },
        );
      throw err;
    }
    const copy = Object.fromEntries(
      TEMPLATE_FIELDS.filter((f) => template[f] !== undefined && template[f] !== null).map((f) => [
        f,
        template[f],
      ]),
    );
    const a = draft.address;
    const L = CUSTOMER_FIELD_LENGTHS;
    const address: Rec = a
      ? Object.fromEntries(
          (
            [
              ['AddressLine1', a.addressLine1, L.AddressLine],
              ['AddressLine2', a.addressLine2, L.AddressLine],
              ['AddressLine3', a.addressLine3, L.AddressLine],
              ['City', a.city, L.City],
              ['StateProvince', a.stateOrRegion, L.StateProvince],
              ['ZipPostalCode', a.postalCode, L.ZipPostalCode],
              ['Country', a.countryCode, L.Country],
            ] as const
          )
            .filter(([, v]) => v)
            .map(([k, v, n]) => [k, cut(v, n)]),
        )
      : {};
    const body = {
      ...copy,
      CustomerNumber: draft.customerCode,
      CustomerName: cut(draft.name, L.CustomerName),
      ShortName: cut(draft.name, L.ShortName),
      CurrencyCode: draft.currency,
      Status: 'Active',
      ...address,
    };
    let r: Rec;
    try {
      r = await this.call('POST', this.url('AR', 'ARCustomers'), body);
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === 'RecordDuplicate')
        throw new ErpValidationError(
          `customer ${draft.customerCode} exists already in Sage 300`,
          err.detail,
          { cause: err },
        );
      throw err;
    }
    return {
      customerCode: text(r.CustomerNumber),
      name: text(r.CustomerName ?? draft.name),
      currency: text(r.CurrencyCode ?? draft.currency),
      active: true,
    };
  }

  /**
   * The company's home currency (CS/CSCompanyProfile, property name [?]), read on every rate read:
   * Common Services can change it between two (a company is set up once, but a test company is not).
   */
  private async homeCurrency(): Promise<string> {
    const rows = await this.readAll('CS', 'CSCompanyProfile', { $select: 'HomeCurrency' });
    const h = text(rows[0]?.HomeCurrency ?? '');
    if (!h)
      throw new ErpUnavailableError('Sage 300 CS/CSCompanyProfile names no home currency', this.detail());
    return h;
  }

  /**
   * The rate of `currency` on `date` in CS/CSCurrencyRates (home currency, the adapter's rate type,
   * the source currency, that day: property names [?]), as home units per unit: a `Divide` rate is
   * turned round (to 10 decimals). "1" for the home currency, null when the table has no rate that day.
   */
  async exchangeRate(currency: string, date: string): Promise<string | null> {
    const home = await this.homeCurrency();
    if (currency === home) return '1';
    const day = date.slice(0, 10);
    const rows = await this.readAll('CS', 'CSCurrencyRates', {
      $filter: [
        `HomeCurrency eq ${quote(home)}`,
        `RateType eq ${quote(this.rateType)}`,
        `SourceCurrency eq ${quote(currency)}`,
        `RateDate eq datetime'${day}T00:00:00'`,
      ].join(' and '),
    });
    const r = rows[0];
    if (!r) return null;
    const rate = decimal(text(r.Rate));
    if (!rate.isFinite() || rate.lte(0))
      throw new ErpUnavailableError(
        `Sage 300 holds a rate for ${currency} that is not positive`,
        this.detail(),
      );
    return text(r.RateOperator ?? 'Multiply') === 'Divide'
      ? decimal('1').div(rate).toDecimalPlaces(10).toFixed()
      : rate.toFixed();
  }

  /**
   * What the ERP lacks or holds inactive: one `$filter` of up to MASTER_DATA_CHUNK codes joined by
   * `or` per request and resource (no `in` in Sage 300's filter list, reference/erp/FACTS.md §2.4),
   * reading only the key and status fields.
   */
  async checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    const problems: MasterDataProblem[] = [];
    const check = async (
      kind: MasterDataProblem['kind'],
      codes: string[],
      resource: [string, string],
      keyField: string,
      statusField: string,
      toKey: (code: string) => string,
      inactive: (r: Rec) => boolean,
    ) => {
      // a code that cannot be an ERP key (an account outside the account structure) is missing
      const keyOf = new Map<string, string>();
      for (const code of new Set(codes)) {
        try {
          keyOf.set(code, toKey(code));
        } catch (err) {
          if (!(err instanceof ErpValidationError)) throw err;
        }
      }
      const keys = [...new Set(keyOf.values())];
      const found = new Map<string, Rec>();
      for (let i = 0; i < keys.length; i += MASTER_DATA_CHUNK) {
        const chunk = keys.slice(i, i + MASTER_DATA_CHUNK);
        const rows = await this.readAll(resource[0], resource[1], {
          $filter: chunk.map((c) => `${keyField} eq ${quote(c)}`).join(' or '),
          $select: `${keyField},${statusField}`,
        });
        for (const r of rows) found.set(text(r[keyField]), r);
      }
      for (const code of new Set(codes)) {
        const key = keyOf.get(code);
        const r = key === undefined ? undefined : found.get(key);
        if (!r) problems.push({ kind, code, problem: 'MISSING' });
        else if (inactive(r)) problems.push({ kind, code, problem: 'INACTIVE' });
      }
    };
    await check(
      'CUSTOMER',
      refs.customers,
      ['AR', 'ARCustomers'],
      'CustomerNumber',
      'Status',
      (c) => c,
      (r) => text(r.Status ?? '') === 'Inactive',
    );
    await check(
      'ITEM',
      refs.items,
      ['IC', 'ICItems'],
      'ItemNumber',
      'Inactive',
      (c) => c,
      (r) => r.Inactive === true || text(r.Inactive ?? '').toLowerCase() === 'true',
    );
    await check(
      'GL_ACCOUNT',
      refs.glAccounts,
      ['GL', 'GLAccounts'],
      'UnformattedAccount',
      'Status',
      (c) => sage300Account(c, this.opts.accountSegments),
      (r) => text(r.Status ?? '') === 'Inactive',
    );
    return problems;
  }

  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    throw new ErpUnsupportedError(
      `Sage 300 Web API OE/OEOrders takes GET and POST only: order ${ref.documentNumber} must be cancelled in Sage 300`,
      this.detail(undefined, 'MethodNotAllowed'),
    );
  }

  /**
   * A GL journal batch of one entry. In the home currency each detail's `Amount` and
   * `SourceCurrencyAmount` are the signed amount (+ debit, − credit). In a foreign currency (`fx`)
   * the journal goes through toHomeCurrency: `SourceCurrencyAmount` is the foreign amount,
   * `Amount` the home amount, with `SourceCurrency`, `HomeCurrency`, `RateType`, `RateDate` and
   * `ConversionRate` (the last three names [?]: the GLJED view's rate fields); the rounding line
   * toHomeCurrency adds is a home-currency detail on the rounding account, so the entry balances
   * in both currencies.
   */
  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    const debit = sumDecimals(draft.lines.map((l) => l.debit));
    const credit = sumDecimals(draft.lines.map((l) => l.credit));
    if (!debit.eq(credit))
      throw new ErpValidationError(
        `journal ${draft.naturalKey} does not balance: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`,
        this.detail(),
      );
    const account = (a: string) => sage300Account(a, this.opts.accountSegments);
    const fx = draft.fx;
    const details = fx
      ? toHomeCurrency(draft, fx).map((l) => {
          const home = money(decimal(l.homeDebit).minus(decimal(l.homeCredit)));
          return {
            AccountNumber: account(l.account),
            Amount: home,
            ...(l.rounding
              ? { SourceCurrencyAmount: home, SourceCurrency: fx.homeCurrency }
              : {
                  SourceCurrencyAmount: money(decimal(l.debit).minus(decimal(l.credit))),
                  SourceCurrency: draft.currency,
                  RateType: this.rateType,
                  RateDate: draft.postingDate,
                  ConversionRate: money(fx.rate),
                }),
            HomeCurrency: fx.homeCurrency,
            Description: cut(l.description),
            Reference: cut(draft.reference),
          };
        })
      : draft.lines.map((l) => {
          const amount = money(decimal(l.debit).minus(decimal(l.credit)));
          return {
            AccountNumber: account(l.account),
            Amount: amount,
            SourceCurrencyAmount: amount,
            SourceCurrency: draft.currency,
            Description: cut(l.description),
            Reference: cut(draft.reference),
          };
        });
    const body = {
      Description: sage300KeyText(draft.naturalKey),
      JournalHeaders: [
        {
          SourceLedger: 'GL',
          SourceType: 'JE',
          Description: cut(draft.memo),
          DocumentDate: draft.postingDate,
          PostingDate: draft.postingDate,
          JournalDetails: details,
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
          // in a foreign currency: the receipt's rate type and rate to home (names [?])
          ...(draft.fx ? { RateType: this.rateType, ExchangeRate: money(draft.fx.rate) } : {}),
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
