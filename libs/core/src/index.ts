export * from './clock';
export * from './errors';
export * from './retry';
export * from './http';
export * from './random';
export * from './local-server';
export * from './connection-scheduler';
export * from './canonical-json';
