import { RetriableError } from '@connector/core';
import type { LedgerKey } from './idempotency-ledger';

const describe = (k: LedgerKey) => `${k.documentKind} ${k.naturalKey} (connection ${k.connectionId})`;

/**
 * Another writer holds a live claim on the row: it may be creating the document right now, so this
 * one must not call the outside system. Retriable: once the holder settles the row the retry finds
 * it written, and if the holder died its lease runs out and the retry takes the row over.
 */
export class LeaseHeldError extends RetriableError {
  constructor(
    readonly key: LedgerKey,
    readonly holder: string | null,
    readonly expiresAt: Date | null,
    /** the holder's lease left, by the database's clock: the consumer waits this long, not its attempts */
    leaseLeftMs?: number,
  ) {
    super(
      'LEASE_HELD',
      `${describe(key)} is being written by ${holder ?? 'another writer'} until ${expiresAt?.toISOString() ?? '?'}`,
      { retryAfterMs: leaseLeftMs },
    );
  }
}

/**
 * The fencing token is no longer the row's current one: the lease ran out and another writer took
 * the row over (or settled it). This writer must not record anything over the new holder. Retriable:
 * a retry claims afresh and looks the document up by natural key before doing anything.
 */
export class StaleFenceError extends RetriableError {
  constructor(
    readonly key: LedgerKey,
    readonly token: bigint,
    readonly current: bigint | null,
  ) {
    super(
      'LEASE_LOST',
      `${describe(key)}: token ${token} is stale (current ${current ?? 'none'}); another writer took the row over`,
    );
  }
}

/**
 * Too little of the lease is left to finish an outside call before it runs out (the lookup took
 * long): the writer does not start it, so a takeover cannot race an in-flight create. Retriable: the
 * retry claims a fresh lease.
 */
export class LeaseExpiringError extends RetriableError {
  constructor(
    readonly key: LedgerKey,
    readonly remainingMs: number,
    readonly neededMs: number,
  ) {
    super(
      'LEASE_EXPIRING',
      `${describe(key)}: ${Math.max(0, Math.round(remainingMs))} ms of lease left, ${neededMs} ms needed to start the write`,
    );
  }
}
