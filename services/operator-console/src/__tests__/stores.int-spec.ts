import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { KnexAuthStore } from '../auth/auth.store';
import { KnexSettlementsStore } from '../settlements/settlements.store';
import { KnexTraceStore } from '../trace/trace.store';

/** The console's reads and its own tables on a real, migrated PostgreSQL. */
describe('operator-console stores (PostgreSQL)', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('when a session is stored, then it is found until it expires or its user is disabled, and e-mails are unique whatever their case', async () => {
    const store = new KnexAuthStore(tdb.db);
    const user = await store.createUser({
      email: 'Ann@Example.com',
      passwordHash: 'scrypt$x',
      role: 'accountant',
    });
    await expect(
      store.createUser({ email: 'ann@example.com', passwordHash: 'y', role: 'viewer' }),
    ).rejects.toThrow();
    const now = new Date();
    const later = new Date(now.getTime() + 60_000);
    await store.createSession({
      tokenHash: 'h1',
      userId: user.id,
      csrfToken: 'c',
      expiresAt: later,
      maxExpiresAt: later,
    });
    expect((await store.findSession('h1', now))?.user).toEqual({
      id: user.id,
      email: 'ann@example.com',
      role: 'accountant',
      enabled: true,
    });
    expect(await store.findSession('h1', new Date(later.getTime() + 1))).toBeUndefined();
    await tdb.db('console_users').where({ id: user.id }).update({ enabled: false });
    expect(await store.findSession('h1', now)).toBeUndefined();
    expect(await store.deleteExpiredSessions(new Date(later.getTime() + 1))).toBe(1);
    await expect(
      tdb.db('console_users').insert({ email: 'x@example.com', password_hash: 'x', role: 'root' }),
    ).rejects.toThrow(/console_users_role_check/);
  });

  it('when settlements are read, then amounts come back as exact decimal strings, and posted and waiting ones are told apart', async () => {
    const base = { connection_id: 'c1', marketplace_id: '', currency: 'USD', status: 'TIED_OUT' };
    await tdb.db('reconciliation_results').insert([
      {
        ...base,
        settlement_id: '1',
        expected_deposit: '1234567890.1234',
        posted_total: '1234567890.1234',
        difference: '0',
        report: { unmapped: [] },
      },
      {
        ...base,
        settlement_id: '2',
        expected_deposit: '0.1',
        posted_total: '0.3',
        difference: '-0.2',
        report: { unmapped: [{ key: 'a|b|c', amount: '-0.2000', lines: 1 }] },
      },
    ]);
    await tdb.db('settlement_chunks').insert({
      connection_id: 'c1',
      settlement_id: '3',
      chunk_index: 0,
      buckets: '[]',
      orders: '{}',
      line_count: 0,
    });
    await tdb.db('idempotency_ledger').insert([
      {
        connection_id: 'c1',
        document_kind: 'JOURNAL',
        natural_key: '1/ATVPDKIKX0DER/USD',
        state: 'confirmed',
        erp_document_number: 'JE-1',
      },
      { connection_id: 'c1', document_kind: 'JOURNAL', natural_key: '2/ATVPDKIKX0DER/USD', state: 'failed' },
      {
        connection_id: 'c1',
        document_kind: 'SALES_ORDER',
        natural_key: '111-0000000-0000001',
        state: 'confirmed',
        erp_document_number: '42',
      },
    ]);
    const store = new KnexSettlementsStore(tdb.db);
    const rows = await store.results('c1');
    expect(rows.map((r) => [r.settlementId, r.expectedDeposit, r.difference, r.unmapped.length])).toEqual([
      ['2', '0.1000', '-0.2000', 1],
      ['1', '1234567890.1234', '0.0000', 0],
    ]);
    expect(await store.waiting('c1')).toEqual([{ connectionId: 'c1', settlementId: '3', chunks: 1 }]);
    expect([...(await store.postedSettlements())]).toEqual(['c1|1']);
    expect((await store.ledgerForSettlement('c1', '1')).map((l) => l.erpDocumentNumber)).toEqual(['JE-1']);

    const trace = await new KnexTraceStore(tdb.db).byNaturalKey('111-0000000-0000001', 'order');
    expect(trace.documents.map((d) => [d.documentKind, d.erpDocumentNumber])).toEqual([
      ['SALES_ORDER', '42'],
    ]);
  });
});
