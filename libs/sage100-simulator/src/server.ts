import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as soap from 'soap';
import { LocalHttpServer, seededRandom, SettableTime } from '@connector/core';
import { MoneyDecimal } from '@connector/money';
import { BOI_TABLES, BoiSimulator, invoiceLinesOf } from './boi-simulator';
import {
  MasFaultError,
  SAGE100_LOGON_FAILURE,
  SAGE100_LOGON_FAILURE_CODE,
  SAGE100_RECORD_IN_USE_CODE,
  SAGE100_RECORD_IN_USE_MESSAGE,
  SAGE100_CUSTOMER_FIELDS,
  SAGE100_CUSTOMER_LENGTHS,
  Sage100Company,
  type Sage100Customer,
  type Sage100CustomerField,
  type Sage100SalesOrder,
  type Sage100SalesOrderLine,
  type Sage100Seed,
} from './state';

/** Where the simulator serves eBusiness Web Services (our choice; a real path is the customer's IIS site). */
export const SAGE100_SERVICE_PATH = '/Sage100eBusiness/Service.svc';

/** Our WSDL (ebusiness.wsdl, marked as ours: Sage publishes none). */
export function sage100Wsdl(): string {
  return readFileSync(join(__dirname, 'ebusiness.wsdl'), 'utf8');
}

/** xsd:decimal and dates stay text: money and quantities are never JavaScript numbers. */
export const SAGE100_SOAP_DESERIALIZER = {
  decimal: (t: string) => t,
  date: (t: string) => t,
  dateTime: (t: string) => t,
};

export interface Sage100SimulatorOptions extends Sage100Seed {
  port?: number;
  /** company codes served (each with its own copy of the seed) */
  companies?: string[];
  /** web-services users and their passwords */
  users?: Record<string, string>;
  /** the simulator's clock (default real time); `setTime`/`advanceTime` take it over */
  now?: () => number;
  seed?: number;
  /** BOI users of the agent's sessions (default AGENT / secret) */
  boiUsers?: Record<string, string>;
  /** the server's offset from UTC in minutes east: DateUpdated/TimeUpdated are its local time (default 0) */
  utcOffsetMinutes?: number;
}

export interface Sage100Faults {
  /** share of writes (CreateSalesOrder, CreateCustomer) refused because the record is in use */
  recordInUseRate: number;
  /** the ErrorCode and text of a record-in-use fault ([?]: not in public material, so configurable) */
  recordInUseCode: string;
  recordInUseMessage: string;
  /** every request answered 503 by IIS */
  outage: boolean;
  /**
   * the next N CreateSalesOrder calls save the order and then answer 500 without a body: the ERP
   * wrote, the caller never heard (a crash between the ERP's answer and our commit, seen from Sage)
   */
  loseAnswers: number;
}

const NO_FAULTS: Sage100Faults = {
  recordInUseRate: 0,
  recordInUseCode: SAGE100_RECORD_IN_USE_CODE,
  recordInUseMessage: SAGE100_RECORD_IN_USE_MESSAGE,
  outage: false,
  loseAnswers: 0,
};

type Args = Record<string, unknown>;
const str = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
const list = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/**
 * Sage 100 eBusiness Web Services in memory (reference/erp/FACTS.md §3.1, §3.4): a SOAP endpoint
 * described by our own WSDL, served by the `soap` package's server side, with `Logon {Username,
 * Password}` and `companyCode` checked on every call, faults carrying `MasFault {ErrorCode,
 * ErrorMessage}` (logon failure, `CI_NOF`, `WS_AlreadyExists`, `CI_CharLength`, record in use),
 * `GetNextSalesOrderNo` advancing a 7-digit counter, sales orders committing stock
 * (`IM_ItemWarehouse.QuantityOnSalesOrder`), `DateUpdated`/`TimeUpdated` stamped from its own
 * clock, and no list or query operation (there is none in the real service). `POST /__control`
 * sets faults and time, `GET /__inspect/<SalesOrders|Customers|ItemWarehouses>?company=` reads state,
 * and every answer carries a `Date` header from the simulator's clock.
 */
