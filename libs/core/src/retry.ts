import { retryAfterOf } from './errors';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** a source of [0, 1) randomness; injectable so tests are deterministic */
  random?: () => number;
}

/** Capped exponential backoff with full jitter: a delay uniformly drawn from [0, min(max, base · 2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs, random = Math.random }: BackoffOptions,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions extends BackoffOptions {
  maxAttempts: number;
  /**
   * How long in all an error that names its own wait (RetriableError.retryAfterMs) is waited for
   * without counting attempts; past it, such errors count like any other. Default 0: they always count.
   */
  retryAfterBudgetMs?: number;
  shouldRetry: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(
      `gave up after ${attempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
      {
        cause: lastError,
      },
    );
    this.name = 'RetriesExhaustedError';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, fails with an error `shouldRetry` rejects, or `maxAttempts` are used.
 * Returns the value and the number of attempts it took.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const wait = opts.sleep ?? sleep;
  let budget = opts.retryAfterBudgetMs ?? 0;
  let attempt = 1;
  for (let tries = 1; ; tries++) {
    try {
      return { value: await fn(tries), attempts: tries };
    } catch (err) {
      if (!opts.shouldRetry(err)) throw err;
      const asked = retryAfterOf(err);
      if (asked !== undefined && budget > 0) {
        // the error says when it can pass: wait for it (in steps no longer than maxMs) without using an attempt
        const delay = Math.min(asked, budget, opts.maxMs);
        budget -= delay;
        await opts.onRetry?.(err, tries, delay);
        await wait(delay);
        continue;
      }
      if (attempt >= opts.maxAttempts) throw new RetriesExhaustedError(tries, err);
      const delay = backoffDelay(attempt++, opts);
      await opts.onRetry?.(err, tries, delay);
      await wait(delay);
    }
  }
}
