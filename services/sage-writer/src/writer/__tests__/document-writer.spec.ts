import { VirtualClock, isRetriable } from '@connector/core';
import { FakeIdempotencyLedger } from '@connector/db/testing';
import { ErpRecordLockedError, type ErpDocumentRef, type ReceiptDraft } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import { DocumentWriter } from '../document-writer';

const KEY = 'settlement-1/receipt';
const draft: ReceiptDraft = {
  naturalKey: KEY,
  customerCode: 'AMZ-US',
  amount: '12.3400',
  currency: 'USD',
  date: '2026-11-28',
  bankAccount: '1010',
  reference: 'AMZ',
};
const LEASE = { leaseMs: 10_000, createMarginMs: 4_000 };

/** A promise the test settles, to hold a writer at one point of its work. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('DocumentWriter: two writers, one document', () => {
  let clock: VirtualClock;
  let ledger: FakeIdempotencyLedger;
  let erp: FakeErp;
  let a: DocumentWriter;
  let b: DocumentWriter;
  const row = () => ledger.rows.get(`c1|RECEIPT|${KEY}`)!;
  const create = () => erp.createReceipt(draft);
  const ensure = (w: DocumentWriter, make: () => Promise<ErpDocumentRef> = create) =>
    w.ensure('c1', erp, 'RECEIPT', KEY, make);

  beforeEach(() => {
    clock = new VirtualClock(Date.UTC(2026, 10, 28));
    ledger = new FakeIdempotencyLedger({ now: () => clock.now() });
    erp = new FakeErp();
    a = new DocumentWriter(ledger, { owner: 'writer-a', lease: LEASE });
    b = new DocumentWriter(ledger, { owner: 'writer-b', lease: LEASE });
  });

  it("when a document's ledger row is claimed for the first time, then the ERP is not asked for it by natural key (with lookup 'always' it is)", async () => {
    expect(await ensure(a)).toMatchObject({ outcome: 'CREATED', attempts: 1 });
    expect(erp.calls.filter((c) => c.startsWith('find'))).toEqual([]);
    const asking = new DocumentWriter(ledger, { owner: 'writer-c', lease: LEASE, lookup: 'always' });
    const other = 'S2/ATVPDKIKX0DER';
    await asking.ensure('c1', erp, 'RECEIPT', other, () =>
      erp.createReceipt({ ...draft, naturalKey: other }),
    );
    expect(erp.calls.filter((c) => c.startsWith('find'))).toHaveLength(1);
  });

  it('when a second writer arrives while the first is creating, then it gets a retriable LEASE_HELD without calling the ERP, and its retry finds the document in the ledger', async () => {
    const creating = gate();
    const release = gate();
    const first = ensure(a, async () => {
      creating.open();
      await release.opened;
      return create();
    });
    await creating.opened;
    const callsBefore = erp.calls.length;

    const err = await ensure(b).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LEASE_HELD', retriable: true });
    expect(erp.calls.length).toBe(callsBefore); // b never asked the ERP

    release.open();
    expect(await first).toMatchObject({ outcome: 'CREATED', attempts: 1 });
    expect(await ensure(b)).toMatchObject({ outcome: 'ALREADY_EXISTS', via: 'ledger', attempts: 1 });
    expect(erp.of('RECEIPT')).toHaveLength(1);
  });

  it('when the lookup leaves less lease than a create needs, then the writer does not create, gives the lease back, and the next writer writes the document once', async () => {
    const slowLookup = erp.findByNaturalKey.bind(erp);
    erp.findByNaturalKey = async (kind, key) => {
      clock.advance(LEASE.leaseMs - LEASE.createMarginMs + 1); // the lookup ate the margin
      return slowLookup(kind, key);
    };
    // a writer that asks before every create (on a first claim, `in-doubt` would not ask at all)
    const asking = new DocumentWriter(ledger, { owner: 'writer-a', lease: LEASE, lookup: 'always' });
    const err = await ensure(asking).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LEASE_EXPIRING', retriable: true });
    expect(erp.calls).not.toContain('createReceipt');
    expect(row()).toMatchObject({ state: 'reserved', leaseOwner: null });

    erp.findByNaturalKey = slowLookup;
    expect(await ensure(b)).toMatchObject({ outcome: 'CREATED', attempts: 2 });
    expect(erp.of('RECEIPT')).toHaveLength(1);
  });

  it('when the ERP wrote but the answer was lost, then the lease stays held against other writers until it runs out, and the writer that takes over finds the document by natural key', async () => {
    erp.loseNextAnswer = true;
    const lost = await ensure(a).catch((e: unknown) => e);
    expect(isRetriable(lost)).toBe(true);
    expect(row()).toMatchObject({ state: 'reserved', leaseOwner: 'writer-a' });

    await expect(ensure(b)).rejects.toMatchObject({ code: 'LEASE_HELD' });
    clock.advance(LEASE.leaseMs);
    expect(await ensure(b)).toMatchObject({ outcome: 'ALREADY_EXISTS', via: 'erp-lookup', attempts: 2 });
    expect(erp.of('RECEIPT')).toHaveLength(1);
    expect(row()).toMatchObject({ state: 'written', fence: 2n, leaseOwner: null });
  });

  it('when a writer outlives its lease and another takes over, then the late writer cannot record over the new holder', async () => {
    const answered = gate();
    const release = gate();
    const late = ensure(a, async () => {
      const ref = await create(); // the ERP wrote ...
      answered.open();
      await release.opened; // ... and the answer is slow to come back
      return ref;
    });
    await answered.opened;
    clock.advance(LEASE.leaseMs);
    const taken = await ensure(b);
    expect(taken).toMatchObject({ outcome: 'ALREADY_EXISTS', via: 'erp-lookup', fence: 2n });

    release.open();
    await expect(late).rejects.toMatchObject({ code: 'LEASE_LOST', retriable: true });
    expect(row()).toMatchObject({ state: 'written', fence: 2n, documentNumber: taken.ref.documentNumber });
    await expect(a.confirm('c1', 'RECEIPT', KEY, 1n)).rejects.toMatchObject({ code: 'LEASE_LOST' });
    await b.confirm('c1', 'RECEIPT', KEY, taken.fence);
    expect(row().state).toBe('confirmed');
    expect(erp.of('RECEIPT')).toHaveLength(1);
  });

  it('when a create hits a record lock, then the writer keeps its lease (others wait), reclaims it at once on its retry, and the result counts both attempts', async () => {
    const locked = ensure(a, async () => {
      throw new ErpRecordLockedError('locked', { erp: 'SAP_B1' });
    });
    await expect(locked).rejects.toMatchObject({ code: 'ERP_RECORD_LOCKED', retriable: true });
    await expect(ensure(b)).rejects.toMatchObject({ code: 'LEASE_HELD' });
    expect(await ensure(a)).toMatchObject({ outcome: 'CREATED', attempts: 2 });
    expect(erp.of('RECEIPT')).toHaveLength(1);
  });

  it('when the create fails for good, then the row is marked failed and released, and a later writer may try again', async () => {
    const err = await ensure(a, async () => {
      throw Object.assign(new Error('bad data'), { retriable: false });
    }).catch((e: unknown) => e);
    expect(isRetriable(err)).toBe(false);
    expect(row()).toMatchObject({ state: 'failed', lastError: 'bad data', leaseOwner: null });
    expect(await ensure(b)).toMatchObject({ outcome: 'CREATED', attempts: 2 });
  });
});
