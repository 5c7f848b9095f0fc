import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import type { AppConfig } from './config';
import { PollerModule, type PollerOptions } from './poller/poller.module';

@Module({})
export class AppModule {}

/** erp-change-poller: item, price, stock and shipment changes of every connection's ERP onto Kafka. */
export function appModule(
  config: AppConfig,
  overrides: Partial<CoreOptions> = {},
  poller: PollerOptions = {},
): DynamicModule {
  return serviceModule(AppModule, 'erp-change-poller', config, [PollerModule.forRoot(poller)], overrides);
}
