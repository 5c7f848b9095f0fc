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
  it('flushes what arrives in one turn together, and what arrives meanwhile in the next flush', async () => {
    const f = gatedFlush();
    const gc = new GroupCommit(f.flush);
    const first = Promise.all([gc.add(1), gc.add(0)]);
    expect(f.batches).toEqual([]); // the turn's other items may still come
    await tick();
    expect(f.batches).toEqual([[1, 0]]);
    const later = [gc.add(2), gc.add(3), gc.add(4)];
    await tick();
    expect(f.batches).toEqual([[1, 0]]); // waiting behind the flush in flight
    f.open();
    await first;
    await tick();
    expect(f.batches).toEqual([
      [1, 0],
      [2, 3, 4],
    ]);
    f.open();
    await Promise.all(later);
  });

  it('fails the callers of a failed batch only, and keeps going', async () => {
    let calls = 0;
    const gc = new GroupCommit<number>(async (items) => {
      calls++;
      if (items.includes(2)) throw new Error('insert failed');
    });
    await expect(gc.add(1)).resolves.toBeUndefined();
    const two = gc.add(2);
    const three = gc.add(3);
    await expect(two).rejects.toThrow('insert failed');
    await expect(three).rejects.toThrow('insert failed'); // in the same batch as 2
    await expect(gc.add(4)).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('cuts batches at maxBatch', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number>(async (items) => void batches.push(items), 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => gc.add(i)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('GroupCommit with an answer per item', () => {
  it("settles each caller with its own item's answer, value or error", async () => {
    const gc = new GroupCommit<number, string>(async (items) =>
      items.map((i) =>
        i % 2 === 0
          ? { status: 'fulfilled' as const, value: `even ${i}` }
          : { status: 'rejected' as const, reason: new Error(`odd ${i}`) },
      ),
    );
    const [a, b, c] = [gc.add(1), gc.add(2), gc.add(4)];
    await expect(a).rejects.toThrow('odd 1');
    await expect(b).resolves.toBe('even 2');
    await expect(c).resolves.toBe('even 4');
  });

  it('fails an item the flush gave no answer for, and not the others', async () => {
    // a flush that answers for every item but the last
    const gc = new GroupCommit<number, number>(async (items) =>
      items.slice(0, -1).map((i) => ({ status: 'fulfilled' as const, value: i * 10 })),
    );
    await expect(gc.add(1)).rejects.toThrow('no answer for item 0');
    const [first, last] = [gc.add(2), gc.add(3)];
    await expect(first).resolves.toBe(20);
    await expect(last).rejects.toThrow('no answer for item 1');
  });
});
