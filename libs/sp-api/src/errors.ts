import { NonRetriableError, RetriableError } from '@connector/core';

export interface SpApiErrorDetail {
  code: string;
  message: string;
  details?: string;
}

export interface SpApiErrorContext {
  operation: string;
  status: number;
  requestId?: string;
  errors: SpApiErrorDetail[];
}

const describe = (c: SpApiErrorContext) =>
  `${c.operation} answered ${c.status}${c.errors[0] ? ` ${c.errors[0].code}: ${c.errors[0].message}` : ''}${c.requestId ? ` (request ${c.requestId})` : ''}`;

/** 429 QuotaExceeded, 5xx and network failures: back off and try again. */
export class SpApiRetriableError extends RetriableError {
  constructor(
    readonly context: SpApiErrorContext,
    options?: { cause?: unknown },
  ) {
    super(context.status === 429 ? 'SPAPI_THROTTLED' : 'SPAPI_UNAVAILABLE', describe(context), options);
  }
}

/**
 * A 2xx answer whose body is not JSON: cut off in transit, or an HTML page from a proxy. Retriable (the
 * next attempt usually gets the whole body); after the attempts, the caller's run fails and says so.
 */
export class SpApiMalformedResponseError extends RetriableError {
  constructor(
    readonly context: SpApiErrorContext,
    options?: { cause?: unknown },
  ) {
    super('SPAPI_MALFORMED_RESPONSE', `${describe(context)}: the body is not JSON`, options);
  }
}

/** 400, 404, 403 after a fresh token, ...: the request or the authorisation must change. */
export class SpApiRequestError extends NonRetriableError {
  constructor(readonly context: SpApiErrorContext) {
    super(
      `SPAPI_${context.errors[0]?.code ?? context.status}`.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase(),
      describe(context),
    );
  }
}

/** LWA refused the credentials (invalid_grant: revoked refresh token; invalid_client: bad or expired client secret). */
export class LwaAuthorizationError extends NonRetriableError {
  constructor(
    readonly lwaError: string,
    description: string,
  ) {
    super(
      `LWA_${lwaError.toUpperCase()}`,
      `Login with Amazon refused the credentials: ${lwaError}: ${description}`,
    );
  }
}
