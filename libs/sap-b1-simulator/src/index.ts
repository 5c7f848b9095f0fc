export * from './odata';
export * from './server';
export type { SapB1SeedCustomer, SapB1SeedItem } from './state';
