import { FetchTransport, systemClock, type Clock, type HttpTransport } from '@connector/core';
import type { ConnectorMetrics } from '@connector/observability';
import { LwaTokenProvider, NOTIFICATIONS_SCOPE, type AccessTokenSource } from './lwa-token.provider';
import { NotificationsApi } from './notifications/notifications.api';
import { LWA_TOKEN_URL, REGION_ENDPOINTS } from './regions';
import { SellingPartnerApi } from './selling-partner.api';
import { SpApiClient, type SpApiObserver } from './sp-api.client';
import { TokenBucketLimiter } from './token-bucket.limiter';

/** What the factory needs of a connection (a structural subset of the stored connection). */
export interface SpApiConnection {
  id: string;
  sellerId: string;
  region: keyof typeof REGION_ENDPOINTS;
}
export interface SpApiCredentials {
  amazon: { lwaClientId: string; lwaClientSecret: string; refreshToken: string };
}

export interface SpApiEndpoints {
  /** replaces the regional endpoint (the simulator) */
  endpoint?: string;
  lwaTokenUrl?: string;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/**
 * One SellingPartnerApi per connection: its own LWA token cache, one rate limiter for the process
 * (buckets are per seller × operation, as Amazon counts them), metrics on every call.
 */
export class SpApiFactory {
  private readonly limiter: TokenBucketLimiter;
  private readonly cache = new Map<string, SellingPartnerApi>();
  private readonly notifications = new Map<string, NotificationsApi>();
  /** grantless clients per application (LWA client id) and region */
  private readonly grantless = new Map<string, SpApiClient>();

  constructor(
    private readonly endpoints: SpApiEndpoints = {},
    private readonly metrics?: ConnectorMetrics,
    private readonly http: HttpTransport = new FetchTransport(),
    private readonly clock: Clock = systemClock,
  ) {
    this.limiter = new TokenBucketLimiter(clock);
  }

  forConnection(conn: SpApiConnection, credentials: SpApiCredentials): SellingPartnerApi {
    const cached = this.cache.get(conn.id);
    if (cached) return cached;
    const tokens = new LwaTokenProvider(
      {
        clientId: credentials.amazon.lwaClientId,
        clientSecret: credentials.amazon.lwaClientSecret,
        refreshToken: credentials.amazon.refreshToken,
      },
      this.http,
      { tokenUrl: this.endpoints.lwaTokenUrl ?? LWA_TOKEN_URL, clock: this.clock },
    );
    const api = new SellingPartnerApi(this.client(conn, conn.sellerId, tokens), this.http);
    this.cache.set(conn.id, api);
    return api;
  }

  /**
   * The Notifications API for a connection: its seller's client for subscriptions, and the
   * application's grantless client (client-credentials grant, notifications scope) for destinations.
   */
  notificationsFor(conn: SpApiConnection, credentials: SpApiCredentials): NotificationsApi {
    const cached = this.notifications.get(conn.id);
    if (cached) return cached;
    const { lwaClientId, lwaClientSecret } = credentials.amazon;
    const appKey = `${lwaClientId}|${conn.region}`;
    let grantless = this.grantless.get(appKey);
    if (!grantless) {
      const tokens = new LwaTokenProvider(
        { clientId: lwaClientId, clientSecret: lwaClientSecret, scope: NOTIFICATIONS_SCOPE },
        this.http,
        { tokenUrl: this.endpoints.lwaTokenUrl ?? LWA_TOKEN_URL, clock: this.clock },
      );
      // grantless calls are counted against the application, not a selling partner
      grantless = this.client(conn, `application:${lwaClientId}`, tokens);
      this.grantless.set(appKey, grantless);
    }
    const api = new NotificationsApi(this.forConnection(conn, credentials).client, grantless);
    this.notifications.set(conn.id, api);
    return api;
  }

  private client(conn: SpApiConnection, sellerId: string, tokens: AccessTokenSource): SpApiClient {
    const m = this.metrics;
    const observer: SpApiObserver | undefined = m && {
      onCall: (operation, status) => m.spapiCalls.inc({ operation, status: String(status) }),
      onThrottled: (operation) => m.spapiThrottled.inc({ operation }),
      onLimiterWait: (operation, waitedMs) => m.spapiLimiterWait.observe({ operation }, waitedMs / 1000),
    };
    return new SpApiClient({
      endpoint: this.endpoints.endpoint ?? REGION_ENDPOINTS[conn.region].production,
      sellerId,
      tokens,
      http: this.http,
      limiter: this.limiter,
      clock: this.clock,
      observer,
      maxAttempts: this.endpoints.maxAttempts,
      backoffBaseMs: this.endpoints.backoffBaseMs,
      backoffMaxMs: this.endpoints.backoffMaxMs,
    });
  }

  /** Forget a connection's client (credentials changed). */
  evict(connectionId: string): void {
    this.cache.delete(connectionId);
    this.notifications.delete(connectionId);
  }
}