export class Sage100Simulator {
  faults: Sage100Faults = { ...NO_FAULTS };
  readonly stats = { requests: 0, recordInUse: 0, outages: 0, lostAnswers: 0 };
  private readonly companies = new Map<string, Sage100Company>();
  /**
   * The Business Object Interface of the same installation: the web service and the BOI work on one
   * set of tables per company, so the agent (@connector/sage100-agent-core) runs over this.
   */
  readonly boi: BoiSimulator;
  private readonly users: Record<string, string>;
  private readonly server = new LocalHttpServer();
  private readonly dice: () => number;
  private readonly clock: () => number;
  private soapHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly port: number;

  /** the simulator's clock: real time until a test sets or moves it (setTime, advanceTime) */
  private readonly time: SettableTime;

  constructor(options: Sage100SimulatorOptions = {}) {
    const given = options.now ?? Date.now;
    this.time = new SettableTime(given);
    this.clock = () => this.time.now();
    this.users = options.users ?? { WEBUSER: 'secret' };
    this.dice = seededRandom(options.seed ?? 42);
    this.port = options.port ?? 0;
    const companies = (options.companies ?? ['ABC']).map((c) => c.toUpperCase());
    this.boi = new BoiSimulator({
      companies,
      now: this.clock,
      users: options.boiUsers,
      random: this.dice,
      utcOffsetMinutes: options.utcOffsetMinutes,
    });
    for (const c of companies) this.companies.set(c, new Sage100Company(options, this.boi.db(c)));
  }

  // ---- in-process control and read API (twins of POST /__control and GET /__inspect) ----

  setFaults(f: Partial<Sage100Faults>): Sage100Faults {
    this.faults = { ...this.faults, ...f };
    return this.faults;
  }

  clearFaults(): void {
    this.faults = { ...NO_FAULTS };
  }

  now(): number {
    return this.clock();
  }

  setTime(ms: number): void {
    this.time.set(ms);
  }

  advanceTime(ms: number): void {
    this.time.advance(ms);
  }

  salesOrders(company = 'ABC'): Sage100SalesOrder[] {
    return this.company(company).salesOrders();
  }

  customers(company = 'ABC'): Sage100Customer[] {
    return this.company(company).customers();
  }

  itemWarehouses(company = 'ABC') {
    return this.company(company).itemWarehouses();
  }

  // ---- what people do in the Sage 100 desktop (the tests' hands) ----

  /** Item Maintenance: a new standard price; the item's DateUpdated/TimeUpdated move. */
  changePrice(company: string, itemCode: string, price: string): void {
    const item = this.company(company).db.find('CI_Item', [itemCode]);
    if (!item) throw new Error(`no item ${itemCode}`);
    item.header.StandardUnitPrice = new MoneyDecimal(price).toFixed();
    this.company(company).db.stamp(item.header);
  }

  /** A receipt of goods or an adjustment: on hand moves in IM_ItemWarehouse, CI_Item's stamp does not. */
  adjustStock(company: string, itemCode: string, warehouse: string, quantity: string): void {
    const db = this.company(company).db;
    const iw = db.find('IM_ItemWarehouse', [itemCode, warehouse]);
    if (!iw) throw new Error(`no stock row ${itemCode} ${warehouse}`);
    iw.header.QuantityOnHand = new MoneyDecimal(iw.header.QuantityOnHand || '0').plus(quantity).toFixed();
    db.stamp(iw.header);
  }

