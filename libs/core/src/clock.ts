/** Time as a dependency: real in production, virtual in tests and benchmarks so nothing waits for real. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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
