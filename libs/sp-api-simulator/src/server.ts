import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from '@connector/core';
import { USAGE_PLANS } from '@connector/sp-api-usage-plans';
import type { SimOrder } from './dataset';
import { RawJson, THROTTLED, TOKEN_EXPIRED, TOKEN_INVALID, errorBody, invalid } from './http';
import type { SimListing } from './listings';
import type { SimNotifications } from './notifications';
import type { SimSettlement } from './render';
import { downloadDocument, uploadDocument } from './routes/documents';
import { feedsRoutes } from './routes/feeds';
import { financesRoutes } from './routes/finances';
import { listingsRoutes } from './routes/listings';
import { notificationsRoutes } from './routes/notifications';
import { lwaToken } from './routes/lwa';
import { ordersV0Routes } from './routes/orders-v0';
import { orders2026Routes } from './routes/orders-2026';
import { reportsRoutes } from './routes/reports';
import type { Route } from './routes/route';
import { sellersRoutes } from './routes/sellers';
import { seededRandom } from './random';
import { findSandboxCase, loadSandboxCases, type SandboxCase } from './sandbox';
import { SimState, type SimulatorOptions } from './state';
import { validateRequest } from './validation';

export type { SimulatorOptions } from './state';

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
  /** every issued access token expires now (Amazon then says "The access token you provided has expired.") */
  expireTokens(): void;
  /** every issued access token is revoked now ("… revoked, malformed or invalid.") */
  revokeTokens(): void;
  readonly stats: SimulatorStats;
}

export interface SimulatorStats {
  calls: Record<string, number>;
  throttled: Record<string, number>;
  errors: Record<string, number>;
  tokensIssued: number;
}

const NO_FAULTS: Faults = { errorRate: 0, errorStatus: 503, throttleRate: 0, latencyMs: 0 };

/** Every SP-API operation the simulator serves, one file per API under routes/. */
const ROUTES: readonly Route[] = [
  ...orders2026Routes,
  ...ordersV0Routes,
  ...reportsRoutes,
  ...financesRoutes,
  ...listingsRoutes,
  ...feedsRoutes,
  ...sellersRoutes,
  ...notificationsRoutes,
];

/**
 * A seller's token on a grantless operation, or a grantless token on a seller's: Amazon's exact words
 * are not public; the simulator answers 403 Unauthorized with details that do not mention the access
 * token, so a client does not take it for an expired one.
 */
const WRONG_GRANT = (grantless: boolean) =>
  errorBody(
    'Unauthorized',
    'Access to requested resource is denied.',
    grantless
      ? 'This operation is grantless: call it with a client_credentials grant token.'
      : "This operation needs the selling partner's authorization (a refresh_token grant token).",
  );

/**
 * The SP-API simulator's HTTP side: routing, the access token check, Amazon's usage plans per
 * seller × operation, requests checked against Amazon's models, fault injection and the control
 * endpoints. What it knows lives in SimState (state.ts); what each API answers, in routes/.
 */
export class SpApiSimulator {
  readonly stats: SimulatorStats = { calls: {}, throttled: {}, errors: {}, tokensIssued: 0 };
  faults: Faults = { ...NO_FAULTS };
  readonly state: SimState;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rnd: () => number;
  private readonly server = new LocalHttpServer();
  private readonly sandbox?: SandboxCase[];

  constructor(options: SimulatorOptions = {}) {
    this.state = new SimState(options);
    this.sandbox = this.state.opts.sandboxCasesFile
      ? loadSandboxCases(this.state.opts.sandboxCasesFile)
      : undefined;
    this.rnd = seededRandom(this.state.opts.seed + 1);
  }

  get orders(): SimOrder[] {
    return this.state.orders;
  }

  /** Destinations, subscriptions, delivery options (delay, drops) and counters of SP-API notifications. */
  get notifications(): SimNotifications {
    return this.state.notifications;
  }

