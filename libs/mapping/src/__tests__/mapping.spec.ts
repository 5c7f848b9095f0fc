import {
  GlRules,
  MappingCache,
  UnmappedError,
  isInvoicedLine,
  mappingRecords,
  settlementOptionsOf,
} from '../index';

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

  it('when items and carriers are looked up the other way, then every active SKU of an item and the carrier come back', () => {
    const cache = new MappingCache();
    const recs = mappingRecords(
      {
        ...file,
        skus: [...file.skus, { sellerSku: 'SKU-6PK', itemCode: 'ITEM-1', unitsPerSku: 6 }],
        carriers: [
          { erpCarrierCode: 'UPSG', carrierCode: 'UPS', shippingMethod: 'Ground' },
          { erpCarrierCode: 'OWN', carrierCode: 'Other', carrierName: 'Our van' },
          { erpCarrierCode: 'OLD', carrierCode: 'DHL', active: false },
        ],
      },
      1,
    );
    for (const r of recs) cache.apply(r.topic, r.key, r.value);
    expect(recs.filter((r) => r.topic === 'mapping.carriers.v1').map((r) => r.key)).toEqual([
      'c1/UPSG',
      'c1/OWN',
      'c1/OLD',
    ]);
    expect(
      cache
        .skusOfItem('c1', 'ITEM-1')
        .map((m) => m.sellerSku)
        .sort(),
    ).toEqual(['SKU-1', 'SKU-6PK']);
    expect(cache.skusOfItem('c1', 'X')).toEqual([]); // inactive
    cache.apply('mapping.skus.v1', 'c1/SKU-6PK', null);
    expect(cache.skusOfItem('c1', 'ITEM-1').map((m) => m.sellerSku)).toEqual(['SKU-1']);
    // a SKU moved to another item leaves the first
    cache.apply('mapping.skus.v1', 'c1/SKU-1', { ...recs[0].value, itemCode: 'ITEM-2' } as never);
    expect(cache.skusOfItem('c1', 'ITEM-1')).toEqual([]);
    expect(cache.carrier('c1', 'UPSG')).toMatchObject({ carrierCode: 'UPS', shippingMethod: 'Ground' });
    expect(cache.carrier('c1', 'OLD')).toBeUndefined();
    expect(() =>
      mappingRecords({ connectionId: 'c1', carriers: [{ erpCarrierCode: 'X', carrierCode: 'Other' }] }, 0),
    ).toThrow(/carrierName is required when carrierCode is Other/);
  });
});

describe('settlement GL rules for ping and booking', () => {
  it('when a line is an order or refund item price or promotion, then it is invoiced (it clears the receivable); fees and withheld tax are not', () => {
    const invoiced = (transactionType: string, amountType: string) =>
      isInvoicedLine({ transactionType, amountType });
    expect(invoiced('Order', 'ItemPrice')).toBe(true);
    expect(invoiced('refund', 'Promotion')).toBe(true);
    expect(invoiced('Order', 'ItemFees')).toBe(false);
    expect(invoiced('Order', 'ItemWithheldTax')).toBe(false);
    expect(invoiced('Chargeback Refund', 'ItemPrice')).toBe(false);
    expect(invoiced('other-transaction', 'other-transaction')).toBe(false);
  });

  it("when a connection's settings say nothing, then settlements clear the receivable at the ERP's rate; spelled in capitals, the choice is still read", () => {
    expect(settlementOptionsOf({ buyerPii: true })).toMatchObject({
      settlementBooking: 'receivable',
      fx: { rateSource: 'erp' },
    });
    expect(
      settlementOptionsOf({
        orderToCash: { settlementBooking: 'INCOME', fx: { rateSource: 'DEPOSIT', x: 1 } },
      }),
    ).toMatchObject({ settlementBooking: 'income', fx: { rateSource: 'deposit' } });
    let thrown: unknown;
    try {
      settlementOptionsOf({ orderToCash: { fx: { rateSource: 'guess' } } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      code: 'SETTINGS_INVALID',
      retriable: false,
      message: expect.stringContaining('fx.rateSource') as unknown,
    });
  });

  it('when a connection rule covers a default one, then ping does not ask for the default account; invoiced lines are left out when they clear the receivable', () => {
    const rules = GlRules.fromMappings([
      {
        eventId: 'e',
        connectionId: 'c1',
        transactionType: '*',
        amountType: 'ItemFees',
        amountDescription: '*',
        marketplaceId: null,
        category: 'FEE',
        account: '6100-00',
        updatedAt: 0,
      },
    ]);
    const all = rules.postingAccounts({ marketplaceIds: ['ATVPDKIKX0DER'] });
    const accounts = all.map((p) => p.account);
    expect(accounts).toContain('6100-00');
    expect(accounts).not.toContain('6110'); // Refund ItemFees RefundCommission is covered by * ItemFees *
    expect(accounts).toEqual(expect.arrayContaining(['4000', '4050', '1010', '9999']));
    expect(all.find((p) => p.account === '4000')).toEqual({
      account: '4000',
      category: 'SALES',
      usedFor: 'Order ItemPrice Principal',
    });
    const clearing = rules.postingAccounts({ marketplaceIds: ['ATVPDKIKX0DER'], skipInvoiced: true });
    expect(clearing.map((p) => p.account)).not.toContain('4000');
    expect(clearing.map((p) => p.account)).not.toContain('4050');
    expect(clearing.map((p) => p.account)).toContain('2200'); // * ItemPrice Tax may come from other transaction types
  });
});
