export * from './odata';
export * from './server';
export type { SapB1SeedItem } from './state';
