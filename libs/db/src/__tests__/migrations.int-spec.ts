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

  it('when entries are appended together, then they go in one insert and each is stored as given', async () => {
    const store = new KnexAuditStore(tdb.db);
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    tdb.db.on('query', count);
    try {
      await Promise.all([
        store.append({
          connectionId: 'c2',
          service: 'sage-writer',
          stage: 'posted',
          source: { topic: 'amazon.orders.v1', partition: 0, offset: '7' },
          recordKey: 'c2/A',
          eventId: 'e-A',
          payload: { amazonOrderId: 'A', lines: [{ sku: 'Ünïcödé "quoted"', qty: 2 }] },
          erpRequest: { naturalKey: 'A', kind: 'SALES_ORDER' },
          erpResponse: { documentNumber: '1001' },
          outcome: 'created',
        }),
        store.append({
          connectionId: 'c2',
          service: 'sage-writer',
          stage: 'dead_lettered',
          recordKey: 'c2/B',
          outcome: 'failed',
          error: "UNMAPPED_SKU: SKU 'x\\y' has no item",
        }),
      ]);
    } finally {
      tdb.db.removeListener('query', count);
    }
    expect(statements.filter((q) => q.startsWith('insert into audit_trail'))).toHaveLength(1);
    const [a] = await store.findByRecordKey('c2', 'c2/A');
    expect(a).toMatchObject({
      stage: 'posted',
      eventId: 'e-A',
      source: { topic: 'amazon.orders.v1', partition: 0, offset: '7' },
      payload: { amazonOrderId: 'A', lines: [{ sku: 'Ünïcödé "quoted"', qty: 2 }] },
      erpRequest: { naturalKey: 'A', kind: 'SALES_ORDER' },
      erpResponse: { documentNumber: '1001' },
      outcome: 'created',
    });
    const [b] = await store.findByRecordKey('c2', 'c2/B');
    expect(b).toMatchObject({ stage: 'dead_lettered', error: "UNMAPPED_SKU: SKU 'x\\y' has no item" });
    expect(b.source).toBeUndefined();
    expect(b.payload).toBeUndefined();
  });

  it('when rolled back and migrated again, then the schema is recreated', async () => {
    await migrateRollback(tdb.db, true);
    expect(await tdb.db.schema.hasTable('audit_trail')).toBe(false);
    expect(await pendingMigrations(tdb.db)).toHaveLength(MIGRATIONS.length); // every one of them
  });
});
