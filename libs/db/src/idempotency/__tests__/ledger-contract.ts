import { isRetriable } from '@connector/core';
import type { ClaimResult, IdempotencyLedger, LeaseClaim, LedgerKey } from '../idempotency-ledger';
import { LeaseHeldError, StaleFenceError } from '../lease-errors';

/** What the contract needs from an implementation under test. */
export interface LedgerHarness {
  ledger: IdempotencyLedger;
  /** the row's lease runs out now (the database's clock passes its expiry) */
  expire(key: LedgerKey): Promise<void>;
}

const LEASE = 60_000;
const DOC = { documentNumber: '1001', internalId: '17', erpStatus: 'OPEN' };
let n = 0;
const freshKey = (): LedgerKey => ({
  connectionId: 'c1',
  documentKind: 'SALES_ORDER',
  naturalKey: `111-${String(++n).padStart(7, '0')}`,
});

async function claimed(ledger: IdempotencyLedger, key: LedgerKey, owner: string): Promise<LeaseClaim> {
  const r = await ledger.claim(key, owner, LEASE);
  if (r.status !== 'claimed') throw new Error(`expected a claim, got ${r.status}`);
  return r;
}
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );

/**
 * One table of ledger transitions, run against the PostgreSQL ledger (idempotency-ledger.int-spec.ts)
 * and the in-memory fake (fake-idempotency-ledger.spec.ts), so the fake is held to the same semantics.
 */
