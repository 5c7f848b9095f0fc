/** Test support for the database (`@connector/db/testing`): a migrated database per test file, and fakes. */
import type { Knex } from 'knex';
import { infraEnv, uniqueName } from '@connector/testing';
import type { AuditEntry, AuditRecord, AuditStore } from './audit/audit.store-type';
import { createDb } from './knex';
import { migrateLatest } from './migrate';

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

/** In-memory audit trail for unit tests. */
export class FakeAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];

  async append(e: AuditEntry): Promise<void> {
    this.records.push({ ...e, id: String(this.records.length + 1), createdAt: new Date() });
  }

  async findBySource(topic: string, partition: number, offset: string): Promise<AuditRecord[]> {
    return this.records.filter(
      (r) => r.source?.topic === topic && r.source.partition === partition && r.source.offset === offset,
    );
  }

  async findByRecordKey(connectionId: string, recordKey: string): Promise<AuditRecord[]> {
    return this.records.filter((r) => r.connectionId === connectionId && r.recordKey === recordKey);
  }
}

export { FakeIdempotencyLedger } from './idempotency/fake-idempotency-ledger';
