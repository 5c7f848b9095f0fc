/** inventory-publisher's public entry point: what a composition root (tools/demo, end-to-end tests, benches) may use. */
export { appModule } from './app.module';
export { configSchema, type AppConfig } from './config';
// the listings flow as plain services (benchmarks drive them without Kafka or PostgreSQL)
export { ItemChangeService } from './listings/item-change.service';
export { ListingFlusher, FEED_MAX_MESSAGES, type FlushSummary } from './listings/listing-flusher';
export { MemoryListingStore } from './listings/memory-listing.store';
export { MemoryListingDeadLetters } from './listings/listing-dead-letters';
export { refreshCatalogue } from './listings/catalogue-refresh';
