import type {
  ClaimResult,
  DocumentRecord,
  IdempotencyLedger,
  LedgerEntry,
  LedgerKey,
} from './idempotency-ledger';
import { LeaseHeldError, StaleFenceError } from './lease-errors';

/**
 * `IdempotencyLedger` in memory, with the semantics of `KnexIdempotencyLedger` (the same contract
 * table runs against both: libs/db/src/idempotency/__tests__/ledger-contract.ts). Its clock stands
 * for the database's: pass a virtual one to let leases run out in a test.
 */
export class FakeIdempotencyLedger implements IdempotencyLedger {
  /** rows by `<connectionId>|<documentKind>|<naturalKey>` */
  readonly rows = new Map<string, LedgerEntry>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? (() => Date.now());
  }

  private id = (k: LedgerKey) => `${k.connectionId}|${k.documentKind}|${k.naturalKey}`;
  private copy = (r: LedgerEntry): LedgerEntry => ({
    ...r,
    leaseExpiresAt: r.leaseExpiresAt ? new Date(r.leaseExpiresAt) : null,
  });

  async get(key: LedgerKey) {
    const r = this.rows.get(this.id(key));
    return r ? this.copy(r) : null;
  }

  async claim(key: LedgerKey, owner: string, leaseMs: number): Promise<ClaimResult> {
    if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be positive, got ${leaseMs}`);
    const now = this.now();
    const expiresAt = new Date(now + leaseMs);
    let r = this.rows.get(this.id(key));
    if (!r) {
      r = {
        connectionId: key.connectionId,
        documentKind: key.documentKind,
        naturalKey: key.naturalKey,
        state: 'reserved',
        documentNumber: null,
        internalId: null,
        erpStatus: null,
        lastError: null,
        attempts: 0,
        fence: 0n,
        leaseOwner: null,
        leaseExpiresAt: null,
      };
      this.rows.set(this.id(key), r);
    } else if (r.state === 'written' || r.state === 'confirmed') {
      return { status: 'settled', entry: this.copy(r) };
    } else if (r.leaseExpiresAt && r.leaseExpiresAt.getTime() > now && r.leaseOwner !== owner) {
      throw new LeaseHeldError(
        key,
        r.leaseOwner,
        new Date(r.leaseExpiresAt),
        r.leaseExpiresAt.getTime() - now,
      );
    }
    Object.assign(r, {
      state: 'reserved',
      attempts: r.attempts + 1,
      fence: r.fence + 1n,
      leaseOwner: owner,
      leaseExpiresAt: expiresAt,
    });
    return {
      status: 'claimed',
      token: r.fence,
      expiresAt: new Date(expiresAt),
      entry: this.copy(r),
      remainingMs: () => expiresAt.getTime() - this.now(),
    };
  }

  async markWritten(key: LedgerKey, token: bigint, doc: DocumentRecord) {
    const r = this.current(key, token);
    if (r.state === 'confirmed') return;
    Object.assign(r, { state: 'written', ...doc, lastError: null, leaseOwner: null, leaseExpiresAt: null });
  }

  async markConfirmed(key: LedgerKey, token: bigint) {
    const r = this.current(key, token);
    if (r.state === 'written' || r.state === 'confirmed') r.state = 'confirmed';
  }

  async markFailed(key: LedgerKey, token: bigint, error: string) {
    const r = this.current(key, token);
    if (r.state === 'reserved' || r.state === 'failed')
      Object.assign(r, {
        state: 'failed',
        lastError: error.slice(0, 2000),
        leaseOwner: null,
        leaseExpiresAt: null,
      });
  }

  async release(key: LedgerKey, token: bigint) {
    const r = this.rows.get(this.id(key));
    if (!r || r.fence !== token) return false;
    Object.assign(r, { leaseOwner: null, leaseExpiresAt: null });
    return true;
  }

  async setStatus(key: LedgerKey, erpStatus: string) {
    const r = this.rows.get(this.id(key));
    if (r) r.erpStatus = erpStatus;
  }

  /** Test control: the row's lease has run out (as if the database's clock had passed its expiry). */
  expire(key: LedgerKey): void {
    const r = this.rows.get(this.id(key));
    if (r?.leaseExpiresAt) r.leaseExpiresAt = new Date(this.now() - 1);
  }

  private current(key: LedgerKey, token: bigint): LedgerEntry {
    const r = this.rows.get(this.id(key));
    if (!r || r.fence !== token) throw new StaleFenceError(key, token, r?.fence ?? null);
    return r;
  }
}
