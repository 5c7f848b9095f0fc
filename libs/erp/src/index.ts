export * from './errors';
export * from './port';
export * from './fake-erp';