  /**
   * Shipping a sales order in full: its invoice (Shipping Data Entry / Invoice Data Entry; made
   * from the order when there is none yet) gets the carrier and tracking number. Returns the invoice
   * number, which is the shipment as the agent reads it.
   */
  ship(company: string, salesOrderNo: string, opts: { shipVia: string; trackingId: string }): string {
    const db = this.company(company).db;
    let inv = db.rows('SO_InvoiceHeader').find((d) => d.header['SalesOrderNo$'] === salesOrderNo);
    if (!inv) {
      const so = db.find('SO_SalesOrderHeader', [salesOrderNo]);
      if (!so) throw new Error(`no sales order ${salesOrderNo}`);
      inv = db.insert(
        'SO_InvoiceHeader',
        {
          InvoiceNo$: db.next('SO_InvoiceHeader:invoice'),
          SalesOrderNo$: salesOrderNo,
          InvoiceDate$: new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, ''),
          ARDivisionNo$: so.header['ARDivisionNo$'],
          CustomerNo$: so.header['CustomerNo$'],
          CustomerPONo$: so.header['CustomerPONo$'] ?? '',
          FreightAmt: so.header.FreightAmt ?? '0',
          DiscountAmt: so.header.DiscountAmt ?? '0',
        },
        invoiceLinesOf(so, true),
      );
      BOI_TABLES.SO_InvoiceHeader.onWrite?.(inv, db);
    }
    inv.header['ShipVia$'] = opts.shipVia;
    inv.header['TrackingID$'] = opts.trackingId;
    db.stamp(inv.header);
    return inv.header['InvoiceNo$'];
  }

  /** An order keyed in the desktop with no customer PO (not an Amazon order), shipped at once. */
  shipOtherOrder(
    company: string,
    itemCode: string,
    quantity: string,
    opts: { shipVia: string; trackingId: string },
  ): string {
    const c = this.company(company);
    const so = c.saveSalesOrder({
      SalesOrderNo: c.drawSalesOrderNo(),
      ARDivisionNo: c.customers()[0].ARDivisionNo,
      CustomerNo: c.customers()[0].CustomerNo,
      OrderDate: new Date(this.now()).toISOString().slice(0, 10),
      OrderStatus: 'O',
      CustomerPONo: '',
      Comment: '',
      FreightAmt: '0',
      DiscountAmt: '0',
      Lines: [
        {
          ItemCode: itemCode,
          ItemCodeDesc: '',
          WarehouseCode: c.warehouses[0],
          QuantityOrdered: quantity,
          UnitPrice: '0',
          CommentText: '',
        },
      ],
      UDFs: {},
    });
    c.commit(itemCode, c.warehouses[0], new MoneyDecimal(quantity));
    return this.ship(company, so.SalesOrderNo, opts);
  }

  /** Deleting an invoice before it is posted: the stock it relieved and its order come back. */
  deleteInvoice(company: string, invoiceNo: string): void {
    const why = this.company(company).db.remove('SO_InvoiceHeader', [invoiceNo]);
    if (why) throw new Error(why);
  }

  /** A company's tables (what the desktop and the BOI see), by company code. */
  company(code: string): Sage100Company {
    const c = this.companies.get(code.toUpperCase());
    if (!c) throw new Error(`no company ${code}`);
    return c;
  }

  // ---- server ----

  get url(): string {
    return this.server.url;
  }

  /** The service URL to configure in a client; its WSDL is at `<serviceUrl>?wsdl`. */
  get serviceUrl(): string {
    return `${this.url}${SAGE100_SERVICE_PATH}`;
  }

  async start(): Promise<string> {
    const url = await this.server.listen(this.port, (req, res) => this.handle(req, res));
    // soap's server mounts itself on anything with `route`/`use` (its Express path); this keeps
    // the Date header, /__control, /__inspect and the outage fault in our own listener
    const mount = {
      route: () => ({
        all: (h: (req: IncomingMessage, res: ServerResponse) => void) => (this.soapHandler = h),
      }),
      use: () => undefined,
    };
    // as IIS does, the served WSDL names the address it is served from
    const xml = sage100Wsdl().replace(
      /(<soap:address location=")[^"]*(")/,
      `$1${url}${SAGE100_SERVICE_PATH}$2`,
    );
    await new Promise<void>((resolve, reject) => {
      soap.listen(mount, {
        path: SAGE100_SERVICE_PATH,
        services: this.services(),
        xml,
        customDeserializer: SAGE100_SOAP_DESERIALIZER,
        suppressStack: true,
        callback: (err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error('the WSDL did not load')) : resolve(),
      } as soap.IServerOptions);
    });
    return url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Date', new Date(this.clock()).toUTCString());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/__control') return this.control(req, res);
    if (url.pathname.startsWith('/__inspect/')) {
      const what = url.pathname.slice('/__inspect/'.length);
      const company = url.searchParams.get('company') ?? 'ABC';
      const rows =
        what === 'SalesOrders'
          ? this.salesOrders(company)
          : what === 'Customers'
            ? this.customers(company)
            : what === 'ItemWarehouses'
              ? this.itemWarehouses(company)
              : what.startsWith('tables/')
                ? this.boi.databases.get(company.toUpperCase())?.rows(what.slice('tables/'.length))
                : undefined;
      res.writeHead(rows ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rows ?? { error: `nothing called ${what}` }));
      return;
    }
    if (url.pathname.replace(/\/$/, '') !== SAGE100_SERVICE_PATH) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not Found</body></html>');
      return;
    }
    this.stats.requests++;
    if (this.faults.outage) {
      this.stats.outages++;
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Service Unavailable</h1></body></html>');
      return;
    }
    if (!this.soapHandler) {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body>Starting</body></html>');
      return;
    }
    this.soapHandler(req, res);
  }

  private control(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        if (req.method === 'POST') {
          const text = Buffer.concat(chunks).toString('utf8');
          const f = (text ? JSON.parse(text) : {}) as Partial<Sage100Faults> & {
            clear?: boolean;
            now?: string;
          };
          if (f.clear) this.clearFaults();
          if (f.now !== undefined) this.setTime(Date.parse(f.now));
          const { clear: _c, now: _n, ...rest } = f;
          this.setFaults(rest);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ faults: this.faults, stats: this.stats }));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as Error).message }));
      }
    });
  }

  // ---- operations ----

  /** Logon and company code, checked on every call. */
  private enter(args: Args): Sage100Company {
    const logon = (args.logon ?? {}) as Args;
    const user = str(logon.Username);
    if (!user || this.users[user] === undefined || this.users[user] !== str(logon.Password))
      throw new MasFaultError(SAGE100_LOGON_FAILURE_CODE, SAGE100_LOGON_FAILURE);
    const c = this.companies.get(str(args.companyCode).toUpperCase());
    // [?] the real text for an unknown company is not in public material
    if (!c) throw new MasFaultError('CI_NOF', `Company code ${str(args.companyCode)} is not valid.`);
    return c;
  }

  private inUse(): void {
    if (
      this.faults.recordInUseRate > 0 &&
      (this.faults.recordInUseRate >= 1 || this.dice() < this.faults.recordInUseRate)
    ) {
      this.stats.recordInUse++;
      throw new MasFaultError(this.faults.recordInUseCode, this.faults.recordInUseMessage);
    }
  }

  private services(): soap.IServices {
    const op =
      (fn: (args: Args) => unknown) =>
      (args: Args): Promise<unknown> => {
        try {
          return Promise.resolve(fn(args));
        } catch (err) {
          if (err instanceof MasFaultError) return Promise.reject(fault(err));
          return Promise.reject(fault(new MasFaultError('WS_Error', (err as Error).message)));
        }
      };
    return {
      eBusinessService: {
        eBusinessPort: {
          GetNextSalesOrderNo: op((a) => ({ GetNextSalesOrderNoResult: this.enter(a).drawSalesOrderNo() })),
          GetSalesOrder: op((a) => {
            const c = this.enter(a);
            const so = c.salesOrder(str(a.salesOrderNo));
            if (!so) throw new MasFaultError('CI_NOF', `Sales order ${str(a.salesOrderNo)} not found.`);
            return { GetSalesOrderResult: toWire(so) };
          }),
          CreateSalesOrder: (a: Args, _cb: unknown, _h: unknown, _req: unknown, res?: ServerResponse) => {
            if (this.faults.loseAnswers > 0) {
              // saved, then the connection drops before the answer: the caller never hears
              const saved = op((x) => this.createSalesOrder(this.enter(x), (x.salesOrder ?? {}) as Args))(a);
              return saved.then(() => {
                this.faults.loseAnswers--;
                this.stats.lostAnswers++;
                res?.socket?.destroy();
                return new Promise<never>(() => undefined);
              });
            }
            return op((x) => ({
              CreateSalesOrderResult: toWire(
                this.createSalesOrder(this.enter(x), (x.salesOrder ?? {}) as Args),
              ),
            }))(a);
          },
          GetCustomer: op((a) => {
            const c = this.enter(a);
            const cu = c.customer(str(a.arDivisionNo), str(a.customerNo));
            if (!cu)
              throw new MasFaultError(
                'CI_NOF',
                `Customer ${str(a.arDivisionNo)}-${str(a.customerNo)} not found.`,
              );
            return { GetCustomerResult: cu };
          }),
          CreateCustomer: op((a) => ({ CreateCustomerResult: this.createCustomer(this.enter(a), a) })),
        },
      },
    };
  }

  /**
   * CreateCustomer: the key, its length and the AR_Customer columns checked first, then one write.
   * The division must be one customers already use ([?] the simulator keeps no AR_Division table),
   * and so must the terms code and tax schedule ([?] no TermsCode/TaxSchedule tables either).
   */
  private createCustomer(c: Sage100Company, a: Args): Sage100Customer {
    const x = (a.customer ?? {}) as Args;
    const div = str(x.ARDivisionNo);
    const no = str(x.CustomerNo);
    if (!div || !no) throw new MasFaultError('CI_NoKey', 'Key is required.');
    if (no.length > c.customerNoLength)
      throw new MasFaultError(
        'CI_CharLength',
        `CustomerNo ${no} is longer than ${c.customerNoLength} characters.`,
      );
    if (c.customer(div, no))
      throw new MasFaultError('WS_AlreadyExists', `Customer ${div}-${no} already exists.`);
    const known = c.customers();
    if (!known.some((k) => k.ARDivisionNo === div))
      throw new MasFaultError('CI_NOF', `Could not set AR_Customer_Bus column ARDivisionNo to ${div}.`);
    for (const f of ['TermsCode', 'TaxSchedule'] as const) {
      const v = str(x[f]);
      if (v && !known.some((k) => k[f] === v))
        throw new MasFaultError('CI_NOF', `Could not set AR_Customer_Bus column ${f} to ${v}.`);
    }
    const fields: Partial<Record<Sage100CustomerField, string>> = {};
    for (const f of SAGE100_CUSTOMER_FIELDS) {
      const v = str(x[f]);
      const length = SAGE100_CUSTOMER_LENGTHS[f];
      if (v.length > length)
        throw new MasFaultError('CI_CharLength', `${f} is longer than ${length} characters.`);
      if (v) fields[f] = v;
    }
    if (fields.CustomerStatus && !['A', 'I', 'T'].includes(fields.CustomerStatus))
      throw new MasFaultError('CI_Invalid', `CustomerStatus ${fields.CustomerStatus} is not valid.`);
    this.inUse();
    return c.addCustomer(div, no, fields);
  }

  /** All checks first, then one write: a refused order leaves nothing behind. */
  private createSalesOrder(c: Sage100Company, x: Args): Sage100SalesOrder {
    const no = str(x.SalesOrderNo);
    if (!no) throw new MasFaultError('CI_NoKey', 'SalesOrderNo is required.');
    if (!/^[0-9A-Z]{1,7}$/.test(no))
      throw new MasFaultError('CI_CharLength', `SalesOrderNo ${no} is not valid.`);
    if (c.salesOrder(no)) throw new MasFaultError('WS_AlreadyExists', `Sales order ${no} already exists.`);
    const customerKey = `${str(x.ARDivisionNo)}-${str(x.CustomerNo)}`;
    if (!c.customer(str(x.ARDivisionNo), str(x.CustomerNo)))
      throw new MasFaultError(
        'CI_NOF',
        `Could not set SO_SalesOrder_Bus column CustomerNo to ${customerKey}.`,
      );
    const po = str(x.CustomerPONo);
    if (po.length > c.customerPoLength)
      throw new MasFaultError(
        'CI_CharLength',
        `CustomerPONo is longer than ${c.customerPoLength} characters.`,
      );
    const udfs: Record<string, string> = {};
    for (const f of list((x.OtherFields as Args | undefined)?.Field as Args | Args[] | undefined)) {
      const name = str(f.MasFieldName);
      const length = c.udfs[name];
      if (length === undefined)
        throw new MasFaultError('CI_NOF', `Could not set SO_SalesOrder_Bus column ${name}.`);
      if (str(f.Value).length > length)
        throw new MasFaultError('CI_CharLength', `${name} is longer than ${length} characters.`);
      udfs[name] = str(f.Value);
    }
    const wire = list((x.Lines as Args | undefined)?.SalesOrderLine as Args | Args[] | undefined);
    const lines: Sage100SalesOrderLine[] = wire.map((l) => {
      const item = str(l.ItemCode);
      const misc = item.startsWith('/');
      if (misc ? !c.db.miscCodes.has(item) : !c.hasItem(item))
        throw new MasFaultError(
          'CI_NOF',
          `Could not set SO_SalesOrderDetail_Bus column ItemCode to ${item}.`,
        );
      const wh = str(l.WarehouseCode) || c.warehouses[0];
      if (!misc && !c.warehouses.includes(wh))
        throw new MasFaultError(
          'CI_NOF',
          `Could not set SO_SalesOrderDetail_Bus column WarehouseCode to ${wh}.`,
        );
      return {
        ItemCode: item,
        ItemCodeDesc: str(l.ItemCodeDesc),
        WarehouseCode: misc ? '' : wh,
        QuantityOrdered: new MoneyDecimal(str(l.QuantityOrdered) || '0').toFixed(),
        UnitPrice: new MoneyDecimal(str(l.UnitPrice) || '0').toFixed(),
        CommentText: str(l.CommentText),
      };
    });
    this.inUse();
    const so = c.saveSalesOrder({
      SalesOrderNo: no,
      ARDivisionNo: str(x.ARDivisionNo),
      CustomerNo: str(x.CustomerNo),
      OrderDate: str(x.OrderDate),
      OrderStatus: 'O',
      CustomerPONo: po,
      Comment: str(x.Comment),
      FreightAmt: new MoneyDecimal(str(x.FreightAmt) || '0').toFixed(),
      DiscountAmt: new MoneyDecimal(str(x.DiscountAmt) || '0').toFixed(),
      Lines: lines,
      UDFs: udfs,
    });
    for (const l of lines)
      if (!l.ItemCode.startsWith('/'))
        c.commit(l.ItemCode, l.WarehouseCode, new MoneyDecimal(l.QuantityOrdered));
    return so;
  }
}

function toWire(so: Sage100SalesOrder): Args {
  const { Lines, UDFs, ...header } = so;
  const fields = Object.entries(UDFs).map(([MasFieldName, Value]) => ({ MasFieldName, Value }));
  return {
    ...header,
    Lines: { SalesOrderLine: Lines },
    ...(fields.length ? { OtherFields: { Field: fields } } : {}),
  };
}

/** What soap's server sends as a SOAP Fault: anything rejected with a `Fault`. */
class SoapFault extends Error {
  constructor(readonly Fault: Args) {
    super(String(Fault.faultstring));
  }
}

function fault(err: MasFaultError): SoapFault {
  return new SoapFault({
    faultcode: `a:${err.code}`,
    faultstring: err.message,
    detail: { MasFault: { ErrorCode: err.code, ErrorMessage: err.message } },
    statusCode: 500,
  });
}

export async function startSage100Simulator(
  options: Sage100SimulatorOptions = {},
): Promise<Sage100Simulator> {
  const sim = new Sage100Simulator(options);
  await sim.start();
  return sim;
}
