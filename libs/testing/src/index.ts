export * from './helpers';
export * from './infra';
export * from './demo-orders';
