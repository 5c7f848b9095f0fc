import { baseConfigSchema, credentialsConfigShape, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment inventory-publisher reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  ...credentialsConfigShape,
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  /** replaces the regional SP-API endpoint (a simulator, a proxy) */
  SPAPI_ENDPOINT: z.url().optional(),
  LWA_TOKEN_URL: z.url().optional(),
  /** how often a report's or a feed's status is read while Amazon processes it */
  REPORT_POLL_MS: z.coerce.number().int().min(100).default(15_000),
  FEED_POLL_MS: z.coerce.number().int().min(100).default(30_000),
  /** how often due listing updates are looked for (each connection flushes alone; a feed being polled holds only its own) */
  LISTINGS_FLUSH_MS: z.coerce.number().int().min(50).default(1000),
  /** tries of one listing update (throttled, 5xx, a failed feed) before it is dead-lettered */
  LISTINGS_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** first retry delay of a listing update; doubles per attempt */
  LISTINGS_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  /** run the timers (listing flushes, listings-report refresh); off: consumers only */
  PUBLISHER_SCHEDULER: bool.default(true),
  /** how long an ERP shipment waits for its order on amazon.orders.v1 before it is dead-lettered */
  SHIPMENT_ORDER_WAIT_MS: z.coerce.number().int().min(0).default(300_000),
  /** the step of that wait: the shipment is retried this often */
  SHIPMENT_ORDER_POLL_MS: z.coerce.number().int().min(10).default(5_000),
  /** how long an instance holds a package while it confirms it; a crashed holder's packages wait this long */
  SHIPMENT_LEASE_MS: z.coerce.number().int().min(1_000).default(120_000),
});

export type AppConfig = z.infer<typeof configSchema>;
