import { VirtualClock } from '@connector/core';
import { parseExactJson } from '../exact-json';
import { TokenBucketLimiter } from '../token-bucket.limiter';

describe('TokenBucketLimiter', () => {
  it("when searchOrders is called past its burst, then calls wait for Amazon's documented rate", async () => {
    const clock = new VirtualClock();
    const limiter = new TokenBucketLimiter(clock);
    for (let i = 0; i < 20; i++) expect(await limiter.acquire('S1', 'searchOrders')).toBe(0);
    // 0.0056 requests per second: the 21st token takes ~178.6 s
    const waited = await limiter.acquire('S1', 'searchOrders');
    expect(waited).toBeGreaterThanOrEqual(178_000);
    expect(waited).toBeLessThan(180_000);
  });

  it('when buckets belong to different sellers or operations, then they do not share tokens', async () => {
    const clock = new VirtualClock();
    const limiter = new TokenBucketLimiter(clock);
    for (let i = 0; i < 20; i++) await limiter.acquire('S1', 'searchOrders');
    expect(await limiter.acquire('S2', 'searchOrders')).toBe(0);
    expect(await limiter.acquire('S1', 'getOrder')).toBe(0);
  });

  it('when Amazon reports another rate in x-amzn-RateLimit-Limit, then the bucket refills at that rate', async () => {
    const clock = new VirtualClock();
    const limiter = new TokenBucketLimiter(clock);
    for (let i = 0; i < 30; i++) await limiter.acquire('S1', 'getOrder');
    limiter.adjust('S1', 'getOrder', 10);
    expect(await limiter.acquire('S1', 'getOrder')).toBe(100);
    limiter.drain('S1', 'getOrder');
    expect(limiter.snapshot('S1', 'getOrder').tokens).toBeLessThanOrEqual(0);
  });
});

describe('parseExactJson', () => {
  it('when Finances sends amounts as JSON numbers, then they arrive as exact decimal strings', () => {
    const parsed = parseExactJson<{ a: unknown; b: unknown; c: unknown; n: unknown; big: unknown }>(
      '{"a": 0.1, "b": -1234.5600, "c": 1e2, "n": 42, "big": 12345678901234567890}',
    );
    expect(parsed).toEqual({ a: '0.1', b: '-1234.5600', c: '1e2', n: 42, big: '12345678901234567890' });
  });
});
