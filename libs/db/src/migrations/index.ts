import type { Knex } from 'knex';
import * as core from './20261124000001_core';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Migrations are code (not files knex loads) so they run the same under ts-node, jest and compiled JS. */
export const MIGRATIONS: Array<readonly [name: string, migration: Migration]> = [
  ['20261124000001_core', core],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
