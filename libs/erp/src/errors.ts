import { NonRetriableError, RetriableError } from '@connector/core';
import type { ErpKind } from './port';

/**
 * Typed ERP errors. Each carries the ERP's own code (SAP B1 `-5002`, Sage 300 `RecordNotFound`) and
 * says whether trying again can help; the record processor retries the retriable ones with backoff
 * and sends the rest to the dead-letter topic with the reason.
 */
export interface ErpErrorDetail {
  erp: ErpKind;
  /** The ERP's code, as a string. */
  erpCode?: string;
  httpStatus?: number;
}

/** A record lock or optimistic-concurrency conflict (SAP B1 -2039 / 412; Sage 300 RecordLocked / 409). */
export class ErpRecordLockedError extends RetriableError {
  /** other writers hold the record: contention, not an overloaded ERP (isContention) */
  readonly contention = true;
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
    options?: { cause?: unknown },
  ) {
    super('ERP_RECORD_LOCKED', message, options);
  }
}

/**
 * How long a consumer waits after an ERP outage before it tries the record again, without using one of
 * its attempts (within the record processor's retry-after budget, 10 minutes). An ERP that answers 503
 * for minutes (maintenance, a restart) would otherwise send its records to the dead-letter topic after
 * the few seconds that the backoff attempts last (the fault suite, tools/faults, showed it).
 */
export const ERP_OUTAGE_RETRY_AFTER_MS = 5_000;

/** The ERP does not answer or answers 5xx; tried again after ERP_OUTAGE_RETRY_AFTER_MS unless told otherwise. */
export class ErpUnavailableError extends RetriableError {
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super('ERP_UNAVAILABLE', message, {
      ...options,
      retryAfterMs: options?.retryAfterMs ?? ERP_OUTAGE_RETRY_AFTER_MS,
    });
  }
}

/** The session expired and one fresh login did not help this time (adapters re-login once on their own). */
export class ErpSessionExpiredError extends RetriableError {
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
    options?: { cause?: unknown },
  ) {
    super('ERP_SESSION_EXPIRED', message, options);
  }
}

/** Wrong user, password or company: fix the connection. */
export class ErpAuthError extends NonRetriableError {
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
    options?: { cause?: unknown },
  ) {
    super('ERP_AUTH_FAILED', message, options);
  }
}

/** The ERP refused the data (unknown item, account, customer; unbalanced journal; closed period). */
export class ErpValidationError extends NonRetriableError {
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
    options?: { cause?: unknown },
  ) {
    super('ERP_VALIDATION', message, options);
  }
}

/** The operation is not offered by this ERP (see its capabilities). */
export class ErpUnsupportedError extends NonRetriableError {
  constructor(
    message: string,
    readonly detail: ErpErrorDetail,
  ) {
    super('ERP_UNSUPPORTED', message);
  }
}
