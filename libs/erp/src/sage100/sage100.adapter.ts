import * as soap from 'soap';
import { backoffDelay, type HttpResponse, type HttpTransport } from '@connector/core';
import { decimal, sumDecimals } from '@connector/money';
import { agentHeaders } from '@connector/sage100-agent-core';
import { SAGE100_PO_NUMBER_LENGTH, capabilitiesOf } from '../capabilities';
import { ServerClock, keysetPage } from '../change-reads';
import { InMemorySage100OrderNumbers, type Sage100OrderNumberStore } from './order-numbers';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
  type ErpErrorDetail,
} from '../errors';
import { segmentedAccount } from '../segmented-account';
import { sage300KeyText } from '../sage300/sage300.adapter';
import type {
  ChangeWindow,
  ChargeKind,
  CreditNoteDraft,
  CustomerDraft,
  DocumentCharge,
  ErpCustomer,
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

export interface Sage100AdapterOptions {
  /** the eBusiness Web Services endpoint, e.g. `https://sage.example.com/Sage100eBusiness/Service.svc` */
  serviceUrl: string;
  /** where the WSDL is read (default `<serviceUrl>?wsdl`): the adapter is driven by the customer's WSDL */
  wsdlUrl?: string;
  /** company code, e.g. ABC */
  company: string;
  /** a Sage 100 user enabled for web services */
  user: string;
  password: string;
  http: HttpTransport;
  /** per SOAP call; the transport's own timeout applies too */
  timeoutMs?: number;
  /** where drawn order numbers are recorded (see Sage100OrderNumberStore); default: this process's memory */
  orderNumbers?: Sage100OrderNumberStore;
  /** AR division of a customer code without one (`AMZUS` → `01-AMZUS`); default 01 */
  defaultArDivision?: string;
  /** warehouse of lines without one (default 000) */
  defaultWarehouse?: string;
  /** `CustomerPONo` length of the customer's Sage 100 version (15–30, FACTS §3.3; default 30) */
  customerPoLength?: number;
  /**
   * Longest `CustomerNo` of the company: 7 (default, classic) or up to 20 where customer numbers are
   * expanded (the column is varchar(20)); the capabilities' customerCodeMaxLength
   */
  customerNoLength?: number;
  /**
   * A UDF of SO_SalesOrderHeader holding the Amazon order id (e.g. `UDF_AMAZON_ORDER_ID`, made in
   * Custom Office), for versions whose `CustomerPONo` is too short; set through `OtherFields`.
   * `CustomerPONo` then gets as much of the id as fits, for people.
   */
  amazonOrderIdUdf?: { name: string; length: number };
  /** miscellaneous item code of a gift-wrap charge (default /GIFTWRAP) */
  giftWrapCode?: string;
  /**
   * miscellaneous item code of a credit-memo line whose goods do not come back into stock (FBA
   * returns, refunds without a return; default /RETURN): made by the accountant in Sage 100 with the
   * sales-returns GL account
   */
  nonStockReturnCode?: string;
  /** MasFault codes that mean "record in use" ([?] none public; default SY_RecordInUse) */
  recordInUseCodes?: string[];
  /** MasFault codes that mean a logon failure ([?]; the text is matched too) */
  logonFailureCodes?: string[];
  /** tries of a write refused with "record in use" before giving up with a retriable error (default 3) */
  recordInUseAttempts?: number;
  /** jittered backoff between them (defaults 100 ms base, 1 s cap) */
  backoff?: { baseMs: number; maxMs: number; random?: () => number };
  sleep?: (ms: number) => Promise<void>;
  /**
   * The agent on the Sage 100 server (BOI): its URL and the shared secret. Without it, what needs the
   * BOI (invoices, journals, receipts, item reads) throws ErpUnsupportedError.
   */
  agent?: { url: string; secret: string };
  /**
   * the company's currency (default USD): Sage 100 keeps one currency (no multi-currency ledger), so
   * this is the currency of its prices, documents and journals, and anything in another is refused
   */
  currency?: string;
  /** AR cash receipts: the deposit number receipts are entered under (default 00001) */
  receiptDepositNo?: string;
  /**
   * Sage 100 bank codes (one character) of the payout GL accounts receipts name, e.g.
   * `{ "102000": "A" }`; a one-character account is taken as the bank code itself
   */
  bankCodes?: Record<string, string>;
  /** the company's GL account format as segment lengths (e.g. [3, 3] for ###-###); see sage100Account */
  accountSegments?: readonly number[];
  /** the Sage 100 server's offset from UTC in minutes east: its change stamps are local time (default 0) */
  serverUtcOffsetMinutes?: number;
  /** how long the SOAP `Date` header stands for erpClock() before a new request (default 1 s) */
  clockMaxAgeMs?: number;
  /** how settlement journals are posted (default: one GL journal entry) */
  settlementPosting?: Sage100SettlementPosting;
}

/**
 * `journal`: the whole settlement is one GL journal entry (`GL_GeneralJournal_bus`).
 * `ap-invoice`: Amazon's fees become an A/P invoice from the Amazon vendor (`AP_Invoice_bus`,
 * keyed APDivisionNo + VendorNo + InvoiceNo = the settlement id), distributed to the fee accounts,
 * and the rest of the settlement a journal entry in which the fees are replaced by one debit to the
 * A/P control account: the vendor invoice's credit to A/P and that debit net to zero, so the
 * accountant sees Amazon's fees as payables history per settlement and the journal still balances.
 */
export type Sage100SettlementPosting =
  | { mode: 'journal' }
  | {
      mode: 'ap-invoice';
      /** the Amazon vendor, e.g. 01 + AMAZON */
      apDivisionNo: string;
      vendorNo: string;
      /** the A/P control account of that vendor's division (as the company writes it) */
      apControlAccount: string;
      /** the GL accounts that are Amazon fees (as the GL mapping writes them) */
      feeAccounts: string[];
    };

/**
 * What the adapter can do: everything in the capabilities table with the agent; sales orders only
 * without it (eBusiness Web Services has sales orders and customers, nothing else).
 */
export function sage100Capabilities(
  customerPoLength = SAGE100_PO_NUMBER_LENGTH,
  agent = false,
): ErpCapabilities {
  const all = capabilitiesOf('SAGE100')!;
  return {
    ...all,
    naturalKeyMaxLength: customerPoLength,
    ...(agent
      ? {}
      : {
          invoices: 'none',
          cancelOrder: false,
          journals: false,
          receipts: false,
          itemChanges: false,
          shipments: false,
        }),
  };
}

/** Rows per agent read (the agent's own ceiling is 5000). */
const AGENT_PAGE = 1000;

/** The price list name of `CI_Item.StandardUnitPrice` in item snapshots (a connection's `prices` setting names it). */
export const SAGE100_PRICE_LIST = 'STANDARD';

/** The unformatted account id of a formatted Sage 100 GL account (segmentedAccount). */
export function sage100Account(account: string, segments?: readonly number[]): string {
  return segmentedAccount(account, segments, 'SAGE100');
}

/**
 * A Sage 100 change stamp as an instant: `DateUpdated` (YYYYMMDD or YYYY-MM-DD) and `TimeUpdated`
 * in decimal hours (FACTS §3.3), to the second. They are the Sage 100 server's local time ([?]: no
 * source says; Sage 100 is a desktop application stamping with the workstation's clock), so the
 * connection's `erpUtcOffsetMinutes` (minutes east of UTC) turns them into UTC.
 */
export function sage100Stamp(date: string, hours: string, utcOffsetMinutes = 0): string {
  const d = date.replace(/-/g, '');
  if (!/^\d{8}$/.test(d))
    throw new ErpUnavailableError(`Sage 100 sent a date that is not one: ${date}`, { erp: 'SAGE100' });
  const secs = hours ? decimal(hours).mul(3600).toDecimalPlaces(0).toNumber() : 0;
  const ms =
    Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00Z`) +
    secs * 1000 -
    utcOffsetMinutes * 60_000;
  return new Date(ms).toISOString();
}

type Rec = Record<string, unknown>;
type SoapOp = (args: unknown) => Promise<[Rec, ...unknown[]]>;

/** A SOAP fault as the `soap` client reports it: `root.Envelope.Body.Fault`. */
interface SoapClientError {
  root?: {
    Envelope?: { Body?: { Fault?: { faultcode?: unknown; faultstring?: unknown; detail?: unknown } } };
  };
}

/** The HTTP answer had no SOAP in it (IIS 503, a proxy's page, 401): said by status. */
class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

const LOGON_RE = /logon failure|no access|not authorized/i;
const IN_USE_RE = /in use|locked|another (user|workstation)/i;
const DEFAULT_IN_USE = ['SY_RecordInUse'];
const DEFAULT_LOGON = ['WS_LogonFailure'];

const text = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

/**
 * Sage 100 through eBusiness Web Services (reference/erp/FACTS.md §3.1): a `soap` client built from
 * the WSDL the service answers, `Logon {Username, Password}` and the company code on every call,
 * over the connector's own HttpTransport (so its timeouts apply and the `Date` header gives the
 * ERP's clock).
 *
 * Sales orders: the Amazon order id goes in `CustomerPONo`; the order number is drawn with
 * `GetNextSalesOrderNo` and recorded (Sage100OrderNumberStore) before `CreateSalesOrder`, so a
 * retry after a lost answer finds the order by `GetSalesOrder(no)` or reuses the number. A
 * `WS_AlreadyExists` is looked up and confirmed: the same `CustomerPONo` means our own order
 * answered late, another one means the number was taken and a new one is drawn.
 *
 * Everything else Sage 100 keeps behind the Business Object Interface on its server, which the
 * connector reaches through its agent there (`agent` option, @connector/sage100-agent-core); without
 * one those methods throw ErpUnsupportedError.
 */
export class Sage100Adapter implements ErpPort {
  readonly capabilities: ErpCapabilities;
  private readonly wsdlUrl: string;
  private readonly numbers: Sage100OrderNumberStore;
  private readonly clock: ServerClock;
  private readonly inUseCodes: Set<string>;
  private readonly logonCodes: Set<string>;
  private client?: Promise<soap.Client>;
  /** SOAP calls made (for benchmarks: ERP calls per order) */
  calls = 0;

  constructor(private readonly opts: Sage100AdapterOptions) {
    this.capabilities = {
      ...sage100Capabilities(opts.amazonOrderIdUdf?.length ?? opts.customerPoLength ?? 30, !!opts.agent),
      ...(opts.customerNoLength ? { customerCodeMaxLength: Math.min(20, opts.customerNoLength) } : {}),
    };
    this.wsdlUrl = opts.wsdlUrl ?? `${opts.serviceUrl}?wsdl`;
    this.numbers = opts.orderNumbers ?? new InMemorySage100OrderNumbers();
    this.clock = new ServerClock(opts.clockMaxAgeMs);
    this.inUseCodes = new Set(opts.recordInUseCodes ?? DEFAULT_IN_USE);
    this.logonCodes = new Set(opts.logonFailureCodes ?? DEFAULT_LOGON);
  }

  // ---- transport and errors ----

  private detail(erpCode?: string, httpStatus?: number): ErpErrorDetail {
    return { erp: 'SAGE100', ...(erpCode ? { erpCode } : {}), ...(httpStatus ? { httpStatus } : {}) };
  }

  /** soap's IHttpClient over our HttpTransport: the WSDL GET and every SOAP POST. */
  private bridge(): soap.IHttpClient {
    const request: soap.IHttpClient['request'] = (url, data, callback, exheaders) => {
      const body = typeof data === 'string' ? data : undefined;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(exheaders ?? {}))
        if (v !== undefined && v !== null) headers[k] = text(v);
      const p = this.opts.http.request({
        method: body === undefined ? 'GET' : 'POST',
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const timed = this.opts.timeoutMs ? withTimeout(p, this.opts.timeoutMs) : p;
      timed.then(
        (res: HttpResponse) => {
          this.clock.observe(res.headers);
          const payload = res.body.toString('utf8');
          // a SOAP fault comes with 500; anything else that is not 2xx carries no SOAP to read
          if (res.status >= 300 && !/<(\w+:)?Fault[\s>]/.test(payload)) {
            callback(new HttpStatusError(res.status));
            return;
          }
          callback(null, { status: res.status, headers: res.headers, data: payload }, payload);
        },
        (err: unknown) => {
          callback(err);
        },
      );
      return timed as never;
    };
    return { request };
  }

  private soapClient(): Promise<soap.Client> {
    this.client ??= soap
      .createClientAsync(
        this.wsdlUrl,
        {
          httpClient: this.bridge(),
          endpoint: this.opts.serviceUrl,
          disableCache: true,
          customDeserializer: {
            decimal: (t: string) => t,
            date: (t: string) => t,
            dateTime: (t: string) => t,
          },
        },
        this.opts.serviceUrl,
      )
      .catch((err: unknown) => {
        this.client = undefined;
        throw this.typed(err, 'reading the WSDL');
      });
    return this.client;
  }

  /** One SOAP operation with logon and company code, its fault typed. */
  private async call(op: string, args: Rec): Promise<Rec> {
    const client = await this.soapClient();
    const fn = (client as unknown as Record<string, SoapOp | undefined>)[`${op}Async`];
    if (!fn)
      throw new ErpUnsupportedError(
        `the Sage 100 WSDL at ${this.wsdlUrl} has no operation ${op}`,
        this.detail(),
      );
    this.calls++;
    try {
      const [result] = await fn.call(client, {
        logon: { Username: this.opts.user, Password: this.opts.password },
        companyCode: this.opts.company,
        ...args,
      });
      return result ?? {};
    } catch (err) {
      throw this.typed(err, op);
    }
  }

  /** A write, tried again with jittered backoff while Sage 100 says the record is in use. */
  private write(op: string, args: Rec): Promise<Rec> {
    return this.whileInUse(() => this.call(op, args));
  }

  private async whileInUse<T>(fn: () => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.opts.recordInUseAttempts ?? 3);
    const backoff = this.opts.backoff ?? { baseMs: 100, maxMs: 1_000 };
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof ErpRecordLockedError) || attempt >= attempts) throw err;
        await sleep(backoffDelay(attempt, backoff));
      }
    }
  }

  /** One signed operation on the agent; its refusal typed. The secret never leaves this method. */
  private async agentCall(op: string, params: Rec): Promise<Rec> {
    const agent = this.opts.agent;
    if (!agent) throw this.needsAgent(op);
    const path = `/v1/operations/${op}`;
    const body = JSON.stringify(params);
    let res: HttpResponse;
    try {
      const p = this.opts.http.request({
        method: 'POST',
        url: `${agent.url.replace(/\/+$/, '')}${path}`,
        headers: agentHeaders(agent.secret, 'POST', path, body),
        body,
      });
      res = this.opts.timeoutMs ? await withTimeout(p, this.opts.timeoutMs) : await p;
    } catch (err) {
      throw new ErpUnavailableError(
        `the Sage 100 agent did not answer ${op}: ${(err as Error).message}`,
        this.detail(),
        {
          cause: err,
        },
      );
    }
    let json: { ok?: boolean; result?: Rec; error?: { code?: string; message?: string } } | undefined;
    try {
      json = JSON.parse(res.body.toString('utf8')) as typeof json;
    } catch {
      json = undefined;
    }
    if (res.status === 200 && json?.ok) return json.result ?? {};
    const code = json?.error?.code ?? `HTTP ${res.status}`;
    const say = `Sage 100 agent ${op}: ${code} ${json?.error?.message ?? ''}`.trim();
    const d = this.detail(code, res.status);
    if (res.status === 404)
      throw new ErpUnsupportedError(`${say} (an older agent without this operation?)`, d);
    if (code === 'RECORD_IN_USE') throw new ErpRecordLockedError(say, d);
    if (code === 'LOGON' || code === 'REFUSED' || res.status === 401 || res.status === 403)
      throw new ErpAuthError(say, d);
    if (code === 'BOI_ERROR' || code === 'BAD_REQUEST') throw new ErpValidationError(say, d);
    throw new ErpUnavailableError(say, d);
  }

  /** The ERP error of whatever the soap client threw; the message never carries the logon. */
  private typed(err: unknown, what: string): Error {
    if (
      err instanceof ErpAuthError ||
      err instanceof ErpValidationError ||
      err instanceof ErpUnavailableError ||
      err instanceof ErpRecordLockedError ||
      err instanceof ErpUnsupportedError
    )
      return err;
    const fault = (err as SoapClientError | undefined)?.root?.Envelope?.Body?.Fault;
    if (fault) {
      const mas = (fault.detail as { MasFault?: { ErrorCode?: unknown; ErrorMessage?: unknown } } | undefined)
        ?.MasFault;
      const code = text(mas?.ErrorCode) || text(fault.faultcode).replace(/^\w+:/, '');
      const message = text(mas?.ErrorMessage) || text(fault.faultstring);
      const say = `Sage 100 ${what}: ${code} ${message}`;
      const d = this.detail(code, 500);
      if (this.logonCodes.has(code) || LOGON_RE.test(message)) return new ErpAuthError(say, d);
      if (this.inUseCodes.has(code) || IN_USE_RE.test(message)) return new ErpRecordLockedError(say, d);
      return new ErpValidationError(say, d);
    }
    if (err instanceof HttpStatusError) {
      const say = `Sage 100 ${what}: HTTP ${err.status}`;
      if (err.status === 401 || err.status === 403)
        return new ErpAuthError(say, this.detail(undefined, err.status));
      return new ErpUnavailableError(say, this.detail(undefined, err.status));
    }
    return new ErpUnavailableError(
      `Sage 100 did not answer ${what}: ${(err as Error | undefined)?.message ?? text(err)}`,
      this.detail(),
      { cause: err },
    );
  }

  // ---- port ----

  /**
   * Logs on to the web service and reads one thing, an order number that cannot exist (CI_NOF means
   * the logon was accepted), then asks the agent's `ping` (its BOI logon and company).
   */
  async ping(): Promise<void> {
    await this.soapPing();
    // the other half: the agent answers, the shared secret is right, and its BOI logon works
    if (this.opts.agent) await this.agentCall('ping', {});
  }

  private async soapPing(): Promise<void> {
    try {
      await this.call('GetSalesOrder', { salesOrderNo: '' });
    } catch (err) {
      if (err instanceof ErpValidationError) return;
      throw err;
    }
  }

  async erpClock(): Promise<string> {
    const fresh = this.clock.fresh();
    if (fresh) return fresh;
    await this.soapPing();
    const latest = this.clock.latest();
    if (!latest)
      throw new ErpUnavailableError(
        'Sage 100 answered without a Date header: no server clock',
        this.detail(),
      );
    return latest;
  }

  async findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    if (kind === 'INVOICE') {
      const order = await this.findByNaturalKey('SALES_ORDER', naturalKey);
      if (!order) return null;
      const r = await this.agentCall('findInvoice', { salesOrderNo: order.documentNumber });
      return typeof r.invoiceNo === 'string' ? this.docRef('INVOICE', naturalKey, r.invoiceNo) : null;
    }
    if (kind === 'JOURNAL') {
      const r = await this.agentCall('findJournal', { naturalKey });
      return typeof r.entryNo === 'string' ? this.docRef('JOURNAL', naturalKey, r.entryNo) : null;
    }
    if (kind === 'CREDIT_NOTE') {
      const r = await this.agentCall('findCreditMemo', { customerPoNo: this.creditKeyText(naturalKey) });
      return typeof r.invoiceNo === 'string' ? this.docRef('CREDIT_NOTE', naturalKey, r.invoiceNo) : null;
    }
    if (kind === 'RECEIPT') {
      const r = await this.agentCall('findCashReceipt', { checkNo: naturalKey });
      return typeof r.depositNo === 'string' ? this.docRef('RECEIPT', naturalKey, naturalKey) : null;
    }
    const no = await this.numbers.get(this.opts.company, naturalKey);
    if (!no) return null;
    const so = await this.salesOrder(no);
    return so && this.keyOf(so) === naturalKey ? this.orderRef(so, naturalKey) : null;
  }

  /** GetSalesOrder, or null when there is no such order (CI_NOF). */
  private async salesOrder(no: string): Promise<Rec | null> {
    try {
      const r = await this.call('GetSalesOrder', { salesOrderNo: no });
      return (r.GetSalesOrderResult as Rec | undefined) ?? null;
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === 'CI_NOF') return null;
      throw err;
    }
  }

  /** The Amazon order id an order holds: its UDF when one is configured, else `CustomerPONo`. */
  private keyOf(so: Rec): string {
    const udf = this.opts.amazonOrderIdUdf;
    if (!udf) return text(so.CustomerPONo);
    const fields = (so.OtherFields as Rec | undefined)?.Field as Rec | Rec[] | undefined;
    const list = fields === undefined ? [] : Array.isArray(fields) ? fields : [fields];
    return text(list.find((f) => text(f.MasFieldName) === udf.name)?.Value);
  }

  private docRef(kind: DocumentKind, naturalKey: string, no: string): ErpDocumentRef {
    return { kind, naturalKey, internalId: no, documentNumber: no, status: 'OPEN' };
  }

  private orderRef(so: Rec, naturalKey: string): ErpDocumentRef {
    const no = text(so.SalesOrderNo);
    return {
      kind: 'SALES_ORDER',
      naturalKey,
      internalId: no,
      documentNumber: no,
      status: text(so.OrderStatus) === 'C' ? 'CLOSED' : 'OPEN',
    };
  }

  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    this.refuseForeign('a sales order', draft.currency);
    const key = draft.naturalKey;
    if (key.length > this.capabilities.naturalKeyMaxLength)
      throw new ErpValidationError(
        `Amazon order id ${key} is longer than ${this.opts.amazonOrderIdUdf?.name ?? 'CustomerPONo'} (${this.capabilities.naturalKeyMaxLength})`,
        this.detail('CI_CharLength'),
      );
    const body = this.orderBody(draft);
    let no = await this.numbers.get(this.opts.company, key);
    // a recorded number: the order may be there already (a lost answer) or still free to use
    if (no) {
      const so = await this.salesOrder(no);
      if (so && this.keyOf(so) === key) return this.orderRef(so, key);
      if (so) no = null; // taken by another order (keyed in by hand): draw a new one
    }
    for (let round = 0; round < 3; round++) {
      if (!no) {
        const r = await this.call('GetNextSalesOrderNo', {});
        no = text(r.GetNextSalesOrderNoResult);
        if (!no) throw new ErpUnavailableError('Sage 100 gave no next sales order number', this.detail());
        await this.numbers.put(this.opts.company, key, no);
      }
      try {
        const r = await this.write('CreateSalesOrder', { salesOrder: { SalesOrderNo: no, ...body } });
        const saved = (r.CreateSalesOrderResult as Rec | undefined) ?? { SalesOrderNo: no, OrderStatus: 'O' };
        return this.orderRef({ ...saved, SalesOrderNo: no }, key);
      } catch (err) {
        if (!(err instanceof ErpValidationError && err.detail.erpCode === 'WS_AlreadyExists')) throw err;
        // the duplicate check answered late: is it ours?
        const so = await this.salesOrder(no);
        if (so && this.keyOf(so) === key) return this.orderRef(so, key);
        no = null;
      }
    }
    throw new ErpUnavailableError(
      `Sage 100 kept answering WS_AlreadyExists for new order numbers of ${key}`,
      this.detail('WS_AlreadyExists'),
    );
  }

  private customer(code: string): [string, string] {
    return code.includes('-')
      ? [code.slice(0, code.indexOf('-')), code.slice(code.indexOf('-') + 1)]
      : [this.opts.defaultArDivision ?? '01', code];
  }

  /**
   * The charges of a document as Sage 100 holds them: shipping and its discounts in `FreightAmt`,
   * promotions in `DiscountAmt` (positive), gift wrap as the amount of a misc line. Tax is not sent:
   * `SalesTaxAmt` is read-only ([3P] data dictionary) and Sage 100 computes it from the tax schedule.
   */
  private charges(charges: DocumentCharge[]) {
    const sum = (kinds: ChargeKind[]) =>
      sumDecimals(charges.filter((c) => kinds.includes(c.kind)).map((c) => c.amount));
    return {
      freight: sum(['SHIPPING', 'SHIPPING_DISCOUNT']),
      discount: sum(['PROMOTION']).negated(),
      giftWrap: sum(['GIFT_WRAP']),
      giftWrapCode: this.opts.giftWrapCode ?? '/GIFTWRAP',
    };
  }

  private orderBody(draft: SalesDocumentDraft): Rec {
    const [division, customer] = this.customer(draft.customerCode);
    const charges = this.charges(draft.charges);
    const lines: Rec[] = draft.lines.map((l) => ({
      ItemCode: l.itemCode,
      ...(l.description ? { ItemCodeDesc: l.description } : {}),
      WarehouseCode: l.warehouseCode ?? this.opts.defaultWarehouse ?? '000',
      QuantityOrdered: String(l.quantity),
      UnitPrice: decimal(l.unitPrice).toFixed(),
      ...(l.sourceLineId ? { CommentText: l.sourceLineId } : {}),
    }));
    if (!charges.giftWrap.isZero())
      lines.push({
        ItemCode: charges.giftWrapCode,
        QuantityOrdered: '1',
        UnitPrice: charges.giftWrap.toFixed(),
      });
    return {
      ARDivisionNo: division,
      CustomerNo: customer,
      OrderDate: draft.documentDate,
      CustomerPONo: this.opts.amazonOrderIdUdf
        ? draft.naturalKey.slice(0, this.opts.customerPoLength ?? 30)
        : draft.naturalKey,
      ...(draft.comments ? { Comment: draft.comments } : {}),
      // tax: Sage 100 computes it from the customer's tax schedule; the draft's tax is not sent
      FreightAmt: charges.freight.toFixed(),
      DiscountAmt: charges.discount.toFixed(),
      Lines: { SalesOrderLine: lines },
      ...(this.opts.amazonOrderIdUdf
        ? {
            OtherFields: {
              Field: [{ MasFieldName: this.opts.amazonOrderIdUdf.name, Value: draft.naturalKey }],
            },
          }
        : {}),
    };
  }

  private needsAgent(what: string): ErpUnsupportedError {
    return new ErpUnsupportedError(
      `Sage 100: ${what} needs the Business Object Interface on the Sage 100 server, through the connector's agent, and this connection names no agent (eBusiness Web Services has sales orders and customers only)`,
      this.detail(),
    );
  }

  /** The company's one currency (Sage 100 has no multi-currency ledger). */
  private get home(): string {
    return this.opts.currency ?? 'USD';
  }

  /**
   * Sage 100 keeps every document and journal in the company's one currency: it has no currency
   * field and no rate table ([3P]: multi-currency in Sage 100 is a third-party enhancement, DSD's
   * CUMC/ARMC). A document in another currency is refused, saying what the accountant can do.
   */
  private refuseForeign(what: string, currency: string): void {
    if (currency.toUpperCase() === this.home.toUpperCase()) return;
    throw new ErpUnsupportedError(
      `Sage 100 keeps one currency (${this.home}) and cannot hold ${what} in ${currency}: connect the ${currency} marketplace to a Sage 100 company kept in ${currency}, or enter it by hand converted to ${this.home} at your bank's rate`,
      this.detail('MultiCurrency'),
    );
  }

  /**
   * Where a credit note's natural key lives: the credit memo's `CustomerPONo` (30 characters by
   * default, 15–30 by version). A key that does not fit is cut by the rule of sage300KeyText: its
   * first characters, `~` and 16 hex digits of its SHA-256 (never two keys on one text). A field
   * shorter than 18 cannot hold that, and credit notes are refused there.
   */
  creditKeyText(naturalKey: string): string {
    const length = this.opts.customerPoLength ?? 30;
    if (naturalKey.length > length && length < 18)
      throw new ErpUnsupportedError(
        `Sage 100: a CustomerPONo of ${length} characters cannot hold the credit-note key ${naturalKey} (it needs at least 18)`,
        this.detail('CI_CharLength'),
      );
    return sage300KeyText(naturalKey, length);
  }

  /**
   * A credit memo applied to the invoice (the agent's `createCreditMemo`: SO_Invoice_bus, InvoiceType
   * CM, ApplyToInvoiceNo = the invoice's number), its key in `CustomerPONo`. Items refunded with
   * `returnToStock` are regular lines with the quantity shipped, which Sage 100 returns to the
   * warehouse; without it, each is a line of the misc item `nonStockReturnCode` (no stock in Sage
   * 100) naming the item, so the money is credited and the stock left alone. Refunded shipping is
   * `FreightAmt`, promotions given back `DiscountAmt`, gift wrap a misc line; tax is Sage 100's.
   */
  async createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    if (!this.opts.agent) throw this.needsAgent('a credit memo (SO_Invoice_bus)');
    this.refuseForeign('a credit note', draft.currency);
    const key = this.creditKeyText(draft.naturalKey);
    const [division, customer] = this.customer(draft.customerCode);
    const charges = this.charges(draft.charges);
    const returnCode = this.opts.nonStockReturnCode ?? '/RETURN';
    const lines: Rec[] = draft.lines.map((l) =>
      draft.returnToStock
        ? {
            itemCode: l.itemCode,
            warehouseCode: l.warehouseCode ?? this.opts.defaultWarehouse ?? '000',
            quantity: String(l.quantity),
            unitPrice: decimal(l.unitPrice).toFixed(),
            ...(l.sourceLineId ? { comment: l.sourceLineId } : {}),
          }
        : {
            itemCode: returnCode,
            description: `${l.itemCode} not restocked`,
            quantity: String(l.quantity),
            unitPrice: decimal(l.unitPrice).toFixed(),
            // the item the line credits, for people and for reading the credit back
            comment: l.itemCode,
          },
    );
    if (!charges.giftWrap.isZero())
      lines.push({ itemCode: charges.giftWrapCode, quantity: '1', unitPrice: charges.giftWrap.toFixed() });
    const r = await this.whileInUse(() =>
      this.agentCall('createCreditMemo', {
        customerPoNo: key,
        applyToInvoiceNo: draft.baseInvoice.documentNumber,
        invoiceDate: draft.documentDate,
        arDivisionNo: division,
        customerNo: customer,
        freightAmt: charges.freight.toFixed(),
        discountAmt: charges.discount.toFixed(),
        comment:
          draft.comments ??
          (draft.reason === 'CANCELLED_AFTER_INVOICE' ? 'Amazon order cancelled' : 'Amazon refund'),
        lines,
      }),
    );
    return this.docRef('CREDIT_NOTE', draft.naturalKey, text(r.invoiceNo));
  }

  /** GetCustomer over eBusiness Web Services; null when Sage 100 answers CI_NOF. */
  private async customerRecord(code: string): Promise<Rec | null> {
    const [division, customer] = this.customer(code);
    try {
      const r = await this.call('GetCustomer', { arDivisionNo: division, customerNo: customer });
      return (r.GetCustomerResult as Rec | undefined) ?? null;
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === 'CI_NOF') return null;
      throw err;
    }
  }

  /** A customer by `ARDivisionNo-CustomerNo` (or CustomerNo in the default division): GetCustomer. */
  async findCustomer(customerCode: string): Promise<ErpCustomer | null> {
    const c = await this.customerRecord(customerCode);
    return c && this.erpCustomer(customerCode, c);
  }

  private erpCustomer(code: string, c: Rec): ErpCustomer {
    return {
      customerCode: code,
      name: text(c.CustomerName),
      currency: this.home,
      active: text(c.CustomerStatus) !== 'I',
    };
  }

  /**
   * A customer per buyer through eBusiness Web Services: the template (the marketplace's customer)
   * read with GetCustomer, then CreateCustomer in the template's AR division, which holds the
   * receivable account in Sage 100 (a customer has none of its own), with its customer type, terms,
   * salesperson, tax schedule and price level. Name and address are cut to 30 characters (20 for the
   * city, 10 for the ZIP code, 2 for the state, 3 for the country), a documented cut of a master
   * record, never of a document. A code that exists is refused with ErpValidationError
   * (`WS_AlreadyExists`). A code without a division takes the template's; the customer's code as
   * Sage 100 holds it (`<division>-<number>` when that is not the default division) is returned.
   */
  async createCustomer(draft: CustomerDraft): Promise<ErpCustomer> {
    const [templateDivision] = this.customer(draft.templateCustomerCode);
    const template = await this.customerRecord(draft.templateCustomerCode);
    if (!template)
      throw new ErpValidationError(
        `Sage 100 has no customer ${draft.templateCustomerCode} to copy the buyer's customer from`,
        this.detail('CI_NOF'),
      );
    const explicit = draft.customerCode.includes('-');
    const [division, number] = explicit
      ? this.customer(draft.customerCode)
      : [templateDivision, draft.customerCode];
    const maxLength = this.capabilities.customerCodeMaxLength;
    if (number.length > maxLength)
      throw new ErpValidationError(
        `Sage 100 customer numbers hold ${maxLength} characters; ${number} is longer`,
        this.detail('CI_CharLength'),
      );
    const code =
      explicit || division === (this.opts.defaultArDivision ?? '01')
        ? draft.customerCode
        : `${division}-${number}`;
    const a = draft.address;
    const cut = (v: string | undefined, n: number) => v?.slice(0, n);
    const copied: Rec = {};
    for (const f of [
      'CustomerType',
      'TermsCode',
      'SalespersonDivisionNo',
      'SalespersonNo',
      'TaxSchedule',
      'PriceLevel',
    ])
      if (text(template[f])) copied[f] = text(template[f]);
    const customer: Rec = {
      ARDivisionNo: division,
      CustomerNo: number,
      CustomerName: draft.name.slice(0, 30),
      ...(a
        ? {
            AddressLine1: cut(a.addressLine1, 30),
            AddressLine2: cut(a.addressLine2, 30),
            AddressLine3: cut(a.addressLine3, 30),
            City: cut(a.city, 20),
            State: cut(a.stateOrRegion, 2),
            ZipCode: cut(a.postalCode, 10),
            CountryCode: cut(a.countryCode, 3),
          }
        : {}),
      ...copied,
      CustomerStatus: 'A',
    };
    for (const k of Object.keys(customer)) if (customer[k] === undefined) delete customer[k];
    try {
      const r = await this.write('CreateCustomer', { customer });
      return this.erpCustomer(code, (r.CreateCustomerResult as Rec | undefined) ?? customer);
    } catch (err) {
      if (err instanceof ErpValidationError && err.detail.erpCode === 'WS_AlreadyExists')
        throw new ErpValidationError(
          `Sage 100 customer ${division}-${number} exists already: the buyer's customer is not created twice`,
          err.detail,
          { cause: err },
        );
      throw err;
    }
  }

  /** Sage 100 has no exchange-rate table (one currency per company): never a rate. */
  exchangeRate(_currency: string, _date: string): Promise<string | null> {
    return Promise.resolve(null);
  }

  /**
   * What of the given customers, items and GL accounts the company lacks or holds inactive: one agent
   * call (`checkMasterData`, three browses on the server) for all of them. Without the agent only
   * customers can be checked (GetCustomer, one call each: the web service has no list operation), and
   * items or accounts are refused as needing the agent.
   */
  async checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    const qualified = (code: string) => this.customer(code).join('-');
    if (!this.opts.agent) {
      if (refs.items.length || refs.glAccounts.length)
        throw this.needsAgent('checking items and GL accounts (CI_ItemCode_svc, GL_Account_svc)');
      const problems: MasterDataProblem[] = [];
      for (const code of new Set(refs.customers)) {
        const c = await this.findCustomer(code);
        if (!c) problems.push({ kind: 'CUSTOMER', code, problem: 'MISSING' });
        else if (!c.active) problems.push({ kind: 'CUSTOMER', code, problem: 'INACTIVE' });
      }
      return problems;
    }
    // the agent answers in Sage 100's keys: map them back to the codes asked about
    const customers = new Map(refs.customers.map((c) => [qualified(c), c]));
    const accounts = new Map(refs.glAccounts.map((a) => [sage100Account(a, this.opts.accountSegments), a]));
    const r = await this.agentCall('checkMasterData', {
      customers: [...customers.keys()],
      items: [...new Set(refs.items)],
      glAccounts: [...accounts.keys()],
    });
    return ((r.problems as Rec[] | undefined) ?? []).map((p) => {
      const kind = text(p.kind) as MasterDataProblem['kind'];
      const code = text(p.code);
      return {
        kind,
        code:
          kind === 'CUSTOMER'
            ? (customers.get(code) ?? code)
            : kind === 'GL_ACCOUNT'
              ? (accounts.get(code) ?? code)
              : code,
        problem: text(p.problem) as MasterDataProblem['problem'],
      };
    });
  }

  /** An invoice of the whole sales order (the agent's SO_Invoice_bus sequence); the order must be Sage 100's. */
  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    if (!this.opts.agent) throw this.needsAgent('an invoice (SO_Invoice_bus)');
    this.refuseForeign('an invoice', draft.currency);
    const order = draft.baseOrder ?? (await this.findByNaturalKey('SALES_ORDER', draft.naturalKey));
    if (!order)
      throw new ErpValidationError(
        `Sage 100 invoices are made from a sales order, and there is none for ${draft.naturalKey}`,
        this.detail('NoSalesOrder'),
      );
    const r = await this.whileInUse(() =>
      this.agentCall('createInvoiceFromSalesOrder', {
        salesOrderNo: order.documentNumber,
        invoiceDate: draft.documentDate,
      }),
    );
    return this.docRef('INVOICE', draft.naturalKey, text(r.invoiceNo));
  }

  /**
   * Cancels a sales order through the agent (SO_SalesOrder_bus `nDelete`: Sage 100 has no cancelled
   * status; the order leaves the open orders and its committed stock is released). One that is gone
   * already counts as cancelled; an invoiced one is refused (a credit note is a person's decision).
   */
  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    if (!this.opts.agent) throw this.needsAgent('cancelling an order (SO_SalesOrder_bus)');
    await this.whileInUse(() => this.agentCall('cancelSalesOrder', { salesOrderNo: ref.documentNumber }));
    return { ...ref, status: 'CANCELLED' };
  }

  /**
   * A settlement: a GL journal entry through the agent (GL_GeneralJournal_bus), the natural key in
   * `Reference$`; with `settlementPosting: ap-invoice`, its fees first as an A/P invoice of the
   * Amazon vendor (Sage100SettlementPosting). Both are looked up by key before they are written, so
   * a retry after either answer was lost writes each once.
   */
  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    const segments = this.opts.accountSegments;
    // the accounts are checked against the company's format before anything is sent
    let lines = draft.lines.map((l) => ({
      accountKey: sage100Account(l.account, segments),
      debit: decimal(l.debit).toFixed(),
      credit: decimal(l.credit).toFixed(),
      comment: l.description,
    }));
    if (!this.opts.agent) throw this.needsAgent('a journal entry (GL_GeneralJournal_bus)');
    this.refuseForeign('a journal entry', draft.currency);
    const posting = this.opts.settlementPosting;
    if (posting?.mode === 'ap-invoice') {
      const fees = new Set(posting.feeAccounts.map((a) => sage100Account(a, segments)));
      const feeLines = lines.filter((l) => fees.has(l.accountKey));
      const total = sumDecimals(feeLines.map((l) => decimal(l.debit).minus(l.credit)));
      if (total.gt(0)) {
        const perAccount = new Map<string, ReturnType<typeof decimal>>();
        for (const l of feeLines)
          perAccount.set(
            l.accountKey,
            (perAccount.get(l.accountKey) ?? decimal('0')).plus(decimal(l.debit).minus(l.credit)),
          );
        const invoiceNo = draft.naturalKey.split('/')[0];
        await this.whileInUse(() =>
          this.agentCall('createApInvoice', {
            apDivisionNo: posting.apDivisionNo,
            vendorNo: posting.vendorNo,
            invoiceNo,
            invoiceDate: draft.postingDate,
            amount: total.toFixed(),
            lines: [...perAccount].map(([accountKey, amount]) => ({ accountKey, amount: amount.toFixed() })),
          }),
        );
        lines = [
          ...lines.filter((l) => !fees.has(l.accountKey)),
          {
            accountKey: sage100Account(posting.apControlAccount, segments),
            debit: total.toFixed(),
            credit: '0',
            comment: `Amazon fees, A/P invoice ${invoiceNo}`,
          },
        ];
      }
    }
    const r = await this.whileInUse(() =>
      this.agentCall('postJournal', {
        naturalKey: draft.naturalKey,
        postingDate: draft.postingDate,
        comment: draft.memo,
        lines,
      }),
    );
    return this.docRef('JOURNAL', draft.naturalKey, text(r.entryNo));
  }

  /** A cash receipt through the agent (AR_CashReceipts_bus), the natural key as its check number. */
  async createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef> {
    if (!this.opts.agent) throw this.needsAgent('a cash receipt (AR_CashReceipts_bus)');
    this.refuseForeign('a cash receipt', draft.currency);
    const [division, customer] = this.customer(draft.customerCode);
    await this.whileInUse(() =>
      this.agentCall('createCashReceipt', {
        depositNo: this.opts.receiptDepositNo ?? '00001',
        arDivisionNo: division,
        customerNo: customer,
        checkNo: draft.naturalKey,
        amount: decimal(draft.amount).toFixed(),
        date: draft.date,
        bankCode: this.bankCode(draft.bankAccount),
      }),
    );
    return this.docRef('RECEIPT', draft.naturalKey, draft.naturalKey);
  }

  /** A row's DateUpdated$ + TimeUpdated$ as a UTC instant. */
  private stamp(r: Rec): string {
    return sage100Stamp(text(r['DateUpdated$']), text(r['TimeUpdated$']), this.opts.serverUtcOffsetMinutes);
  }

  private bankCode(account: string): string {
    const code = this.opts.bankCodes?.[account] ?? (account.length === 1 ? account : undefined);
    if (!code)
      throw new ErpValidationError(
        `Sage 100 receipts need a bank code: the payout account ${account} has none (set sage100.bankCodes)`,
        this.detail('NoBankCode'),
      );
    return code;
  }

  /** The server's local date (YYYY-MM-DD) of an instant: the `changedSince` of the agent's reads. */
  private localDate(iso: string): string {
    const offset = (this.opts.serverUtcOffsetMinutes ?? 0) * 60_000;
    return new Date(Date.parse(iso) + offset).toISOString().slice(0, 10);
  }

  /** Every page of an agent read (`afterKey`/`limit`/`nextKey`), its rows in key order. */
  private async agentPages(op: string, params: Rec, rowsField: string): Promise<Rec[]> {
    const rows: Rec[] = [];
    let afterKey: string | null = null;
    for (;;) {
      const r = await this.agentCall(op, { ...params, limit: AGENT_PAGE, ...(afterKey ? { afterKey } : {}) });
      rows.push(...((r[rowsField] as Rec[] | undefined) ?? []));
      afterKey = typeof r.nextKey === 'string' ? r.nextKey : null;
      if (!afterKey) return rows;
    }
  }

  /** An item row of the agent as a snapshot, with its stock when it was read (null: not read). */
  private snapshot(r: Rec, stock: Map<string, ErpWarehouseStock[]> | null): ErpItemSnapshot {
    const code = text(r['ItemCode$']);
    const price = text(r.StandardUnitPrice);
    return {
      itemCode: code,
      ...(text(r['ItemCodeDesc$']) ? { description: text(r['ItemCodeDesc$']) } : {}),
      active: text(r['InactiveItem$']) !== 'Y',
      changedAt: this.stamp(r),
      prices: price
        ? [
            {
              priceList: SAGE100_PRICE_LIST,
              price: decimal(price).toFixed(),
              currency: this.opts.currency ?? 'USD',
            },
          ]
        : [],
      quantities: stock ? (stock.get(code) ?? []) : null,
    };
  }

  /** Stock per warehouse (IM_ItemWarehouse_svc) of the items from `from` to `to`. */
  private async stock(from: string, to: string): Promise<Map<string, ErpWarehouseStock[]>> {
    const { rows } = (await this.agentCall('readItemWarehouses', { itemFrom: from, itemTo: to })) as {
      rows?: Rec[];
    };
    const stock = new Map<string, ErpWarehouseStock[]>();
    for (const r of rows ?? []) {
      const code = text(r['ItemCode$']);
      const list = stock.get(code) ?? [];
      list.push({
        warehouseCode: text(r['WarehouseCode$']),
        onHand: decimal(text(r.QuantityOnHand) || '0').toFixed(),
        committed: decimal(text(r.QuantityOnSalesOrder) || '0').toFixed(),
      });
      stock.set(code, list);
    }
    return stock;
  }

  /**
   * Items changed in the window (CI_ItemCode_svc): the agent sends those stamped on or after the
   * cursor's local day, and the window's page is cut here by (changedAt, key). Stock is left out
   * (null): stock moves do not bump CI_Item's stamp, and the full scan reads it.
   */
  async readItemChanges(window: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>> {
    if (!this.opts.agent) throw this.needsAgent('reading items (CI_ItemCode_svc)');
    const since = window.after ? { changedSince: this.localDate(window.after.changedAt) } : {};
    const items = (await this.agentPages('readItems', since, 'items')).map((r) => this.snapshot(r, null));
    const page = keysetPage(items, (i) => ({ changedAt: i.changedAt, key: i.itemCode }), window);
    return { items: page.rows, next: page.next };
  }

  /** One page of every item in key order with its stock per warehouse: two agent reads. */
  async scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }> {
    if (!this.opts.agent) throw this.needsAgent('reading items (CI_ItemCode_svc)');
    const r = await this.agentCall('readItems', {
      limit: Math.min(Math.max(1, pageSize), AGENT_PAGE),
      ...(afterKey !== null ? { afterKey } : {}),
    });
    const rows = (r.items as Rec[] | undefined) ?? [];
    if (rows.length === 0) return { items: [], nextKey: null };
    const stock = await this.stock(text(rows[0]['ItemCode$']), text(rows[rows.length - 1]['ItemCode$']));
    return {
      items: rows.map((x) => this.snapshot(x, stock)),
      nextKey: typeof r.nextKey === 'string' ? r.nextKey : null,
    };
  }

  /**
   * Shipments through the agent: each shipped invoice with a tracking number is one package (its
   * `InvoiceNo` the shipment id), the Amazon order id from its `CustomerPONo`, or from the order's
   * UDF when one is configured; those stamped on or after the cursor's local day.
   */
  async readShipments(window: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>> {
    if (!this.opts.agent) throw this.needsAgent('reading shipments (SO_Invoice_svc)');
    const udf = this.opts.amazonOrderIdUdf;
    const rows = await this.agentPages(
      'readShipments',
      {
        ...(window.after ? { changedSince: this.localDate(window.after.changedAt) } : {}),
        ...(udf ? { orderIdUdf: `${udf.name}$` } : {}),
      },
      'shipments',
    );
    const records: ErpShipmentRecord[] = rows
      .map((r) => ({ r, key: udf ? text(r.amazonOrderId) : text(r['CustomerPONo$']) }))
      .filter(({ key }) => key !== '')
      .map(({ r, key }) => {
        const no = text(r['InvoiceNo$']);
        const carrier = text(r['ShipVia$']);
        return {
          naturalKey: key,
          shipmentId: no,
          shipmentNumber: no,
          erpOrderNumber: text(r['SalesOrderNo$']),
          shippedAt: sage100Stamp(text(r['InvoiceDate$']), ''),
          changedAt: this.stamp(r),
          ...(carrier ? { carrier } : {}),
          trackingNumber: text(r['TrackingID$']),
          lines: ((r.lines as Rec[] | undefined) ?? []).map((l) => ({
            itemCode: text(l.itemCode),
            quantity: Number(text(l.quantity)),
          })),
        };
      });
    const page = keysetPage(records, (x) => ({ changedAt: x.changedAt, key: x.shipmentId }), window);
    return { items: page.rows, next: page.next };
  }

  close(): Promise<void> {
    this.client = undefined;
    return Promise.resolve();
  }
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
        reject(e instanceof Error ? e : new Error(text(e)));
      },
    );
  });
}
