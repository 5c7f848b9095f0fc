export const CONNECTIONS = Symbol('CONNECTIONS');
export const SP_API_FACTORY = Symbol('SP_API_FACTORY');
export const INGEST_SCHEDULER = Symbol('INGEST_SCHEDULER');
export const ORDER_SYNC = Symbol('ORDER_SYNC');
export const SETTLEMENT_INGEST = Symbol('SETTLEMENT_INGEST');
export const FINANCES_SYNC = Symbol('FINANCES_SYNC');
export const PII_VAULT = Symbol('PII_VAULT');
