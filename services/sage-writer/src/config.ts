import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment sage-writer reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  ...credentialsConfigShape,
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** write to the ERPs (off: orders are only taken in, stored and audited) */
  ERP_WRITES: bool.default(true),
  /** per-request timeout of ERP calls */
  ERP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
});

export type AppConfig = z.infer<typeof configSchema>;
