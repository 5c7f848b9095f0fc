import {
  assertLeaseLeft,
  leaseOwnerId,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerKey,
} from '@connector/db';
import { errorMessage, isRetriable } from '@connector/core';
import type { DocumentKind, ErpDocumentRef, ErpPort } from '@connector/erp';
import type { ErpGate } from './erp-gate';

export type WriteOutcome = 'CREATED' | 'ALREADY_EXISTS';

/** When the ERP is asked for a document by natural key before it is created. */
export type LookupPolicy = 'in-doubt' | 'always';

export interface WriteResult {
  outcome: WriteOutcome;
  ref: ErpDocumentRef;
  /** how the existing document was recognised, for the audit */
  via?: 'ledger' | 'erp-lookup';
  /** the ledger row's fencing token, for `confirm` */
  fence: bigint;
  /** claims made to write this document so far (1 when the first one wrote it) */
  attempts: number;
  /** the ledger had it confirmed already (its outcome audited and published): nothing to confirm */
  confirmed?: boolean;
}

/** How long a writer holds a document, and how much of that must be left to start a create. */
export interface WriterLease {
  leaseMs: number;
  createMarginMs: number;
}

/**
 * HTTP requests one ERP call may make in sequence, each bounded by ERP_TIMEOUT_MS: SAP B1 sends the
 * request, and on a 401 logs in once and sends it again (libs/erp/src/sap-b1/sap-b1.adapter.ts,
 * `send`); Sage 300 sends one (Basic auth, no session).
 */
const REQUESTS_PER_CALL = 3;
/** the ledger write after the create, event-loop pauses and PostgreSQL's clock against ours */
const SLACK_MS = 5_000;

/**
 * The lease for a given ERP call timeout (ERP_TIMEOUT_MS, services/sage-writer/src/config.ts).
 *
 * A create must finish, or have failed for good, before the lease runs out: otherwise a writer that
 * takes the row over could look the document up while it is still being created and create it a
 * second time. A create is at most REQUESTS_PER_CALL requests of at most ERP_TIMEOUT_MS each, so a
 * writer starts it only with `createMarginMs` = REQUESTS_PER_CALL × timeout + SLACK_MS of lease left
 * (30 s → 95 s). Before the create comes the lookup, bounded the same way; the lease is twice the
 * margin (30 s → 190 s), so a lookup that takes up to half of it still leaves room for the create,
 * and a slower one makes the writer give the lease back unused (LeaseExpiringError) rather than race.
 * The price of a long lease is paid only when a holder dies mid-write: the document then waits for
 * its lease to run out before another writer takes it over (LEASE_HELD names the lease left, and the
 * consumer waits it out without spending attempts). A writer that settles the row releases the lease
 * at once.
 */
export function writerLease(erpTimeoutMs: number): WriterLease {
  const createMarginMs = REQUESTS_PER_CALL * erpTimeoutMs + SLACK_MS;
  return { leaseMs: 2 * createMarginMs, createMarginMs };
}

/**
 * Writes one ERP document exactly once, across crashes, replays and two writers racing
 * (docs/architecture.md, "Writing to an ERP exactly once"):
 *
 * 1. claim the row (IdempotencyLedger.claim): an exclusive lease with a fencing token, in one round
 *    trip. A row `written`/`confirmed` is not claimed: the document exists and nothing is sent. A
 *    row another writer holds throws LeaseHeldError (retriable) before the ERP is called.
 * 3. when the ledger is in doubt, ask the ERP by natural key (SAP B1 NumAtCard, Sage 300 PO
 *    number): a claim that is not the row's first (an earlier claim crashed, lost the ERP's answer,
 *    failed, or had its lease taken over) may have left the document there. The first claim of a
 *    row ever made cannot have: no writer has sent that document, so the lookup is skipped, and a
 *    document costs one ERP call in steady state. `lookup: 'always'` asks before every insert, for
 *    ERPs where people may key the same Amazon order in by hand.
 * 4. only with enough lease left for the whole call, create it, and record the ERP's number with
 *    the token: a writer whose token is stale records nothing (StaleFenceError).
 *
 * A lost ledger write cannot create a duplicate: the row stays claimed, so the next claim is not its
 * first and looks the document up.
 *
 * With a gate (ErpGate), steps 1 to 4 up to the ERP's answer run in one of the connection's slots:
 * the claim is made when the ERP call can start, so waiting for a slot never eats into the lease.
 */
export class DocumentWriter {
  private readonly owner: string;
  private readonly lease: WriterLease;
  private readonly lookup: LookupPolicy;
  private readonly gate?: ErpGate;

  /**
   * `owner`: this writer instance's id in the ledger (leaseOwnerId()); `lease`:
   * writerLease(ERP_TIMEOUT_MS); `lookup`: when the ERP is asked by natural key before a create;
   * `gate`: how many documents of a connection are written at once (none: no limit)
   */
  constructor(
    private readonly ledger: IdempotencyLedger,
    opts: { owner?: string; lease?: WriterLease; lookup?: LookupPolicy; gate?: ErpGate } = {},
  ) {
    this.owner = opts.owner ?? leaseOwnerId();
    this.lease = opts.lease ?? writerLease(30_000);
    this.lookup = opts.lookup ?? 'in-doubt';
    this.gate = opts.gate;
  }

