/**
 * Errors say whether trying again can help. Consumers retry `retriable` errors with backoff and send
 * everything else (and retriable errors that outlast the attempts) to the dead-letter topic.
 */
export abstract class ConnectorError extends Error {
  abstract readonly retriable: boolean;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A passing condition: throttling, a record lock, an outage, an expired session. `retryAfterMs`, when
 * the thrower knows it (a lease held by another writer until a known time), says when trying again can
 * first succeed; retry() waits that long without counting the attempt, within its own budget.
 */
export class RetriableError extends ConnectorError {
  readonly retriable = true;
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(code, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The wait an error asks for before it is tried again, if it names one. */
export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof RetriableError && err.retryAfterMs !== undefined && err.retryAfterMs >= 0
    ? err.retryAfterMs
    : undefined;
}

/** Trying again cannot help until something is fixed (a mapping, the data, the configuration). */
export class NonRetriableError extends ConnectorError {
  readonly retriable = false;
}

/** A record that cannot be decoded: wrong framing, unknown schema id, invalid Avro. */
export class PoisonRecordError extends NonRetriableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POISON_RECORD', message, options);
  }
}

/** Whether an arbitrary thrown value should be retried. Unknown errors are retried (bounded), never dropped. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ConnectorError) return err.retriable;
  if (err && typeof err === 'object' && 'retriable' in err && typeof err.retriable === 'boolean')
    return err.retriable;
  return true;
}

export function errorCode(err: unknown): string {
  if (err instanceof ConnectorError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.name : 'UNKNOWN';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
