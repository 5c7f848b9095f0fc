import type { Knex } from 'knex';
import { MIGRATIONS, migrationSource } from './migrations';

const config = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

export async function migrateRollback(db: Knex, all = false): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(config, all)) as [number, string[]];
  return rolledBack;
}

export async function pendingMigrations(db: Knex): Promise<string[]> {
  // with a custom migration source, knex lists the pending migrations as the source gives them
  const [, pending] = (await db.migrate.list(config)) as [unknown[], typeof MIGRATIONS];
  return pending.map((m) => migrationSource.getMigrationName(m));
}
