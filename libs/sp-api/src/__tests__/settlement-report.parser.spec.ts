import { SpApiSimulator } from '@connector/sp-api-simulator';
import {
  SettlementReportFormatError,
  SettlementReportParser,
  parseSettlementDate,
  parseSettlementText,
} from '../reports/settlement-report.parser';

const HEADER =
  'settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased';

/** A detail row from the columns that matter; the rest stay empty. */
function row(
  id: string,
  f: { type: string; order?: string; amountType: string; desc: string; amount: string; posted?: string },
): string {
  const cells = HEADER.split('\t').map(() => '');
  cells[0] = id;
  cells[6] = f.type;
  cells[7] = f.order ?? '';
  cells[11] = 'Amazon.de';
  cells[12] = f.amountType;
  cells[13] = f.desc;
  cells[14] = f.amount;
  cells[17] = f.posted ?? '2026-10-03 10:11:12 UTC';
  return cells.join('\t');
}
const summary = (id: string, total: string, currency = 'EUR') =>
  [id, '2026-10-01T00:00:00+00:00', '2026-10-15T00:00:00+00:00', '2026-10-17T00:00:00+00:00', total, currency]
    .concat(Array(17).fill(''))
    .join('\t');

describe('V2 settlement report parser', () => {
  it('when a German file has decimal commas, reserves and a refund with RefundCommission, then it parses exactly and ties to its total', async () => {
    const id = '24681357901';
    const text = [
      HEADER,
      summary(id, '1.046,83'),
      row(id, {
        type: 'Order',
        order: '302-1234567-7654321',
        amountType: 'ItemPrice',
        desc: 'Principal',
        amount: '1.234,56',
      }),
      row(id, {
        type: 'Order',
        order: '302-1234567-7654321',
        amountType: 'ItemFees',
        desc: 'Commission',
        amount: '-185,18',
      }),
      row(id, {
        type: 'Refund',
        order: '302-1111111-2222222',
        amountType: 'ItemPrice',
        desc: 'Principal',
        amount: '-20,00',
      }),
      row(id, {
        type: 'Refund',
        order: '302-1111111-2222222',
        amountType: 'ItemFees',
        desc: 'Commission',
        amount: '3,00',
      }),
      row(id, {
        type: 'Refund',
        order: '302-1111111-2222222',
        amountType: 'ItemFees',
        desc: 'RefundCommission',
        amount: '-0,60',
      }),
      row(id, {
        type: 'other-transaction',
        amountType: 'other-transaction',
        desc: 'Previous Reserve Amount Balance',
        amount: '100,00',
      }),
      row(id, {
        type: 'other-transaction',
        amountType: 'other-transaction',
        desc: 'Current Reserve Amount',
        amount: '-84,95',
      }),
      '',
    ].join('\n');
    const { result, lines } = await parseSettlementText(text, 'R1');
    expect(result.decimalSeparator).toBe(',');
    expect(result.summary).toMatchObject({
      settlementId: id,
      reportId: 'R1',
      totalAmount: { amount: '1046.83', currency: 'EUR' },
      depositDate: Date.UTC(2026, 9, 17),
    });
    expect(lines.map((l) => l.amount.amount)).toEqual([
      '1234.56',
      '-185.18',
      '-20',
      '3',
      '-0.6',
      '100',
      '-84.95',
    ]);
    expect(result.detailTotal).toBe('1046.83');
    expect(result.tiesOut).toBe(true);
    expect(result.lineCount).toBe(7);
    expect(lines[0]).toMatchObject({
      lineNumber: 3,
      transactionType: 'Order',
      orderId: '302-1234567-7654321',
      postedDate: Date.UTC(2026, 9, 3, 10, 11, 12),
      marketplaceName: 'Amazon.de',
      amount: { currency: 'EUR' },
    });
  });

  it('when the settlement is negative (fees exceed sales), then the total is negative and still ties out', async () => {
    const id = '1';
    const text = [
      HEADER,
      summary(id, '-45.99', 'USD'),
      row(id, {
        type: 'other-transaction',
        amountType: 'other-transaction',
        desc: 'Subscription Fee',
        amount: '-39.99',
      }),
      row(id, {
        type: 'other-transaction',
        amountType: 'other-transaction',
        desc: 'Storage Fee',
        amount: '-6.00',
      }),
    ].join('\n');
    const { result } = await parseSettlementText(text, 'R2');
    expect(result.summary.totalAmount.amount).toBe('-45.99');
    expect(result.tiesOut).toBe(true);
  });

  it('when the detail rows do not sum to the summary, then the parse succeeds and says it does not tie out', async () => {
    const id = '2';
    const text = [
      HEADER,
      summary(id, '10.00', 'USD'),
      row(id, { type: 'Order', amountType: 'ItemPrice', desc: 'Principal', amount: '9.99' }),
    ].join('\n');
    const { result } = await parseSettlementText(text, 'R3');
    expect(result).toMatchObject({ tiesOut: false, detailTotal: '9.99' });
  });

  it('when columns come in another order, with promotion-id, an unknown column, CRLF, a BOM, trailing tabs and the summary filled on every row, then rows map by header name', async () => {
    const cols = [
      'amount',
      'settlement-id',
      'transaction-type',
      'amount-type',
      'amount-description',
      'settlement-start-date',
      'settlement-end-date',
      'deposit-date',
      'total-amount',
      'currency',
      'promotion-id',
      'new-amazon-column',
    ];
    const s = [
      '2026-10-01T00:00:00+00:00',
      '2026-10-15T00:00:00+00:00',
      '2026-10-17T00:00:00+00:00',
      '5.00',
      'USD',
    ];
    const text =
      '\uFEFF' +
      [
        cols.join('\t') + '\t\t',
        ['', '7', '', '', '', ...s, '', ''].join('\t'),
        ['7.50', '7', 'Order', 'ItemPrice', 'Principal', ...s, '', 'x'].join('\t') + '\t',
        ['-2.50', '7', 'Order', 'Promotion', 'Principal', ...s, 'PROMO-1', 'y'].join('\t'),
      ].join('\r\n');
    const { result, lines } = await parseSettlementText(text, 'R4');
    expect(result.unknownColumns).toEqual(['new-amazon-column']);
    expect(lines.map((l) => [l.amountType, l.amount.amount, l.promotionId])).toEqual([
      ['ItemPrice', '7.5', null],
      ['Promotion', '-2.5', 'PROMO-1'],
    ]);
    expect(result.tiesOut).toBe(true);
  });

  it.each([
    [
      'a required column is missing',
      [HEADER.replace('\tamount-description', '')],
      /missing column\(s\) amount-description/,
    ],
    [
      'a row has an unreadable amount',
      [
        HEADER,
        summary('9', '1.00', 'USD'),
        row('9', { type: 'Order', amountType: 'ItemPrice', desc: 'Principal', amount: '12abc' }),
      ],
      /line 3, amount/,
    ],
    [
      'a row belongs to another settlement',
      [
        HEADER,
        summary('9', '1.00', 'USD'),
        row('8', { type: 'Order', amountType: 'ItemPrice', desc: 'Principal', amount: '1.00' }),
      ],
      /line 3, settlement-id/,
    ],
    [
      'a row has no amount-type',
      [
        HEADER,
        summary('9', '1.00', 'USD'),
        row('9', { type: 'Order', amountType: '', desc: 'Principal', amount: '1.00' }),
      ],
      /line 3, amount-type: empty/,
    ],
    [
      'posted-date-time is not a date',
      [
        HEADER,
        summary('9', '1.00', 'USD'),
        row('9', {
          type: 'Order',
          amountType: 'ItemPrice',
          desc: 'Principal',
          amount: '1.00',
          posted: '31/02/26',
        }),
      ],
      /line 3, posted-date-time/,
    ],
    [
      'the summary row is missing',
      [HEADER, row('9', { type: 'Order', amountType: 'ItemPrice', desc: 'Principal', amount: '1.00' })],
      /line 2: the summary row/,
    ],
    ['the file is empty', [''], /the file is empty/],
  ])('when %s, then it is rejected with the line and column', async (_case, fileLines, message) => {
    const err = await parseSettlementText(fileLines.join('\n'), 'R').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettlementReportFormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as SettlementReportFormatError).retriable).toBe(false);
  });

  it('when the result is asked for before the end, then it says so instead of answering wrong', () => {
    expect(() => new SettlementReportParser({ reportId: 'R' }).result()).toThrow(/not been read to the end/);
  });

  it('when dates come as posted-date-time, ISO with offset or a bare date, then each is read as the instant it names', () => {
    expect(parseSettlementDate('2026-06-09 05:23:19 UTC')).toBe(Date.UTC(2026, 5, 9, 5, 23, 19));
    expect(parseSettlementDate('2015-12-02T03:27:08+00:00')).toBe(Date.UTC(2015, 11, 2, 3, 27, 8));
    expect(parseSettlementDate('2003-10-03T16:00:00-07:00')).toBe(Date.UTC(2003, 9, 3, 23, 0, 0));
    expect(parseSettlementDate('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
  });

  it("when the simulator's settlements (US and DE, reserves and refunds) are parsed, then every one ties to its total", async () => {
    const sim = new SpApiSimulator({ days: 40, ordersPerDay: 30, now: () => Date.UTC(2026, 10, 24) });
    expect(sim.settlements.length).toBeGreaterThan(4);
    for (const s of sim.settlements) {
      const { result, lines } = await parseSettlementText(s.text, s.settlementId);
      expect(result.tiesOut).toBe(true);
      expect(result.lineCount).toBe(s.lineCount);
      expect(lines.some((l) => l.amountDescription === 'Current Reserve Amount')).toBe(true);
    }
    expect(new Set(sim.settlements.map((s) => s.currency))).toEqual(new Set(['USD', 'CAD', 'GBP', 'EUR']));
  });
});
