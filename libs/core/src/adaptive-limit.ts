/** How a unit of work went, for the limit that let it run. */
export type LimitOutcome = 'ok' | 'overload' | 'failed';

export interface AdaptiveLimitOptions {
  /** the most that may run at once, whatever happens */
  ceiling: number;
  /** where the limit starts (default: a quarter of the ceiling, at least 1) */
  initial?: number;
  /** the limit never drops below this (default 1) */
  floor?: number;
  /** on overload, the limit is multiplied by this (default 0.9) */
  decrease?: number;
  /** off: a fixed limit at the ceiling (a sweep's fixed settings) */
  adaptive?: boolean;
  /**
   * Share of a window's work that may meet contention (record locks, `overload('contention')`) before
   * the limit is cut (default 0: the first one cuts). Outages and timeouts cut at once whatever this is.
   */
  contentionTolerance?: number;
}

/**
 * A concurrency limit that finds what the other side can take (issue 15). Until the other side first
 * pushes back it grows by one slot per success (doubling per window: TCP's slow start); after that,
 * additive increase — one more slot after a limit's worth of successes in a row — and multiplicative
 * decrease when the other side says it is overloaded (record locks, timeouts, 5xx), by a tenth, at
 * most once per window of work that was already running when the signal came, so one burst of errors
 * cuts the limit once, not once per error. What TCP does with its window; Netflix's concurrency-limits
 * calls it AIMD and backs off by the same 0.9. A gentle cut matters because an ERP's record locks come
 * in bursts and are cheap to retry: halving on each burst (tried first) kept the limit at a quarter of
 * what the ERP could take (tools/bench/concurrency-bench.ts). For the same reason record locks may be
 * tolerated up to a share of each window (`contentionTolerance`): cutting on the first one held the
 * limit near 8 of 16 against an ERP whose locks rise with its writers, at 74% of its best fixed setting.
 */
/** A slot taken from an AdaptiveLimit. */
export interface LimitPermit {
  /**
   * the other side pushed back while this work still runs: it is overloaded or away (a timeout, a
   * 5xx), or, with `contention`, the work collided with other writers (a record lock being retried)
   */
  overload(signal?: 'contention'): void;
  /** gives the slot back, saying how the work went; later calls do nothing */
  release(outcome: LimitOutcome): void;
}

export class AdaptiveLimit {
  private current: number;
  private inFlight = 0;
  private successes = 0;
  private readonly waiting: Array<() => void> = [];
  /** bumped on every decrease: work started before it reports old news */
  private epoch = 0;
  /** until the first push-back the limit grows by one per success (slow start), after it by one per window */
  private slowStart = true;
  /** contention signals since the limit last changed */
  private contended = 0;
  readonly floor: number;

  constructor(private readonly opts: AdaptiveLimitOptions) {
    if (!(opts.ceiling >= 1)) throw new RangeError('ceiling must be at least 1');
    this.floor = Math.max(1, Math.min(opts.floor ?? 1, opts.ceiling));
    this.current =
      opts.adaptive === false
        ? opts.ceiling
        : Math.max(this.floor, Math.min(opts.ceiling, opts.initial ?? Math.ceil(opts.ceiling / 4)));
  }

  /** The limit now (whole slots). */
  get limit(): number {
    return Math.floor(this.current);
  }

  get running(): number {
    return this.inFlight;
  }

  /** Waits for a slot. */
  async acquire(): Promise<LimitPermit> {
    while (this.inFlight >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    const epoch = this.epoch;
    let released = false;
    return {
      overload: (signal) => (signal === 'contention' ? this.contention(epoch) : this.decrease(epoch)),
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (outcome === 'overload') this.decrease(epoch);
        else if (outcome === 'ok') this.increase();
        this.wake();
      },
    };
  }

  /**
   * Until the first push-back any contention ends the slow start; after it, the limit is cut only
   * when more than `contentionTolerance` of a window's work met contention since the limit last
   * changed: a few record locks on a busy ERP are its normal state, not a sign to slow down.
   */
  private contention(epoch: number): void {
    if (this.opts.adaptive === false || epoch !== this.epoch) return;
    this.contended++;
    const tolerance = this.opts.contentionTolerance ?? 0;
    if (this.slowStart || this.contended > tolerance * this.limit) this.decrease(epoch);
  }

  private decrease(epoch: number): void {
    if (this.opts.adaptive === false || epoch !== this.epoch) return;
    this.successes = 0;
    this.contended = 0;
    this.slowStart = false;
    this.current = Math.max(this.floor, this.current * (this.opts.decrease ?? 0.9));
    this.epoch++;
  }

  private increase(): void {
    if (this.opts.adaptive === false) return;
    this.successes++;
    if ((this.slowStart || this.successes >= this.limit) && this.current < this.opts.ceiling) {
      this.current = Math.min(this.opts.ceiling, Math.floor(this.current) + 1);
      this.successes = 0;
      if (!this.slowStart) this.contended = 0;
    }
  }

  /** waiters check the limit again themselves */
  private wake(): void {
    for (let free = this.limit - this.inFlight; free > 0 && this.waiting.length; free--)
      this.waiting.shift()!();
  }
}
