import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import type { AppConfig } from './config';

@Module({})
export class AppModule {}

/** erp-change-poller: health, metrics and its Kafka, database and registry connections; its flows arrive with their issues. */
export function appModule(config: AppConfig, overrides: Partial<CoreOptions> = {}): DynamicModule {
  return serviceModule(AppModule, 'erp-change-poller', config, [], overrides);
}
