import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import { ConsoleModule, type ConsoleOverrides } from './console.module';
import type { AppConfig } from './config';

@Module({})
export class AppModule {}

export function appModule(
  config: AppConfig,
  overrides: Partial<CoreOptions> = {},
  features: ConsoleOverrides = {},
): DynamicModule {
  return serviceModule(
    AppModule,
    'operator-console',
    config,
    [ConsoleModule.forRoot(config, features)],
    overrides,
  );
}
