import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { GroupCommit, byKey } from '@connector/core';
import type { Db } from '../knex';
import { LeaseExpiringError, LeaseHeldError, StaleFenceError } from './lease-errors';

export type LedgerState = 'reserved' | 'written' | 'confirmed' | 'failed';

export interface LedgerEntry {
  connectionId: string;
  documentKind: string;
  naturalKey: string;
  state: LedgerState;
  documentNumber?: string | null;
  internalId?: string | null;
  erpStatus?: string | null;
  /** claims made for this document (each claim is one attempt to write it) */
  attempts: number;
  lastError?: string | null;
  /** fencing token: grows by one on every successful claim */
  fence: bigint;
  /** writer instance holding the claim; null once the row is settled or released */
  leaseOwner: string | null;
  /** end of the claim, by the database's clock */
  leaseExpiresAt: Date | null;
}

/**
 * `documentKind` names what is written to the outside system: an ERP document kind today
 * (SALES_ORDER, INVOICE, JOURNAL, RECEIPT), a shipment confirmation or a listing push tomorrow.
 */
export type LedgerKey = Pick<LedgerEntry, 'connectionId' | 'documentKind' | 'naturalKey'>;

export type DocumentRecord = { documentNumber: string; internalId: string; erpStatus: string };

/** This writer holds the row until `expiresAt`; every mark must carry `token`. */
export interface LeaseClaim {
  status: 'claimed';
  token: bigint;
  /** by the database's clock (informational: compare with `remainingMs`, never with this host's clock) */
  expiresAt: Date;
  /** the row as the claim left it (attempts counted) */
  entry: LedgerEntry;
  /**
   * Lease left now, in ms: the database's answer (expiry − its own now()) less the time elapsed
   * since, measured on this process's monotonic clock. No two hosts' wall clocks are compared.
   */
  remainingMs(): number;
}

/** The row is already written or confirmed: there is nothing to claim. */
export interface SettledRow {
  status: 'settled';
  entry: LedgerEntry;
}

export type ClaimResult = LeaseClaim | SettledRow;

/**
 * One row per document written to an outside system (docs/architecture.md, "Writing to an ERP exactly once"), and the exclusive claim that
 * guards writing it (issue 18). A writer first claims the row (`claim`): an atomic upsert that takes
 * it only when it is unsettled and nobody else holds a live lease, records the owner and a lease
 * expiry computed by the database, and grows the fencing token. Then it looks the document up by
 * natural key in the outside system, creates it only if absent, and records the answer with
 * `markWritten(key, token, …)`, which succeeds only while `token` is the row's current one: a writer
 * whose lease ran out and was taken over gets `StaleFenceError` and records nothing. A row left
 * `reserved` means a crash or an error between the call and the answer: the next claimant looks the
 * document up before it writes again, so no document is created twice.
 *
 * Used by every writer of outside systems (ERP documents now; shipment confirmations and listing
 * pushes later). `FakeIdempotencyLedger` (`@connector/db/testing`) has the same semantics in memory;
 * libs/db/src/idempotency/__tests__/ledger-contract.ts runs one table of cases against both.
 */
export interface IdempotencyLedger {
  get(key: LedgerKey): Promise<LedgerEntry | null>;
  /**
   * Claims the row for `owner` for `leaseMs` (counting an attempt) when it is absent, `reserved` or
   * `failed` and its lease is free, expired, or already `owner`'s; returns `settled` for a written
   * or confirmed row; throws `LeaseHeldError` (retriable) while another owner's lease is live.
   */
  claim(key: LedgerKey, owner: string, leaseMs: number): Promise<ClaimResult>;
  /** Records the document and releases the lease (a confirmed row stays so). `StaleFenceError` unless `token` is current. */
  markWritten(key: LedgerKey, token: bigint, doc: DocumentRecord): Promise<void>;
  /** written → confirmed (a no-op in any other state). `StaleFenceError` unless `token` is current. */
  markConfirmed(key: LedgerKey, token: bigint): Promise<void>;
  /** reserved → failed with the reason, lease released. `StaleFenceError` unless `token` is current. */
  markFailed(key: LedgerKey, token: bigint, error: string): Promise<void>;
  /** Gives the lease up, leaving the row as it is; false (and nothing changed) when `token` is stale. */
  release(key: LedgerKey, token: bigint): Promise<boolean>;
  setStatus(key: LedgerKey, erpStatus: string): Promise<void>;
}