export function describeLedgerContract(name: string, make: () => Promise<LedgerHarness>): void {
  describe(`idempotency ledger contract: ${name}`, () => {
    let h: LedgerHarness;
    beforeAll(async () => {
      h = await make();
    });

    it('when a writer claims a new row, then it holds it reserved with token 1, one attempt and its lease', async () => {
      const key = freshKey();
      const c = await claimed(h.ledger, key, 'A');
      expect(c.token).toBe(1n);
      expect(c.entry).toMatchObject({ state: 'reserved', attempts: 1, fence: 1n, leaseOwner: 'A' });
      expect(c.remainingMs()).toBeGreaterThan(0);
      expect(c.remainingMs()).toBeLessThanOrEqual(LEASE);
      expect(await h.ledger.get(key)).toMatchObject({ state: 'reserved', leaseOwner: 'A', fence: 1n });
    });

    it('when a second writer claims a live lease, then it gets a retriable LEASE_HELD and the row is unchanged', async () => {
      const key = freshKey();
      await claimed(h.ledger, key, 'A');
      const err = await refusal(h.ledger.claim(key, 'B', LEASE));
      expect(err).toBeInstanceOf(LeaseHeldError);
      expect(err).toMatchObject({ code: 'LEASE_HELD', retriable: true, holder: 'A' });
      expect(isRetriable(err)).toBe(true);
      // it names the wait, the holder's lease left by the ledger's clock, so a consumer waits it out
      const wait = (err as LeaseHeldError).retryAfterMs!;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(LEASE);
      expect(await h.ledger.get(key)).toMatchObject({ leaseOwner: 'A', fence: 1n, attempts: 1 });
    });

    it('when two writers claim the same new rows at the same moment, then exactly one holds each', async () => {
      const keys = Array.from({ length: 20 }, freshKey);
      const outcomes = await Promise.all(
        keys.flatMap((key) =>
          ['A', 'B'].map((owner) =>
            h.ledger.claim(key, owner, LEASE).then(
              (c) => ({ key, owner, won: c.status === 'claimed' }),
              (e: unknown) => {
                if (!(e instanceof LeaseHeldError)) throw e;
                return { key, owner, won: false };
              },
            ),
          ),
        ),
      );
      for (const key of keys) {
        const winners = outcomes.filter((o) => o.key === key && o.won);
        expect(winners).toHaveLength(1);
        expect(await h.ledger.get(key)).toMatchObject({ leaseOwner: winners[0].owner, fence: 1n });
      }
    });

    it('when the holder claims again (a retry), then its claim is renewed with a larger token', async () => {
      const key = freshKey();
      const first = await claimed(h.ledger, key, 'A');
      const again = await claimed(h.ledger, key, 'A');
      expect(again.token).toBeGreaterThan(first.token);
      expect(again.entry.attempts).toBe(2);
      await expect(h.ledger.markWritten(key, first.token, DOC)).rejects.toBeInstanceOf(StaleFenceError);
    });

    it('when the lease runs out, then another writer takes the row over with a larger token, and the old holder can no longer record anything', async () => {
      const key = freshKey();
      const a = await claimed(h.ledger, key, 'A');
      await h.expire(key);
      const b = await claimed(h.ledger, key, 'B');
      expect(b.token).toBeGreaterThan(a.token);
      expect(b.entry).toMatchObject({ state: 'reserved', attempts: 2, leaseOwner: 'B' });

      const stale = await refusal(h.ledger.markWritten(key, a.token, DOC));
      expect(stale).toBeInstanceOf(StaleFenceError);
      expect(stale).toMatchObject({ code: 'LEASE_LOST', retriable: true });
      await expect(h.ledger.markFailed(key, a.token, 'late')).rejects.toBeInstanceOf(StaleFenceError);
      expect(await h.ledger.release(key, a.token)).toBe(false);
      expect(await h.ledger.get(key)).toMatchObject({
        state: 'reserved',
        documentNumber: null,
        lastError: null,
        leaseOwner: 'B',
      });

      await h.ledger.markWritten(key, b.token, { ...DOC, documentNumber: '2002' });
      expect(await h.ledger.get(key)).toMatchObject({ state: 'written', documentNumber: '2002' });
    });

    it('when the holder records the document, then the row is written and its lease released; a later claim finds it settled and counts nothing', async () => {
      const key = freshKey();
      const a = await claimed(h.ledger, key, 'A');
      await h.ledger.markWritten(key, a.token, DOC);
      expect(await h.ledger.get(key)).toMatchObject({
        state: 'written',
        documentNumber: '1001',
        internalId: '17',
        erpStatus: 'OPEN',
        fence: a.token,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      const later = await h.ledger.claim(key, 'B', LEASE);
      expect(later).toMatchObject({
        status: 'settled',
        entry: { state: 'written', attempts: 1, fence: a.token },
      });
    });

    it('when a written row is confirmed, then only the current token confirms it', async () => {
      const key = freshKey();
      const a = await claimed(h.ledger, key, 'A');
      await h.ledger.markWritten(key, a.token, DOC);
      await expect(h.ledger.markConfirmed(key, a.token - 1n)).rejects.toBeInstanceOf(StaleFenceError);
      expect((await h.ledger.get(key))!.state).toBe('written');
      await h.ledger.markConfirmed(key, a.token);
      expect((await h.ledger.get(key))!.state).toBe('confirmed');
      await h.ledger.markWritten(key, a.token, { ...DOC, documentNumber: '9' }); // a late repeat
      expect(await h.ledger.get(key)).toMatchObject({ state: 'confirmed', documentNumber: '1001' });
    });

    it('when the holder marks the row failed, then the lease is released and the next claim takes it at once', async () => {
      const key = freshKey();
      const a = await claimed(h.ledger, key, 'A');
      await h.ledger.markFailed(key, a.token, 'UNMAPPED_SKU');
      expect(await h.ledger.get(key)).toMatchObject({
        state: 'failed',
        lastError: 'UNMAPPED_SKU',
        leaseOwner: null,
      });
      const b = await claimed(h.ledger, key, 'B');
      expect(b.token).toBe(a.token + 1n);
      expect(b.entry).toMatchObject({ state: 'reserved', attempts: 2 });
    });

    it('when the holder releases its lease, then the row stays reserved and another writer claims it at once', async () => {
      const key = freshKey();
      const a = await claimed(h.ledger, key, 'A');
      expect(await h.ledger.release(key, a.token)).toBe(true);
      expect(await h.ledger.get(key)).toMatchObject({
        state: 'reserved',
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      const b = await claimed(h.ledger, key, 'B');
      expect(b.token).toBe(a.token + 1n);
    });

    it('when marks carry a token for a row that does not exist, then they are refused as stale', async () => {
      const key = freshKey();
      await expect(h.ledger.markWritten(key, 1n, DOC)).rejects.toBeInstanceOf(StaleFenceError);
      await expect(h.ledger.markConfirmed(key, 1n)).rejects.toBeInstanceOf(StaleFenceError);
      await expect(h.ledger.markFailed(key, 1n, 'x')).rejects.toBeInstanceOf(StaleFenceError);
      expect(await h.ledger.get(key)).toBeNull();
    });

    it('when many claims are made at the same moment (one batch), then each is answered for its own row: taken, settled, or held', async () => {
      const [fresh, settled, held, twice, retried] = Array.from({ length: 5 }, freshKey);
      const s = await claimed(h.ledger, settled, 'A');
      await h.ledger.markWritten(settled, s.token, DOC);
      await claimed(h.ledger, held, 'B');
      const r = await claimed(h.ledger, retried, 'A');
      await h.ledger.release(retried, r.token);

      const answers = await Promise.allSettled([
        h.ledger.claim(fresh, 'A', LEASE),
        h.ledger.claim(settled, 'A', LEASE),
        h.ledger.claim(held, 'A', LEASE),
        h.ledger.claim(twice, 'A', LEASE),
        h.ledger.claim(twice, 'C', LEASE),
        h.ledger.claim(retried, 'A', LEASE),
      ]);
      const value = (i: number) => (answers[i] as PromiseFulfilledResult<ClaimResult>).value;
      expect(value(0)).toMatchObject({
        status: 'claimed',
        token: 1n,
        entry: { attempts: 1, leaseOwner: 'A' },
      });
      expect(value(1)).toMatchObject({
        status: 'settled',
        entry: { state: 'written', documentNumber: '1001' },
      });
      expect((answers[2] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseHeldError);
      // the same row twice: the first claimant holds it, the second finds its lease
      expect(value(3)).toMatchObject({ status: 'claimed', token: 1n, entry: { leaseOwner: 'A' } });
      expect((answers[4] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseHeldError);
      expect(value(5)).toMatchObject({ status: 'claimed', token: 2n, entry: { attempts: 2 } });
      const lease = value(5) as LeaseClaim;
      expect(lease.remainingMs()).toBeGreaterThan(LEASE - 10_000);
      expect(lease.remainingMs()).toBeLessThanOrEqual(LEASE);
    });

    it('when many rows are marked at the same moment (one batch), then each mark answers for its own row and token', async () => {
      const keys = Array.from({ length: 6 }, freshKey);
      const claims = await Promise.all(keys.map((k) => claimed(h.ledger, k, 'A')));
      // rows 0–3 with their current token, row 4 with a stale one, row 5 twice with the same one
      const written = await Promise.allSettled([
        ...keys.map((k, i) =>
          h.ledger.markWritten(k, i === 4 ? claims[i].token - 1n : claims[i].token, {
            ...DOC,
            documentNumber: `D${i}`,
          }),
        ),
        h.ledger.markWritten(keys[5], claims[5].token, { ...DOC, documentNumber: 'D5' }),
      ]);
      expect(written.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect((written[4] as PromiseRejectedResult).reason).toBeInstanceOf(StaleFenceError);
      for (const [i, k] of keys.entries())
        expect(await h.ledger.get(k)).toMatchObject(
          i === 4
            ? { state: 'reserved', documentNumber: null }
            : { state: 'written', documentNumber: `D${i}`, leaseOwner: null },
        );

      const confirmed = await Promise.allSettled(
        keys.map((k, i) => h.ledger.markConfirmed(k, i === 1 ? claims[i].token + 1n : claims[i].token)),
      );
      // row 1: a token the row never had; row 4: still reserved, a no-op for its current token
      expect(confirmed.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((confirmed[1] as PromiseRejectedResult).reason).toBeInstanceOf(StaleFenceError);
      const states = await Promise.all(keys.map(async (k) => (await h.ledger.get(k))!.state));
      expect(states).toEqual(['confirmed', 'written', 'confirmed', 'confirmed', 'reserved', 'confirmed']);
    });

    it('when writers take a row over again and again, then the token only grows', async () => {
      const key = freshKey();
      const tokens: bigint[] = [];
      for (const owner of ['A', 'B', 'A', 'C', 'C']) {
        tokens.push((await claimed(h.ledger, key, owner)).token);
        await h.expire(key);
      }
      expect(tokens).toEqual([1n, 2n, 3n, 4n, 5n]);
    });
  });
}
