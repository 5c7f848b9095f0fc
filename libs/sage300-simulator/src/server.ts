import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseLossless, stringify } from 'lossless-json';
import { LocalHttpServer, seededRandom, SettableTime } from '@connector/core';
import { SAGE300_LOCK_MESSAGE, SageError } from './errors';
import { SAGE300_RESOURCES, checkShape, type Rec, type ResourceDef } from './resources';
import { insertInvoiceBatch } from './routes/ar-invoice-batches';
import { insertReceiptBatch } from './routes/ar-receipt-batches';
import { byKey, deleteRecord, feed, updateRecord } from './routes/entity-set';
import { insertJournalBatch } from './routes/gl-journal-batches';
import { insertMasterRecord } from './routes/master-data';
import { insertCreditNote } from './routes/oe-credit-notes';
import { insertOrder } from './routes/oe-orders';
import { createShipment, deleteShipment } from './routes/oe-shipments';
import { Company, dec, num, unformat, type Sage300Seed } from './state';
import { MoneyDecimal } from '@connector/money';

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
  /**
   * the simulator's clock (default: real time): today's date of DateLastMaintained and shipments,
   * and the `Date` header of every answer. `setTime`/`advanceTime` take it over.
   */
  now?: () => number;
  /**
   * whether `IC/ICLocationDetails` is served (default true); false answers it 404 ResourceNotFound,
   * as a 2022 Web API does (reference/erp/FACTS.md §2.3)
   */
  locationDetails?: boolean;
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

