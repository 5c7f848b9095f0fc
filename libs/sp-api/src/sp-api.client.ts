import { RetriesExhaustedError, isRetriable, retry, systemClock, type Clock } from '@connector/core';
import {
  SpApiMalformedResponseError,
  SpApiRequestError,
  SpApiRetriableError,
  type SpApiErrorDetail,
} from './errors';
import { parseExactJson } from './exact-json';
import type { HttpTransport } from '@connector/core';
import type { AccessTokenSource } from './lwa-token.provider';
import type { TokenBucketLimiter } from './token-bucket.limiter';

/** Hooks for metrics; the client itself knows nothing of Prometheus. */
export interface SpApiObserver {
  onCall?(operation: string, status: number): void;
  onThrottled?(operation: string): void;
  onLimiterWait?(operation: string, waitedMs: number): void;
}

export interface SpApiClientOptions {
  /** regional endpoint, e.g. https://sellingpartnerapi-na.amazon.com (or the simulator) */
  endpoint: string;
  /** the selling partner the token belongs to: rate limits are per partner × operation */
  sellerId: string;
  tokens: AccessTokenSource;
  http: HttpTransport;
  limiter: TokenBucketLimiter;
  clock?: Clock;
  /** attempts per call for 429/5xx/network failures (bounded: never retried forever) */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  userAgent?: string;
  observer?: SpApiObserver;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
}

export interface SpApiResponse<T> {
  status: number;
  body: T;
  requestId?: string;
}

/**
 * A 403 Unauthorized about the access token: Amazon words an expired one "The access token you provided
 * has expired." and a revoked or unknown one "… is revoked, malformed or invalid." (or leaves the details
 * empty); both call for a fresh token (FACTS §1.5). An Unauthorized about something else (marketplaces
 * of another region, a missing role) does not: a new token would be refused the same way.
 */
function isTokenProblem(error: SpApiErrorDetail | undefined): boolean {
  return error?.code === 'Unauthorized' && (!error.details || /access token/i.test(error.details));
}

function queryString(query: CallOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    // Swagger's default collectionFormat for arrays is csv (FACTS §1.6)
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * One SP-API call done right (FACTS §1.4, §1.5, §2): a token from the caller's bucket first, the LWA
 * access token in x-amz-access-token, x-amzn-RateLimit-Limit fed back to the bucket, 429 and 5xx
 * retried with capped exponential backoff and full jitter for a bounded number of attempts, one fresh
 * token after a 403 Unauthorized, and response numbers parsed exactly.
 */
export class SpApiClient {
  private readonly clock: Clock;

  constructor(private readonly opts: SpApiClientOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get sellerId(): string {
    return this.opts.sellerId;
  }

  async call<T>(
    operation: string,
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<SpApiResponse<T>> {
    let reauthorised = false;
    const { value } = await retry(
      async () => {
        for (;;) {
          const outcome = await this.attempt<T>(operation, method, path, options, reauthorised);
          if (outcome !== 'reauthorise') return outcome;
          reauthorised = true;
        }
      },
      {
        maxAttempts: this.opts.maxAttempts ?? 8,
        baseMs: this.opts.backoffBaseMs ?? 1_000,
        maxMs: this.opts.backoffMaxMs ?? 60_000,
        random: this.opts.random,
        sleep: (ms) => this.clock.sleep(ms),
        shouldRetry: isRetriable,
      },
    ).catch((err: unknown) => {
      throw err instanceof RetriesExhaustedError ? err.lastError : err;
    });
    return value;
  }

  private async attempt<T>(
    operation: string,
    method: string,
    path: string,
    options: CallOptions,
    reauthorised: boolean,
  ): Promise<SpApiResponse<T> | 'reauthorise'> {
    const { sellerId, limiter, observer } = this.opts;
    const waited = await limiter.acquire(sellerId, operation);
    observer?.onLimiterWait?.(operation, waited);
    const token = await this.opts.tokens.getAccessToken();
    let res;
    try {
      res = await this.opts.http.request({
        method,
        url: `${this.opts.endpoint.replace(/\/$/, '')}${path}${queryString(options.query)}`,
        headers: {
          'x-amz-access-token': token,
          'user-agent':
            this.opts.userAgent ?? 'amazon-erp-connector/0.1 (Language=TypeScript; Platform=Node.js)',
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (err) {
      throw new SpApiRetriableError(
        { operation, status: 0, errors: [{ code: 'NetworkError', message: String(err) }] },
        { cause: err },
      );
    }
    observer?.onCall?.(operation, res.status);
    const requestId = res.headers['x-amzn-requestid'];
    const rate = Number(res.headers['x-amzn-ratelimit-limit']);
    if (rate > 0) limiter.adjust(sellerId, operation, rate);
    const text = res.body.toString('utf8');
    if (res.status >= 200 && res.status < 300) {
      let body: T;
      try {
        body = parseExactJson<T>(text);
      } catch (err) {
        const errors = [{ code: 'MalformedBody', message: `${text.length} characters, not JSON` }];
        throw new SpApiMalformedResponseError(
          { operation, status: res.status, requestId, errors },
          { cause: err },
        );
      }
      return { status: res.status, body, requestId };
    }
    const errors = errorDetails(res.status, text);
    const context = { operation, status: res.status, requestId, errors };
    if (res.status === 429) {
      limiter.drain(sellerId, operation);
      observer?.onThrottled?.(operation);
      throw new SpApiRetriableError(context);
    }
    if ((res.status === 403 || res.status === 401) && isTokenProblem(errors[0]) && !reauthorised) {
      this.opts.tokens.invalidate(token);
      return 'reauthorise';
    }
    if (res.status >= 500 || res.status === 408) throw new SpApiRetriableError(context);
    throw new SpApiRequestError(context);
  }

  /** Follows next tokens until there are none, yielding each page's items. */
  async *paginate<P, I>(
    fetchPage: (nextToken: string | undefined) => Promise<P>,
    items: (page: P) => readonly I[] | undefined,
    next: (page: P) => string | undefined,
  ): AsyncGenerator<I> {
    let token: string | undefined;
    do {
      const page = await fetchPage(token);
      yield* items(page) ?? [];
      token = next(page);
    } while (token);
  }
}

/**
 * The errors of a failed answer. An HTML page, a cut body or an `errors` of the wrong shape becomes one
 * detail coded with the HTTP status (the body's start kept for the log), never a TypeError.
 */
function errorDetails(status: number, text: string): SpApiErrorDetail[] {
  const fallback = [{ code: String(status), message: text.slice(0, 200) }];
  let parsed: unknown;
  try {
    parsed = parseExactJson(text);
  } catch {
    return fallback;
  }
  const list = parsed && typeof parsed === 'object' ? (parsed as { errors?: unknown }).errors : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return fallback;
  const text_ = (v: unknown, or: string) => (typeof v === 'string' || typeof v === 'number' ? String(v) : or);
  return list.map((e: unknown) => {
    if (!e || typeof e !== 'object') return { code: String(status), message: text_(e, '') };
    const { code, message, details } = e as Record<string, unknown>;
    return {
      code: text_(code, String(status)),
      message: text_(message, ''),
      ...(typeof details === 'string' ? { details } : {}),
    };
  });
}