  /**
   * An order appears now (created or changed at the simulator's now, unless the spec says otherwise):
   * searchOrders and getOrder serve it, and ORDER_CHANGE goes to the seller's subscription.
   */
  addOrder(spec: Partial<SimOrder> & Pick<SimOrder, 'orderId' | 'items'>): SimOrder {
    const now = this.state.now();
    const { sellers } = this.state;
    const seller = sellers.find((s) => s.sellerId === (spec.sellerId ?? sellers[0].sellerId))!;
    const mp = seller.marketplaces.find((m) => m.id === spec.marketplaceId) ?? seller.marketplaces[0];
    return this.state.addOrder({
      sellerId: seller.sellerId,
      marketplaceId: mp.id,
      currency: mp.currency,
      createdMs: now,
      lastUpdatedMs: spec.createdMs ?? now,
      status: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      refunded: false,
      ...spec,
    });
  }

  get settlements(): SimSettlement[] {
    return this.state.settlements;
  }

  /** listings by seller, sku and marketplace */
  get listings(): Map<string, SimListing> {
    return this.state.listings;
  }

  listing(sellerId: string, sku: string, marketplaceId: string): SimListing | undefined {
    return this.state.listing(sellerId, sku, marketplaceId);
  }

  /** Adds a bulk catalogue to a seller's marketplace (SimState.addListings). */
  addListings(...args: Parameters<SimState['addListings']>): string[] {
    return this.state.addListings(...args);
  }

  /** Amazon rejects the listing's updates with the issue until lifted (SimState.rejectListingUpdates). */
  rejectListingUpdates(...args: Parameters<SimState['rejectListingUpdates']>): void {
    this.state.rejectListingUpdates(...args);
  }

  liftListingRejection(sellerId: string, sku: string, marketplaceId: string): void {
    this.state.liftListingRejection(sellerId, sku, marketplaceId);
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
    return this.state.addSettlementReport(sellerId, marketplaceId, content, createdMs);
  }

  async start(): Promise<string> {
    const url = await this.server.listen(this.state.opts.port, (req, res) => {
      this.handle(req, res).catch((err: unknown) =>
        this.send(res, 500, errorBody('InternalFailure', String(err))),
      );
    });
    this.state.baseUrl = this.server.url;
    return url;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    this.state.notifications.close();
    return this.server.close();
  }

  /** Fault injection and counters, as the control endpoint offers them over HTTP. */
  get control(): SimulatorControl {
    return {
      setFaults: (faults) => (this.faults = { ...this.faults, ...faults }),
      clearFaults: () => {
        this.faults = { ...NO_FAULTS };
      },
      expireTokens: () => this.expireTokens(),
      revokeTokens: () => this.revokeTokens(),
      stats: this.stats,
    };
  }

  /** Every issued access token expires now (the client must refresh mid-run). */
  expireTokens(): void {
    this.state.expireTokens();
  }

