import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config';

@Module({})
export class ShipmentsModule {
  static forRoot(_config: AppConfig): DynamicModule {
    return { module: ShipmentsModule };
  }
}
