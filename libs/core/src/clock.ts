/** Time as a dependency: real in production, virtual in tests and benchmarks so nothing waits for real. */
export interface Clock {
  now(): number;
  /** resolves after `ms`; when `signal` aborts, at once (a clock may ignore it: virtual sleeps end anyway) */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // an aborted sleep frees its timer: a wait ended early (a wake-up) leaves nothing keeping the process alive
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock whose sleeps advance virtual time at once (and let other tasks run), for simulated wall time:
 * a day of rate-limited SP-API calls takes milliseconds to compute.
 */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * The time of a simulated server: `source` (the real time by default) until a test sets or moves it;
 * from then on it stands where it was put. The ERP simulators stamp records and their `Date`
 * header with it.
 */
export class SettableTime {
  private fixed?: number;
  constructor(private readonly source: () => number = Date.now) {}
  now(): number {
    return this.fixed ?? this.source();
  }
  /** stands at `ms` (epoch) from now on, until set or moved again */
  set(ms: number): void {
    this.fixed = ms;
  }
  /** moves on by `ms` and stands there */
  advance(ms: number): void {
    this.fixed = this.now() + ms;
  }
}
