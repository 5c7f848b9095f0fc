import { VirtualClock } from '@connector/core';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import type { ErpKind } from '@connector/erp';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { KnexBuyerPiiVault } from '@connector/db';

const cipher = new CredentialsCipher('k1', { k1: Buffer.alloc(32, 9).toString('base64') });
const creds = {
  amazon: { lwaClientId: 'client', lwaClientSecret: 'shh-secret', refreshToken: 'Atzr|refresh' },
};

describe('connections and buyer PII at rest (PostgreSQL)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb?.drop());

  it('when a connection is saved, then its credentials are stored encrypted and read back only through the repository', async () => {
    const repo = new ConnectionRepository(tdb.db, cipher);
    await repo.upsert(
      {
        id: 'c1',
        name: 'US',
        sellerId: 'A1',
        region: 'na',
        marketplaceIds: ['ATVPDKIKX0DER'],
        erpKind: 'SAP_B1',
        erpCompany: 'SBO',
        enabled: true,
        settings: { ordersMode: 'report' },
      },
      creds,
    );
    const row = (await tdb.db('connections').where({ id: 'c1' }).first()) as {
      credentials_ciphertext: Buffer;
      credentials_key_id: string;
    };
    expect(Buffer.from(row.credentials_ciphertext).toString('latin1')).not.toMatch(/shh-secret|Atzr/);
    expect(row.credentials_key_id).toBe('k1');
    expect(await repo.credentials('c1')).toEqual(creds);
    expect((await repo.get('c1')).settings).toMatchObject({ ordersMode: 'report', ordersIntervalSec: 300 });
    await repo.setEnabled('c1', false);
    expect(await repo.list()).toEqual([]);
    await expect(repo.get('nope')).rejects.toThrow('no connection "nope"');
  });

  it('when a connection names an ERP that has no adapter yet, then it is refused when added and nothing is stored', async () => {
    const repo = new ConnectionRepository(tdb.db, cipher);
    const refused = repo.upsert(
      {
        id: 'c-unknown',
        name: 'An ERP with no adapter',
        sellerId: 'A3',
        region: 'na',
        marketplaceIds: ['ATVPDKIKX0DER'],
        // every ERP kind has an adapter now: a kind from a newer connector version stands in
        erpKind: 'NO_SUCH_ERP' as ErpKind,
        erpCompany: 'ABC',
        enabled: true,
      },
      creds,
    );
    await expect(refused).rejects.toMatchObject({ code: 'ERP_NOT_SUPPORTED', retriable: false });
    expect(await tdb.db('connections').where({ id: 'c-unknown' }).first()).toBeUndefined();
  });

  it('when buyer PII is kept, then it is encrypted, readable by reference, and purged after its retention', async () => {
    const repo = new ConnectionRepository(tdb.db, cipher);
    const conn = await repo.upsert(
      {
        id: 'c2',
        name: 'EU',
        sellerId: 'A2',
        region: 'eu',
        marketplaceIds: ['A1PA6795UKMFR9'],
        erpKind: 'SAGE300',
        erpCompany: 'SAM',
        enabled: true,
        settings: { buyerPii: true, piiRetentionDays: 30 },
      },
      creds,
    );
    const clock = new VirtualClock(Date.UTC(2026, 10, 1));
    const vault = new KnexBuyerPiiVault(tdb.db, cipher, clock);
    const ref = await vault.keep(
      conn,
      '302-0000000-0000001',
      { buyer: { buyerName: 'Erika Mustermann' } },
      clock.now(),
    );
    expect(ref).toBe('pii:c2/302-0000000-0000001');
    const row = (await tdb.db('buyer_pii').first()) as { ciphertext: Buffer };
    expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain('Mustermann');
    expect(await vault.read('c2', '302-0000000-0000001')).toEqual({
      buyer: { buyerName: 'Erika Mustermann' },
    });
    clock.advance(29 * 86_400_000);
    expect(await vault.purgeExpired()).toBe(0);
    clock.advance(2 * 86_400_000);
    expect(await vault.purgeExpired()).toBe(1);
    expect(await vault.read('c2', '302-0000000-0000001')).toBeNull();
  });
});
