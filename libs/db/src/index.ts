export * from './knex';
export * from './migrate';
export * from './audit/audit.store-type';
export * from './audit/audit.store';
