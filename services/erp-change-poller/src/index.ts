/** erp-change-poller's public entry point: what a composition root (tools/demo, end-to-end tests, benches) may use. */
export { appModule } from './app.module';
export { configSchema, type AppConfig } from './config';
export { POLL_SCHEDULER, type PollerOptions } from './poller/poller.module';
