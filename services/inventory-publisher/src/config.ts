import { baseConfigSchema, z } from '@connector/config';

/** The environment inventory-publisher reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
});

export type AppConfig = z.infer<typeof configSchema>;
