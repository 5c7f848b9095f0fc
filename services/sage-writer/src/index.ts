/** sage-writer's public entry point: what a composition root (tools/demo, end-to-end tests, benches) may use. */
export { appModule } from './app.module';
export { configSchema, type AppConfig } from './config';
export type { WriterOptions } from './writer/writer.module';
export { erpFactories } from '@connector/erp';
export { DocumentWriter } from './writer/document-writer';
export { OrderWriterService } from './writer/order-writer.service';
