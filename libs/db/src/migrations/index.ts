import type { Knex } from 'knex';
import * as core from './20261124000001_core';
import * as ingest from './20261125000001_ingest';
import * as writer from './20261125000002_writer';
import * as reconciler from './20261125000003_reconciler';
import * as inboxProcessed from './20261128000001_inbox_processed';
import * as ledgerLease from './20261128000002_ledger_lease';
import * as erpSnapshots from './20261128000003_erp_snapshots';
import * as listings from './20261128000004_listings';
import * as shipmentOrders from './20261128000005_shipment_orders';
import * as erpDrawnNumbers from './20261128000006_erp_drawn_numbers';
import * as operatorConsole from './20261128000007_operator_console';
import * as orderToCash from './20261128000010_order_to_cash';
import * as connectionLeases from './20261128000011_connection_leases';
import * as settlementDeposits from './20261128000012_settlement_deposits';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Migrations are code (not files knex loads) so they run the same under ts-node, jest and compiled JS. */
export const MIGRATIONS: Array<readonly [name: string, migration: Migration]> = [
  ['20261124000001_core', core],
  ['20261125000001_ingest', ingest],
  ['20261125000002_writer', writer],
  ['20261125000003_reconciler', reconciler],
  ['20261128000001_inbox_processed', inboxProcessed],
  ['20261128000002_ledger_lease', ledgerLease],
  ['20261128000003_erp_snapshots', erpSnapshots],
  ['20261128000004_listings', listings],
  ['20261128000005_shipment_orders', shipmentOrders],
  ['20261128000006_erp_drawn_numbers', erpDrawnNumbers],
  ['20261128000007_operator_console', operatorConsole],
  ['20261128000010_order_to_cash', orderToCash],
  ['20261128000011_connection_leases', connectionLeases],
  ['20261128000012_settlement_deposits', settlementDeposits],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
