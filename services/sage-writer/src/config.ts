import { baseConfigSchema, z } from '@connector/config';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The environment sage-writer reads, validated once at boot. */
export const configSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    /** write to the ERPs (off: orders are only taken in, stored and audited) */
    ERP_WRITES: bool.default(true),
    /** with SIMULATORS on: the in-process SAP B1 simulator's port (the demo connection's ERP) */
    SAPB1_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(18101),
    /** with SIMULATORS on: the connection amazon-ingest registers for the simulated seller */
    DEMO_CONNECTION_ID: z.string().min(1).default('demo'),
    /** per-request timeout of ERP calls */
    ERP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  })
  .refine((c) => c.SIMULATORS || c.CREDENTIALS_KEY, {
    message: 'CREDENTIALS_KEY is required unless SIMULATORS=true',
    path: ['CREDENTIALS_KEY'],
  });

export type AppConfig = z.infer<typeof configSchema>;
