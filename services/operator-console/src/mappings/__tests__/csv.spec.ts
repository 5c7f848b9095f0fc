import { parseCsv, toCsv } from '../csv';

describe('mapping CSV', () => {
  it('when exported and imported again, then quotes, commas and newlines survive', () => {
    const rows = [
      { sellerSku: 'A,1', itemCode: 'He said "hi"', marketplaceId: null },
      { sellerSku: 'B\n2', itemCode: 'X' },
    ];
    const back = parseCsv(toCsv(['sellerSku', 'itemCode', 'marketplaceId'], rows));
    expect(back).toEqual([
      { sellerSku: 'A,1', itemCode: 'He said "hi"', marketplaceId: '' },
      { sellerSku: 'B\n2', itemCode: 'X', marketplaceId: '' },
    ]);
  });

  it('when a value would be a spreadsheet formula, then it is exported as text', () => {
    expect(toCsv(['a'], [{ a: '=HYPERLINK("x")' }, { a: '-12.50' }])).toBe(
      'a\r\n"\'=HYPERLINK(""x"")"\r\n-12.50\r\n',
    );
  });
});
