import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment amazon-ingest reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  ...credentialsConfigShape,
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** replaces the regional SP-API endpoint (a simulator, a proxy) */
  SPAPI_ENDPOINT: z.url().optional(),
  LWA_TOKEN_URL: z.url().optional(),
  /** where raw settlement files are archived (Amazon keeps them 90 days) */
  ARCHIVE_DIR: z.string().min(1).default('var/archive'),
  SETTLEMENT_CHUNK_LINES: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** run the schedules (off: only the HTTP endpoints and CLI-triggered work) */
  INGEST_SCHEDULER: bool.default(true),
  REPORT_POLL_MS: z.coerce.number().int().min(100).default(15_000),
});

export type AppConfig = z.infer<typeof configSchema>;
