import type { DynamicModule, Type } from '@nestjs/common';
import type { BaseConfig } from '@connector/config';
import { ConnectorCoreModule, type CoreOptions } from './connector-core.module';

/** A service's root module: the shared core (config, logging, metrics, health, db, Kafka) plus its features. */
export function serviceModule(
  root: Type,
  service: string,
  config: BaseConfig,
  features: Array<Type | DynamicModule>,
  overrides: Partial<CoreOptions> = {},
): DynamicModule {
  return {
    module: root,
    imports: [
      ConnectorCoreModule.forRoot({
        service,
        config,
        migrate: config.DATABASE_MIGRATE_ON_BOOT,
        ...overrides,
      }),
      ...features,
    ],
  };
}
