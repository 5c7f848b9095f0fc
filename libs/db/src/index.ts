export * from './knex';
export * from './migrate';
export * from './audit/audit.store-type';
export * from './audit/audit.store';
export * from './connections/credentials-cipher';
export * from './connections/connection.repository';
export * from './idempotency/idempotency-ledger';
export * from './idempotency/lease-errors';
