import { errorMessage } from '@connector/core';
import type { Db } from '../knex';

/** What one replica holds after a sync. */
export interface HeldLeases {
  /** connection ids this replica may read until `validUntil` */
  held: Set<string>;
  /** local epoch ms: the leases were taken at or after the sync began, so they are good until at least this */
  validUntil: number;
  /** live replicas of the service, this one included */
  replicas: number;
}

export interface LeaseOptions {
  /** the service whose replicas share the connections (`amazon-ingest`, `erp-change-poller`) */
  service: string;
  /** this replica: unique per process (pod name, pid and a random part) */
  holder: string;
  /** lease length; a replica that dies hands its connections over within about this long */
  ttlMs: number;
}

/**
 * Leases on connections in PostgreSQL, so that any number of replicas of a reading service share the
 * sellers and no connection is read by two at once (issue 15). One `sync` per replica and renewal
 * period, in one transaction: it records the replica's heartbeat, renews what it holds, works out its
 * fair share (⌈connections / live replicas⌉), claims free or expired leases up to it with
 * `FOR UPDATE SKIP LOCKED` (two replicas never wait on, or take, the same row), and lets go of what it
 * holds beyond it, so a new replica gets its share within a period. Expiry is PostgreSQL's clock; the
 * replica counts its leases good only until its own clock at the start of the sync plus the lease
 * length, which is never later than the real expiry, whatever the two clocks say.
 */
export class ConnectionLeaseStore {
  constructor(private readonly db: Db) {}

  async sync(opts: LeaseOptions, connectionIds: readonly string[], localNow: number): Promise<HeldLeases> {
    const { service, holder } = opts;
    const ttl = `${Math.max(1, Math.round(opts.ttlMs))} milliseconds`;
    const ids = [...new Set(connectionIds)];
    // one parameter for the list (knex would spread an array into many)
    const idsJson = JSON.stringify(ids);
    return this.db.transaction(async (tx) => {
      await tx.raw(
        `insert into lease_holders (service, holder, seen_until) values (?, ?, now() + ?::interval)
         on conflict (service, holder) do update set seen_until = excluded.seen_until`,
        [service, holder, ttl],
      );
      if (ids.length)
        await tx.raw(
          `insert into connection_leases (service, connection_id)
           select ?, jsonb_array_elements_text(?::jsonb) on conflict do nothing`,
          [service, idsJson],
        );
      const live = await tx.raw<{ rows: Array<{ n: string }> }>(
        `select count(*) as n from lease_holders where service = ? and seen_until > now()`,
        [service],
      );
      const replicas = Math.max(1, Number(live.rows[0]?.n ?? 1));
      const share = Math.ceil(ids.length / replicas);
      const renewed = await tx.raw<{ rows: Array<{ connection_id: string }> }>(
        `update connection_leases set expires_at = now() + ?::interval
         where service = ? and holder = ? and expires_at > now() and connection_id = any(array(select jsonb_array_elements_text(?::jsonb)))
         returning connection_id`,
        [ttl, service, holder, idsJson],
      );
      const held = new Set(renewed.rows.map((r) => r.connection_id).sort());
      if (held.size > share) {
        // beyond the fair share: let the newest-sorted go, expired now, for a replica that has fewer
        const extra = [...held].slice(share);
        await tx.raw(
          `update connection_leases set expires_at = now(), holder = null
           where service = ? and holder = ? and connection_id = any(array(select jsonb_array_elements_text(?::jsonb)))`,
          [service, holder, JSON.stringify(extra)],
        );
        extra.forEach((id) => held.delete(id));
      } else if (held.size < share) {
        const claimed = await tx.raw<{ rows: Array<{ connection_id: string }> }>(
          `update connection_leases l set holder = ?, expires_at = now() + ?::interval, generation = l.generation + 1
           from (select connection_id from connection_leases
                 where service = ? and expires_at <= now() and connection_id = any(array(select jsonb_array_elements_text(?::jsonb)))
                 order by connection_id for update skip locked limit ?) free
           where l.service = ? and l.connection_id = free.connection_id
           returning l.connection_id`,
          [holder, ttl, service, idsJson, share - held.size, service],
        );
        claimed.rows.forEach((r) => held.add(r.connection_id));
      }
      return { held, validUntil: localNow + opts.ttlMs, replicas };
    });
  }

  /** Lets go of everything this replica holds (a clean shutdown hands over at once). */
  async release(opts: Pick<LeaseOptions, 'service' | 'holder'>): Promise<void> {
    await this.db('connection_leases')
      .where({ service: opts.service, holder: opts.holder })
      .update({ holder: null, expires_at: this.db.raw('now()') });
    await this.db('lease_holders').where({ service: opts.service, holder: opts.holder }).delete();
  }

  /** Who holds what now (unexpired leases only): for the bench and the operator. */
  async holders(service: string): Promise<Map<string, string>> {
    const rows = await this.db('connection_leases')
      .select('connection_id', 'holder')
      .where({ service })
      .whereNotNull('holder')
      .andWhere('expires_at', '>', this.db.raw('now()'));
    return new Map(rows.map((r: { connection_id: string; holder: string }) => [r.connection_id, r.holder]));
  }
}

interface SourceLogger {
  warn(obj: object, msg: string): void;
}

/**
 * A connection source that lists only the connections this replica holds a lease on: wrap the
 * scheduler's source with it and nothing else changes. Leases are synced when a renewal is due (every
 * third of the lease length) — on the scheduler's own calls to `list`, so there is no timer to leak;
 * if PostgreSQL cannot be reached, the replica keeps reading what it holds until the leases run out
 * locally, then reads nothing until it can renew (another replica may have taken them over).
 */
export class LeasedConnections<C extends { id: string }> {
  private state: HeldLeases = { held: new Set(), validUntil: 0, replicas: 1 };
  private syncedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      inner: { list(): Promise<C[]> };
      store: ConnectionLeaseStore;
      options: LeaseOptions;
      now: () => number;
      logger?: SourceLogger;
    },
  ) {}

  async list(): Promise<C[]> {
    const all = await this.deps.inner.list();
    const now = this.deps.now();
    if (now - this.syncedAt >= this.deps.options.ttlMs / 3) {
      try {
        this.state = await this.deps.store.sync(
          this.deps.options,
          all.map((c) => c.id),
          now,
        );
        this.syncedAt = now;
      } catch (err) {
        this.deps.logger?.warn({ err: errorMessage(err) }, 'cannot renew connection leases');
      }
    }
    if (this.deps.now() >= this.state.validUntil) return [];
    return all.filter((c) => this.state.held.has(c.id));
  }

  /** What this replica holds now (for metrics and readiness). */
  get held(): ReadonlySet<string> {
    return this.state.held;
  }

  /** On shutdown: hands everything over at once instead of after the lease length. */
  release(): Promise<void> {
    this.state = { held: new Set(), validUntil: 0, replicas: this.state.replicas };
    return this.deps.store.release(this.deps.options);
  }
}
