export * from './sage500.adapter';
export * from './address';
export * from './status';
export { mssqlDialect, pgDialect, type Sage500Dialect } from './dialect';

/** The T-SQL install script of the connector's extension tables (run once per company database). */
export const SAGE500_INSTALL_SCRIPT = `${__dirname}/install/sage500-extension.sql`;

/** The T-SQL of our credit memo procedure, spARCreditMemoIns_CNX (run after the install script; read its header). */
export const SAGE500_CREDIT_MEMO_SCRIPT = `${__dirname}/install/spARCreditMemoIns_CNX.sql`;
