import { LosslessNumber, isLosslessNumber, parse, stringify } from 'lossless-json';
import type { HttpResponse, HttpTransport } from '@connector/core';
import { decimal, sumDecimals, toScale } from '@connector/money';
import { SAP_B1_NATURAL_KEY_MAX, capabilitiesOf } from '../capabilities';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpSessionExpiredError,
  ErpUnavailableError,
  ErpValidationError,
  type ErpErrorDetail,
} from '../errors';
import { ServerClock } from '../change-reads';
import { toHomeCurrency } from '../fx';
import type {
  ChangeWindow,
  ChargeKind,
  CreditNoteDraft,
  CustomerDraft,
  ErpCustomer,
  ForeignCurrency,
  MasterDataProblem,
  MasterDataRefs,
  ShipToAddress,
  DocumentKind,
  DocumentStatus,
  ErpCapabilities,
  ErpDocumentRef,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  ErpShipmentRecord,
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
  /**
   * the company's local currency; unset, it is read once from the company (CompanyService_GetAdminInfo
   * LocalCurrency) when a foreign currency first needs it
   */
  localCurrency?: string;
  /** page size asked of the server with `Prefer: odata.maxpagesize` when following nextLinks (default 100) */
  serverPageSize?: number;
  /** how long the server time of the last answer stands for erpClock() before a new request (default 1 s) */
  clockMaxAgeMs?: number;
  /**
   * The company server's offset from UTC in minutes east (e.g. -300 for UTC-5). UpdateDate and
   * UpdateTime are the server's local time while the Date header (erpClock) is UTC: without the right
   * offset a change window ends hours off its safety lag. Default 0 (the server runs on UTC).
   */
  serverUtcOffsetMinutes?: number;
}

/**
 * Where each document kind keeps our natural key (reference/erp/FACTS.md §1.3, §1.5): NumAtCard on marketing
 * documents, Reference (OJDT.Ref1) on journal entries, Reference2 on incoming payments.
 */
