import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment erp-change-poller reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  ...credentialsConfigShape,
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3005),
  /** per-request timeout of ERP calls */
  ERP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** run the polls (off: only the HTTP endpoints) */
  POLLER_SCHEDULER: bool.default(true),
  /**
   * how long a replica keeps a (connection, stream) after its last page: another replica takes it
   * over after this when the first one died
   */
  POLL_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
  /**
   * replicas share the connections by leases of this length (connection_leases): each reads only the
   * connections it holds, and a replica that dies hands its own over after about this long
   */
  CONNECTION_LEASE_MS: z.coerce.number().int().min(3000).default(30_000),
});

export type AppConfig = z.infer<typeof configSchema>;
