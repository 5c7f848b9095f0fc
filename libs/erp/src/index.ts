export * from './errors';
export * from './port';
export * from './capabilities';
export * from './adapters';
export * from './sap-b1';
export * from './sage300';
// the Sage 100 adapter itself is not exported yet (not wired); its order-number store is, for libs/db
export * from './sage100/order-numbers';
export * from './connection-resolver';
