import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { LocalHttpServer } from '@connector/core';
import { USAGE_PLANS } from '../../../libs/sp-api/src/generated/usage-plans';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  formatCents,
  generateOrders,
  itemTotalCents,
  type SimOrder,
} from './dataset';
import { seededRandom } from './random';
import { exactJson, groupIdOf, renderEventGroup, renderShipmentEvents, renderTransaction } from './finances';
import { renderOrder2026, renderSettlement, type SimSettlement } from './render';
import { applyPatches, renderListingsItem, submissionId, type SimListing } from './listings';
import { findSandboxCase, loadSandboxCases, type SandboxCase } from './sandbox';

export interface SimulatorOptions {
  port?: number;
  seed?: number;
  startMs?: number;
  days?: number;
  ordersPerDay?: number;
  /** multiplies every usage-plan rate (and shortens report processing) so tests need not wait Amazon's minutes */
  speedFactor?: number;
  tokenLifetimeSec?: number;
  documentUrlTtlMs?: number;
  /** the simulator's "now" (default: the real clock) */
  now?: () => number;
  /** the clock rate-limit buckets refill on (default: the real clock; benchmarks share a virtual one with the client) */
  rateNow?: () => number;
  /**
   * Serve Amazon's static sandbox instead of the simulated seller data: the request/response pairs of
   * this file (../shared/reference/sp-api/samples/sandbox-static-cases.json), at the sandbox's usage
   * plan of 5 requests per second, burst 15, for every operation.
   */
  sandboxCasesFile?: string;
}

export interface Faults {
  /** share of calls answered with errorStatus */
  errorRate: number;
  errorStatus: 500 | 503;
  /** share of calls answered 429 even with tokens left (Amazon's transient throttling) */
  throttleRate: number;
  latencyMs: number;
}

/** The in-process twin of the control endpoint (`POST /_sim/faults`, `GET /_sim/stats`). */
export interface SimulatorControl {
  /** merges the given faults into the current ones; `{}` changes nothing, `clearFaults()` resets */
  setFaults(faults: Partial<Faults>): Faults;
  clearFaults(): void;
  /** every issued access token stops working now */
  expireTokens(): void;
  readonly stats: SimulatorStats;
}

export interface SimulatorStats {
  calls: Record<string, number>;
  throttled: Record<string, number>;
  errors: Record<string, number>;
  tokensIssued: number;
}

interface Report {
  reportId: string;
  reportType: string;
  sellerId: string;
  marketplaceIds: string[];
  createdMs: number;
  readyMs: number;
  dataStartTime?: string;
  dataEndTime?: string;
  documentId: string;
  content: () => string;
}

/** A body already serialised (Finances writes exact JSON numbers). */
class RawJson {
  constructor(readonly text: string) {}
}

