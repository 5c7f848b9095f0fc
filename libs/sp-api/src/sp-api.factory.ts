import { FetchTransport, systemClock, type Clock, type HttpTransport } from '@connector/core';
import type { ConnectorMetrics } from '@connector/observability';
import { LwaTokenProvider } from './lwa-token.provider';
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
    const m = this.metrics;
    const observer: SpApiObserver | undefined = m && {
      onCall: (operation, status) => m.spapiCalls.inc({ operation, status: String(status) }),
      onThrottled: (operation) => m.spapiThrottled.inc({ operation }),
      onLimiterWait: (operation, waitedMs) => m.spapiLimiterWait.observe({ operation }, waitedMs / 1000),
    };
    const client = new SpApiClient({
      endpoint: this.endpoints.endpoint ?? REGION_ENDPOINTS[conn.region].production,
      sellerId: conn.sellerId,
      tokens,
      http: this.http,
      limiter: this.limiter,
      clock: this.clock,
      observer,
      maxAttempts: this.endpoints.maxAttempts,
      backoffBaseMs: this.endpoints.backoffBaseMs,
      backoffMaxMs: this.endpoints.backoffMaxMs,
    });
    const api = new SellingPartnerApi(client, this.http);
    this.cache.set(conn.id, api);
    return api;
  }

  /** Forget a connection's client (credentials changed). */
  evict(connectionId: string): void {
    this.cache.delete(connectionId);
  }
}
