import { systemClock, type Clock } from '@connector/core';
import { USAGE_PLANS } from '@connector/sp-api-usage-plans';

interface Bucket {
  rate: number;
  burst: number;
  tokens: number;
  updatedAt: number;
}

/**
 * Amazon's usage plans as token buckets, one per selling partner × operation (FACTS §2), seeded with
 * the defaults published in the models and adjusted to x-amzn-RateLimit-Limit when Amazon sends it.
 * `acquire` waits (on the injected clock) until a token is there and says how long it waited.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock = systemClock) {}

  private bucket(sellerId: string, operation: string): Bucket {
    const key = `${sellerId}\u0000${operation}`;
    let b = this.buckets.get(key);
    if (!b) {
      const plan = USAGE_PLANS.find((p) => p.operation === operation);
      const rate = plan?.rate ?? 1;
      const burst = plan?.burst ?? 1;
      b = { rate, burst, tokens: burst, updatedAt: this.clock.now() };
      this.buckets.set(key, b);
    }
    return b;
  }

  private refill(b: Bucket): void {
    const now = this.clock.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.updatedAt) / 1000) * b.rate);
    b.updatedAt = now;
  }

  async acquire(sellerId: string, operation: string): Promise<number> {
    const b = this.bucket(sellerId, operation);
    const started = this.clock.now();
    for (;;) {
      this.refill(b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return this.clock.now() - started;
      }
      await this.clock.sleep(Math.ceil(((1 - b.tokens) / b.rate) * 1000));
    }
  }

  /** Amazon's current rate for the pair (x-amzn-RateLimit-Limit, requests per second). */
  adjust(sellerId: string, operation: string, rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) return;
    const b = this.bucket(sellerId, operation);
    this.refill(b);
    b.rate = rate;
  }

  /** After a 429 the bucket is empty whatever we counted. */
  drain(sellerId: string, operation: string): void {
    const b = this.bucket(sellerId, operation);
    this.refill(b);
    b.tokens = Math.min(b.tokens, 0);
  }

  snapshot(sellerId: string, operation: string): { rate: number; burst: number; tokens: number } {
    const b = this.bucket(sellerId, operation);
    this.refill(b);
    return { rate: b.rate, burst: b.burst, tokens: b.tokens };
  }
}
