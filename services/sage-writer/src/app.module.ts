import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import type { AppConfig } from './config';
import { WriterModule, type WriterOptions } from './writer/writer.module';

@Module({})
export class AppModule {}

/** `writer` replaces the ERP adapters (tests that stand in for an ERP). */
export function appModule(
  config: AppConfig,
  overrides: Partial<CoreOptions> = {},
  writer: WriterOptions = {},
): DynamicModule {
  return serviceModule(
    AppModule,
    'sage-writer',
    config,
    [WriterModule.forRoot(writer, config.ERP_WRITES)],
    overrides,
  );
}
