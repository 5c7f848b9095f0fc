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
  /**
   * when the ERP is asked for a document by its natural key before it is created: `in-doubt` (only
   * when the idempotency ledger cannot tell, one ERP call per document otherwise) or `always` (when
   * people may enter the same Amazon orders in the ERP by hand)
   */
  ERP_LOOKUP_BEFORE_CREATE: z.enum(['in-doubt', 'always']).default('in-doubt'),
  /**
   * documents of one connection written at once (different orders; one order's steps stay in order):
   * the ceiling of the adaptive limit, which is cut by a tenth on ERP lock errors, timeouts and outages;
   * 16 is the ceiling the limit was measured with against a loaded ERP (tools/bench/concurrency-bench.ts)
   */
  CONSUMER_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
});

export type AppConfig = z.infer<typeof configSchema>;