/** A writer instance id for `claim`: host, process and a random part (two apps in one process differ). */
export function leaseOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Throws `LeaseExpiringError` unless at least `neededMs` of the claim's lease is left. */
export function assertLeaseLeft(key: LedgerKey, claim: LeaseClaim, neededMs: number): void {
  const left = claim.remainingMs();
  if (left < neededMs) throw new LeaseExpiringError(key, left, neededMs);
}

const TABLE = 'idempotency_ledger';
/** a promise's outcome as a PromiseSettledResult, for a batch's answers */
const settle = <T>(p: Promise<T>): Promise<PromiseSettledResult<T>> =>
  p.then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );
const keyString = (k: LedgerKey) => `${k.connectionId}\u0000${k.documentKind}\u0000${k.naturalKey}`;
/** the key of a ledger row as read back */
const rowKey = (r: Record<string, unknown>) =>
  keyString({
    connectionId: String(r.connection_id),
    documentKind: String(r.document_kind),
    naturalKey: String(r.natural_key),
  });
/** a mark's row and token: two marks of one row with one token are one */
const markKey = (key: string, token: unknown) => `${key}\u0000${String(token)}`;
/** a settling mark: the row and the token it is made with */
interface Mark {
  key: LedgerKey;
  token: bigint;
}
const where = (k: LedgerKey) => ({
  connection_id: k.connectionId,
  document_kind: k.documentKind,
  natural_key: k.naturalKey,
});

function toEntry(r: Record<string, unknown>): LedgerEntry {
  return {
    connectionId: String(r.connection_id),
    documentKind: String(r.document_kind),
    naturalKey: String(r.natural_key),
    state: r.state as LedgerState,
    documentNumber: (r.erp_document_number as string | null) ?? null,
    internalId: (r.erp_internal_id as string | null) ?? null,
    erpStatus: (r.erp_status as string | null) ?? null,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    fence: BigInt(r.fence as string | number),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: r.lease_expires_at ? new Date(r.lease_expires_at as string | Date) : null,
  };
}

/**
 * The claims of a batch in one statement: insert each row, or take it over only where it is free (no
 * read-then-write); and for each row not taken also read why (settled, or a lease held), in the same
 * round trip: the second branch returns the row as it stood when the claim was refused (`taken`
 * false). A row another transaction inserted while this one ran is not in that read; `claim` then
 * reads it after the fact. Rows go in key order, so two writers claiming overlapping batches lock
 * them in the same order and never deadlock.
 */
const claimSql = (rows: number) => `
with v (connection_id, document_kind, natural_key, lease_owner, lease_ms) as (
  values ${Array.from({ length: rows }, () => '(?::text, ?::text, ?::text, ?::text, ?::float8)').join(', ')}
), claimed as (
  insert into ${TABLE} as l
    (connection_id, document_kind, natural_key, state, attempts, fence, lease_owner, lease_expires_at)
  select connection_id, document_kind, natural_key, 'reserved', 1, 1, lease_owner,
         now() + lease_ms * interval '1 millisecond'
  from v order by connection_id, document_kind, natural_key
  on conflict (connection_id, document_kind, natural_key) do update set
    state = 'reserved',
    attempts = l.attempts + 1,
    fence = l.fence + 1,
    lease_owner = excluded.lease_owner,
    lease_expires_at = excluded.lease_expires_at,
    updated_at = now()
  where l.state in ('reserved', 'failed')
    and (l.lease_expires_at is null or l.lease_expires_at <= now() or l.lease_owner = excluded.lease_owner)
  returning l.*, (extract(epoch from (l.lease_expires_at - now())) * 1000)::float8 as lease_left_ms, true as taken
)
select * from claimed
union all
select h.*, greatest(0, extract(epoch from (h.lease_expires_at - now())) * 1000)::float8, false
from ${TABLE} h join v using (connection_id, document_kind, natural_key)
where not exists (
  select 1 from claimed c
  where c.connection_id = h.connection_id and c.document_kind = h.document_kind and c.natural_key = h.natural_key
)`;

interface ClaimRequest {
  key: LedgerKey;
  owner: string;
  leaseMs: number;
}

