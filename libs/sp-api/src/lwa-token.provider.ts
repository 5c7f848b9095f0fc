import { RetriableError, systemClock, type Clock } from '@connector/core';
import { LwaAuthorizationError } from './errors';
import type { HttpTransport } from '@connector/core';

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * The application's own credentials for grantless operations (FACTS §1.3): the client-credentials grant
 * with a scope, e.g. `sellingpartnerapi::notifications` for Notifications destinations.
 */
export interface LwaGrantlessCredentials {
  clientId: string;
  clientSecret: string;
  scope: 'sellingpartnerapi::notifications' | 'sellingpartnerapi::migration';
}

export const NOTIFICATIONS_SCOPE = 'sellingpartnerapi::notifications' as const;

export interface AccessTokenSource {
  /** a valid access token; cached for its life and refreshed before it expires */
  getAccessToken(): Promise<string>;
  /** forget the cached token (after a 403 Unauthorized) so the next call fetches a new one */
  invalidate(token: string): void;
}

/**
 * Login with Amazon refresh-token exchange (FACTS §1.3), or the client-credentials grant of grantless
 * operations when given LwaGrantlessCredentials. The token is cached until `refreshMarginMs`
 * before it expires; concurrent callers share one refresh in flight. invalid_grant and invalid_client
 * are final (LwaAuthorizationError); network failures and 5xx are retriable.
 */
export class LwaTokenProvider implements AccessTokenSource {
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;

  constructor(
    private readonly credentials: LwaCredentials | LwaGrantlessCredentials,
    private readonly http: HttpTransport,
    private readonly opts: { tokenUrl: string; clock?: Clock; refreshMarginMs?: number },
  ) {}

  async getAccessToken(): Promise<string> {
    const clock = this.opts.clock ?? systemClock;
    if (this.cached && clock.now() < this.cached.expiresAt) return this.cached.token;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    const clock = this.opts.clock ?? systemClock;
    const c = this.credentials;
    const grant: Record<string, string> =
      'scope' in c
        ? { grant_type: 'client_credentials', scope: c.scope }
        : { grant_type: 'refresh_token', refresh_token: c.refreshToken };
    const body = new URLSearchParams({
      ...grant,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }).toString();
    const res = await this.http.request({
      method: 'POST',
      url: this.opts.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body,
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // fall through with the status
    }
    if (res.status === 200 && typeof json.access_token === 'string') {
      const lifeMs = Number(json.expires_in ?? 3600) * 1000;
      const margin = Math.min(this.opts.refreshMarginMs ?? 5 * 60_000, lifeMs / 2);
      this.cached = { token: json.access_token, expiresAt: clock.now() + lifeMs - margin };
      return json.access_token;
    }
    const error = typeof json.error === 'string' ? json.error : '';
    if (res.status >= 400 && res.status < 500 && res.status !== 429 && error) {
      const description = typeof json.error_description === 'string' ? json.error_description : '';
      throw new LwaAuthorizationError(error, description);
    }
    throw new RetriableError('LWA_UNAVAILABLE', `Login with Amazon answered ${res.status}`);
  }
}