const THROTTLED = {
  errors: [
    { code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' },
  ],
};
const UNAUTHORIZED = {
  errors: [
    {
      code: 'Unauthorized',
      message: 'Access to requested resource is denied.',
      details: 'The access token you provided is revoked, malformed or invalid.',
    },
  ],
};
const invalid = (message: string) => ({ errors: [{ code: 'InvalidInput', message, details: '' }] });
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

/** Next tokens that carry the original query, as Amazon's do: the caller resends the token alone. */
interface QueryToken {
  offset: number;
  q: string;
}
const readQueryToken = (next: string | null, q: URLSearchParams): QueryToken =>
  next
    ? (JSON.parse(Buffer.from(next, 'base64url').toString()) as QueryToken)
    : { offset: 0, q: q.toString() };
const nextQueryToken = (offset: number, state: QueryToken): string =>
  Buffer.from(JSON.stringify({ offset, q: state.q })).toString('base64url');

export class SpApiSimulator {
  readonly orders: SimOrder[];
  readonly settlements: SimSettlement[] = [];
  readonly stats: SimulatorStats = { calls: {}, throttled: {}, errors: {}, tokensIssued: 0 };
  faults: Faults = { errorRate: 0, errorStatus: 503, throttleRate: 0, latencyMs: 0 };
  private readonly opts: Required<SimulatorOptions>;
  private readonly byId = new Map<string, SimOrder>();
  private readonly tokens = new Map<string, { sellerId: string; expiresAt: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly reports: Report[] = [];
  private readonly secret = randomBytes(16);
  private readonly rnd: () => number;
  private readonly server = new LocalHttpServer();
  private nextReport = 50_000_000_000;
  private readonly sandbox?: SandboxCase[];
  /** listings by seller, sku and marketplace */
  readonly listings = new Map<string, SimListing>();
  private readonly feedDocuments = new Map<
    string,
    { sellerId: string; contentType: string; content?: Buffer }
  >();
  private readonly feeds: Array<{
    feedId: string;
    sellerId: string;
    feedType: string;
    marketplaceIds: string[];
    createdMs: number;
    readyMs: number;
    input: string;
    result?: string;
  }> = [];

  constructor(options: SimulatorOptions = {}) {
    this.opts = {
      port: 0,
      seed: 42,
      startMs: Date.UTC(2026, 9, 1),
      days: 28,
      ordersPerDay: 40,
      speedFactor: 1,
      tokenLifetimeSec: 3600,
      documentUrlTtlMs: 300_000,
      now: Date.now,
      rateNow: Date.now,
      sandboxCasesFile: '',
      ...options,
    };
    this.sandbox = this.opts.sandboxCasesFile ? loadSandboxCases(this.opts.sandboxCasesFile) : undefined;
    this.rnd = seededRandom(this.opts.seed + 1);
    this.orders = generateOrders(this.opts);
    for (const o of this.orders) this.byId.set(o.orderId, o);
    this.buildSettlements();
    this.buildListings();
  }

  /** Every SKU of the catalogue listed in each marketplace of each seller; every third SKU is FBA. */
  private buildListings(): void {
    for (const seller of SIM_SELLERS) {
      for (const mp of seller.marketplaces) {
        for (let n = 0; n < 200; n++) {
          const sku = `SIM-${String(n).padStart(4, '0')}`;
          this.listings.set(`${seller.sellerId}/${sku}/${mp.id}`, {
            sku,
            asin: `B0SIM${String(n).padStart(5, '0')}`,
            marketplaceId: mp.id,
            productType: 'PRODUCT',
            itemName: `Simulated product ${n}`,
            fba: n % 3 === 0,
            quantity: 10 + (n % 17),
            price: formatCents(499 + n * 37),
            currency: mp.currency,
            createdMs: this.opts.startMs,
            updatedMs: this.opts.startMs,
          });
        }
      }
    }
  }

  listing(sellerId: string, sku: string, marketplaceId: string): SimListing | undefined {
    return this.listings.get(`${sellerId}/${sku}/${marketplaceId}`);
  }

  /** Settlements every 14 days per seller and marketplace; the reserve held in one is released in the next. */
  private buildSettlements(): void {
    let n = 0;
    for (const seller of SIM_SELLERS) {
      for (const mp of seller.marketplaces) {
        let reserve = 0;
        for (
          let start = this.opts.startMs;
          start + 14 * DAY <= this.opts.startMs + this.opts.days * DAY;
          start += 14 * DAY
        ) {
          const end = start + 14 * DAY;
          const orders = this.orders.filter(
            (o) =>
              o.sellerId === seller.sellerId &&
              o.marketplaceId === mp.id &&
              o.status === 'SHIPPED' &&
              o.lastUpdatedMs >= start &&
              o.lastUpdatedMs < end,
          );
          const s = renderSettlement(
            String(11_000_000_000 + ++n),
            seller,
            mp.id,
            orders,
            start,
            end,
            reserve,
          );
          reserve = s.reserveCents;
          this.settlements.push(s);
          this.reports.push({
            reportId: String(this.nextReport++),
            reportType: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2',
            sellerId: seller.sellerId,
            marketplaceIds: [mp.id],
            createdMs: s.depositMs,
            readyMs: s.depositMs,
            documentId: `amzn1.spdoc.1.4.na.sim.${s.settlementId}`,
            content: () => s.text,
          });
        }
      }
    }
  }

  /**
   * Publishes a settlement report file of the test's choosing (a malformed one, a huge one) as Amazon
   * would: listed by getReports, served gzip from a signed URL. `content` is called on each download.
   */
  addSettlementReport(
    sellerId: string,
    marketplaceId: string,
    content: () => string,
    createdMs: number,
  ): string {
    const reportId = String(this.nextReport++);
    this.reports.push({
      reportId,
      reportType: 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2',
      sellerId,
      marketplaceIds: [marketplaceId],
      createdMs,
      readyMs: createdMs,
      documentId: `amzn1.spdoc.1.4.na.sim.custom.${reportId}`,
      content,
    });
    return reportId;
  }

  start(): Promise<string> {
    return this.server.listen(this.opts.port, (req, res) => {
      this.handle(req, res).catch((err: unknown) =>
        this.send(res, 500, { errors: [{ code: 'InternalFailure', message: String(err) }] }),
      );
    });
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Fault injection and counters, as the control endpoint offers them over HTTP. */
  get control(): SimulatorControl {
    return {
      setFaults: (faults) => (this.faults = { ...this.faults, ...faults }),
      clearFaults: () => {
        this.faults = { errorRate: 0, errorStatus: 503, throttleRate: 0, latencyMs: 0 };
      },
      expireTokens: () => this.expireTokens(),
      stats: this.stats,
    };
  }

  /** Every issued access token stops working now (the client must refresh mid-run). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : body instanceof RawJson ? body.text : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomBytes(8).toString('hex'),
      ...headers,
    });
    res.end(text);
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Amazon's token bucket for the seller × operation; false means answer 429. */
  private take(sellerId: string, operation: string): { ok: boolean; rate: number } {
    const plan = USAGE_PLANS.find((p) => p.operation === operation);
    const rate = (plan?.rate ?? 1) * this.opts.speedFactor;
    const burst = plan?.burst ?? 1;
    const key = `${sellerId}/${operation}`;
    // buckets refill on their own clock: real time even when the simulated business clock is frozen
    const now = this.opts.rateNow();
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return { ok: false, rate };
    b.tokens -= 1;
    return { ok: true, rate };
  }

  private count(map: Record<string, number>, op: string): void {
    map[op] = (map[op] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const q = url.searchParams;

    if (path === '/auth/o2/token' && req.method === 'POST')
      return this.lwa(res, new URLSearchParams(await this.body(req)));
    if (path.startsWith('/_documents/') && req.method === 'PUT') {
      return this.uploadFeedDocument(
        res,
        decodeURIComponent(path.slice('/_documents/'.length)),
        q,
        String(req.headers['content-type'] ?? ''),
        await this.body(req),
      );
    }
    if (path.startsWith('/_documents/')) return this.document(res, path.slice('/_documents/'.length), q);
    if (path === '/_sim/faults' && req.method === 'POST') {
      const body = JSON.parse((await this.body(req)) || '{}');
      if (body.expireTokens) this.expireTokens();
      this.faults = { ...this.faults, ...body };
      delete (this.faults as unknown as Record<string, unknown>).expireTokens;
      return this.send(res, 200, this.faults);
    }
    if (path === '/_sim/stats') return this.send(res, 200, this.stats);

    if (this.sandbox) return this.sandboxAnswer(req, res, path, q);
    const route = this.route(req.method ?? 'GET', path);
    if (!route)
      return this.send(res, 404, {
        errors: [{ code: 'NotFound', message: `no route for ${req.method} ${path}` }],
      });
    const auth = this.tokens.get(String(req.headers['x-amz-access-token'] ?? ''));
    if (!auth || auth.expiresAt <= this.opts.now()) return this.send(res, 403, UNAUTHORIZED);
    this.count(this.stats.calls, route.operation);
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const bucket = this.take(auth.sellerId, route.operation);
    if (!bucket.ok || this.rnd() < this.faults.throttleRate) {
      this.count(this.stats.throttled, route.operation);
      return this.send(res, 429, THROTTLED);
    }
    if (this.rnd() < this.faults.errorRate) {
      this.count(this.stats.errors, route.operation);
      return this.send(res, this.faults.errorStatus, {
        errors: [{ code: 'InternalFailure', message: 'We encountered an internal error. Please try again.' }],
      });
    }
    const body = req.method === 'POST' || req.method === 'PATCH' ? await this.body(req) : '';
    const [status, payload] = route.run(auth.sellerId, q, body ? JSON.parse(body) : undefined);
    return this.send(res, status, payload, { 'x-amzn-ratelimit-limit': String(bucket.rate) });
  }

  private async sandboxAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    q: URLSearchParams,
  ): Promise<void> {
    const auth = this.tokens.get(String(req.headers['x-amz-access-token'] ?? ''));
    if (!auth || auth.expiresAt <= this.opts.now()) return this.send(res, 403, UNAUTHORIZED);
    const text = await this.body(req);
    const found = findSandboxCase(
      this.sandbox!,
      req.method ?? 'GET',
      path,
      q,
      text ? JSON.parse(text) : undefined,
    );
    const operation = found?.operation ?? 'unknown';
    this.count(this.stats.calls, operation);
    const b = this.buckets.get(`sandbox/${operation}`) ?? { tokens: 15, at: this.opts.rateNow() };
    b.tokens = Math.min(15, b.tokens + ((this.opts.rateNow() - b.at) / 1000) * 5 * this.opts.speedFactor);
    b.at = this.opts.rateNow();
    this.buckets.set(`sandbox/${operation}`, b);
    if (b.tokens < 1) {
      this.count(this.stats.throttled, operation);
      return this.send(res, 429, THROTTLED);
    }
    b.tokens -= 1;
    if (!found) return this.send(res, 400, invalid('No static sandbox case matches this request.'));
    return this.send(res, found.status, found.status === 204 ? undefined : found.response, {
      'x-amzn-ratelimit-limit': String(5 * this.opts.speedFactor),
    });
  }

  private lwa(res: ServerResponse, form: URLSearchParams): void {
    if (
      form.get('client_id') !== SIM_LWA_CLIENT.clientId ||
      form.get('client_secret') !== SIM_LWA_CLIENT.clientSecret
    ) {
      return this.send(res, 401, {
        error_description: 'Client authentication failed',
        error: 'invalid_client',
      });
    }
    const seller = SIM_SELLERS.find((s) => s.refreshToken === form.get('refresh_token'));
    if (form.get('grant_type') !== 'refresh_token' || !seller) {
      return this.send(res, 400, {
        error_description: 'The request has an invalid grant parameter : refresh_token',
        error: 'invalid_grant',
      });
    }
    const token = `Atza|sim-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, {
      sellerId: seller.sellerId,
      expiresAt: this.opts.now() + this.opts.tokenLifetimeSec * 1000,
    });
    this.stats.tokensIssued++;
    this.send(
      res,
      200,
      {
        access_token: token,
        token_type: 'bearer',
        expires_in: this.opts.tokenLifetimeSec,
        refresh_token: seller.refreshToken,
      },
      { 'cache-control': 'no-store' },
    );
  }

  private route(
    method: string,
    path: string,
  ):
    | { operation: string; run: (seller: string, q: URLSearchParams, body: unknown) => [number, unknown] }
    | undefined {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/orders/2026-01-01/orders')
      return { operation: 'searchOrders', run: (s, q) => this.searchOrders(s, q) };
    if (method === 'GET' && (m = path.match(/^\/orders\/2026-01-01\/orders\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'getOrder', run: (s, q) => this.getOrder(s, id, q) };
    }
    if (method === 'GET' && path === '/orders/v0/orders')
      return { operation: 'getOrders', run: (s, q) => this.getOrdersV0(s, q) };
    if (method === 'GET' && (m = path.match(/^\/orders\/v0\/orders\/([^/]+)\/orderItems$/))) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'getOrderItems', run: (s) => this.getOrderItemsV0(s, id) };
    }
    if (method === 'POST' && (m = path.match(/^\/orders\/v0\/orders\/([^/]+)\/shipmentConfirmation$/))) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'confirmShipment', run: (s, _q, b) => this.confirmShipment(s, id, b) };
    }
    if (method === 'GET' && path === '/reports/2021-06-30/reports')
      return { operation: 'getReports', run: (s, q) => this.getReports(s, q) };
    if (method === 'POST' && path === '/reports/2021-06-30/reports')
      return { operation: 'createReport', run: (s, _q, b) => this.createReport(s, b) };
    if (method === 'GET' && (m = path.match(/^\/reports\/2021-06-30\/reports\/([^/]+)$/))) {
      const id = m[1];
      return { operation: 'getReport', run: (s) => this.getReport(s, id) };
    }
    if (method === 'GET' && (m = path.match(/^\/reports\/2021-06-30\/documents\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'getReportDocument', run: (s) => this.getReportDocument(s, id) };
    }
    if (method === 'GET' && path === '/finances/2024-06-19/transactions') {
      return { operation: 'listTransactions', run: (s, q) => this.transactions(s, q) };
    }
    if (method === 'GET' && path === '/finances/v0/financialEventGroups') {
      return { operation: 'listFinancialEventGroups', run: (s, q) => this.eventGroups(s, q) };
    }
    if (
      method === 'GET' &&
      (m = path.match(/^\/finances\/v0\/financialEventGroups\/([^/]+)\/financialEvents$/))
    ) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'listFinancialEventsByGroupId', run: (s, q) => this.eventsByGroup(s, id, q) };
    }
    if (
      (m = path.match(/^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/)) &&
      (method === 'GET' || method === 'PATCH')
    ) {
      const owner = decodeURIComponent(m[1]);
      const sku = decodeURIComponent(m[2]);
      return method === 'GET'
        ? { operation: 'getListingsItem', run: (s, q) => this.getListingsItem(s, owner, sku, q) }
        : { operation: 'patchListingsItem', run: (s, q, b) => this.patchListingsItem(s, owner, sku, q, b) };
    }
    if (method === 'POST' && path === '/feeds/2021-06-30/documents')
      return { operation: 'createFeedDocument', run: (s, _q, b) => this.createFeedDocument(s, b) };
    if (method === 'POST' && path === '/feeds/2021-06-30/feeds')
      return { operation: 'createFeed', run: (s, _q, b) => this.createFeed(s, b) };
    if (method === 'GET' && (m = path.match(/^\/feeds\/2021-06-30\/feeds\/([^/]+)$/))) {
      const id = m[1];
      return { operation: 'getFeed', run: (s) => this.getFeed(s, id) };
    }
    if (method === 'GET' && (m = path.match(/^\/feeds\/2021-06-30\/documents\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]);
      return { operation: 'getFeedDocument', run: (s) => this.getFeedDocument(s, id) };
    }
    if (method === 'GET' && path === '/sellers/v1/marketplaceParticipations') {
      return { operation: 'getMarketplaceParticipations', run: (s) => this.participations(s) };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- Orders
  private pageToken(offset: number, fingerprint: string): string {
    return Buffer.from(JSON.stringify({ offset, fingerprint })).toString('base64url');
  }

  private searchOrders(sellerId: string, q: URLSearchParams): [number, unknown] {
    const created = q.get('createdAfter');
    const updated = q.get('lastUpdatedAfter');
    const token = q.get('paginationToken');
    const fingerprint = [...q.entries()]
      .filter(([k]) => k !== 'paginationToken')
      .sort()
      .join('&');
    if (!token && Boolean(created) === Boolean(updated))
      return [400, invalid('Exactly one of createdAfter and lastUpdatedAfter is required.')];
    const limit = Number(q.get('maxResultsPerPage') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return [400, invalid('maxResultsPerPage must be between 1 and 100.')];
    const latest = this.opts.now() - 120_000;
    const beforeParam = q.get(created ? 'createdBefore' : 'lastUpdatedBefore');
    const before = beforeParam ? Date.parse(beforeParam) : latest;
    if (before > latest)
      return [
        400,
        invalid(`${created ? 'createdBefore' : 'lastUpdatedBefore'} must be at least 2 minutes before now.`),
      ];
    const after = Date.parse((created ?? updated)!);
    if (Number.isNaN(after) || Number.isNaN(before)) return [400, invalid('Dates must be ISO 8601.')];
    const marketplaces = q.get('marketplaceIds')?.split(',');
    const statuses = q.get('fulfillmentStatuses')?.split(',');
    const fulfilledBy = q.get('fulfilledBy');
    const field = created ? 'createdMs' : 'lastUpdatedMs';
    const matching = this.orders
      .filter((o) => o.sellerId === sellerId && o[field] >= after && o[field] < before)
      .filter((o) => !marketplaces || marketplaces.includes(o.marketplaceId))
      .filter((o) => !statuses || statuses.includes(o.status))
      .filter((o) => !fulfilledBy || o.fulfilledBy === fulfilledBy)
      .sort((a, b) => a[field] - b[field] || a.orderId.localeCompare(b.orderId));
    let offset = 0;
    if (token) {
      try {
        const t = JSON.parse(Buffer.from(token, 'base64url').toString());
        if (t.fingerprint !== fingerprint)
          return [400, invalid('paginationToken does not belong to this query.')];
        offset = t.offset;
      } catch {
        return [400, invalid('Invalid paginationToken.')];
      }
    }
    const page = matching.slice(offset, offset + limit);
    const includedData = q.get('includedData')?.split(',') ?? [];
    const nextToken =
      offset + limit < matching.length ? this.pageToken(offset + limit, fingerprint) : undefined;
    return [
      200,
      {
        orders: page.map((o) => renderOrder2026(o, includedData)),
        ...(nextToken ? { pagination: { nextToken } } : {}),
        [created ? 'createdBefore' : 'lastUpdatedBefore']: iso(before),
      },
    ];
  }

  private getOrder(sellerId: string, orderId: string, q: URLSearchParams): [number, unknown] {
    const o = this.byId.get(orderId);
    if (!o || o.sellerId !== sellerId)
      return [404, { errors: [{ code: 'NotFound', message: `Order ${orderId} not found.` }] }];
    return [200, { order: renderOrder2026(o, q.get('includedData')?.split(',') ?? []) }];
  }

  /** Orders v0 getOrders (deprecated): items are not included, one more call per order is needed. */
  private getOrdersV0(sellerId: string, q: URLSearchParams): [number, unknown] {
    const next = q.get('NextToken');
    // the NextToken carries the original query, as Amazon's does
    const state = readQueryToken(next, q);
    const query = new URLSearchParams(state.q);
    const after = Date.parse(query.get('LastUpdatedAfter') ?? query.get('CreatedAfter') ?? '');
    const before = query.get('LastUpdatedBefore')
      ? Date.parse(query.get('LastUpdatedBefore')!)
      : this.opts.now() - 120_000;
    if (Number.isNaN(after)) return [400, invalid('CreatedAfter or LastUpdatedAfter is required.')];
    const matching = this.orders.filter(
      (o) => o.sellerId === sellerId && o.lastUpdatedMs >= after && o.lastUpdatedMs < before,
    );
    const offset: number = state.offset;
    const size = Math.min(100, Number(query.get('MaxResultsPerPage') ?? 100));
    const page = matching.slice(offset, offset + size);
    const status: Record<SimOrder['status'], string> = {
      PENDING: 'Pending',
      UNSHIPPED: 'Unshipped',
      PARTIALLY_SHIPPED: 'PartiallyShipped',
      SHIPPED: 'Shipped',
      CANCELLED: 'Canceled',
    };
    return [
      200,
      {
        payload: {
          Orders: page.map((o) => ({
            AmazonOrderId: o.orderId,
            PurchaseDate: iso(o.createdMs),
            LastUpdateDate: iso(o.lastUpdatedMs),
            OrderStatus: status[o.status],
            FulfillmentChannel: o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
            MarketplaceId: o.marketplaceId,
          })),
          ...(offset + size < matching.length
            ? {
                NextToken: nextQueryToken(offset + size, state),
              }
            : {}),
          LastUpdatedBefore: iso(before),
        },
      },
    ];
  }

  private getOrderItemsV0(sellerId: string, orderId: string): [number, unknown] {
    const o = this.byId.get(orderId);
    if (!o || o.sellerId !== sellerId)
      return [404, { errors: [{ code: 'NotFound', message: `Order ${orderId} not found.` }] }];
    return [
      200,
      {
        payload: {
          AmazonOrderId: o.orderId,
          OrderItems: o.items.map((it) => ({
            ASIN: it.asin,
            SellerSKU: it.sku,
            OrderItemId: it.orderItemId,
            Title: it.title,
            QuantityOrdered: it.quantity,
            ItemPrice: { CurrencyCode: o.currency, Amount: formatCents(itemTotalCents(it)) },
          })),
        },
      },
    ];
  }

  private confirmShipment(sellerId: string, orderId: string, body: unknown): [number, unknown] {
    const o = this.byId.get(orderId);
    if (!o || o.sellerId !== sellerId)
      return [404, { errors: [{ code: 'NotFound', message: `Order ${orderId} not found.` }] }];
    const b = body as
      | { packageDetail?: { packageReferenceId?: string; carrierCode?: string; trackingNumber?: string } }
      | undefined;
    if (!b?.packageDetail?.packageReferenceId || !b.packageDetail.carrierCode)
      return [400, invalid('packageDetail with packageReferenceId and carrierCode is required.')];
    return [204, undefined];
  }

  // ---------------------------------------------------------------- Reports
  private renderReport(r: Report) {
    const done = this.opts.now() >= r.readyMs;
    return {
      reportId: r.reportId,
      reportType: r.reportType,
      marketplaceIds: r.marketplaceIds,
      createdTime: iso(r.createdMs),
      processingStatus: done
        ? 'DONE'
        : this.opts.now() >= r.createdMs + (r.readyMs - r.createdMs) / 2
          ? 'IN_PROGRESS'
          : 'IN_QUEUE',
      ...(done
        ? {
            processingStartTime: iso(r.createdMs),
            processingEndTime: iso(r.readyMs),
            reportDocumentId: r.documentId,
          }
        : {}),
      ...(r.dataStartTime ? { dataStartTime: r.dataStartTime } : {}),
      ...(r.dataEndTime ? { dataEndTime: r.dataEndTime } : {}),
    };
  }

  private getReports(sellerId: string, q: URLSearchParams): [number, unknown] {
    const next = q.get('nextToken');
    const types = q.get('reportTypes')?.split(',');
    if (!next && !types)
      return [400, { errors: [{ code: 'InvalidInput', message: 'reportTypes or nextToken is required.' }] }];
    if (next && [...q.keys()].some((k) => k !== 'nextToken'))
      return [400, invalid('nextToken must be the only parameter.')];
    const state = readQueryToken(next, q);
    const query = new URLSearchParams(state.q);
    const since = Date.parse(query.get('createdSince') ?? '') || this.opts.now() - 90 * DAY;
    const size = Math.min(100, Number(query.get('pageSize') ?? 10));
    const matching = this.reports
      .filter(
        (r) =>
          r.sellerId === sellerId &&
          query.get('reportTypes')!.split(',').includes(r.reportType) &&
          r.createdMs >= since &&
          r.createdMs <= this.opts.now(),
      )
      .filter(
        (r) =>
          !query.get('processingStatuses') ||
          query.get('processingStatuses')!.split(',').includes(this.renderReport(r).processingStatus),
      )
      .sort((a, b) => b.createdMs - a.createdMs);
    const page = matching.slice(state.offset, state.offset + size);
    const nextToken =
      state.offset + size < matching.length ? nextQueryToken(state.offset + size, state) : undefined;
    return [200, { reports: page.map((r) => this.renderReport(r)), ...(nextToken ? { nextToken } : {}) }];
  }

  private createReport(sellerId: string, body: unknown): [number, unknown] {
    const spec = body as
      | { reportType?: string; marketplaceIds?: string[]; dataStartTime?: string; dataEndTime?: string }
      | undefined;
    if (!spec?.reportType || !spec.marketplaceIds?.length)
      return [400, invalid('reportType and marketplaceIds are required.')];
    if (spec.reportType.startsWith('GET_V2_SETTLEMENT_REPORT'))
      return [400, invalid('Settlement reports cannot be requested; they are scheduled by Amazon.')];
    if (spec.reportType !== 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL')
      return [400, invalid(`The simulator does not produce ${spec.reportType}.`)];
    const now = this.opts.now();
    const from = spec.dataStartTime ? Date.parse(spec.dataStartTime) : now - 30 * DAY;
    const to = spec.dataEndTime ? Date.parse(spec.dataEndTime) : now;
    const reportId = String(this.nextReport++);
    this.reports.push({
      reportId,
      reportType: spec.reportType,
      sellerId,
      marketplaceIds: spec.marketplaceIds,
      createdMs: now,
      readyMs: now + Math.ceil(120_000 / this.opts.speedFactor),
      dataStartTime: iso(from),
      dataEndTime: iso(to),
      documentId: `amzn1.spdoc.1.4.na.sim.${reportId}`,
      content: () => this.allOrdersReport(sellerId, spec.marketplaceIds!, from, to),
    });
    return [202, { reportId }];
  }

  /** GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: one row per order item (FACTS §6, 32 columns). */
  private allOrdersReport(sellerId: string, marketplaceIds: string[], from: number, to: number): string {
    const cols = [
      'amazon-order-id',
      'merchant-order-id',
      'purchase-date',
      'last-updated-date',
      'order-status',
      'fulfillment-channel',
      'sales-channel',
      'order-channel',
      'url',
      'ship-service-level',
      'product-name',
      'sku',
      'asin',
      'item-status',
      'quantity',
      'currency',
      'item-price',
      'item-tax',
      'shipping-price',
      'shipping-tax',
      'gift-wrap-price',
      'gift-wrap-tax',
      'item-promotion-discount',
      'ship-promotion-discount',
      'ship-city',
      'ship-state',
      'ship-postal-code',
      'ship-country',
      'promotion-ids',
      'is-business-order',
      'purchase-order-number',
      'price-designation',
    ];
    const status: Record<SimOrder['status'], string> = {
      PENDING: 'Pending',
      UNSHIPPED: 'Unshipped',
      PARTIALLY_SHIPPED: 'PartiallyShipped',
      SHIPPED: 'Shipped',
      CANCELLED: 'Cancelled',
    };
    const rows = this.orders
      .filter(
        (o) =>
          o.sellerId === sellerId &&
          marketplaceIds.includes(o.marketplaceId) &&
          o.lastUpdatedMs >= from &&
          o.lastUpdatedMs < to,
      )
      .flatMap((o) =>
        o.items.map((it) => {
          const v: Record<string, string> = {
            'amazon-order-id': o.orderId,
            'purchase-date': iso(o.createdMs).replace(/\.\d{3}Z$/, '+00:00'),
            'last-updated-date': iso(o.lastUpdatedMs).replace(/\.\d{3}Z$/, '+00:00'),
            'order-status': status[o.status],
            'fulfillment-channel': o.fulfilledBy === 'AMAZON' ? 'Amazon' : 'Merchant',
            'sales-channel': SIM_SELLERS.flatMap((s) => s.marketplaces).find((m) => m.id === o.marketplaceId)!
              .domain,
            'ship-service-level': 'Standard',
            'product-name': it.title,
            sku: it.sku,
            asin: it.asin,
            'item-status':
              o.status === 'CANCELLED' ? 'Cancelled' : o.status === 'SHIPPED' ? 'Shipped' : 'Unshipped',
            quantity: String(it.quantity),
            currency: o.status === 'PENDING' ? '' : o.currency,
            'item-price': o.status === 'PENDING' ? '' : formatCents(itemTotalCents(it)),
            'item-tax': o.status === 'PENDING' || !it.taxCents ? '' : formatCents(it.taxCents),
            'shipping-price':
              o.status === 'PENDING' || !it.shippingCents ? '' : formatCents(it.shippingCents),
            'item-promotion-discount': it.promotionCents ? formatCents(-it.promotionCents) : '',
            'is-business-order': 'false',
          };
          return cols.map((c) => v[c] ?? '').join('\t');
        }),
      );
    return [cols.join('\t'), ...rows].join('\n') + '\n';
  }

  private getReport(sellerId: string, reportId: string): [number, unknown] {
    const r = this.reports.find((x) => x.reportId === reportId && x.sellerId === sellerId);
    if (!r) return [404, { errors: [{ code: 'NotFound', message: `Report ${reportId} not found.` }] }];
    return [200, this.renderReport(r)];
  }

  /** A pre-signed document URL (S3 in real life) that works for documentUrlTtlMs. */
  private signedUrl(documentId: string): string {
    const expires = this.opts.now() + this.opts.documentUrlTtlMs;
    return `${this.url}/_documents/${encodeURIComponent(documentId)}?expires=${expires}&sig=${this.sign(documentId, expires)}`;
  }

  private validSignature(documentId: string, q: URLSearchParams): boolean {
    const expires = Number(q.get('expires'));
    return q.get('sig') === this.sign(documentId, expires) && this.opts.now() <= expires;
  }

  private sign(documentId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${documentId}:${expires}`).digest('hex');
  }

  private getReportDocument(sellerId: string, documentId: string): [number, unknown] {
    const r = this.reports.find(
      (x) => x.documentId === documentId && x.sellerId === sellerId && this.opts.now() >= x.readyMs,
    );
    if (!r) return [404, { errors: [{ code: 'NotFound', message: `Document ${documentId} not found.` }] }];
    const url = this.signedUrl(documentId);
    return [200, { reportDocumentId: documentId, url, compressionAlgorithm: 'GZIP' }];
  }

  /** The pre-signed download (S3 in real life): 403 once the URL's five minutes are over. */
  private document(res: ServerResponse, rawId: string, q: URLSearchParams): void {
    const documentId = decodeURIComponent(rawId);
    if (!this.validSignature(documentId, q)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      );
      return;
    }
    const feedResult = this.feeds.find((f) => f.result && `${f.feedId}-result` === documentId);
    const r = this.reports.find((x) => x.documentId === documentId);
    if (!feedResult && !r) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    res.writeHead(200, {
      'content-type': feedResult ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8',
    });
    res.end(gzipSync(Buffer.from(feedResult ? feedResult.result! : r!.content(), 'utf8')));
  }

  // ---------------------------------------------------------------- Finances v0
  private eventGroups(sellerId: string, q: URLSearchParams): [number, unknown] {
    const next = q.get('NextToken');
    const state = readQueryToken(next, q);
    const query = new URLSearchParams(state.q);
    const size = Number(query.get('MaxResultsPerPage') ?? 10);
    if (!Number.isInteger(size) || size < 1 || size > 100)
      return [400, invalid('MaxResultsPerPage must be between 1 and 100.')];
    const after = Date.parse(query.get('FinancialEventGroupStartedAfter') ?? '') || 0;
    const before =
      Date.parse(query.get('FinancialEventGroupStartedBefore') ?? '') || this.opts.now() - 120_000;
    const groups = this.settlements
      .filter(
        (s) =>
          s.sellerId === sellerId &&
          s.startMs >= after &&
          s.startMs < before &&
          s.depositMs <= this.opts.now(),
      )
      .map(renderEventGroup);
    const page = groups.slice(state.offset, state.offset + size);
    const nextToken =
      state.offset + size < groups.length ? nextQueryToken(state.offset + size, state) : undefined;
    return [
      200,
      new RawJson(
        exactJson({
          payload: { FinancialEventGroupList: page, ...(nextToken ? { NextToken: nextToken } : {}) },
        }),
      ),
    ];
  }

  // ---------------------------------------------------------------- Finances 2024-06-19
  /** listTransactions (FACTS §5.2): shipped orders as released Shipment transactions, 100 a page. */
  private transactions(sellerId: string, q: URLSearchParams): [number, unknown] {
    const next = q.get('nextToken');
    // the model: "call the operation with this token and include the same arguments as the call that produced the token"
    const state = readQueryToken(next, q);
    const query = new URLSearchParams(state.q);
    const relName = query.get('relatedIdentifierName');
    const relValue = query.get('relatedIdentifierValue');
    const afterText = query.get('postedAfter');
    if (!afterText && !relName) return [400, invalid('Start date cannot be null')];
    const after = afterText ? Date.parse(afterText) : 0;
    const latest = this.opts.now() - 120_000;
    const before = query.get('postedBefore') ? Date.parse(query.get('postedBefore')!) : latest;
    if (Number.isNaN(after) || Number.isNaN(before))
      return [400, invalid('postedAfter and postedBefore must be ISO 8601 date-times.')];
    if (after > latest) return [400, invalid('postedAfter must be at least two minutes before now.')];
    if (relName && relName !== 'ORDER_ID' && relName !== 'FINANCIAL_EVENT_GROUP_ID')
      return [400, invalid('relatedIdentifierName must be ORDER_ID or FINANCIAL_EVENT_GROUP_ID.')];
    const status = query.get('transactionStatus');
    // omitting marketplaceId gives US orders (FACTS §5.2)
    const marketplaceId = query.get('marketplaceId') ?? 'ATVPDKIKX0DER';
    const settlementOf = (o: SimOrder) =>
      this.settlements.find(
        (s) =>
          s.sellerId === o.sellerId &&
          s.marketplaceId === o.marketplaceId &&
          o.lastUpdatedMs >= s.startMs &&
          o.lastUpdatedMs < s.endMs,
      )?.settlementId;
    const rows = this.orders.filter(
      (o) =>
        o.sellerId === sellerId &&
        o.status === 'SHIPPED' &&
        (relName ? true : o.marketplaceId === marketplaceId) &&
        o.lastUpdatedMs >= after &&
        o.lastUpdatedMs < Math.min(before, latest) &&
        (!status || status === 'RELEASED') &&
        (relName !== 'ORDER_ID' || o.orderId === relValue) &&
        (relName !== 'FINANCIAL_EVENT_GROUP_ID' ||
          (settlementOf(o) !== undefined && groupIdOf(settlementOf(o)!) === relValue)),
    );
    const size = 100;
    const page = rows.slice(state.offset, state.offset + size);
    const nextToken =
      state.offset + size < rows.length ? nextQueryToken(state.offset + size, state) : undefined;
    const mpName = (id: string) =>
      SIM_SELLERS.flatMap((x) => x.marketplaces).find((m) => m.id === id)!.domain;
    const transactions = page.map((o) => renderTransaction(o, mpName(o.marketplaceId), settlementOf(o)));
    return [200, new RawJson(exactJson({ payload: { transactions, ...(nextToken ? { nextToken } : {}) } }))];
  }

  private eventsByGroup(sellerId: string, groupId: string, q: URLSearchParams): [number, unknown] {
    const s = this.settlements.find((x) => x.sellerId === sellerId && groupIdOf(x.settlementId) === groupId);
    if (!s)
      return [
        404,
        { errors: [{ code: 'NotFound', message: `Financial event group ${groupId} not found.` }] },
      ];
    const size = Math.min(100, Number(q.get('MaxResultsPerPage') ?? 100));
    const offset = q.get('NextToken') ? Number(Buffer.from(q.get('NextToken')!, 'base64url').toString()) : 0;
    const orders = this.orders.filter(
      (o) =>
        o.sellerId === sellerId &&
        o.marketplaceId === s.marketplaceId &&
        o.status === 'SHIPPED' &&
        o.lastUpdatedMs >= s.startMs &&
        o.lastUpdatedMs < s.endMs,
    );
    const mp = SIM_SELLERS.flatMap((x) => x.marketplaces).find((m) => m.id === s.marketplaceId)!;
    const page = orders.slice(offset, offset + size);
    const { shipments, refunds } = renderShipmentEvents(page, mp.domain);
    const last = offset + size >= orders.length;
    const events = {
      ShipmentEventList: shipments,
      RefundEventList: refunds,
      ...(last
        ? {
            ServiceFeeEventList: [
              {
                FeeReason: 'Subscription',
                FeeList: [
                  {
                    FeeType: 'Subscription',
                    FeeAmount: { CurrencyCode: s.currency, CurrencyAmount: -39.99 },
                  },
                ],
              },
            ],
          }
        : {}),
    };
    const nextToken = last ? undefined : Buffer.from(String(offset + size)).toString('base64url');
    return [
      200,
      new RawJson(
        exactJson({ payload: { FinancialEvents: events, ...(nextToken ? { NextToken: nextToken } : {}) } }),
      ),
    ];
  }

  // ---------------------------------------------------------------- Listings Items and Feeds
  /** The caller's own listing, or the 403/404 Amazon answers instead. */
  private ownListing(
    sellerId: string,
    owner: string,
    sku: string,
    marketplaceId: string,
  ): SimListing | [number, unknown] {
    if (owner !== sellerId) {
      return [
        403,
        { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] },
      ];
    }
    const listing = this.listing(sellerId, sku, marketplaceId);
    if (!listing)
      return [
        404,
        {
          errors: [{ code: 'NOT_FOUND', message: `SKU '${sku}' not found in marketplace ${marketplaceId}.` }],
        },
      ];
    return listing;
  }

  private getListingsItem(
    sellerId: string,
    owner: string,
    sku: string,
    q: URLSearchParams,
  ): [number, unknown] {
    const marketplaceIds = q.get('marketplaceIds')?.split(',');
    if (!marketplaceIds?.length)
      return [400, { errors: [{ code: 'BAD_REQUEST', message: 'marketplaceIds is required.' }] }];
    const l = this.ownListing(sellerId, owner, sku, marketplaceIds[0]);
    if (Array.isArray(l)) return l;
    return [200, renderListingsItem(l, q.get('includedData')?.split(',') ?? [])];
  }

  private patchListingsItem(
    sellerId: string,
    owner: string,
    sku: string,
    q: URLSearchParams,
    body: unknown,
  ): [number, unknown] {
    const marketplaceIds = q.get('marketplaceIds')?.split(',');
    const b = body as
      | { productType?: string; patches?: Array<{ op?: string; path?: string; value?: unknown[] }> }
      | undefined;
    if (!marketplaceIds?.length || !b?.productType || !Array.isArray(b.patches)) {
      return [
        400,
        {
          errors: [{ code: 'BAD_REQUEST', message: 'marketplaceIds, productType and patches are required.' }],
        },
      ];
    }
    const l = this.ownListing(sellerId, owner, sku, marketplaceIds[0]);
    if (Array.isArray(l)) return l;
    const preview = q.get('mode') === 'VALIDATION_PREVIEW';
    const issues = applyPatches(l, b.patches, !preview, this.opts.now());
    const status = issues.length > 0 ? 'INVALID' : preview ? 'VALID' : 'ACCEPTED';
    return [200, { sku, status, submissionId: submissionId(), issues }];
  }

  private createFeedDocument(sellerId: string, body: unknown): [number, unknown] {
    const contentType = (body as { contentType?: string } | undefined)?.contentType;
    if (!contentType) return [400, invalid('contentType is required.')];
    const feedDocumentId = `amzn1.tortuga.4.na.${randomBytes(8).toString('hex')}`;
    this.feedDocuments.set(feedDocumentId, { sellerId, contentType });
    return [
      201,
      {
        feedDocumentId,
        url: this.signedUrl(feedDocumentId),
      },
    ];
  }

  /** The pre-signed upload: the Content-Type must be the one given to createFeedDocument (FACTS §8). */
  private uploadFeedDocument(
    res: ServerResponse,
    id: string,
    q: URLSearchParams,
    contentType: string,
    content: string,
  ): void {
    const doc = this.feedDocuments.get(id);
    if (!doc || !this.validSignature(id, q) || contentType !== doc.contentType) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code></Error>');
      return;
    }
    doc.content = Buffer.from(content, 'utf8');
    res.writeHead(200);
    res.end();
  }

  private createFeed(sellerId: string, body: unknown): [number, unknown] {
    const spec = body as
      { feedType?: string; marketplaceIds?: string[]; inputFeedDocumentId?: string } | undefined;
    if (!spec?.feedType || !spec.marketplaceIds?.length || !spec.inputFeedDocumentId)
      return [400, invalid('feedType, marketplaceIds and inputFeedDocumentId are required.')];
    if (spec.feedType !== 'JSON_LISTINGS_FEED')
      return [400, invalid(`The simulator does not process ${spec.feedType}.`)];
    const doc = this.feedDocuments.get(spec.inputFeedDocumentId);
    if (!doc?.content || doc.sellerId !== sellerId)
      return [400, invalid('The input feed document was not uploaded.')];
    const feedId = String(this.nextReport++);
    const now = this.opts.now();
    this.feeds.push({
      feedId,
      sellerId,
      feedType: spec.feedType,
      marketplaceIds: spec.marketplaceIds,
      createdMs: now,
      readyMs: now + Math.ceil(120_000 / this.opts.speedFactor),
      input: doc.content.toString('utf8'),
    });
    return [202, { feedId }];
  }

  /** Processes a JSON_LISTINGS_FEED once it is due; the result is a processing report (schema v2). */
  private processFeed(f: (typeof this.feeds)[number]): void {
    if (f.result) return;
    const issues: Array<Record<string, unknown>> = [];
    let accepted = 0;
    let invalidCount = 0;
    let messages: Array<{
      messageId?: number;
      sku?: string;
      operationType?: string;
      productType?: string;
      patches?: Array<{ op?: string; path?: string; value?: unknown[] }>;
    }> = [];
    let sellerId = '';
    try {
      const doc = JSON.parse(f.input);
      sellerId = doc.header?.sellerId;
      messages = doc.messages ?? [];
      if (
        doc.header?.version !== '2.0' ||
        sellerId !== f.sellerId ||
        messages.length === 0 ||
        messages.length > 25_000
      )
        throw new Error('header');
    } catch {
      f.result = JSON.stringify({
        header: { sellerId: f.sellerId, version: '2.0', feedId: f.feedId },
        issues: [
          {
            code: '100001',
            severity: 'ERROR',
            message: 'The feed document is not a valid JSON_LISTINGS_FEED.',
          },
        ],
        summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
      });
      return;
    }
    for (const m of messages) {
      const listing = m.sku ? this.listing(f.sellerId, m.sku, f.marketplaceIds[0]) : undefined;
      const found = !listing
        ? [{ code: '18', severity: 'ERROR', message: `SKU '${m.sku}' not found.` }]
        : m.operationType !== 'PATCH'
          ? [
              {
                code: '100002',
                severity: 'ERROR',
                message: `The simulator processes PATCH messages only, not ${m.operationType}.`,
              },
            ]
          : applyPatches(listing, m.patches ?? [], true, this.opts.now()).map((i) => ({
              code: i.code,
              severity: i.severity,
              message: i.message,
              attributeName: i.attributeNames[0],
            }));
      if (found.length) invalidCount++;
      else accepted++;
      for (const i of found) issues.push({ messageId: m.messageId, sku: m.sku, ...i });
    }
    f.result = JSON.stringify({
      header: { sellerId: f.sellerId, version: '2.0', feedId: f.feedId },
      issues,
      summary: {
        errors: issues.length,
        warnings: 0,
        messagesProcessed: messages.length,
        messagesAccepted: accepted,
        messagesInvalid: invalidCount,
      },
    });
  }

  private getFeed(sellerId: string, feedId: string): [number, unknown] {
    const f = this.feeds.find((x) => x.feedId === feedId && x.sellerId === sellerId);
    if (!f) return [404, { errors: [{ code: 'NotFound', message: `Feed ${feedId} not found.` }] }];
    const done = this.opts.now() >= f.readyMs;
    if (done) this.processFeed(f);
    return [
      200,
      {
        feedId,
        feedType: f.feedType,
        marketplaceIds: f.marketplaceIds,
        createdTime: iso(f.createdMs),
        processingStatus: done ? 'DONE' : 'IN_QUEUE',
        ...(done
          ? {
              processingStartTime: iso(f.createdMs),
              processingEndTime: iso(f.readyMs),
              resultFeedDocumentId: `${feedId}-result`,
            }
          : {}),
      },
    ];
  }

  private getFeedDocument(sellerId: string, id: string): [number, unknown] {
    const f = this.feeds.find((x) => `${x.feedId}-result` === id && x.sellerId === sellerId && x.result);
    if (!f) return [404, { errors: [{ code: 'NotFound', message: `Feed document ${id} not found.` }] }];
    return [
      200,
      {
        feedDocumentId: id,
        url: this.signedUrl(id),
        compressionAlgorithm: 'GZIP',
      },
    ];
  }

  private participations(sellerId: string): [number, unknown] {
    const seller = SIM_SELLERS.find((s) => s.sellerId === sellerId)!;
    return [
      200,
      {
        payload: seller.marketplaces.map((m) => ({
          marketplace: {
            id: m.id,
            name: m.domain,
            countryCode: m.domain.endsWith('.de')
              ? 'DE'
              : m.domain.endsWith('.co.uk')
                ? 'GB'
                : m.domain.endsWith('.ca')
                  ? 'CA'
                  : 'US',
            defaultCurrencyCode: m.currency,
            defaultLanguageCode: 'en_US',
            domainName: m.domain.toLowerCase().replace('amazon', 'www.amazon'),
          },
          participation: { isParticipating: true, hasSuspendedListings: false },
          storeName: 'Simulated Store',
        })),
      },
    ];
  }
}

export async function startSpApiSimulator(options: SimulatorOptions = {}): Promise<SpApiSimulator> {
  const sim = new SpApiSimulator(options);
  await sim.start();
  return sim;
}
