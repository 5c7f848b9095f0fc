/** operator-console's public entry point: what a composition root (tools/demo, end-to-end tests) may use. */
export { appModule } from './app.module';
export { configSchema, type AppConfig } from './config';
