/** amazon-ingest's public entry point: what a composition root (tools/demo, end-to-end tests, benches) may use. */
export { appModule } from './app.module';
export { configSchema, type AppConfig } from './config';
export { FileRawArchive } from './archive/raw-archive';
export { SettlementIngestService } from './settlements/settlement-ingest.service';
