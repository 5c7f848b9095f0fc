import { NonRetriableError, RetriableError } from '@connector/core';
import { FakeIdempotencyLedger } from '@connector/db/testing';
import { ErpRecordLockedError, type ErpDocumentRef } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import { DocumentWriter } from '../document-writer';
import { ErpGate } from '../erp-gate';

/** A promise the test settles, to hold work at one point. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('ErpGate', () => {
  it('holds each connection to its limit, and one connection never waits for another', async () => {
    const gate = new ErpGate({ ceiling: 2, adaptive: false });
    const hold = latch();
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await hold.opened;
      running--;
    };
    const c1 = Array.from({ length: 5 }, () => gate.run('c1', work));
    await tick();
    expect(running).toBe(2);
    // c1 is full; c2 has its own slots
    await expect(gate.run('c2', async () => 'c2 done')).resolves.toBe('c2 done');
    hold.open();
    await Promise.all(c1);
    expect(most).toBe(2);
  });

  it('cuts the limit when the ERP is away or times out, not on another writer’s lease, a bad document or a tolerated lock', async () => {
    // the limits as the gate reports them (the metrics' view)
    const limits: Record<string, number> = {};
    const gate = new ErpGate({
      ceiling: 16,
      contentionTolerance: 0.5,
      onLimit: (connection, limit) => (limits[connection] = limit),
    });
    const start = { ...limits };
    await gate.run('c1', async () => 'ok');
    const before = limits.c1;
    expect(start).toEqual({}); // a connection's limit exists from its first write
    const fail = (err: Error) => gate.run('c1', () => Promise.reject(err)).catch(() => undefined);

    await fail(new RetriableError('LEASE_HELD', 'another writer holds it'));
    await fail(new NonRetriableError('ERP_VALIDATION', 'no such item'));
    expect(limits.c1).toBe(before);

    await fail(new RetriableError('ERP_UNAVAILABLE', '503'));
    const cut = limits.c1;
    expect(cut).toBeLessThan(before);

    // after the first push-back, one lock in a window is within the tolerance
    await fail(new ErpRecordLockedError('SAP B1 -2039', { erp: 'SAP_B1', erpCode: '-2039' }));
    expect(limits.c1).toBe(cut);
  });

  it('gates the calls of a port made with it, and leaves its capabilities and close alone', async () => {
    const gate = new ErpGate({ ceiling: 1, adaptive: false });
    const erp = new FakeErp();
    const hold = latch();
    const findBy = erp.findByNaturalKey.bind(erp);
    const order: string[] = [];
    erp.findByNaturalKey = async (kind, key) => {
      order.push(`start ${key}`);
      if (key === 'A') await hold.opened;
      order.push(`end ${key}`);
      return findBy(kind, key);
    };
    const port = gate.port('c1', erp);
    expect(port.capabilities).toBe(erp.capabilities);
    const a = port.findByNaturalKey('SALES_ORDER', 'A');
    const b = port.findByNaturalKey('SALES_ORDER', 'B');
    await tick();
    expect(order).toEqual(['start A']); // B waits for A's slot
    hold.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['start A', 'end A', 'start B', 'end B']);
    await port.close();
  });

  it("with a DocumentWriter, a document's ledger row is claimed only once a slot is free", async () => {
    const gate = new ErpGate({ ceiling: 1, adaptive: false });
    const ledger = new FakeIdempotencyLedger();
    const erp = new FakeErp();
    const writer = new DocumentWriter(ledger, { owner: 'w', gate });
    const hold = latch();
    const ensure = (key: string, before?: Promise<void>) =>
      writer.ensure('c1', erp, 'RECEIPT', key, async (): Promise<ErpDocumentRef> => {
        await before;
        return erp.createReceipt({
          naturalKey: key,
          customerCode: 'AMZ-US',
          amount: '1.00',
          currency: 'USD',
          date: '2026-11-28',
          bankAccount: '1010',
          reference: 'AMZ',
        });
      });
    const first = ensure('r1', hold.opened);
    const second = ensure('r2');
    await tick();
    expect([...ledger.rows.keys()]).toEqual(['c1|RECEIPT|r1']); // r2 waits unclaimed: its lease is not running
    hold.open();
    expect(await first).toMatchObject({ outcome: 'CREATED' });
    expect(await second).toMatchObject({ outcome: 'CREATED' });
    expect(ledger.rows.get('c1|RECEIPT|r2')?.state).toBe('written');
  });
});
