import { AdaptiveLimit } from '../adaptive-limit';

describe('AdaptiveLimit', () => {
  it('starts at a quarter of the ceiling and doubles per window until the first push-back', async () => {
    const limit = new AdaptiveLimit({ ceiling: 16 });
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 4; i++) (await limit.acquire()).release('ok');
    expect(limit.limit).toBe(8);
    for (let i = 0; i < 200; i++) (await limit.acquire()).release('ok');
    expect(limit.limit).toBe(16);
  });

  it('after a push-back grows by one slot per limit’s worth of successes', async () => {
    const limit = new AdaptiveLimit({ ceiling: 32, initial: 20 });
    (await limit.acquire()).release('overload');
    expect(limit.limit).toBe(18);
    for (let i = 0; i < 17; i++) (await limit.acquire()).release('ok');
    expect(limit.limit).toBe(18);
    (await limit.acquire()).release('ok');
    expect(limit.limit).toBe(19);
  });

  it('cuts by a tenth on overload once per window of work, not once per error', async () => {
    const limit = new AdaptiveLimit({ ceiling: 16, initial: 16 });
    const permits = await Promise.all(Array.from({ length: 16 }, () => limit.acquire()));
    // a burst: every running write hits a lock
    permits.forEach((p) => p.overload());
    expect(limit.limit).toBe(14);
    permits.forEach((p) => p.release('overload'));
    expect(limit.limit).toBe(14);
    // work started after the decrease reports news: another cut (16 × 0.9 × 0.9 = 12.96)
    (await limit.acquire()).release('overload');
    expect(limit.limit).toBe(12);
  });

  it('takes a gentler or harsher cut when configured', async () => {
    const limit = new AdaptiveLimit({ ceiling: 16, initial: 16, decrease: 0.5 });
    (await limit.acquire()).release('overload');
    expect(limit.limit).toBe(8);
  });

  it('never runs more than the limit at once, nor drops below the floor', async () => {
    const limit = new AdaptiveLimit({ ceiling: 3, initial: 3, floor: 2 });
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const p = await limit.acquire();
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        running--;
        p.release(i % 5 === 0 ? 'overload' : 'ok');
      }),
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(limit.limit).toBeGreaterThanOrEqual(2);
    expect(limit.running).toBe(0);
  });

  it('with a contention tolerance, lets a few record locks a window pass and cuts when they are more', async () => {
    const limit = new AdaptiveLimit({ ceiling: 16, initial: 10, contentionTolerance: 0.2 });
    (await limit.acquire()).release('overload'); // the first push-back ends the slow start: 9
    expect(limit.limit).toBe(9);
    // a window of 9 with one locked write (not more than 0.2 × 9 = 1.8): no cut, and the limit grows
    for (let i = 0; i < 9; i++) {
      const p = await limit.acquire();
      if (i < 1) p.overload('contention');
      p.release('ok');
    }
    expect(limit.limit).toBe(10);
    // the next window: three locks are more than 0.2 × 10 = 2: cut by a tenth
    for (let i = 0; i < 3; i++) {
      const p = await limit.acquire();
      p.overload('contention');
      p.release('ok');
    }
    expect(limit.limit).toBe(9);
    // an outage is not contention: it cuts at once whatever the tolerance
    const p = await limit.acquire();
    p.overload();
    p.release('ok');
    expect(limit.limit).toBe(8);
  });

  it('without a tolerance, or before the first push-back, the first record lock cuts', async () => {
    const strict = new AdaptiveLimit({ ceiling: 16, initial: 10 });
    (await strict.acquire()).overload('contention');
    expect(strict.limit).toBe(9);
    const tolerant = new AdaptiveLimit({ ceiling: 16, initial: 10, contentionTolerance: 0.5 });
    (await tolerant.acquire()).overload('contention'); // still in slow start
    expect(tolerant.limit).toBe(9);
  });

  it('stays at the ceiling when not adaptive', async () => {
    const limit = new AdaptiveLimit({ ceiling: 6, adaptive: false });
    expect(limit.limit).toBe(6);
    (await limit.acquire()).release('overload');
    expect(limit.limit).toBe(6);
  });
});