export class KnexIdempotencyLedger implements IdempotencyLedger {
  /** `monotonic`: ms on a clock that never jumps (default `performance.now`), for `remainingMs` */
  constructor(
    private readonly db: Db,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** Reads made while one is in flight go together in the next statement (GroupCommit). */
  get(key: LedgerKey): Promise<LedgerEntry | null> {
    return this.gets.add(key);
  }

  private readonly gets = new GroupCommit<LedgerKey, LedgerEntry | null>(async (keys) => {
    const groups = byKey(keys, keyString);
    const tuples = [...groups.keys()].map(() => '(?::text, ?::text, ?::text)').join(', ');
    const result = await this.db.raw<{ rows: Array<Record<string, unknown>> }>(
      `select l.* from ${TABLE} l join (values ${tuples}) as v(connection_id, document_kind, natural_key)
       using (connection_id, document_kind, natural_key)`,
      [...groups.values()].flatMap(([i]) => [keys[i].connectionId, keys[i].documentKind, keys[i].naturalKey]),
    );
    const rows = new Map(result.rows.map((row) => [rowKey(row), toEntry(row)]));
    return keys.map((k) => ({ status: 'fulfilled' as const, value: rows.get(keyString(k)) ?? null }));
  });

  /**
   * Claims made while one is in flight go together in the next statement (GroupCommit), each still
   * answered for its own row.
   */
  claim(key: LedgerKey, owner: string, leaseMs: number): Promise<ClaimResult> {
    if (!(leaseMs > 0)) return Promise.reject(new RangeError(`leaseMs must be positive, got ${leaseMs}`));
    return this.claims.add({ key, owner, leaseMs });
  }

  private readonly claims = new GroupCommit<ClaimRequest, ClaimResult>(async (requests) => {
    // a row claimed twice in one batch is claimed once here, and again after (ON CONFLICT updates a row once)
    const groups = byKey(requests, (r) => keyString(r.key));
    const firsts = [...groups.values()].map(([i]) => requests[i]);
    const result = await this.db.raw<{ rows: Array<Record<string, unknown>> }>(
      claimSql(firsts.length),
      firsts.flatMap((r) => [r.key.connectionId, r.key.documentKind, r.key.naturalKey, r.owner, r.leaseMs]),
    );
    const answeredAt = this.monotonic();
    const rows = new Map(result.rows.map((row) => [rowKey(row), row]));
    const answers = new Array<PromiseSettledResult<ClaimResult>>(requests.length);
    await Promise.all(
      [...groups.entries()].map(async ([k, [first, ...again]]) => {
        answers[first] = await settle(this.answerClaim(requests[first].key, rows.get(k), answeredAt));
        for (const i of again) {
          const r = requests[i];
          answers[i] = await settle(this.claimAlone(r.key, r.owner, r.leaseMs));
        }
      }),
    );
    return answers;
  });

  private async claimAlone(key: LedgerKey, owner: string, leaseMs: number): Promise<ClaimResult> {
    const result = await this.db.raw<{ rows: Array<Record<string, unknown>> }>(claimSql(1), [
      key.connectionId,
      key.documentKind,
      key.naturalKey,
      owner,
      leaseMs,
    ]);
    return this.answerClaim(key, result.rows[0], this.monotonic());
  }

  /** The claim's answer from its row: taken, or why not (settled, or a lease held). */
  private async answerClaim(
    key: LedgerKey,
    row: Record<string, unknown> | undefined,
    answeredAt: number,
  ): Promise<ClaimResult> {
    if (row?.taken) {
      const entry = toEntry(row);
      const leftAtAnswer = Number(row.lease_left_ms);
      return {
        status: 'claimed',
        token: entry.fence,
        expiresAt: entry.leaseExpiresAt!,
        entry,
        remainingMs: () => leftAtAnswer - (this.monotonic() - answeredAt),
      };
    }
    // Not taken: say why, from the row as it stood (or, inserted meanwhile by another writer, read now)
    const held =
      row ??
      (await this.db(TABLE)
        .where(where(key))
        .first<Record<string, unknown> | undefined>(
          '*',
          this.db.raw(
            'greatest(0, extract(epoch from (lease_expires_at - now())) * 1000)::float8 as lease_left_ms',
          ),
        ));
    const current = held ? toEntry(held) : null;
    if (current && (current.state === 'written' || current.state === 'confirmed'))
      return { status: 'settled', entry: current };
    throw new LeaseHeldError(
      key,
      current?.leaseOwner ?? null,
      current?.leaseExpiresAt ?? null,
      held?.lease_left_ms == null ? undefined : Number(held.lease_left_ms),
    );
  }

  /**
   * Marks made while one is in flight go together in the next statement (GroupCommit): a batch of
   * records settles its documents in one round trip, and each mark still answers for its own token.
   */
  markWritten(key: LedgerKey, token: bigint, doc: DocumentRecord): Promise<void> {
    return this.written.add({ key, token, doc });
  }

  markConfirmed(key: LedgerKey, token: bigint): Promise<void> {
    return this.confirmed.add({ key, token });
  }

  private readonly written = new GroupCommit<Mark & { doc: DocumentRecord }>((marks) =>
    this.markAll(
      marks,
      `state = 'written', erp_document_number = v.document_number, erp_internal_id = v.internal_id,
       erp_status = v.erp_status, last_error = null, lease_owner = null, lease_expires_at = null`,
      ['reserved', 'failed', 'written'],
      (m) => [m.doc.documentNumber, m.doc.internalId, m.doc.erpStatus],
    ),
  );

  private readonly confirmed = new GroupCommit<Mark>((marks) =>
    this.markAll(marks, `state = 'confirmed'`, ['written', 'confirmed'], () => [null, null, null]),
  );

  /**
   * One update for a batch of marks, each row changed only while its token is current and its state
   * one of `from`; a mark that changed nothing is then a no-op for the current token, or stale.
   */
  private async markAll<M extends Mark>(
    marks: M[],
    set: string,
    from: LedgerState[],
    docOf: (m: M) => Array<string | null | undefined>,
  ): Promise<Array<PromiseSettledResult<void>>> {
    const rows = byKey(marks, (m) => markKey(keyString(m.key), m.token));
    const values: Array<string | null> = [];
    for (const [first] of rows.values()) {
      const m = marks[first];
      values.push(m.key.connectionId, m.key.documentKind, m.key.naturalKey, String(m.token));
      values.push(...docOf(m).map((v) => v ?? null));
    }
    const tuples = [...rows.keys()].map(() => '(?, ?, ?, ?::bigint, ?::text, ?::text, ?::text)').join(', ');
    const changed = await this.db.raw<{ rows: Array<Record<string, string>> }>(
      `update ${TABLE} l set ${set}, updated_at = now()
       from (values ${tuples}) as v(connection_id, document_kind, natural_key, fence, document_number, internal_id, erp_status)
       where l.connection_id = v.connection_id and l.document_kind = v.document_kind
         and l.natural_key = v.natural_key and l.fence = v.fence
         and l.state in (${from.map(() => '?').join(', ')})
       returning l.connection_id, l.document_kind, l.natural_key, l.fence`,
      [...values, ...from],
    );
    const done = new Set(changed.rows.map((r) => markKey(rowKey(r), r.fence)));
    return Promise.allSettled(
      marks.map((m) =>
        done.has(markKey(keyString(m.key), m.token))
          ? Promise.resolve()
          : this.staleUnlessCurrent(m.key, m.token),
      ),
    );
  }

  async markFailed(key: LedgerKey, token: bigint, error: string): Promise<void> {
    const n = await this.db(TABLE)
      .where({ ...where(key), fence: String(token) })
      .whereIn('state', ['reserved', 'failed'])
      .update({
        state: 'failed',
        last_error: error.slice(0, 2000),
        lease_owner: null,
        lease_expires_at: null,
        updated_at: this.db.fn.now(),
      });
    if (n === 0) await this.staleUnlessCurrent(key, token);
  }

  async release(key: LedgerKey, token: bigint): Promise<boolean> {
    const n = await this.db(TABLE)
      .where({ ...where(key), fence: String(token) })
      .update({ lease_owner: null, lease_expires_at: null, updated_at: this.db.fn.now() });
    return n > 0;
  }

  async setStatus(key: LedgerKey, erpStatus: string) {
    await this.db(TABLE).where(where(key)).update({ erp_status: erpStatus, updated_at: this.db.fn.now() });
  }

  /** A mark that changed nothing is a no-op for the current token (wrong state), stale otherwise. */
  private async staleUnlessCurrent(key: LedgerKey, token: bigint): Promise<void> {
    const current = await this.get(key);
    if (!current || current.fence !== token) throw new StaleFenceError(key, token, current?.fence ?? null);
  }
}
