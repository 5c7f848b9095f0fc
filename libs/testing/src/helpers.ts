import { randomBytes } from 'node:crypto';

/** A name unique to this test run, for topics, consumer groups and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** What was thrown, as text: an Error or a scalar as `String()` gives it, anything else as JSON. */
function describeError(err: unknown): string {
  if (err instanceof Error) return String(err);
  if (typeof err === 'string') return err;
  if (
    typeof err === 'number' ||
    typeof err === 'boolean' ||
    typeof err === 'bigint' ||
    typeof err === 'symbol'
  )
    return String(err);
  try {
    return JSON.stringify(err) ?? typeof err;
  } catch {
    return Object.prototype.toString.call(err); // a cycle: what String() gave
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${describeError(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Reads a required env var set by the integration global setup. */
export function infraEnv(name: 'KAFKA_BROKERS' | 'SCHEMA_REGISTRY_URL' | 'TEST_DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest's integration project`);
  return value;
}
