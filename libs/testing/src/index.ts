export * from './helpers';
export * from './infra';
export * from './test-database';
