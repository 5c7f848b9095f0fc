import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type CoreOptions } from '@connector/nest-common';
import type { AppConfig } from './config';
import { ListingsModule } from './listings/listings.module';
import { ShipmentsModule } from './shipments/shipments.module';

@Module({})
export class AppModule {}

/**
 * inventory-publisher: ERP prices and stock onto the Amazon listings (listings/), ERP shipments
 * confirmed to Amazon (shipments/).
 */
export function appModule(config: AppConfig, overrides: Partial<CoreOptions> = {}): DynamicModule {
  return serviceModule(
    AppModule,
    'inventory-publisher',
    config,
    [ListingsModule.forRoot(config), ShipmentsModule.forRoot(config)],
    overrides,
  );
}
