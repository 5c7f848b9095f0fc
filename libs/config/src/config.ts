import { z } from 'zod';

export class ConfigError extends Error {
  readonly retriable = false;
  readonly code = 'INVALID_CONFIG';
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z
  .string()
  .min(1)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Settings every service shares. Secrets are marked so that they are never logged. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535),
  KAFKA_BROKERS: csv,
  KAFKA_CLIENT_ID: z.string().min(1).default('connector'),
  /** prepended to every topic: separate environments on one cluster, isolated test runs */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  /** the consumer group; defaults to connector.<service> */
  KAFKA_GROUP_ID: z.string().min(1).optional(),
  KAFKA_SSL: bool.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_URL: z.url(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  /** register schemas on boot (local and test); in production they are registered by `npm run schemas:compat -- --register` */
  SCHEMA_AUTO_REGISTER: bool.default(true),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  CONSUMER_RETRY_BASE_MS: z.coerce.number().int().min(1).default(200),
  CONSUMER_RETRY_MAX_MS: z.coerce.number().int().min(1).default(30_000),
  /** partitions a consumer works on at once; records of one partition (one key) stay in order */
  CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /**
   * within a partition, records of different keys worked on at once per connection (same key in
   * order); 1 is one record at a time. Wide, the statements and sends of many records go together
   */
  CONSUMER_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(1),
  /** run database migrations at boot (local, demo, tests); production runs them as a job */
  DATABASE_MIGRATE_ON_BOOT: bool.default(true),
});

/**
 * The settings of a process that reads connection credentials or buyer PII (amazon-ingest, sage-writer,
 * the connection CLI): the key is required, there is no built-in default.
 */
export const credentialsConfigShape = {
  /** AES-256-GCM key for connection credentials and buyer PII: 32 bytes, base64 (`openssl rand -base64 32`) */
  CREDENTIALS_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32,
      'must be 32 bytes, base64 (openssl rand -base64 32)',
    ),
  CREDENTIALS_KEY_ID: z.string().min(1).default('k1'),
  /** older keys still able to decrypt, "id:base64,id:base64", during a rotation */
  CREDENTIALS_PREVIOUS_KEYS: z.string().optional(),
};

/** The settings of a command-line tool (mapping, replay): a service's, without an HTTP port. */
export const commandConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL.default('warn'),
});

export const SECRET_KEYS = [
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_PASSWORD',
  'DATABASE_URL',
  'CREDENTIALS_KEY',
  'CONSOLE_ADMIN_PASSWORD',
  'SQS_SECRET_ACCESS_KEY',
] as const;

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Validates the environment once, at boot, against a zod schema and returns a typed, frozen object.
 * Every problem is reported at once; nothing reads process.env after this.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return Object.freeze(result.data) as z.infer<S>;
}

/** A copy safe to log: secrets are replaced, credentials inside URLs are masked. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if ((SECRET_KEYS as readonly string[]).includes(k) && typeof v === 'string' && !/^postgres/.test(v))
        return [k, '[redacted]'];
      if (typeof v === 'string') return [k, v.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:[redacted]@')];
      return [k, v];
    }),
  );
}