const NO_FAULTS: Sage300Faults = { lockRate: 0, outage: false, throttleRate: 0 };
const CHALLENGE = { 'www-authenticate': 'Basic realm="Sage300WebApi"' };
const API_PATH = /^\/Sage300WebApi\/v1\.0\/-\/([^/]+)\/([^/]+)\/([^/(]+)(?:\((.*)\))?\/?$/;

/**
 * The Sage 300 Web API in memory (reference/erp/FACTS.md §2.8): `/Sage300WebApi/v1.0/-/<company>/
 * <module>/<resource>[(key)]` with HTTP Basic on every request, the verbs of the 2022 endpoint
 * list, OData reads (routes/entity-set), inserts per resource (routes/oe-orders, oe-shipments,
 * ar-invoice-batches, ar-receipt-batches, gl-journal-batches, master-data), Sage's error envelope,
 * and faults. This file is the HTTP side: routing, authentication, faults and the `/__control` and
 * `/__inspect` endpoints; state.ts holds each company's data. Where reference/erp/FACTS.md marks a detail [?] the
 * choice made here is named in a comment.
 */
export class Sage300Simulator {
  faults: Sage300Faults = { ...NO_FAULTS };
  readonly stats = { requests: 0, locks: 0, outages: 0 };
  private readonly companies = new Map<string, Company>();
  private readonly opts: Required<Omit<Sage300SimulatorOptions, keyof Sage300Seed>> & Sage300Seed;
  private readonly server = new LocalHttpServer();
  private readonly dice: () => number;
  private locationDetails: boolean;

  /** the simulator's clock: real time until a test sets or moves it (setTime, advanceTime) */
  private readonly time: SettableTime;

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
      locationDetails: true,
      ...options,
    };
    this.locationDetails = this.opts.locationDetails;
    this.time = new SettableTime(this.opts.now);
    this.opts.now = () => this.time.now();
    this.dice = seededRandom(this.opts.seed);
    const settings = { now: this.opts.now, defaultPriceList: this.opts.defaultPriceList };
    for (const c of this.opts.companies)
      this.companies.set(
        c.toUpperCase(),
        new Company(this.opts, { ...settings, organization: c.toUpperCase() }),
      );
  }

  // ---- in-process control and read API (twins of POST /__control and GET /__inspect/<Resource>) ----

  setFaults(f: Partial<Sage300Faults>): Sage300Faults {
    this.faults = { ...this.faults, ...f };
    return this.faults;
  }

  clearFaults(): void {
    this.faults = { ...NO_FAULTS };
  }

  /** every record of a resource (all companies unless one is named), as stored */
  documents(resource: string, company?: string): Rec[] {
    const cs = company ? [this.company(company)] : [...this.companies.values()];
    return cs.flatMap((c) => c.data.get(resource) ?? []);
  }

  /** The simulator's time (epoch ms): what dates records and the `Date` header. */
  now(): number {
    return this.opts.now();
  }

  /** The clock stands at `ms` (epoch) from now on, until set or advanced again. */
  setTime(ms: number): void {
    this.time.set(ms);
  }

  /** The clock moves on by `ms` and stands there. */
  advanceTime(ms: number): void {
    this.time.advance(ms);
  }

  /** Serve `IC/ICLocationDetails` (a newer server) or answer it 404 (a 2022 server). */
  setLocationDetails(served: boolean): void {
    this.locationDetails = served;
  }

  /**
   * An IC adjustment (or receipt) in the desktop: `quantity` added to the item's on-hand at the
   * location (negative takes it out). The item's DateLastMaintained does not change
   * (reference/erp/FACTS.md §2.4).
   */
  adjustStock(company: string, itemNumber: string, location: string, quantity: string): void {
    const c = this.company(company);
    if (!c.list('ICItems').some((i) => i.ItemNumber === itemNumber)) throw new Error(`no item ${itemNumber}`);
    if (!c.codes.locations.has(location)) throw new Error(`no location ${location}`);
    c.moveStock(itemNumber, location, dec(quantity, 'quantity'), new MoneyDecimal(0));
  }

  /** the company's home currency (CS/CSCompanyProfile), as set up in Common Services */
  setHomeCurrency(company: string, currency: string): void {
    this.company(company).list('CSCompanyProfile')[0].HomeCurrency = currency;
  }

  /**
   * A rate in CS/CSCurrencyRates, as Currency Rates in Common Services enters it: home units per unit
   * of `currency` on `date` (YYYY-MM-DD), rate type SP unless named, operator Multiply.
   */
  setExchangeRate(company: string, currency: string, date: string, rate: string, rateType = 'SP'): void {
    const c = this.company(company);
    const list = c.list('CSCurrencyRates');
    const rec = {
      HomeCurrency: c.homeCurrency(),
      RateType: rateType,
      SourceCurrency: currency,
      RateDate: `${date.slice(0, 10)}T00:00:00Z`,
      Rate: num(dec(rate, 'Rate')),
      RateOperator: 'Multiply',
    };
    const i = list.findIndex(
      (r) =>
        r.HomeCurrency === rec.HomeCurrency &&
        r.RateType === rec.RateType &&
        r.SourceCurrency === rec.SourceCurrency &&
        r.RateDate === rec.RateDate,
    );
    if (i >= 0) list[i] = rec;
    else list.push(rec);
  }

  /** a GL account deleted from the chart (or `inactive`: set Inactive), as in G/L Accounts */
  removeGlAccount(company: string, account: string, inactive = false): void {
    const c = this.company(company);
    const list = c.list('GLAccounts');
    const i = list.findIndex((a) => a.UnformattedAccount === unformat(account));
    if (i < 0) throw new Error(`no account ${account}`);
    if (inactive) list[i].Status = 'Inactive';
    else list.splice(i, 1);
  }

  /** deletes a shipment in OE shipment entry: gone from OE/OEShipments, its goods back in stock */
  deleteShipment(company: string, shipmentNumber: string): void {
    deleteShipment(this.company(company), shipmentNumber);
  }

  /** changes an item as a user would in the desktop: stamps DateLastMaintained with today */
  touchItem(company: string, itemNumber: string, changes: Rec = {}): void {
    const c = this.company(company);
    const item = c.list('ICItems').find((i) => i.ItemNumber === itemNumber);
    if (!item) throw new Error(`no item ${itemNumber}`);
    Object.assign(item, changes, { DateLastMaintained: c.today() });
  }

  /** ships an order (OE shipment entry in the desktop): a shipment record for every item line */
  ship(
    company: string,
    orderNumber: string,
    opts: { shipViaCode?: string; trackingNumber?: string; date?: string } = {},
  ): Rec {
    const c = this.company(company);
    const order = c.list('OEOrders').find((o) => o.OrderNumber === orderNumber);
    if (!order) throw new Error(`no order ${orderNumber}`);
    return createShipment(c, order, opts);
  }

  private company(name: string): Company {
    const c = this.companies.get(name.toUpperCase());
    if (!c) throw new Error(`no company ${name}`);
    return c;
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
      // every answer says the server's time (its own clock, not the host's)
      res.setHeader('Date', new Date(this.opts.now()).toUTCString());
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
      const f = (bodyText ? JSON.parse(bodyText) : {}) as Partial<Sage300Faults> & {
        clear?: boolean;
        /** the simulator's time from now on (ISO-8601) */
        now?: string;
        locationDetails?: boolean;
        /** an IC adjustment, as `adjustStock` */
        stock?: { company: string; itemNumber: string; location: string; quantity: string };
      };
      if (f.clear) this.clearFaults();
      if (f.now !== undefined) this.setTime(Date.parse(f.now));
      if (f.locationDetails !== undefined) this.setLocationDetails(f.locationDetails);
      if (f.stock) this.adjustStock(f.stock.company, f.stock.itemNumber, f.stock.location, f.stock.quantity);
      const { clear: _clear, now: _now, locationDetails: _ld, stock: _stock, ...rest } = f;
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
    // user IDs are uppercase; passwords compared as configured (uppercase) (reference/erp/FACTS.md §2.1)
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
    const m = API_PATH.exec(decodeURIComponent(url.pathname));
    // reference/erp/FACTS.md §2.1: Basic on every request; 401 with a challenge when missing or wrong
    try {
      this.authenticate(req);
    } catch (err) {
      return this.sendError(res, err as SageError, CHALLENGE);
    }
    if (!/^application\/json/i.test(req.headers['content-type'] ?? ''))
      throw new SageError('InternalServerError', 'Content-Type application/json is required');
    if (!m) throw new SageError('ResourceNotFound', 'The resource requested does not exist');
    const [, companyId, module, name, key] = m;
    const company = this.companies.get(companyId.toUpperCase());
    // unknown company: sign-on to the company fails like a wrong password ([?] reference/erp/FACTS.md §2.8 says "error")
    if (!company)
      return this.sendError(
        res,
        new SageError('Unauthorized', `Company ${companyId} is not available to this user`),
        CHALLENGE,
      );
    const def = SAGE300_RESOURCES[name];
    if (
      !def ||
      def.module !== module.toUpperCase() ||
      (name === 'ICLocationDetails' && !this.locationDetails)
    )
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
    const entity = (rec: Rec) => ({ '@odata.context': `${base}/$metadata#${name}/$entity`, ...rec });
    const body = method === 'GET' || method === 'DELETE' ? undefined : parseBody(bodyText, def);
    if (method === 'GET' && key === undefined)
      return this.send(res, 200, feed(company, name, def, url, base, this.opts.pageSize));
    if (method === 'GET') return this.send(res, 200, entity(byKey(company, name, def, key)));
    if (method === 'POST') {
      if (key !== undefined)
        throw new SageError('InvalidAction', 'POST with an entity key must be $template or $process');
      return this.send(res, 201, entity(insert(company, name, def, body!)));
    }
    if (key === undefined) throw new SageError('InvalidEntityKey', 'An entity key is required');
    const rec = byKey(company, name, def, key);
    if (method === 'DELETE') {
      deleteRecord(company, name, rec);
      return this.send(res, 204);
    }
    return this.send(res, 200, entity(updateRecord(company, name, def, rec, body!, method === 'PUT')));
  }
}

