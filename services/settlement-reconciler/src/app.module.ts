import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import type { AppConfig } from './config';
import { ReconcilerModule } from './reconciler/reconciler.module';

@Module({})
export class AppModule {}

export function appModule(config: AppConfig, overrides: Partial<CoreOptions> = {}): DynamicModule {
  return serviceModule(AppModule, 'settlement-reconciler', config, [ReconcilerModule], overrides);
}
