import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, stringify } from 'lossless-json';
import { LocalHttpServer, seededRandom, SettableTime } from '@connector/core';
import { INVALID_SESSION, SlError, invalidPayload, notSupported } from './errors';
import { ODataSyntaxError, type Row } from './odata';
import { createDocument, documentAction, patchDocument } from './routes/documents';
import { createIncomingPayment } from './routes/incoming-payments';
import { createJournalEntry } from './routes/journal-entries';
import { Sessions, loginAnswer } from './routes/login';
import { createMasterRecord, patchMasterRecord, updateItem, type ItemChange } from './routes/master-data';
import { listPage, query, select } from './routes/query';
import { callFunction } from './routes/functions';
import {
  D,
  ENTITIES,
  SapB1State,
  clone,
  plain,
  type EntityDef,
  type SapB1SeedCustomer,
  type SapB1SeedItem,
} from './state';

/** The login the simulator accepts unless told otherwise. */
export const SAPB1_SIM_LOGIN = { companyDb: 'SBODEMOUS', user: 'manager', password: 'manager' } as const;

export interface SapB1SimulatorOptions {
  port?: number;
  /** the only company that can be logged into (default SBODEMOUS) */
  companyDb?: string;
  /** user name → password (default manager/manager) */
  users?: Record<string, string>;
  /** idle timeout in minutes (reference/erp/FACTS.md §1.1, default 30) */
  sessionTimeoutMinutes?: number;
  /** server page size (reference/erp/FACTS.md §1.4, default 20) */
  pageSize?: number;
  /**
   * the simulator's clock (default: the real one); it stamps UpdateDate/UpdateTime, ages sessions
   * and is sent in the `Date` header of every answer. `setTime`/`advanceTime` take it over.
   */
  now?: () => number;
  /** seed of the random numbers behind the lock rate */
  seed?: number;
  localCurrency?: string;
  items?: SapB1SeedItem[];
  /** customers (CardType cCustomer): CardCodes, or cards with a receivable, group, terms, currency */
  customers?: Array<string | SapB1SeedCustomer>;
  /** longest CardCode: 15 (the default, before version 10.0) or 50 (10.0 and later) */
  cardCodeLength?: number;
  /**
   * currency → rate for every day the rate table has no rate of its own (default none: a foreign
   * document or FC-only journal line without DocRate is refused with -4006, as SAP does)
   */
  standingRates?: Record<string, string>;
  /** G/L account codes (ChartOfAccounts Code = FormatCode) */
  accounts?: string[];
  warehouses?: string[];
  /** AdditionalExpenses (freight) codes, ExpensCode */
  expenseCodes?: number[];
  /** HTTP status of the injected record-lock answer (reference/erp/FACTS.md §1.6: 412 with -2039; the non-ETag status is [?]) */
  lockStatus?: number;
}

export interface SapB1Faults {
  /** share of writes answered with a record lock (-2039) */
  lockRate: number;
  /** every request under /b1s answers 503 */
  outage: boolean;
  /** every request under /b1s waits this long first: a real server's 100–500 ms */
  latencyMs: number;
  /**
   * a loaded server: each write running beside another adds this share to the lock rate (0.05 with 6
   * writes at once: 25% more locks), as record and table locks collide more the more writers there are
   */
  contention: number;
  /**
   * requests under /b1s answered at once (0: no bound): a real Service Layer runs a fixed number of
   * worker processes behind its load balancer, and requests beyond them wait their turn
   */
  workers: number;
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

/** A stock posting outside sales documents (goods receipt / issue). */
export interface StockPosting {
  itemCode: string;
  warehouse: string;
  /** exact decimal added to InStock; negative takes stock out */
  quantity: string;
}

/** A stored record as tests read it: Edm.Double values as exact decimal strings. */
export type SapB1Record = Record<string, unknown>;

/** Control-endpoint body (`POST /__control`). */
export interface SapB1Control extends Partial<SapB1Faults> {
  expireSessions?: boolean;
  /** the simulator's time from now on (ISO-8601), as `setTime` */
  now?: string;
  /** a stock posting, as `postStock` */
  stock?: StockPosting;
  /** the company's local currency from now on, as `setLocalCurrency` */
  localCurrency?: string;
  /** a row of the rate table, as `setExchangeRate` */
  rate?: { currency: string; date: string; rate: string };
}

const BASE = '/b1s/v1/';
const NO_FAULTS: SapB1Faults = { lockRate: 0, outage: false, latencyMs: 0, contention: 0, workers: 0 };

/**
 * An SAP Business One Service Layer (v1, OData v3) in memory, on node:http, faithful to
 * reference/erp/FACTS.md §1.8 for what the connector uses: Login/Logout and idle sessions
 * (routes/login), marketing documents with numbering, copy-from-order and Cancel/Close
 * (routes/documents), journal entries, incoming payments, master data, OData reads with server
 * paging (routes/query), SAP's error envelope, and faults. This file is the HTTP side: routing,
 * sessions, faults and the `/__control`, `/__inspect`, `/__stats` endpoints; state.ts holds the data.
 */
export class SapB1Simulator {
  readonly stats: SapB1Stats = { logins: 0, logouts: 0, invalidSessions: 0, locks: 0, requests: {} };
  faults: SapB1Faults = { ...NO_FAULTS };
  private readonly opts: Required<Omit<SapB1SimulatorOptions, 'items'>> & { items: SapB1SeedItem[] };
  private readonly state: SapB1State;
  private readonly sessions: Sessions;
  private readonly rnd: () => number;
  private readonly server = new LocalHttpServer();

