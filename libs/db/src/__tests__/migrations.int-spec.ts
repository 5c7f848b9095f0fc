import { createTestDatabase, type TestDatabase } from '../testing';
import { KnexAuditStore, migrateRollback, pendingMigrations } from '../index';
import { MIGRATIONS } from '../migrations';

describe('database migrations and the audit store', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb?.drop());

  it('when migrated, then nothing is pending and every table exists', async () => {
    expect(await pendingMigrations(tdb.db)).toEqual([]);
    for (const table of [
      'connections',
      'poll_cursors',
      'idempotency_ledger',
      'audit_trail',
      'reconciliation_results',
      'inbound_records',
      'ingest_published',
      'held_orders',
      'settlement_reports',
      'buyer_pii',
      'settlement_chunks',
      'financial_event_lines',
    ]) {
      expect(await tdb.db.schema.hasTable(table)).toBe(true);
    }
  });

  it('when an audit entry is appended, then it is found by its source offset and record key', async () => {
    const store = new KnexAuditStore(tdb.db);
    await store.append({
      connectionId: 'c1',
      service: 'test',
      stage: 'consumed',
      source: { topic: 'amazon.orders.v1', partition: 2, offset: '9007199254740993' },
      recordKey: 'c1/111-0000000-0000000',
      payload: { amount: '12.3400' },
    });
    const [bySource] = await store.findBySource('amazon.orders.v1', 2, '9007199254740993');
    expect(bySource).toMatchObject({
      stage: 'consumed',
      payload: { amount: '12.3400' },
      source: { offset: '9007199254740993' },
    });
    expect(await store.findByRecordKey('c1', 'c1/111-0000000-0000000')).toHaveLength(1);
  });

  it('when rolled back and migrated again, then the schema is recreated', async () => {
    await migrateRollback(tdb.db, true);
    expect(await tdb.db.schema.hasTable('audit_trail')).toBe(false);
    expect(await pendingMigrations(tdb.db)).toHaveLength(MIGRATIONS.length); // every one of them
  });
});
