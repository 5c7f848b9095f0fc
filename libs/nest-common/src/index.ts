export * from './bootstrap';
export * from './connector-core.module';
export * from './health.controller';
export * from './metrics.controller';
export * from './tokens';
export * from './run-service';
export * from './service-module';
export * from './kafka-transport';