export const SAP_B1_NATURAL_KEY_FIELDS: Record<DocumentKind, { entity: string; field: string }> = {
  SALES_ORDER: { entity: 'Orders', field: 'NumAtCard' },
  INVOICE: { entity: 'Invoices', field: 'NumAtCard' },
  CREDIT_NOTE: { entity: 'CreditNotes', field: 'NumAtCard' },
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
  private companyInfo?: Promise<{ localCurrency: string; direct: boolean }>;
  /** the Service Layer's time, from the Date header of its answers */
  private readonly clock: ServerClock;
  /** the server's offset from UTC, minutes east */
  private readonly offset: number;

  constructor(private readonly opts: SapB1AdapterOptions) {
    const trimmed = opts.baseUrl.replace(/\/+$/, '');
    this.root = /\/b1s\/v\d$/.test(trimmed) ? `${trimmed}/` : `${trimmed}/b1s/v1/`;
    this.clock = new ServerClock(opts.clockMaxAgeMs);
    this.offset = opts.serverUtcOffsetMinutes ?? 0;
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
    const body = { ...this.documentBody(draft), ...(await this.rateFields(draft)) };
    const created = await this.post('Orders', body);
    return this.ref('SALES_ORDER', draft.naturalKey, created);
  }

  /**
   * An A/R credit note (CreditNotes, ORIN) based on the invoice it reverses: each line copies an
   * invoice line (BaseType 13, BaseEntry = the invoice's DocEntry, BaseLine = its LineNum), which
   * links the two and closes the invoice line once credited in full; SAP refuses a quantity beyond
   * what is left to credit on the line. Refunded shipping and other charges go in
   * DocumentAdditionalExpenses, tax in each line's TaxTotal and each expense's TaxSum. A line whose
   * goods do not come back (`returnToStock` false: FBA returns, refunds without a return) is sent
   * "without inventory movement" (DocumentLine.WithoutInventoryMovement = RIN1.NoInvtryMv, present
   * in the 9.3/10.0 Service Layer metadata of 2019, reference/erp/sap-b1/entities-subset.json).
   *
   * Like createInvoice, the first try takes draft line i as invoice line i, which holds when the
   * whole invoice is credited (a cancellation after invoicing) and costs no read. When SAP refuses
   * those base lines, the invoice is read and each line matched to an invoice line with enough left
   * to credit, by the Amazon order item id kept in FreeText, then by item; a line that finds none is
   * the first refusal, thrown: a credit note never stands alone, or it could credit more than was
   * invoiced. The natural key (`<amazonOrderId>/<refundId>`, at most 29 characters) fits NumAtCard
   * (100): it is stored whole.
   */
  async createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    if (draft.lines.length === 0)
      throw this.invalid(
        `credit note ${draft.naturalKey}: SAP B1 credits an invoice line by line, and this one has no item line`,
      );
    const entry = this.docEntry(draft.baseInvoice);
    const body: Row = {
      ...this.documentBody({
        ...draft,
        comments: draft.comments ?? `Amazon ${draft.reason.toLowerCase()} ${draft.naturalKey}`,
      }),
      ...(await this.rateFields(draft)),
    };
    const noMove = draft.returnToStock ? {} : { WithoutInventoryMovement: 'tYES' };
    const lines = (body.DocumentLines as Row[]).map((l) => ({ ...l, ...noMove }));
    let refused: ErpValidationError;
    try {
      return this.ref(
        'CREDIT_NOTE',
        draft.naturalKey,
        await this.post('CreditNotes', {
          ...body,
          DocumentLines: lines.map((l, i) => ({ ...l, BaseType: 13, BaseEntry: entry, BaseLine: i })),
        }),
      );
    } catch (err) {
      // refused as a whole, so nothing was written: match the lines to what the invoice holds now
      if (!(err instanceof ErpValidationError)) throw err;
      refused = err;
    }
    let invoice: Row;
    try {
      invoice = await this.get(
        `Invoices(${entry})?$select=DocEntry,DocNum,DocumentStatus,Cancelled,DocumentLines`,
      );
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.httpStatus === 404)
        throw new ErpValidationError(
          `credit note ${draft.naturalKey}: invoice ${draft.baseInvoice.documentNumber} (DocEntry ${entry}) is not in SAP B1`,
          err.detail,
          { cause: err },
        );
      throw err;
    }
    if (invoice.Cancelled === 'tYES')
      throw this.invalid(`credit note ${draft.naturalKey}: invoice ${str(invoice.DocNum)} is cancelled`);
    const open = ((invoice.DocumentLines as Row[] | undefined) ?? []).filter(
      (l) => l.LineStatus !== 'bost_Close',
    );
    const left = new Map(open.map((l) => [l, decimal(amount(l.RemainingOpenQuantity))]));
    const based: Row[] = [];
    for (const [i, line] of lines.entries()) {
      const want = draft.lines[i];
      const qty = decimal(String(want.quantity));
      const fits = (l: Row) => l.ItemCode === want.itemCode && left.get(l)!.gte(qty);
      const base =
        (want.sourceLineId !== undefined
          ? open.find((l) => l.FreeText === want.sourceLineId && fits(l))
          : undefined) ?? open.find(fits);
      if (!base) throw refused;
      left.set(base, left.get(base)!.minus(qty));
      based.push({ ...line, BaseType: 13, BaseEntry: entry, BaseLine: Number(str(base.LineNum)) });
    }
    const created = await this.post('CreditNotes', { ...body, DocumentLines: based });
    return this.ref('CREDIT_NOTE', draft.naturalKey, created);
  }

  /** The business partner with this CardCode (reference/erp/FACTS.md §1.3 BusinessPartners), or null. */
  async findCustomer(customerCode: string): Promise<ErpCustomer | null> {
    if (!customerCode) return null;
    try {
      const row = await this.get(
        `${bpPath(customerCode)}?$select=CardCode,CardName,CardType,Currency,Valid,Frozen`,
      );
      return customerOf(row);
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.httpStatus === 404) return null;
      throw err;
    }
  }

  /**
   * A customer per buyer (`POST /BusinessPartners`, CardType cCustomer), with the template
   * customer's group, payment terms, receivable (DebitorAccount), price list, sales employee and
   * tax fields, and its currency when it takes all ('##'; otherwise the draft's currency). The
   * address, when given, is written as a bill-to and a ship-to row of BPAddresses, each field cut to
   * its OCRD/CRD1 column (CardName 100, Street/Block/BuildingFloorRoom/City/County 100, ZipCode 20;
   * a state or region longer than State's 3 characters goes to County). A code that exists is
   * refused by SAP (-10) and thrown as ErpValidationError saying so.
   */
  async createCustomer(draft: CustomerDraft): Promise<ErpCustomer> {
    const max = this.capabilities.customerCodeMaxLength;
    if (!draft.customerCode || draft.customerCode.length > max)
      throw this.invalid(
        `customer code must have 1..${max} characters (OCRD.CardCode): ${draft.customerCode}`,
      );
    let template: Row;
    try {
      template = await this.get(`${bpPath(draft.templateCustomerCode)}?$select=${TEMPLATE_FIELDS.join(',')}`);
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.httpStatus === 404)
        throw new ErpValidationError(
          `template customer ${draft.templateCustomerCode} is not in SAP B1`,
          err.detail,
          { cause: err },
        );
      throw err;
    }
    const copied = Object.fromEntries(
      TEMPLATE_FIELDS.filter(
        (f) => f !== 'CardCode' && f !== 'Currency' && template[f] !== undefined && template[f] !== null,
      ).map((f) => [f, template[f]]),
    );
    const currency = template.Currency === '##' ? '##' : draft.currency;
    const body: Row = {
      ...copied,
      CardCode: draft.customerCode,
      CardName: cut(draft.name, 100),
      CardType: 'cCustomer',
      Currency: currency,
      ...(draft.address ? addressFields(draft.address) : {}),
    };
    try {
      const created = await this.post('BusinessPartners', body);
      return customerOf(created);
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === '-10')
        throw new ErpValidationError(`customer ${draft.customerCode} already exists in SAP B1`, err.detail, {
          cause: err,
        });
      throw err;
    }
  }

  /**
   * The company's rate for `currency` on `date` (SBOBobService_GetCurrencyRate {Currency, Date:
   * YYYYMMDD}, the rate table ORTT), as home units per unit: "1" for the local currency, null when
   * the table has no rate that day (SAP -4006 [3P], or a rate of 0). A company quoting rates
   * indirectly (AdminInfo DirectIndirectRate tNO: foreign units per local unit) has its rate
   * inverted, to 10 decimals.
   */
  async exchangeRate(currency: string, date: string): Promise<string | null> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw this.invalid(`not a date (YYYY-MM-DD): ${date}`);
    const company = await this.company();
    if (currency === company.localCurrency) return '1';
    let answer: unknown;
    try {
      answer = await this.send('POST', 'SBOBobService_GetCurrencyRate', {
        Currency: currency,
        Date: date.replace(/-/g, ''),
      });
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === '-4006') return null;
      throw err;
    }
    // JSON light wraps a primitive as {"value": …}; some servers are reported to answer the bare number
    const value =
      answer && typeof answer === 'object' && !Array.isArray(answer) ? (answer as Row).value : answer;
    const rate = decimal(amount(value));
    if (!rate.gt(0)) return null;
    return company.direct ? rate.toFixed() : decimal('1').div(rate).toDecimalPlaces(10).toFixed();
  }

  /**
   * Which customers, items and G/L accounts SAP lacks or holds inactive, read 20 codes per request
   * (`$filter=Code eq 'a' or Code eq 'b' …`, the server's nextLink pages followed): a customer or an
   * item is inactive when not Valid or Frozen (items also when not a sales item), an account when it
   * is a title (ActiveAccount tNO) or frozen. Accounts are found by Code or by FormatCode (the
   * segmented code the company writes).
   */
  async checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    const out: MasterDataProblem[] = [];
    const inactive = (r: Row) => r.Valid === 'tNO' || r.Frozen === 'tYES';
    await this.checkCodes(
      out,
      'CUSTOMER',
      refs.customers,
      'BusinessPartners',
      ['CardCode'],
      'CardCode,Valid,Frozen',
      inactive,
    );
    await this.checkCodes(
      out,
      'ITEM',
      refs.items,
      'Items',
      ['ItemCode'],
      'ItemCode,Valid,Frozen,SalesItem',
      (r) => inactive(r) || r.SalesItem === 'tNO',
    );
    await this.checkCodes(
      out,
      'GL_ACCOUNT',
      refs.glAccounts,
      'ChartOfAccounts',
      ['Code', 'FormatCode'],
      'Code,FormatCode,ActiveAccount,FrozenFor',
      (r) => r.ActiveAccount === 'tNO' || r.FrozenFor === 'tYES',
    );
    return out;
  }

  /**
   * An invoice, copied from its sales order when there is one (reference/erp/FACTS.md §1.3:
   * BaseType 17 / BaseEntry / BaseLine closes the order line). The order was written by this
   * adapter from the same Amazon order, so its line i is draft line i: the invoice is posted with
   * those base lines straight away, without reading the order. When SAP refuses them (someone
   * changed or closed the order), the order's open lines are read and matched by item, and an order
   * no longer open leaves the invoice standing alone.
   */
  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    const body = { ...this.documentBody(draft), ...(await this.rateFields(draft)) };
    if (draft.baseOrder) {
      const entry = this.docEntry(draft.baseOrder);
      const byIndex = (body.DocumentLines as Row[]).map((line, i) => ({
        ...line,
        BaseType: 17,
        BaseEntry: entry,
        BaseLine: i,
      }));
      try {
        return this.ref(
          'INVOICE',
          draft.naturalKey,
          await this.post('Invoices', { ...body, DocumentLines: byIndex }),
        );
      } catch (err) {
        // refused as a whole, so nothing was written: copy from what the order holds now
        if (!(err instanceof ErpValidationError)) throw err;
      }
      const order = await this.get(
        `Orders(${entry})?$select=DocEntry,DocumentStatus,Cancelled,DocumentLines`,
      );
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
    const local = draft.fx || draft.currency !== this.opts.localCurrency ? await this.company() : undefined;
    const foreign = local !== undefined && draft.currency !== local.localCurrency;
    const lines: Row[] = [];
    if (foreign && draft.fx) {
      // both currencies: the local amounts converted at the draft's rate, the rounding left by
      // converting line by line on one more line in the local currency only (fx.ts toHomeCurrency)
      this.checkHome(draft.fx, local.localCurrency);
      for (const l of toHomeCurrency(draft, draft.fx)) {
        lines.push({
          AccountCode: await this.accountCode(l.account),
          ...(l.customerCode ? { ShortName: l.customerCode } : {}),
          Debit: num(l.homeDebit),
          Credit: num(l.homeCredit),
          ...(l.rounding
            ? {}
            : { FCCurrency: draft.currency, FCDebit: num(l.debit), FCCredit: num(l.credit) }),
          LineMemo: l.description,
        });
      }
    } else
      for (const l of draft.lines) {
        const account = await this.accountCode(l.account);
        lines.push({
          AccountCode: account,
          // a receivable line goes through the business partner, as SAP wants of a control account
          ...(l.customerCode ? { ShortName: l.customerCode } : {}),
          // without a rate SAP converts the foreign amounts at its own rate of the ReferenceDate
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
      // SAP keeps no rate on a journal entry: the one converted at is said in Reference3 (OJDT.Ref3, 27 characters)
      ...(foreign && draft.fx ? fxReference(draft.currency, draft.fx) : {}),
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
      ...(await this.rateFields(draft)),
      TransferAccount: draft.bankAccount,
      TransferSum: num(draft.amount),
      TransferDate: draft.date,
      TransferReference: draft.reference,
      Reference2: draft.naturalKey,
      Remarks: `Amazon ${draft.naturalKey}`,
    });
    return this.ref('RECEIPT', draft.naturalKey, created);
  }

  async erpClock(): Promise<string> {
    if (!this.clock.fresh()) await this.get('Items?$select=ItemCode&$top=1');
    const now = this.clock.latest();
    if (!now) throw new ErpUnavailableError('SAP B1 answered without a Date header', { erp: ERP });
    return now;
  }

  async readItemChanges(window: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>> {
    // no ItemWarehouseInfoCollection: stock moves do not bump UpdateDate (reference/erp/FACTS.md §1.4),
    // so quantities come from scanItems only
    const rows = await this.readWindow('Items', 'ItemCode', `${ITEM_FIELDS},UpdateDate,UpdateTime`, window);
    const items = rows.map((r) => ({ ...itemOf(r, this.offset), quantities: null }));
    const last = rows[rows.length - 1];
    return {
      items,
      next: last ? { changedAt: changedAt(last, this.offset), key: str(last.ItemCode) } : null,
    };
  }

  async scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }> {
    if (!(pageSize > 0)) return { items: [], nextKey: null };
    const filter =
      afterKey === null ? '' : `$filter=${encodeURIComponent(`ItemCode gt ${odataString(afterKey)}`)}&`;
    // one row more than asked tells whether another page follows
    const rows = await this.getAll(
      `Items?${filter}$select=${ITEM_FIELDS},UpdateDate,UpdateTime,ItemWarehouseInfoCollection&$orderby=ItemCode&$top=${pageSize + 1}`,
    );
    const page = rows.slice(0, pageSize);
    const items = page.map((r) => ({
      ...itemOf(r, this.offset),
      quantities: ((r.ItemWarehouseInfoCollection as Row[] | undefined) ?? []).map((w) => ({
        warehouseCode: str(w.WarehouseCode),
        onHand: amount(w.InStock),
        committed: amount(w.Committed),
      })),
    }));
    return { items, nextKey: rows.length > pageSize ? str(page[page.length - 1].ItemCode) : null };
  }

  async readShipments(window: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>> {
    // cancelled deliveries and deliveries without a customer reference (not Amazon's) are filtered by
    // the server, so that a page is never emptied here while rows remain in the window
    const rows = await this.readWindow(
      'DeliveryNotes',
      'DocEntry',
      'DocEntry,DocNum,DocDate,NumAtCard,TrackingNumber,TransportationCode,UpdateDate,UpdateTime,DocumentLines',
      window,
      `Cancelled eq 'tNO' and NumAtCard ne null and NumAtCard ne ''`,
    );
    const orderNumbers = await this.orderNumbers(rows);
    const items = rows.map((r): ErpShipmentRecord => {
      const lines = (r.DocumentLines as Row[] | undefined) ?? [];
      const base = lines.map((l) =>
        l.BaseType !== undefined && str(l.BaseType) === '17' ? str(l.BaseEntry) : '',
      );
      const order = base.map((b) => orderNumbers.get(b)).find((n) => n !== undefined);
      const trsp = str(r.TransportationCode);
      return {
        naturalKey: str(r.NumAtCard),
        shipmentId: str(r.DocEntry),
        shipmentNumber: str(r.DocNum),
        ...(order !== undefined ? { erpOrderNumber: order } : {}),
        shippedAt: `${str(r.DocDate).slice(0, 10)}T00:00:00.000Z`,
        changedAt: changedAt(r, this.offset),
        // TransportationCode (OSHP TrnspCode) is -1 when none is chosen
        ...(trsp && trsp !== '-1' ? { carrier: trsp } : {}),
        ...(r.TrackingNumber ? { trackingNumber: str(r.TrackingNumber) } : {}),
        lines: lines.map((l) => ({ itemCode: str(l.ItemCode), quantity: Number(str(l.Quantity)) })),
      };
    });
    const last = rows[rows.length - 1];
    return {
      items,
      next: last ? { changedAt: changedAt(last, this.offset), key: str(last.DocEntry) } : null,
    };
  }

  /** DocNum of the orders the deliveries were copied from (BaseType 17), by DocEntry. */
  private async orderNumbers(deliveries: Row[]): Promise<Map<string, string>> {
    const entries = new Set<string>();
    for (const d of deliveries)
      for (const l of (d.DocumentLines as Row[] | undefined) ?? [])
        if (l.BaseType !== undefined && str(l.BaseType) === '17' && /^\d+$/.test(str(l.BaseEntry)))
          entries.add(str(l.BaseEntry));
    const out = new Map<string, string>();
    const all = [...entries];
    for (let i = 0; i < all.length; i += 20) {
      const q = all
        .slice(i, i + 20)
        .map((e) => `DocEntry eq ${e}`)
        .join(' or ');
      for (const o of await this.getAll(`Orders?$filter=${encodeURIComponent(q)}&$select=DocEntry,DocNum`))
        out.set(str(o.DocEntry), str(o.DocNum));
    }
    return out;
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

  private documentBody(
    draft: Pick<
      SalesDocumentDraft,
      | 'naturalKey'
      | 'customerCode'
      | 'currency'
      | 'documentDate'
      | 'dueDate'
      | 'comments'
      | 'lines'
      | 'charges'
    >,
  ): Row {
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

  /**
   * DocRate for a document in a foreign currency with a rate (DocCurrency is in the body already):
   * the draft's rate as SAP quotes it (direct: local units per unit; indirect companies: its inverse,
   * to 6 decimals). Without a rate SAP takes its own rate of the DocDate. A draft whose home currency
   * is not the company's local currency is refused.
   */
  private async rateFields(draft: { currency: string; fx?: ForeignCurrency }): Promise<Row> {
    if (!draft.fx) return {};
    const company = await this.company();
    this.checkHome(draft.fx, company.localCurrency);
    if (draft.currency === company.localCurrency) return {};
    const rate = decimal(draft.fx.rate);
    if (!rate.isFinite() || !rate.gt(0))
      throw this.invalid(`exchange rate ${draft.fx.rate} for ${draft.currency} is not a positive number`);
    return { DocRate: num(company.direct ? rate.toFixed() : toScale(decimal('1').div(rate), 6)) };
  }

  private checkHome(fx: ForeignCurrency, localCurrency: string): void {
    if (fx.homeCurrency !== localCurrency)
      throw this.invalid(
        `the draft converts into ${fx.homeCurrency}, but the company's local currency is ${localCurrency}`,
      );
  }

  /**
   * The company's local currency and rate quotation, read once (CompanyService_GetAdminInfo:
   * LocalCurrency = OADM.MainCurncy, DirectIndirectRate = OADM.DirectRate) unless configured. A
   * change of local currency on a live company is not followed: it never changes once posted to.
   */
  private company(): Promise<{ localCurrency: string; direct: boolean }> {
    if (this.opts.localCurrency)
      return Promise.resolve({ localCurrency: this.opts.localCurrency, direct: true });
    this.companyInfo ??= this.post('CompanyService_GetAdminInfo', {}).then(
      (r) => {
        const localCurrency = str(r.LocalCurrency);
        if (!localCurrency)
          throw new ErpUnavailableError('SAP B1 answered AdminInfo without LocalCurrency', {
            erp: ERP,
            erpCode: 'MALFORMED_BODY',
          });
        return { localCurrency, direct: r.DirectIndirectRate !== 'tNO' };
      },
      (err: unknown) => {
        this.companyInfo = undefined;
        throw err;
      },
    );
    return this.companyInfo;
  }

  /** Master data of one kind, 20 codes per `$filter`: what is missing, and what `isInactive` says. */
  private async checkCodes(
    out: MasterDataProblem[],
    kind: MasterDataProblem['kind'],
    codes: string[],
    entity: string,
    keys: string[],
    select: string,
    isInactive: (r: Row) => boolean,
  ): Promise<void> {
    const all = [...new Set(codes.filter((c) => c !== ''))];
    for (let i = 0; i < all.length; i += MASTER_DATA_BATCH) {
      const batch = all.slice(i, i + MASTER_DATA_BATCH);
      const q = batch.flatMap((c) => keys.map((k) => `${k} eq ${odataString(c)}`)).join(' or ');
      const rows = await this.getAll(`${entity}?$filter=${encodeURIComponent(q)}&$select=${select}`);
      for (const code of batch) {
        const row = rows.find((r) => keys.some((k) => r[k] === code));
        if (!row) out.push({ kind, code, problem: 'MISSING' });
        else if (isInactive(row)) out.push({ kind, code, problem: 'INACTIVE' });
      }
    }
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
   * One keyset page of a change window (reference/erp/FACTS.md §1.4 pattern on UpdateDate /
   * UpdateTime, extended by the key): rows strictly after the cursor and at or before `until`,
   * ordered by UpdateDate, UpdateTime and the key, `$top` = page size, following odata.nextLink
   * when the server pages smaller. UpdateTime has whole seconds, so `until` is cut to its second.
   */
  private async readWindow(
    entity: string,
    key: 'ItemCode' | 'DocEntry',
    select: string,
    w: ChangeWindow,
    also?: string,
  ): Promise<Row[]> {
    if (!(w.pageSize > 0)) return [];
    const until = new Date(w.until);
    if (Number.isNaN(until.getTime())) throw this.invalid(`change window until is not a date: ${w.until}`);
    const [ud, ut] = dateAndTime(until.getTime(), this.offset);
    const parts = [
      `(UpdateDate lt ${odataString(ud)} or (UpdateDate eq ${odataString(ud)} and UpdateTime le ${odataString(ut)}))`,
    ];
    if (w.after) {
      const at = new Date(w.after.changedAt);
      if (Number.isNaN(at.getTime())) throw this.invalid(`change cursor is not a date: ${w.after.changedAt}`);
      const [d, t] = dateAndTime(at.getTime(), this.offset);
      const k = key === 'DocEntry' ? docEntryLiteral(w.after.key) : odataString(w.after.key);
      parts.push(
        `(UpdateDate gt ${odataString(d)} or (UpdateDate eq ${odataString(d)} and (UpdateTime gt ${odataString(t)} or (UpdateTime eq ${odataString(t)} and ${key} gt ${k}))))`,
      );
    }
    if (also) parts.push(`(${also})`);
    const rows = await this.getAll(
      `${entity}?$filter=${encodeURIComponent(parts.join(' and '))}&$select=${select}&$orderby=UpdateDate,UpdateTime,${key}&$top=${w.pageSize}`,
    );
    return rows.slice(0, w.pageSize);
  }

  // ---- transport ------------------------------------------------------------------------------

  private async get(path: string): Promise<Row> {
    return objectOf(await this.send('GET', path));
  }

  /** Every row of a collection, following odata.nextLink. */
  private async getAll(path: string): Promise<Row[]> {
    const out: Row[] = [];
    let next: string | undefined = path;
    while (next) {
      const body = (await this.send('GET', next, undefined, {
        Prefer: `odata.maxpagesize=${this.opts.serverPageSize ?? 100}`,
      })) as Row | undefined;
      const page = objectOf(body);
      if (page.value !== undefined && !Array.isArray(page.value))
        throw new ErpUnavailableError('SAP B1 answered a collection whose value is not a list', {
          erp: ERP,
          erpCode: 'MALFORMED_BODY',
        });
      for (const row of (page.value as unknown[] | undefined) ?? []) out.push(objectOf(row));
      const link = page['odata.nextLink'] ?? page['@odata.nextLink'];
      next = typeof link === 'string' ? link : undefined;
    }
    return out;
  }

  private async post(path: string, body: Row): Promise<Row> {
    return objectOf(await this.send('POST', path, body));
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
      const res = await Promise.race([
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
      this.clock.observe(res.headers);
      return res;
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

/**
 * A success's JSON. A body that is not JSON (cut in transit, an IIS or proxy page served with 200) is
 * ErpUnavailableError: retriable, and a write retried after it is found by its natural key first.
 */
function parseBody(res: HttpResponse): unknown {
  const text = res.body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return parse(text);
  } catch (err) {
    throw new ErpUnavailableError(
      `SAP B1 answered ${res.status} with a body that is not JSON (${text.length} characters)`,
      { erp: ERP, erpCode: 'MALFORMED_BODY', httpStatus: res.status },
      { cause: err },
    );
  }
}

/** A success's JSON object; anything else (null, an array, a string, nothing) is a malformed answer. */
function objectOf(body: unknown): Row {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Row;
  throw new ErpUnavailableError('SAP B1 answered without the JSON object expected', {
    erp: ERP,
    erpCode: 'MALFORMED_BODY',
  });
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

/**
 * UpdateDate ('2024-05-01' or '2024-05-01T00:00:00Z') + UpdateTime ('14:31:07'), the server's local
 * time, → ISO instant: local time minus the server's offset from UTC (minutes east).
 */
function changedAt(r: Row, offsetMinutes: number): string {
  const local = Date.parse(
    `${str(r.UpdateDate).slice(0, 10)}T${(str(r.UpdateTime) || '00:00:00').slice(0, 8)}.000Z`,
  );
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

/** An instant (epoch ms) → the server's local UpdateDate and UpdateTime literals' text, cut to the second. */
function dateAndTime(ms: number, offsetMinutes: number): [string, string] {
  const iso = new Date(ms + offsetMinutes * 60_000).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 19)];
}

function docEntryLiteral(key: string): string {
  if (!/^\d+$/.test(key))
    throw new ErpValidationError(`change cursor key is not a DocEntry: ${key}`, { erp: ERP });
  return key;
}

/** Codes per master-data read: 20 `eq` terms (40 for accounts, by Code or FormatCode) keep the URL short. */
const MASTER_DATA_BATCH = 20;

/** What a customer per buyer copies from its template customer (reference/erp/sap-b1/entities-subset.json BusinessPartner). */
const TEMPLATE_FIELDS = [
  'CardCode',
  'GroupCode',
  'PayTermsGrpCode',
  'DebitorAccount',
  'Currency',
  'PriceListNum',
  'SalesPersonCode',
  'VatGroup',
  'VatLiable',
];

/** `FX CAD/USD 0.7312`: the rate a journal was converted at, when it fits Reference3 (27 characters). */
export function fxReference(currency: string, fx: ForeignCurrency): { Reference3?: string } {
  const ref = `FX ${currency}/${fx.homeCurrency} ${fx.rate}`;
  return ref.length <= 27 ? { Reference3: ref } : {};
}

/** `BusinessPartners('C''1')`, the key quoted as an OData string and escaped for the path. */
function bpPath(code: string): string {
  return `BusinessPartners(${encodeURIComponent(odataString(code))})`;
}

function customerOf(r: Row): ErpCustomer {
  const currency = str(r.Currency);
  return {
    customerCode: str(r.CardCode),
    name: str(r.CardName),
    // '##' is "all currencies": no one currency
    ...(currency && currency !== '##' ? { currency } : {}),
    active: r.Valid !== 'tNO' && r.Frozen !== 'tYES',
  };
}

/** A text cut to its column's length (a documented cut: the columns below are the rule). */
function cut(v: string | undefined, max: number): string | undefined {
  return v === undefined ? undefined : v.slice(0, max);
}

/** The buyer's address as a bill-to and a ship-to row, both named "Amazon", and made the defaults. */
function addressFields(a: ShipToAddress): Row {
  const state = a.stateOrRegion;
  const row = Object.fromEntries(
    Object.entries({
      AddressName: 'Amazon',
      AddressName2: cut(a.name, 50),
      Street: cut(a.addressLine1, 100),
      Block: cut(a.addressLine2, 100),
      BuildingFloorRoom: cut(a.addressLine3, 100),
      City: cut(a.city, 100),
      ZipCode: cut(a.postalCode, 20),
      ...(state !== undefined && state.length <= 3 ? { State: state } : { County: cut(state, 100) }),
      Country: cut(a.countryCode, 3),
    }).filter(([, v]) => v !== undefined && v !== ''),
  );
  return {
    BPAddresses: [
      { ...row, AddressType: 'bo_BillTo' },
      { ...row, AddressType: 'bo_ShipTo' },
    ],
    BilltoDefault: 'Amazon',
    ShipToDefault: 'Amazon',
  };
}

const ITEM_FIELDS = 'ItemCode,ItemName,Valid,Frozen,ItemPrices';

/** An item's master data and prices; `active` is Valid and not Frozen (reference/erp/FACTS.md §1.3). */
function itemOf(r: Row, offsetMinutes: number): Omit<ErpItemSnapshot, 'quantities'> {
  return {
    itemCode: str(r.ItemCode),
    ...(r.ItemName === undefined || r.ItemName === null ? {} : { description: str(r.ItemName) }),
    active: r.Valid !== 'tNO' && r.Frozen !== 'tYES',
    changedAt: changedAt(r, offsetMinutes),
    prices: ((r.ItemPrices as Row[] | undefined) ?? []).map((p) => ({
      priceList: str(p.PriceList),
      price: amount(p.Price),
      currency: str(p.Currency),
    })),
  };
}
