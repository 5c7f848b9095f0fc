import type { Clock } from '@connector/core';

/**
 * Wakes a waiter (a report or feed being polled for its status) when Amazon's
 * REPORT_PROCESSING_FINISHED / FEED_PROCESSING_FINISHED notification arrives, instead of letting it sleep
 * out its poll interval. The poll stays as the safety net: a lost notification costs one interval.
 * A wake that arrives before its waiter sleeps (the notification overtook the status call) is kept for
 * `rememberMs`, so the next sleep returns at once.
 */
export class ProcessingWakeups {
  private readonly sleepers = new Map<string, Set<() => void>>();
  private readonly early = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly rememberMs = 600_000,
  ) {}

  /** Sleeps `ms`, or less if `key` is woken meanwhile (or was woken shortly before). */
  sleep(key: string, ms: number): Promise<'woken' | 'slept'> {
    return this.sleepAny([key], ms);
  }

  /**
   * Sleeps `ms`, or less if any of `keys` is woken meanwhile (or was woken shortly before): one wait
   * for several things in flight (the feeds of one flush), which are all read again when it ends.
   */
  async sleepAny(keys: readonly string[], ms: number): Promise<'woken' | 'slept'> {
    let early = false;
    for (const key of keys) {
      const at = this.early.get(key);
      if (at === undefined) continue;
      this.early.delete(key);
      if (this.clock.now() - at <= this.rememberMs) early = true;
    }
    if (early) return 'woken';
    let wake!: () => void;
    const woken = new Promise<'woken'>((resolve) => (wake = () => resolve('woken')));
    for (const key of keys) {
      const set = this.sleepers.get(key) ?? new Set();
      set.add(wake);
      this.sleepers.set(key, set);
    }
    const poll = new AbortController();
    try {
      return await Promise.race([woken, this.clock.sleep(ms, poll.signal).then(() => 'slept' as const)]);
    } finally {
      poll.abort(); // a woken wait frees the poll's timer
      for (const key of keys) {
        const set = this.sleepers.get(key);
        set?.delete(wake);
        if (set && !set.size) this.sleepers.delete(key);
      }
    }
  }

  /** Wakes the waiters of `key`; with none, remembers the wake for the next sleep. Returns how many woke. */
  wake(key: string): number {
    const set = this.sleepers.get(key);
    if (!set?.size) {
      this.forgetOld();
      this.early.set(key, this.clock.now());
      return 0;
    }
    for (const w of set) w();
    return set.size;
  }

  private forgetOld(): void {
    const now = this.clock.now();
    for (const [k, at] of this.early) if (now - at > this.rememberMs) this.early.delete(k);
  }
}

/** The key a report's waiter sleeps on (report ids are unique per seller). */
export const reportWakeKey = (reportId: string) => `report/${reportId}`;
/** The key a feed's waiter sleeps on (feed ids are unique per seller). */
export const feedWakeKey = (feedId: string) => `feed/${feedId}`;