  /**
   * The ERP for calls made outside `ensure` (a customer, a rate, a lookup, a cancellation), each in one
   * of the connection's slots. `ensure` itself takes the plain port: it holds a slot already.
   */
  gatedPort(connectionId: string, erp: ErpPort): ErpPort {
    return this.gate ? this.gate.port(connectionId, erp) : erp;
  }

  async ensure(
    connectionId: string,
    erp: ErpPort,
    kind: DocumentKind,
    naturalKey: string,
    create: () => Promise<ErpDocumentRef>,
  ): Promise<WriteResult> {
    const key: LedgerKey = { connectionId, documentKind: kind, naturalKey };
    const send = () => this.claimAndSend(key, kind, erp, create);
    const sent = await (this.gate ? this.gate.run(connectionId, send) : send());
    if ('settled' in sent) return sent.settled;
    const { ref, token, attempts } = sent;
    await this.ledger.markWritten(key, token, {
      documentNumber: ref.documentNumber,
      internalId: ref.internalId,
      erpStatus: ref.status,
    });
    return sent.found
      ? { outcome: 'ALREADY_EXISTS', ref, via: 'erp-lookup', fence: token, attempts }
      : { outcome: 'CREATED', ref, fence: token, attempts };
  }

  /** Steps 1 to 4 up to the ERP's answer: the document as found or created, and the claim's token. */
  private async claimAndSend(
    key: LedgerKey,
    kind: DocumentKind,
    erp: ErpPort,
    create: () => Promise<ErpDocumentRef>,
  ): Promise<
    { settled: WriteResult } | { ref: ErpDocumentRef; found: boolean; token: bigint; attempts: number }
  > {
    const { naturalKey } = key;
    // one round trip: the claim itself says when the document is already settled (a redelivery)
    const claim = await this.ledger.claim(key, this.owner, this.lease.leaseMs);
    if (claim.status === 'settled') return { settled: fromLedger(kind, naturalKey, claim.entry) };
    const { token, entry } = claim;

    // the row's first claim ever: nobody has sent this document to the ERP
    const inDoubt = this.lookup === 'always' || entry.attempts > 1;
    let existing: ErpDocumentRef | null;
    try {
      existing = inDoubt ? await erp.findByNaturalKey(kind, naturalKey) : null;
      if (!existing) assertLeaseLeft(key, claim, this.lease.createMarginMs);
    } catch (err) {
      // nothing was sent to be created: the next claimant may start at once
      if (isRetriable(err)) await this.ledger.release(key, token);
      else await this.ledger.markFailed(key, token, errorMessage(err));
      throw err;
    }
    if (existing) return { ref: existing, found: true, token, attempts: entry.attempts };
    try {
      const ref = await create();
      return { ref, found: false, token, attempts: entry.attempts };
    } catch (err) {
      // A retriable failure stays `reserved` and keeps the lease: the ERP may still be creating the
      // document, so another writer waits for the lease; this writer's retry reclaims it at once and
      // looks the document up first.
      if (!isRetriable(err)) await this.ledger.markFailed(key, token, errorMessage(err));
      throw err;
    }
  }

  /** Marks a written document confirmed (its outcome is audited and published), with its token. */
  confirm(connectionId: string, kind: DocumentKind, naturalKey: string, fence: bigint): Promise<void> {
    return this.ledger.markConfirmed({ connectionId, documentKind: kind, naturalKey }, fence);
  }

  /** What the ledger knows of a document, without asking the ERP. */
  async known(connectionId: string, kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    const row = await this.ledger.get({ connectionId, documentKind: kind, naturalKey });
    return row && isSettled(row) ? refOf(kind, naturalKey, row) : null;
  }

  /** Whether the ledger has a row for the document at all (written, in doubt, or failed). */
  async exists(connectionId: string, kind: DocumentKind, naturalKey: string): Promise<boolean> {
    return (await this.ledger.get({ connectionId, documentKind: kind, naturalKey })) !== null;
  }

  /** Attempts made to write a document so far (at least 1: the one that is being reported). */
  async attempts(connectionId: string, kind: DocumentKind, naturalKey: string): Promise<number> {
    const row = await this.ledger.get({ connectionId, documentKind: kind, naturalKey });
    return Math.max(1, row?.attempts ?? 0);
  }

  setStatus(connectionId: string, kind: DocumentKind, naturalKey: string, status: string): Promise<void> {
    return this.ledger.setStatus({ connectionId, documentKind: kind, naturalKey }, status);
  }
}

function isSettled(row: LedgerEntry): boolean {
  return (row.state === 'written' || row.state === 'confirmed') && !!row.internalId;
}

function fromLedger(kind: DocumentKind, naturalKey: string, row: LedgerEntry): WriteResult {
  return {
    outcome: 'ALREADY_EXISTS',
    ref: refOf(kind, naturalKey, row),
    via: 'ledger',
    fence: row.fence,
    attempts: row.attempts,
    confirmed: row.state === 'confirmed',
  };
}

function refOf(
  kind: DocumentKind,
  naturalKey: string,
  row: { documentNumber?: string | null; internalId?: string | null; erpStatus?: string | null },
): ErpDocumentRef {
  return {
    kind,
    naturalKey,
    internalId: row.internalId ?? '',
    documentNumber: row.documentNumber ?? '',
    status: (row.erpStatus as ErpDocumentRef['status']) ?? 'OPEN',
  };
}