  /** Every issued access token is revoked now. */
  revokeTokens(): void {
    this.state.revokeTokens();
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

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Amazon's token bucket for the seller × operation; false means answer 429. */
  private take(key: string, rate: number, burst: number): boolean {
    // buckets refill on their own clock: real time even when the simulated business clock is frozen
    const now = this.state.opts.rateNow();
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private count(map: Record<string, number>, op: string): void {
    map[op] = (map[op] ?? 0) + 1;
  }

  /** The seller an access token belongs to, or the 403 Amazon answers (expired and revoked worded apart). */
  private authorise(req: IncomingMessage, grantless = false): { sellerId: string } | { refusal: unknown } {
    const token = this.state.tokens.get(String(req.headers['x-amz-access-token'] ?? ''));
    if (!token || token.revoked) return { refusal: TOKEN_INVALID };
    if (token.expiresAt <= this.state.now()) return { refusal: TOKEN_EXPIRED };
    if (Boolean(token.grantless) !== grantless) return { refusal: WRONG_GRANT(grantless) };
    // grantless calls are counted against the application
    return { sellerId: token.grantless ? 'application' : token.sellerId };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const q = url.searchParams;
    const method = req.method ?? 'GET';

    if (path === '/auth/o2/token' && method === 'POST') {
      const [status, body] = lwaToken(
        this.state,
        String(req.headers['content-type'] ?? ''),
        (await this.body(req)).toString('utf8'),
      );
      if (status === 200) this.stats.tokensIssued++;
      return this.send(res, status, body, status === 200 ? { 'cache-control': 'no-store' } : {});
    }
    if (path.startsWith('/_documents/')) {
      const id = path.slice('/_documents/'.length);
      if (method === 'PUT')
        return uploadDocument(
          this.state,
          res,
          decodeURIComponent(id),
          q,
          String(req.headers['content-type'] ?? ''),
          await this.body(req),
        );
      return downloadDocument(this.state, res, id, q);
    }
    if (path === '/_sim/faults' && method === 'POST') {
      const { expireTokens, revokeTokens, ...faults } = JSON.parse(
        (await this.body(req)).toString('utf8') || '{}',
      ) as Partial<Faults> & { expireTokens?: boolean; revokeTokens?: boolean };
      if (expireTokens) this.expireTokens();
      if (revokeTokens) this.revokeTokens();
      this.faults = { ...this.faults, ...faults };
      return this.send(res, 200, this.faults);
    }
    if (path === '/_sim/stats') return this.send(res, 200, this.stats);

    if (this.sandbox) return this.sandboxAnswer(req, res, path, q);
    const route = ROUTES.find((r) => r.method === method && r.path.test(path));
    if (!route) return this.send(res, 404, errorBody('NotFound', `no route for ${method} ${path}`));
    const auth = this.authorise(req, route.grantless);
    if ('refusal' in auth) return this.send(res, 403, auth.refusal);
    this.count(this.stats.calls, route.operation);
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const plan = USAGE_PLANS.find((p) => p.model === route.model && p.operation === route.operation);
    const rate = (plan?.rate ?? 1) * this.state.opts.speedFactor;
    const bucketOk = this.take(`${auth.sellerId}/${route.model}/${route.operation}`, rate, plan?.burst ?? 1);
    if (!bucketOk || this.rnd() < this.faults.throttleRate) {
      this.count(this.stats.throttled, route.operation);
      return this.send(res, 429, THROTTLED);
    }
    if (this.rnd() < this.faults.errorRate) {
      this.count(this.stats.errors, route.operation);
      return this.send(
        res,
        this.faults.errorStatus,
        errorBody('InternalFailure', 'We encountered an internal error. Please try again.'),
      );
    }
    const text =
      method === 'POST' || method === 'PATCH' || method === 'PUT'
        ? (await this.body(req)).toString('utf8')
        : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return this.send(res, 400, invalid('The request body is not valid JSON.')[1]);
    }
    const rateHeader = { 'x-amzn-ratelimit-limit': String(rate) };
    const refused = validateRequest(route.model, route.operation, q, body);
    if (refused) return this.send(res, refused[0], refused[1], rateHeader);
    const params = path.match(route.path)!.slice(1).map(decodeURIComponent);
    const [status, payload] = route.run({
      state: this.state,
      sellerId: auth.sellerId,
      params,
      query: q,
      body,
    });
    // Amazon sends the rate on 20x, 400 and 404 answers only (FACTS §2)
    return this.send(res, status, payload, [400, 404].includes(status) || status < 300 ? rateHeader : {});
  }

  private async sandboxAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    q: URLSearchParams,
  ): Promise<void> {
    const auth = this.authorise(req);
    if ('refusal' in auth) return this.send(res, 403, auth.refusal);
    const text = (await this.body(req)).toString('utf8');
    const found = findSandboxCase(
      this.sandbox!,
      req.method ?? 'GET',
      path,
      q,
      text ? JSON.parse(text) : undefined,
    );
    const operation = found?.operation ?? 'unknown';
    this.count(this.stats.calls, operation);
    // the sandbox's usage plan: 5 requests per second, burst 15, for every operation (FACTS §2)
    if (!this.take(`sandbox/${operation}`, 5 * this.state.opts.speedFactor, 15)) {
      this.count(this.stats.throttled, operation);
      return this.send(res, 429, THROTTLED);
    }
    if (!found) return this.send(res, 400, invalid('No static sandbox case matches this request.')[1]);
    return this.send(res, found.status, found.status === 204 ? undefined : found.response, {
      'x-amzn-ratelimit-limit': String(5 * this.state.opts.speedFactor),
    });
  }
}

export async function startSpApiSimulator(options: SimulatorOptions = {}): Promise<SpApiSimulator> {
  const sim = new SpApiSimulator(options);
  await sim.start();
  return sim;
}
