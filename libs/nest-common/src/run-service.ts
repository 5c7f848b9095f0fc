import type { DynamicModule } from '@nestjs/common';
import { ConfigError, loadConfig, redactConfig, type BaseConfig } from '@connector/config';
import type { Logger } from '@connector/observability';
import type { z } from 'zod';
import { bootstrapService } from './bootstrap';
import { LOGGER } from './tokens';

/**
 * The whole of a service's main(): validate the environment once, build the module, listen, and exit
 * with a clear message when the configuration is wrong.
 */
export async function runService<S extends z.ZodType<BaseConfig>>(
  name: string,
  schema: S,
  appModule: (config: z.infer<S>) => DynamicModule,
): Promise<void> {
  let config: z.infer<S>;
  try {
    config = loadConfig(schema);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${name}: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await bootstrapService(appModule(config), config.HTTP_PORT);
  app.get<Logger>(LOGGER).info({ config: redactConfig(config as Record<string, unknown>) }, 'configuration');
}
