import { baseConfigSchema, z } from '@connector/config';

/** The environment sage-writer reads, validated once at boot. */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
});

export type AppConfig = z.infer<typeof configSchema>;
