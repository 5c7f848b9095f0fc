export * from './errors';
export * from './port';
export * from './capabilities';
export * from './adapters';
export * from './sap-b1';
export * from './sage300';
export * from './sage100';
export * from './connection-resolver';
