import { createTestDatabase, type TestDatabase } from '../../testing';
import { KnexSage100OrderNumbers } from '../sage100-order-numbers';

let tdb: TestDatabase | undefined;
afterAll(async () => tdb?.drop());

describe('KnexSage100OrderNumbers (PostgreSQL)', () => {
  it('keeps a drawn number per connection, company and key, across store instances', async () => {
    tdb = await createTestDatabase();
    const a = new KnexSage100OrderNumbers(tdb.db, 'conn-1');
    expect(await a.get('ABC', '114-1')).toBeNull();
    await a.put('ABC', '114-1', '0000001');
    // another process of the same connection
    const b = new KnexSage100OrderNumbers(tdb.db, 'conn-1');
    expect(await b.get('ABC', '114-1')).toBe('0000001');
    // replaced when the number turned out taken
    await b.put('ABC', '114-1', '0000007');
    expect(await a.get('ABC', '114-1')).toBe('0000007');
    // another company or connection does not see it
    expect(await a.get('XYZ', '114-1')).toBeNull();
    expect(await new KnexSage100OrderNumbers(tdb.db, 'conn-2').get('ABC', '114-1')).toBeNull();
  });
});
