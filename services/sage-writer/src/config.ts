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
   * ERP documents of one connection written at once (different orders; one order's steps stay in
   * order): the ceiling of the adaptive limit (ErpGate), which is cut by a tenth on ERP lock errors,
   * timeouts and outages; 16 is the ceiling the limit was measured with against a loaded ERP
   * (tools/bench/concurrency-bench.ts)
   */
  ERP_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** false: the ERP concurrency stays at its ceiling instead of adapting to lock errors and outages */
  ERP_ADAPTIVE: bool.default(true),
  /**
   * share of a window's writes that may meet record locks before the adaptive limit is cut (0: the
   * first lock cuts); timeouts and outages cut at once whatever this is. 0.25 keeps the limit within
   * 80% of the best fixed setting against an ERP whose locks rise with its writers, where 0 did not
   * (tools/bench/concurrency-bench.ts; figures in the README's performance table)
   */
  ERP_LOCK_TOLERANCE: z.coerce.number().min(0).max(1).default(0.25),
  /**
   * records of one connection worked on at once within a partition (one key's in order): taken in,
   * audited, their ledger rows marked and results published together, a statement or a send for many;
   * only ERP_CONCURRENCY of them are at the ERP at a time
   */
  CONSUMER_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(256),
});

export type AppConfig = z.infer<typeof configSchema>;
