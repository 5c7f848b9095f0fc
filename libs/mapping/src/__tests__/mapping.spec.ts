import { MappingCache, UnmappedError, mappingRecords } from '../index';

describe('mapping records and the mapping cache', () => {
  const file = {
    connectionId: 'c1',
    skus: [
      { sellerSku: 'SKU-1', itemCode: 'ITEM-1' },
      { sellerSku: 'SKU-1', marketplaceId: 'A1PA6795UKMFR9', itemCode: 'ITEM-1-DE', unitsPerSku: 2 },
      { sellerSku: 'SKU-OLD', itemCode: 'X', active: false },
    ],
    customers: [
      { marketplaceId: 'ATVPDKIKX0DER', customerCode: 'AMZ-US', currency: 'USD', arAccount: '1100' },
    ],
    glAccounts: [
      { amountType: 'ItemFees', amountDescription: 'Commission', account: '6100-00', category: 'FEE' },
    ],
  };

  it('when a file is turned into records, then keys follow the catalogue and a deletion is a tombstone', () => {
    const recs = mappingRecords(
      { ...file, customers: [...file.customers, { marketplaceId: 'A2EUQ1WTGCTBG2', delete: true }] },
      5,
    );
    expect(recs.map((r) => [r.topic, r.key, r.value === null])).toEqual([
      ['mapping.skus.v1', 'c1/SKU-1', false],
      ['mapping.skus.v1', 'c1/SKU-1@A1PA6795UKMFR9', false],
      ['mapping.skus.v1', 'c1/SKU-OLD', false],
      ['mapping.customers.v1', 'c1/ATVPDKIKX0DER', false],
      ['mapping.customers.v1', 'c1/A2EUQ1WTGCTBG2', true],
      ['mapping.gl-accounts.v1', 'c1/*|ItemFees|Commission|*', false],
    ]);
    expect(() => mappingRecords({ connectionId: 'c1', skus: [{ sellerSku: 'S' }] }, 0)).toThrow(
      /itemCode of SKU S is required/,
    );
  });

  it('when looked up, then the marketplace-specific SKU wins, inactive and deleted ones are unmapped, with the reason', () => {
    const cache = new MappingCache();
    for (const r of mappingRecords(file, 1)) cache.apply(r.topic, r.key, r.value);
    expect(cache.sku('c1', 'SKU-1', 'ATVPDKIKX0DER').itemCode).toBe('ITEM-1');
    expect(cache.sku('c1', 'SKU-1', 'A1PA6795UKMFR9')).toMatchObject({
      itemCode: 'ITEM-1-DE',
      unitsPerSku: 2,
    });
    expect(() => cache.sku('c1', 'SKU-OLD', 'ATVPDKIKX0DER')).toThrow(UnmappedError);
    expect(() => cache.sku('c2', 'SKU-1', 'ATVPDKIKX0DER')).toThrow(
      /no ERP item in mapping.skus.v1 for connection c2/,
    );
    cache.apply('mapping.skus.v1', 'c1/SKU-1@A1PA6795UKMFR9', null);
    expect(cache.sku('c1', 'SKU-1', 'A1PA6795UKMFR9').itemCode).toBe('ITEM-1');
    expect(cache.customer('c1', 'ATVPDKIKX0DER')).toMatchObject({
      customerCode: 'AMZ-US',
      arAccount: '1100',
    });
    // jest takes an asymmetric matcher here; @types/jest types toThrow's argument without one
    expect(() => cache.customer('c1', 'A1PA6795UKMFR9')).toThrow(
      expect.objectContaining({ code: 'UNMAPPED_CUSTOMER' }) as Error,
    );
    expect(cache.glAccounts('c1')).toEqual([
      expect.objectContaining({ account: '6100-00', category: 'FEE' }),
    ]);
  });
});