  /** the simulator's clock: real time until a test sets or moves it (setTime, advanceTime) */
  private readonly time: SettableTime;

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
      cardCodeLength: 15,
      standingRates: {},
      lockStatus: 412,
      ...options,
    };
    this.rnd = seededRandom(this.opts.seed);
    this.time = new SettableTime(this.opts.now);
    this.opts.now = () => this.time.now();
    this.state = new SapB1State(this.opts, this.opts.now);
    this.sessions = new Sessions(this.opts);
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
    this.faults = { ...NO_FAULTS };
  }

  /** The simulator's time (epoch ms): what stamps UpdateDate/UpdateTime and the `Date` header. */
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

  /**
   * A stock posting that is not a sales document (a goods receipt or goods issue, an inventory
   * count): `quantity` added to the item's InStock in the warehouse (negative takes it out).
   * Like SAP (reference/erp/FACTS.md §1.4), Items.UpdateDate/UpdateTime do not change.
   */
  postStock(posting: StockPosting): void {
    const item = this.state.table('Items').find((i) => i.ItemCode === posting.itemCode);
    if (!item) throw new Error(`no item ${posting.itemCode}`);
    if (!this.state.table('Warehouses').some((w) => w.WarehouseCode === posting.warehouse))
      throw new Error(`no warehouse ${posting.warehouse}`);
    this.state.moveStock(posting.itemCode, posting.warehouse, D(posting.quantity), D(0));
  }

  /** The company's local currency (AdminInfo LocalCurrency) from now on. */
  setLocalCurrency(currency: string): void {
    this.state.localCurrency = currency;
  }

  get localCurrency(): string {
    return this.state.localCurrency;
  }

  /** A row of the rate table (ORTT), as `SBOBobService_SetCurrencyRate`: local units per unit of `currency` on `date`. */
  setExchangeRate(currency: string, date: string, rate: string): void {
    this.state.setRate(currency, date.slice(0, 10), D(rate));
  }

  /** A G/L account is gone from the chart of accounts (as if it had never been created). */
  removeAccount(code: string): void {
    const t = this.state.table('ChartOfAccounts');
    const i = t.findIndex((a) => a.Code === code);
    if (i >= 0) t.splice(i, 1);
  }

  /** `PATCH /b1s/v1/<entity>(key)` in process (no session, no faults): e.g. an item or a customer made inactive. */
  update(entity: string, key: string | number, body: Record<string, unknown>): void {
    this.patchRecord(entity, key, clone(body));
  }

  /** Every session is gone now: the next request with its cookie gets 401 / 301. */
  expireSessions(): void {
    this.sessions.expireAll();
  }

  /** Records of an entity set, Edm.Double values as decimal strings. */
  documents(entity: string): SapB1Record[] {
    return this.state.table(entity).map((r) => plain(r) as SapB1Record);
  }

  /** Creates a record as `POST /b1s/v1/<entity>` would (no session, no faults); returns it. */
  create(entity: string, body: unknown): SapB1Record {
    return plain(this.createRecord(entity, clone(body))) as SapB1Record;
  }

  /**
   * A delivery of the whole sales order, copied from it as SAP's "copy to delivery" posts it
   * (BaseType 17 per order line), with a tracking number and shipping type; returns the delivery.
   */
  deliver(order: SapB1Record, opts: { trackingNumber: string; transportationCode: number }): SapB1Record {
    return this.create('DeliveryNotes', {
      CardCode: order.CardCode,
      NumAtCard: order.NumAtCard,
      TrackingNumber: opts.trackingNumber,
      TransportationCode: opts.transportationCode,
      DocumentLines: (order.DocumentLines as Array<Record<string, unknown>>).map((l) => ({
        BaseType: 17,
        BaseEntry: Number(order.DocEntry),
        BaseLine: Number(l.LineNum),
      })),
    });
  }

  /** `POST /b1s/v1/<Documents>(n)/Cancel|Close` in process (no session, no faults). */
  documentAction(entity: string, docEntry: number, action: 'Cancel' | 'Close'): void {
    documentAction(this.state, entity, docEntry, action);
  }

  /**
   * Changes an item as a user in the client would, stamping UpdateDate/UpdateTime: name, prices
   * per price list, on-hand per warehouse.
   */
  updateItem(itemCode: string, change: ItemChange): void {
    updateItem(this.state, itemCode, change);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  /** writes being answered now (for `contention`) */
  private writesInFlight = 0;
  /** requests holding a worker now, and those waiting for one (for `workers`) */
  private serving = 0;
  private readonly waitingForWorker: Array<() => void> = [];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bounded = this.faults.workers > 0 && (req.url ?? '').startsWith(BASE);
    if (bounded) {
      while (this.faults.workers > 0 && this.serving >= this.faults.workers)
        await new Promise<void>((r) => this.waitingForWorker.push(r));
      this.serving++;
    }
    const write = req.method !== 'GET';
    if (write) this.writesInFlight++;
    try {
      await this.answer(req, res);
    } finally {
      if (write) this.writesInFlight--;
      if (bounded) {
        this.serving--;
        this.waitingForWorker.shift()?.();
      }
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    // every answer says the server's time (its own clock, not the host's)
    res.setHeader('Date', new Date(this.opts.now()).toUTCString());
    if (url.pathname === '/__control' && req.method === 'POST') {
      const c = (raw.length ? JSON.parse(raw.toString()) : {}) as SapB1Control;
      if (c.expireSessions) this.expireSessions();
      if (c.now !== undefined) this.setTime(Date.parse(c.now));
      if (c.stock) this.postStock(c.stock);
      if (c.localCurrency) this.setLocalCurrency(c.localCurrency);
      if (c.rate) this.setExchangeRate(c.rate.currency, c.rate.date, c.rate.rate);
      const { expireSessions: _e, now: _n, stock: _s, localCurrency: _l, rate: _r, ...faults } = c;
      return this.sendJson(res, 200, this.setFaults(faults));
    }
    if (url.pathname.startsWith('/__inspect/') && req.method === 'GET') {
      const entity = decodeURIComponent(url.pathname.slice('/__inspect/'.length));
      if (!this.state.has(entity)) return this.sendError(res, 404, -1000, `no entity set ${entity}`);
      return this.sendJson(res, 200, this.state.table(entity));
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
      const session = this.sessions.of(req);
      if (!session) {
        this.stats.invalidSessions++;
        return this.sendError(res, 401, 301, INVALID_SESSION);
      }
      session.lastSeenMs = this.opts.now();
      if (resource === 'Logout' && method === 'POST') {
        this.sessions.logout(session);
        this.stats.logouts++;
        res.writeHead(204);
        res.end();
        return;
      }
      if (/^[A-Za-z]+Service_[A-Za-z]+$/.test(resource)) return this.callFunction(method, resource, raw, res);
      this.route(method, resource, url.searchParams, raw, req, res);
    } catch (err) {
      if (err instanceof SlError) return this.sendError(res, err.status, err.code, err.message);
      if (err instanceof ODataSyntaxError) return this.sendError(res, 400, -1000, err.message);
      throw err;
    }
  }

  private login(raw: Buffer, res: ServerResponse): void {
    const session = this.sessions.login(raw);
    if (!session) return this.sendError(res, 401, 100000027, 'Login failed');
    this.stats.logins++;
    const answer = loginAnswer(
      session,
      `${this.server.started ? this.url : ''}${BASE}`,
      this.opts.sessionTimeoutMinutes,
    );
    res.setHeader('Set-Cookie', answer.cookies);
    this.sendJson(res, 200, answer.body);
  }

  /** `<Entity>`, `<Entity>(key)`, `<Entity>/$count`, `<Entity>(key)/<Action>` by verb. */
  private route(
    method: string,
    resource: string,
    q: URLSearchParams,
    raw: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const m = /^([A-Za-z]+)(?:\((.+)\))?(?:\/(\$count|[A-Za-z]+))?$/.exec(resource);
    const entity = m?.[1];
    if (!m || !entity || !ENTITIES[entity])
      throw new SlError(404, -1000, `Resource not found for the segment '${resource.split(/[(/]/)[0]}'.`);
    const def = ENTITIES[entity];
    const key = m[2] !== undefined ? parseKey(def, m[2]) : undefined;
    const action = m[3];
    const statKey = `${method} ${entity}${action ? `/${action}` : ''}`;
    this.stats.requests[statKey] = (this.stats.requests[statKey] ?? 0) + 1;

    if (method !== 'GET') this.maybeLock();

    if (method === 'GET') {
      if (key !== undefined && !action) {
        const row = this.state.find(entity, key);
        return this.sendJson(res, 200, {
          'odata.metadata': `${this.url}${BASE}$metadata#${entity}/@Element`,
          ...select(row, q.get('$select')),
        });
      }
      if (key === undefined && action === '$count') {
        const rows = query(this.state, entity, q);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(String(rows.length));
        return;
      }
      if (key === undefined && !action) {
        const page = listPage(this.state, entity, q, req, this.opts.pageSize);
        return this.sendJson(
          res,
          200,
          { 'odata.metadata': `${this.url}${BASE}$metadata#${entity}`, ...page.body },
          page.headers,
        );
      }
    }
    if (method === 'POST' && key === undefined && !action) {
      const created = this.createRecord(entity, parseJson(raw));
      if (/return-no-content/.test(String(req.headers.prefer ?? ''))) {
        const k = created[def.key];
        res.writeHead(204, {
          Location: `${this.url}${BASE}${entity}(${def.keyType === 'int' ? (k as number) : `'${String(k)}'`})`,
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
      documentAction(this.state, entity, key as number, action);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'PATCH' && key !== undefined && !action) {
      this.patchRecord(entity, key, parseJson(raw));
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'DELETE' && key !== undefined && !action) this.state.find(entity, key);
    throw notSupported();
  }

  /** `POST /<Service>_<Method>`: the service functions of routes/functions; a write among them can meet a lock. */
  private callFunction(method: string, name: string, raw: Buffer, res: ServerResponse): void {
    const statKey = `${method} ${name}`;
    this.stats.requests[statKey] = (this.stats.requests[statKey] ?? 0) + 1;
    if (method !== 'POST') throw notSupported();
    const answer = callFunction(this.state, name, raw.length ? parseJson(raw) : {}, () => this.maybeLock());
    if (answer === undefined) {
      res.writeHead(204);
      res.end();
      return;
    }
    return this.sendJson(res, 200, {
      'odata.metadata': `${this.url}${BASE}$metadata#${answer.type}`,
      ...answer.body,
    });
  }

  private createRecord(entity: string, body: unknown): Row {
    switch (ENTITIES[entity].kind) {
      case 'document':
        return createDocument(this.state, entity, body);
      case 'journal':
        return createJournalEntry(this.state, body);
      case 'payment':
        return createIncomingPayment(this.state, body);
      default:
        return createMasterRecord(this.state, entity, body);
    }
  }

  private patchRecord(entity: string, key: string | number, body: unknown): void {
    const row = this.state.find(entity, key);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload();
    if (ENTITIES[entity].kind === 'document') patchDocument(this.state, row, body as Row);
    else patchMasterRecord(this.state, entity, row, body as Row);
  }

  private maybeLock(): void {
    const rate = this.faults.lockRate + this.faults.contention * Math.max(0, this.writesInFlight - 1);
    if (rate > 0 && this.rnd() < rate) {
      this.stats.locks++;
      throw new SlError(
        this.opts.lockStatus,
        -2039,
        'Another user or another operation modified data; to continue, open the window again (ODBC -2039)',
      );
    }
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

function parseJson(raw: Buffer): unknown {
  try {
    return parse(raw.toString() || 'null');
  } catch {
    throw invalidPayload('Invalid JSON payload');
  }
}

function parseKey(def: EntityDef, src: string): string | number {
  const s = /^'(.*)'$/.exec(src);
  if (def.keyType === 'string') {
    if (!s) throw new SlError(400, -1000, `Invalid key '${src}'`);
    return s[1].replace(/''/g, "'");
  }
  if (!/^\d+$/.test(src)) throw new SlError(400, -1000, `Invalid key '${src}'`);
  return Number(src);
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
