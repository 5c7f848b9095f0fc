import { AdaptiveLimit } from '@connector/core';
import { connectionLane, runKeyedBatch, type KeyedRecord } from '../keyed-batch';

const tick = () => new Promise((r) => setImmediate(r));

function batch(keys: string[]): KeyedRecord<string>[] {
  return keys.map((key, i) => ({ offset: String(100 + i), key, item: `${key}#${i}` }));
}

describe('runKeyedBatch', () => {
  it('keeps each key in order, runs keys at once, and reports done offsets only as a prefix', async () => {
    const records = batch(['a/1', 'a/2', 'a/1', 'b/1', 'a/2', 'a/1']);
    const order: string[] = [];
    const running = new Set<string>();
    let overlapSameKey = false;
    let most = 0;
    const done: string[] = [];
    let reportedBeforeFirstDone = false;
    const limits = new Map<string, AdaptiveLimit>();
    await runKeyedBatch(records, {
      laneOf: connectionLane,
      limitFor: (lane) =>
        limits.get(lane) ?? limits.set(lane, new AdaptiveLimit({ ceiling: 8, initial: 8 })).get(lane)!,
      run: async (item) => {
        const key = item.split('#')[0];
        if (running.has(key)) overlapSameKey = true;
        running.add(key);
        most = Math.max(most, running.size);
        // the first record of a/1 is slow: later offsets finish first
        for (let i = 0; i < (item === 'a/1#0' ? 5 : 1); i++) await tick();
        order.push(item);
        running.delete(key);
      },
      onDone: (offset) => {
        if (!order.includes('a/1#0')) reportedBeforeFirstDone = true;
        done.push(offset);
      },
      shouldStop: () => false,
    });
    expect(overlapSameKey).toBe(false);
    expect(most).toBeGreaterThan(1);
    expect(order.filter((i) => i.startsWith('a/1#'))).toEqual(['a/1#0', 'a/1#2', 'a/1#5']);
    expect(order.filter((i) => i.startsWith('a/2#'))).toEqual(['a/2#1', 'a/2#4']);
    // nothing is reported done before offset 100 is, and the reports only move forward
    expect(reportedBeforeFirstDone).toBe(false);
    expect(done.map(Number)).toEqual([...done.map(Number)].sort((x, y) => x - y));
    expect(done[done.length - 1]).toBe('105');
  });

  it('starts nothing more after a failure, lets the running finish, and stops the prefix before the failure', async () => {
    const records = batch(['a/1', 'a/2', 'a/3', 'a/1']);
    const ran: string[] = [];
    const done: string[] = [];
    await expect(
      runKeyedBatch(records, {
        laneOf: connectionLane,
        limitFor: () => new AdaptiveLimit({ ceiling: 1, adaptive: false }),
        run: async (item) => {
          ran.push(item);
          if (item === 'a/2#1') throw new Error('dead-letter topic unreachable');
        },
        onDone: (offset) => done.push(offset),
        shouldStop: () => false,
      }),
    ).rejects.toThrow('dead-letter topic unreachable');
    expect(done).toEqual(['100']);
    expect(ran).not.toContain('a/1#3');
  });

  it('each connection has its own limit', async () => {
    const records = batch(['a/1', 'a/2', 'a/3', 'b/1', 'b/2', 'b/3']);
    const limits = new Map([
      ['a', new AdaptiveLimit({ ceiling: 1, adaptive: false })],
      ['b', new AdaptiveLimit({ ceiling: 3, adaptive: false })],
    ]);
    const now = { a: 0, b: 0 };
    const most = { a: 0, b: 0 };
    await runKeyedBatch(records, {
      laneOf: connectionLane,
      limitFor: (lane) => limits.get(lane)!,
      run: async (item) => {
        const lane = item[0] as 'a' | 'b';
        now[lane]++;
        most[lane] = Math.max(most[lane], now[lane]);
        await tick();
        now[lane]--;
      },
      onDone: () => undefined,
      shouldStop: () => false,
    });
    expect(most).toEqual({ a: 1, b: 3 });
  });
});
