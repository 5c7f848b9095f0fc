import { createTestDatabase, type TestDatabase } from '../../testing';
import { KnexIdempotencyLedger, type LedgerKey } from '../idempotency-ledger';
import { describeLedgerContract } from './ledger-contract';

let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describeLedgerContract('PostgreSQL (KnexIdempotencyLedger)', async () => {
  tdb = await createTestDatabase();
  const db = tdb.db;
  return {
    ledger: new KnexIdempotencyLedger(db),
    // the database's clock passes the expiry: set it into the past by that same clock
    expire: async (k: LedgerKey) => {
      await db('idempotency_ledger')
        .where({ connection_id: k.connectionId, document_kind: k.documentKind, natural_key: k.naturalKey })
        .whereNotNull('lease_expires_at')
        .update({ lease_expires_at: db.raw("now() - interval '1 millisecond'") });
    },
  };
});
