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
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (!opts.shouldRetry(err)) throw err;
      if (attempt >= opts.maxAttempts) throw new RetriesExhaustedError(attempt, err);
      const delay = backoffDelay(attempt, opts);
      await opts.onRetry?.(err, attempt, delay);
      await wait(delay);
    }
  }
}
