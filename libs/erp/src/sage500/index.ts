export * from './sage500.adapter';
export * from './address';
export * from './status';
export { mssqlDialect, pgDialect, type Sage500Dialect } from './dialect';
