import { baseConfigSchema, z } from '@connector/config';

/** The environment amazon-ingest reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** with SIMULATORS on: how many demo orders to publish at start (0 = none) */
  DEMO_ORDERS: z.coerce.number().int().min(0).max(100_000).default(0),
  DEMO_CONNECTION_ID: z.string().min(1).default('demo'),
});

export type AppConfig = z.infer<typeof configSchema>;
