import { createTestDatabase, type TestDatabase } from '../../testing';
import { ConnectionLeaseStore, LeasedConnections } from '../connection-leases';

let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

const ids = Array.from({ length: 12 }, (_, i) => `conn-${String(i).padStart(2, '0')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opts = (holder: string, ttlMs = 60_000) => ({ service: 'amazon-ingest', holder, ttlMs });

/** every id held by at most one replica, and together by all of them */
function expectPartition(sets: ReadonlySet<string>[]) {
  const all = sets.flatMap((s) => [...s]);
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort()).toEqual(ids);
}

describe('ConnectionLeaseStore (PostgreSQL)', () => {
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });

  it('shares the connections between replicas, the newcomer getting its share by the next sync', async () => {
    const store = new ConnectionLeaseStore(tdb!.db);
    const a = await store.sync(opts('a'), ids, Date.now());
    expect(a.held.size).toBe(12);
    // b arrives: a holds everything, so b gets nothing until a lets go of what exceeds its share
    const b1 = await store.sync(opts('b'), ids, Date.now());
    expect(b1.held.size).toBe(0);
    expect(b1.replicas).toBe(2);
    const a2 = await store.sync(opts('a'), ids, Date.now());
    expect(a2.held.size).toBe(6);
    const b2 = await store.sync(opts('b'), ids, Date.now());
    expect(b2.held.size).toBe(6);
    expectPartition([a2.held, b2.held]);
    await store.release(opts('a'));
    await store.release(opts('b'));
  });

  it('hands a dead replica’s connections over once its leases run out', async () => {
    const store = new ConnectionLeaseStore(tdb!.db);
    const ttl = 400;
    await store.sync(opts('x', ttl), ids, Date.now());
    await store.sync(opts('y', ttl), ids, Date.now());
    await store.sync(opts('x', ttl), ids, Date.now());
    const y = await store.sync(opts('y', ttl), ids, Date.now());
    expect(y.held.size).toBe(6);
    // x dies (kill -9: no release); y renews until x's heartbeat and leases have expired
    await sleep(ttl + 100);
    const y2 = await store.sync(opts('y', ttl), ids, Date.now());
    expect(y2.replicas).toBe(1);
    expect(y2.held.size).toBe(12);
    expect([...(await store.holders('amazon-ingest')).values()].every((h) => h === 'y')).toBe(true);
    await store.release(opts('y'));
  });

  it('never lets two replicas hold one connection, syncing at the same time', async () => {
    const store = new ConnectionLeaseStore(tdb!.db);
    const names = ['p', 'q', 'r'];
    let last = new Map<string, ReadonlySet<string>>();
    for (let round = 0; round < 6; round++) {
      const results = await Promise.all(names.map((n) => store.sync(opts(n), ids, Date.now())));
      results.forEach((r, i) => last.set(names[i], r.held));
      const sets = [...last.values()].flatMap((s) => [...s]);
      expect(new Set(sets).size).toBe(sets.length);
    }
    // settled: four each
    expectPartition([...last.values()]);
    expect([...last.values()].map((s) => s.size)).toEqual([4, 4, 4]);
    last = new Map();
    await Promise.all(names.map((n) => store.release(opts(n))));
  });

  it('LeasedConnections lists only what the replica holds, and nothing once its leases run out', async () => {
    const store = new ConnectionLeaseStore(tdb!.db);
    let now = 1_000_000;
    let failing = false;
    const inner = { list: async () => ids.map((id) => ({ id })) };
    const flaky = new ConnectionLeaseStore(tdb!.db);
    const source = new LeasedConnections({
      inner,
      store: {
        sync: (...args: Parameters<ConnectionLeaseStore['sync']>) =>
          failing ? Promise.reject(new Error('connection refused')) : flaky.sync(...args),
        release: (o: Parameters<ConnectionLeaseStore['release']>[0]) => flaky.release(o),
      } as unknown as ConnectionLeaseStore,
      options: opts('solo', 30_000),
      now: () => now,
    });
    expect((await source.list()).map((c) => c.id)).toEqual(ids);
    // PostgreSQL goes away: what is held is read until the leases run out by the replica's own clock
    failing = true;
    now += 20_000;
    expect(await source.list()).toHaveLength(12);
    now += 10_000;
    expect(await source.list()).toEqual([]);
    failing = false;
    now += 1;
    expect(await source.list()).toHaveLength(12);
    await source.release();
    expect((await store.holders('amazon-ingest')).size).toBe(0);
  });
});
