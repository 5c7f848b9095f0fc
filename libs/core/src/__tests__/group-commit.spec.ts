import { GroupCommit } from '../group-commit';

/** a flush the test lets finish when it chooses */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const flush = (items: number[]) =>
    new Promise<void>((resolve) => {
      batches.push(items);
      gates.push(resolve);
    });
  return { batches, flush, open: () => gates.shift()!() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('flushes an item alone at once, and what arrives meanwhile together in the next flush', async () => {
    const f = gatedFlush();
    const gc = new GroupCommit(f.flush);
    const first = gc.add(1);
    await tick();
    expect(f.batches).toEqual([[1]]);
    const later = [gc.add(2), gc.add(3), gc.add(4)];
    await tick();
    expect(f.batches).toEqual([[1]]); // waiting behind the flush in flight
    f.open();
    await first;
    await tick();
    expect(f.batches).toEqual([[1], [2, 3, 4]]);
    f.open();
    await Promise.all(later);
  });

  it('fails the callers of a failed batch only, and keeps going', async () => {
    let calls = 0;
    const gc = new GroupCommit<number>(async (items) => {
      calls++;
      if (items.includes(2)) throw new Error('insert failed');
    });
    const one = gc.add(1);
    const two = gc.add(2);
    const three = gc.add(3);
    await expect(one).resolves.toBeUndefined();
    await expect(two).rejects.toThrow('insert failed');
    await expect(three).rejects.toThrow('insert failed'); // in the same batch as 2
    await expect(gc.add(4)).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('cuts batches at maxBatch', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number>(async (items) => void batches.push(items), 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => gc.add(i)));
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