/** `POST` by resource (reference/erp/FACTS.md §2.2, §2.3, §2.8 point 3). */
function insert(c: Company, name: string, def: ResourceDef, body: Rec): Rec {
  switch (name) {
    case 'OEOrders':
      return insertOrder(c, body);
    case 'OECreditDebitNotes':
      return insertCreditNote(c, body);
    case 'ARInvoiceBatches':
      return insertInvoiceBatch(c, body);
    case 'GLJournalBatches':
      return insertJournalBatch(c, body);
    case 'ARReceiptAndAdjustmentBatches':
      return insertReceiptBatch(c, body);
    default:
      return insertMasterRecord(c, name, def, body);
  }
}

function parseBody(text: string, def: ResourceDef): Rec {
  let body: unknown;
  try {
    body = parseLossless(text || '{}');
  } catch {
    throw new SageError('InvalidPayload', 'The payload body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SageError('InvalidPayload', 'only supports the insertion of one record per request');
  checkShape(body as Rec, def.shape, `Sage.CA.SBS.ERP.Sage300.${def.module}.WebApi.Models.${def.model}`);
  return body as Rec;
}

export async function startSage300Simulator(
  options: Sage300SimulatorOptions = {},
): Promise<Sage300Simulator> {
  const sim = new Sage300Simulator(options);
  await sim.start();
  return sim;
}
