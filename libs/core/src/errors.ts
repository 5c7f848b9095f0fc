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

/**
 * How long a lost connection (refused, reset, cut: a database or broker restarting) is waited for
 * before trying again. Without a wait of its own such an error spends a consumer's attempts in
 * seconds, and a 15 s PostgreSQL outage sent orders to the dead-letter topic (tools/faults).
 */
export const CONNECTION_LOST_RETRY_AFTER_MS = 5_000;

const CONNECTION_LOST_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
]);

/** The error is a connection that was refused, reset or cut (node-postgres and knex say so in words too). */
export function isConnectionLost(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return true;
  return /Connection terminated|Timeout acquiring a connection|timeout exceeded when trying to connect/i.test(
    err.message,
  );
}

/** The wait an error asks for before it is tried again: the one it names, or a lost connection's. */
export function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof RetriableError && err.retryAfterMs !== undefined && err.retryAfterMs >= 0)
    return err.retryAfterMs;
  return isConnectionLost(err) ? CONNECTION_LOST_RETRY_AFTER_MS : undefined;
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

/**
 * A collision with other writers of the same records (a record lock, an optimistic-concurrency
 * conflict), as opposed to a server that is overloaded or away: errors that say so carry
 * `contention: true`. A few of them are normal on a busy ERP and cost one retry each.
 */
export function isContention(err: unknown): boolean {
  return !!err && typeof err === 'object' && 'contention' in err && err.contention === true;
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
