export * from './clock';
export * from './errors';
export * from './retry';
