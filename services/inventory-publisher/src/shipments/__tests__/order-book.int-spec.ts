import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { KnexOrderBook, type BookedOrder } from '../order-book';

const KEY = Buffer.alloc(32, 3).toString('base64');

const order = (lastUpdateDate: number, over: Partial<BookedOrder> = {}): BookedOrder => ({
  connectionId: 'ob',
  amazonOrderId: '111-0000001-0000001',
  marketplaceId: 'ATVPDKIKX0DER',
  fulfillmentChannel: 'MFN',
  orderStatus: 'UNSHIPPED',
  items: [{ orderItemId: 'OI-1', sellerSku: 'SKU-A', quantityOrdered: 2, quantityShipped: 0 }],
  lastUpdateDate,
  eventId: `111-0000001-0000001@${lastUpdateDate}`,
  ...over,
});

describe('KnexOrderBook (PostgreSQL)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: 'ob',
        name: 'ob',
        sellerId: 'S',
        region: 'na',
        marketplaceIds: ['ATVPDKIKX0DER'],
        erpKind: 'SAP_B1',
        erpCompany: 'SBO',
        enabled: true,
      },
      { amazon: { lwaClientId: 'x', lwaClientSecret: 'y', refreshToken: 'z' } },
    );
  });
  afterAll(() => tdb?.drop());

  it('when versions of an order arrive out of order, then only the newest is kept, items included', async () => {
    const book = new KnexOrderBook(tdb.db);
    expect(await book.get('ob', '111-0000001-0000001')).toBeNull();
    expect(await book.upsert(order(2_000, { orderStatus: 'PARTIALLY_SHIPPED' }))).toBe(true);
    expect(await book.upsert(order(1_000, { orderStatus: 'CANCELLED' }))).toBe(false);
    expect(await book.upsert(order(2_000, { orderStatus: 'PARTIALLY_SHIPPED' }))).toBe(true); // a replay
    expect(await book.get('ob', '111-0000001-0000001')).toEqual(
      order(2_000, { orderStatus: 'PARTIALLY_SHIPPED' }),
    );
    expect(await book.upsert(order(3_000, { orderStatus: 'SHIPPED' }))).toBe(true);
    expect((await book.get('ob', '111-0000001-0000001'))?.orderStatus).toBe('SHIPPED');
  });
});
