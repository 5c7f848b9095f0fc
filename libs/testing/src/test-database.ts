import { createDb, migrateLatest } from '@connector/db';
import type { Knex } from 'knex';
import { uniqueName, infraEnv } from './helpers';

export interface TestDatabase {
  db: Knex;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, created on the integration PostgreSQL and dropped after. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = infraEnv('TEST_DATABASE_URL');
  const name = uniqueName('t').replace(/-/g, '_');
  const admin = createDb({ url: baseUrl, poolMax: 1 });
  await admin.raw('create database ??', [name]);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), poolMax: 5 });
  await migrateLatest(db);
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.destroy();
      await admin.raw('drop database if exists ?? with (force)', [name]);
      await admin.destroy();
    },
  };
}
