import { createHmac, randomBytes } from 'node:crypto';
import {
  SIM_SELLERS,
  formatCents,
  generateOrders,
  marketplaceDomain,
  type SimOrder,
  type SimSeller,
} from './dataset';
import { DAY } from './http';
import { renderSettlement, type SimSettlement } from './render';
import type { ListingIssue, SimListing } from './listings';
import { SimNotifications, type NotificationDeliveryOptions } from './notifications';

export interface SimulatorOptions {
  port?: number;
  seed?: number;
  startMs?: number;
  days?: number;
  /** orders per day of each seller */
  ordersPerDay?: number;
  /**
   * the simulated sellers (default SIM_SELLERS, whose orders many tests know): more sellers, e.g.
   * `[...SIM_SELLERS, ...simNaSellers(4)]`, each with its own orders, settlements, refresh token and
   * rate limits
   */
  sellers?: readonly SimSeller[];
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
   * this file (reference/sp-api/samples/sandbox-static-cases.json), at the sandbox's usage plan of
   * 5 requests per second, burst 15, for every operation.
   */
  sandboxCasesFile?: string;
  /** where and how SP-API notifications are delivered (SQS endpoint, delay, drops): notifications.ts */
  notifications?: NotificationDeliveryOptions;
}

export interface SimReport {
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

export interface SimFeed {
  feedId: string;
  sellerId: string;
  feedType: string;
  marketplaceIds: string[];
  createdMs: number;
  readyMs: number;
  input: string;
  result?: string;
}

export interface SimFeedDocument {
  sellerId: string;
  contentType: string;
  content?: Buffer;
}

export interface SimAccessToken {
  /** '' for a grantless (client-credentials) token: it belongs to the application */
  sellerId: string;
  grantless?: boolean;
  expiresAt: number;
  revoked: boolean;
}

/** A listing has this many SKUs per marketplace: `SIM-0000` … (see SIM_SKU_COUNT). */
const LISTED_SKUS = 200;

/**
 * Everything the simulated Amazon knows: sellers' orders, settlements, reports, listings, feeds and the
 * access tokens it issued. Routes read and change it; the server owns one.
 */
export class SimState {
  readonly opts: Required<SimulatorOptions>;
  /** the simulated sellers (SimulatorOptions.sellers) */
  readonly sellers: readonly SimSeller[];
  readonly orders: SimOrder[];
  readonly settlements: SimSettlement[] = [];
  readonly reports: SimReport[] = [];
  /** listings by seller, sku and marketplace */
  readonly listings = new Map<string, SimListing>();
  readonly feeds: SimFeed[] = [];
  readonly feedDocuments = new Map<string, SimFeedDocument>();
  readonly tokens = new Map<string, SimAccessToken>();
  /** destinations, subscriptions and the delivery of notifications */
  readonly notifications: SimNotifications;
  /** the server's address, for pre-signed document URLs (set when it listens) */
  baseUrl = '';
  private readonly byId = new Map<string, SimOrder>();
  private readonly secret = randomBytes(16);
  private nextId = 50_000_000_000;

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
      notifications: {},
      ...options,
      sellers: options.sellers ?? SIM_SELLERS,
    };
    this.sellers = this.opts.sellers;
    if (new Set(this.sellers.map((s) => s.sellerId)).size !== this.sellers.length)
      throw new Error('simulated sellers need distinct seller ids');
    if (new Set(this.sellers.map((s) => s.refreshToken)).size !== this.sellers.length)
      throw new Error('simulated sellers need distinct refresh tokens');
    this.notifications = new SimNotifications(this, this.opts.notifications);
    this.orders = generateOrders(this.opts);
    for (const o of this.orders) this.byId.set(o.orderId, o);
    this.buildSettlements();
    this.buildListings();
  }

  now(): number {
    return this.opts.now();
  }

  /** A fresh id for reports and feeds (Amazon's are numeric strings). */
  newId(): string {
    return String(this.nextId++);
  }

  seller(sellerId: string): SimSeller {
    return this.sellers.find((s) => s.sellerId === sellerId)!;
  }

  /** The seller a refresh token was issued to (LWA's refresh-token grant), if any. */
  sellerByRefreshToken(refreshToken: unknown): SimSeller | undefined {
    return this.sellers.find((s) => s.refreshToken === refreshToken);
  }

  /** A marketplace's domain (`Amazon.com`), its name in orders, reports and financial events. */
  domainOf(marketplaceId: string): string {
    return marketplaceDomain(this.sellers, marketplaceId);
  }

  /** The caller's own order, or undefined (another seller's order is as unknown as a made-up id). */
  order(sellerId: string, orderId: string): SimOrder | undefined {
    const o = this.byId.get(orderId);
    return o?.sellerId === sellerId ? o : undefined;
  }

  listing(sellerId: string, sku: string, marketplaceId: string): SimListing | undefined {
    return this.listings.get(`${sellerId}/${sku}/${marketplaceId}`);
  }

  /** A new order (one that appears while the simulator runs); ORDER_CHANGE goes to the seller's subscription. */
  addOrder(o: SimOrder): SimOrder {
    if (this.byId.has(o.orderId)) throw new Error(`order ${o.orderId} exists`);
    this.orders.push(o);
    this.byId.set(o.orderId, o);
    this.notifications.orderChanged(o, 'Order created');
    return o;
  }

  /**
   * Adds `count` listings `<prefix>000000` … to a seller's marketplace (a catalogue bigger than the
   * dataset's, for feeds and benchmarks); every `fbaEvery`-th one is FBA (0: none). Returns the SKUs.
   */
  addListings(
    sellerId: string,
    marketplaceId: string,
    count: number,
    opts: { prefix?: string; fbaEvery?: number; quantity?: number; price?: string } = {},
  ): string[] {
    const currency = this.seller(sellerId).marketplaces.find((m) => m.id === marketplaceId)!.currency;
    const prefix = opts.prefix ?? 'BULK-';
    const skus: string[] = [];
    for (let n = 0; n < count; n++) {
      const sku = `${prefix}${String(n).padStart(6, '0')}`;
      this.listings.set(`${sellerId}/${sku}/${marketplaceId}`, {
        sku,
        asin: `B0BK${String(n).padStart(6, '0')}`,
        marketplaceId,
        productType: 'PRODUCT',
        itemName: `Bulk product ${n}`,
        fba: opts.fbaEvery ? n % opts.fbaEvery === 0 : false,
        quantity: opts.quantity ?? 5,
        price: opts.price ?? '10.00',
        currency,
        createdMs: this.opts.startMs,
        updatedMs: this.opts.startMs,
      });
      skus.push(sku);
    }
    return skus;
  }

  /**
   * Amazon rejects every update of the listing with `issue` (patches answer INVALID, feed messages are
   * reported invalid) until `liftListingRejection`; the listing keeps its values meanwhile.
   */
  rejectListingUpdates(
    sellerId: string,
    sku: string,
    marketplaceId: string,
    issue: Pick<ListingIssue, 'code' | 'message'> & Partial<ListingIssue>,
  ): void {
    const l = this.listing(sellerId, sku, marketplaceId);
    if (!l) throw new Error(`no listing ${sellerId}/${sku}/${marketplaceId}`);
    l.rejectWith = [{ severity: 'ERROR', attributeNames: [], categories: ['INVALID_ATTRIBUTE'], ...issue }];
  }

  liftListingRejection(sellerId: string, sku: string, marketplaceId: string): void {
    const l = this.listing(sellerId, sku, marketplaceId);
    if (l) delete l.rejectWith;
  }

  /** The settlement an order's money went into: the seller's, for its marketplace, over its update time. */
  settlementOf(o: SimOrder): SimSettlement | undefined {
    return this.settlements.find(
      (s) =>
        s.sellerId === o.sellerId &&
        s.marketplaceId === o.marketplaceId &&
        o.lastUpdatedMs >= s.startMs &&
        o.lastUpdatedMs < s.endMs,
    );
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
    const reportId = this.newId();
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

  // ---------------------------------------------------------------- tokens
  issueToken(sellerId: string, grantless = false): string {
    const token = `Atza|sim-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, {
      sellerId,
      ...(grantless ? { grantless } : {}),
      expiresAt: this.now() + this.opts.tokenLifetimeSec * 1000,
      revoked: false,
    });
    return token;
  }

  /** Every issued access token reaches the end of its life now (the client must refresh mid-run). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, this.now());
  }

  /** Every issued access token is revoked now (as when the seller withdraws and re-grants the app). */
  revokeTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  // ---------------------------------------------------------------- pre-signed document URLs
  /**
   * A pre-signed document URL (S3 in real life) that works for documentUrlTtlMs. With `contentEncoding`
   * the download says `Content-Encoding: gzip` (getReportDocument's enableContentEncodingUrlHeader, FACTS §6).
   */
  signedUrl(documentId: string, contentEncoding = false): string {
    const expires = this.now() + this.opts.documentUrlTtlMs;
    const ce = contentEncoding ? 'gzip' : '';
    const sig = this.sign(documentId, expires, ce);
    return `${this.baseUrl}/_documents/${encodeURIComponent(documentId)}?expires=${expires}${ce ? `&ce=${ce}` : ''}&sig=${sig}`;
  }

  validSignature(documentId: string, q: URLSearchParams): boolean {
    const expires = Number(q.get('expires'));
    return q.get('sig') === this.sign(documentId, expires, q.get('ce') ?? '') && this.now() <= expires;
  }

  private sign(documentId: string, expires: number, contentEncoding: string): string {
    return createHmac('sha256', this.secret)
      .update(`${documentId}:${expires}:${contentEncoding}`)
      .digest('hex');
  }

  // ---------------------------------------------------------------- the dataset
  /** Every SKU of the catalogue listed in each marketplace of each seller; every third SKU is FBA. */
  private buildListings(): void {
    for (const seller of this.sellers) {
      for (const mp of seller.marketplaces) {
        for (let n = 0; n < LISTED_SKUS; n++) {
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

  /**
   * Settlements every 14 days per seller and marketplace; the reserve held in one is released in the
   * next. Settlement ids are numbered across all sellers, so no two sellers share one.
   */
  private buildSettlements(): void {
    let n = 0;
    for (const seller of this.sellers) {
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
            reportId: this.newId(),
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
}
