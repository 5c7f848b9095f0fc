import fc from 'fast-check';
import { sumDecimals } from '@connector/money';
import { parseSettlementText, type SettlementLine } from '@connector/sp-api';
import { SpApiSimulator } from '@connector/sp-api-simulator';
import { GlRules, glMappingFileSchema } from '../gl-rules';
import {
  SettlementAccumulator,
  buildSettlementJournals,
  type SettlementHeaderInfo,
} from '../settlement-journal.builder';

const header = (
  total: string,
  currency = 'USD',
  marketplaceName: string | null = 'Amazon.com',
): SettlementHeaderInfo => ({
  settlementId: '1234567890',
  currency,
  totalAmount: total,
  depositDate: Date.UTC(2026, 9, 17, 3),
  settlementStartDate: Date.UTC(2026, 9, 1),
  settlementEndDate: Date.UTC(2026, 9, 15),
  marketplaceName,
});
let n = 0;
const line = (
  transactionType: string,
  amountType: string,
  amountDescription: string,
  amount: string,
  over: Partial<SettlementLine> = {},
): SettlementLine => ({
  lineNumber: ++n,
  transactionType,
  amountType,
  amountDescription,
  amount: { amount, currency: over.amount?.currency ?? 'USD' },
  marketplaceName: 'Amazon.com',
  orderId: null,
  ...over,
});

function build(lines: SettlementLine[], h: SettlementHeaderInfo, rules = new GlRules()) {
  const acc = new SettlementAccumulator();
  lines.forEach((l) => acc.add(l));
  return buildSettlementJournals('c1', h, acc, rules);
}

const debits = (j: { lines: { debit: string }[] }) => sumDecimals(j.lines.map((l) => l.debit));
const credits = (j: { lines: { credit: string }[] }) => sumDecimals(j.lines.map((l) => l.credit));
const lineFor = (
  j: {
    lines: Array<{ category: string; account: string; debit: string; credit: string; description: string }>;
  },
  category: string,
) => j.lines.filter((l) => l.category === category);

describe('settlement journals', () => {
  it('when reserves roll forward, then the held reserve is a debit and the released one a credit on the reserve account, and the payout is the net', () => {
    const r = build(
      [
        line('Order', 'ItemPrice', 'Principal', '100.00', { orderId: 'O1' }),
        line('Order', 'ItemFees', 'Commission', '-15.00', { orderId: 'O1' }),
        line('other-transaction', 'other-transaction', 'Previous Reserve Amount Balance', '40.00'),
        line('other-transaction', 'other-transaction', 'Current Reserve Amount', '-25.00'),
      ],
      header('100.00'),
    );
    const [j] = r.journals;
    expect(lineFor(j, 'RESERVE_RELEASED')).toEqual([
      expect.objectContaining({ account: '1190', credit: '40', debit: '0' }),
    ]);
    expect(lineFor(j, 'RESERVE_HELD')).toEqual([
      expect.objectContaining({ account: '1190', debit: '25', credit: '0' }),
    ]);
    expect(lineFor(j, 'PAYOUT')).toEqual([expect.objectContaining({ account: '1010', debit: '100' })]);
    expect(debits(j).eq(credits(j))).toBe(true);
    expect(r).toMatchObject({ tiesOut: true, postedTotal: '100', difference: '0' });
    expect(j).toMatchObject({
      journalId: '1234567890/ATVPDKIKX0DER/USD',
      postingDate: Math.floor(Date.UTC(2026, 9, 17) / 86_400_000),
      reference: 'AMZ-SETTLE-1234567890',
    });
  });

  it('when a refund carries RefundCommission, then the refund, the refunded commission and the refund fee land on their own accounts', () => {
    const r = build(
      [
        line('Refund', 'ItemPrice', 'Principal', '-20.00', { orderId: 'O2' }),
        line('Refund', 'ItemFees', 'Commission', '3.00', { orderId: 'O2' }),
        line('Refund', 'ItemFees', 'RefundCommission', '-0.60', { orderId: 'O2' }),
      ],
      header('-17.60'),
    );
    const [j] = r.journals;
    expect(lineFor(j, 'REFUND')).toEqual([expect.objectContaining({ account: '4050', debit: '20' })]);
    expect(lineFor(j, 'REFUND_COMMISSION')).toEqual([
      expect.objectContaining({ account: '6110', debit: '0.6' }),
    ]);
    expect(lineFor(j, 'FEE')).toEqual([expect.objectContaining({ account: '6100', credit: '3' })]);
    // a negative settlement: the seller owes Amazon; the payout line is a credit
    expect(lineFor(j, 'PAYOUT')).toEqual([
      expect.objectContaining({ account: '1010', credit: '17.6', debit: '0' }),
    ]);
    expect(r.tiesOut).toBe(true);
  });

  it('when a description is unknown, then it goes to suspense, flagged, and the journal still balances and ties out', () => {
    const r = build(
      [
        line('Order', 'ItemPrice', 'Principal', '10.00'),
        line('other-transaction', 'other-transaction', 'Moon Dust Surcharge', '-1.23'),
      ],
      header('8.77'),
    );
    expect(r.unmapped).toEqual([
      { key: 'other-transaction|other-transaction|Moon Dust Surcharge', amount: '-1.23', lines: 1 },
    ]);
    expect(lineFor(r.journals[0], 'SUSPENSE')).toEqual([
      expect.objectContaining({
        account: '9999',
        debit: '1.23',
        description: expect.stringContaining('UNMAPPED') as unknown,
      }),
    ]);
    expect(r.tiesOut).toBe(true);
  });

  it('when one settlement covers two marketplaces, then there is one journal each, and their payouts add up to the deposit', () => {
    const r = build(
      [
        line('Order', 'ItemPrice', 'Principal', '50.00'),
        line('Order', 'ItemPrice', 'Shipping', '5.00'),
        line('Order', 'ItemPrice', 'Shipping', '0.00'),
        line('Order', 'ItemPrice', 'Principal', '30.00', { marketplaceName: 'Amazon.ca' }),
        line('Order', 'ItemFees', 'Commission', '-4.50', { marketplaceName: 'Amazon.ca' }),
        line('other-transaction', 'other-transaction', 'Subscription Fee', '-39.99', {
          marketplaceName: null,
        }),
      ],
      header('40.51', 'USD', null),
    );
    expect(r.journals.map((j) => j.journalId)).toEqual([
      '1234567890/A2EUQ1WTGCTBG2/USD',
      '1234567890/ATVPDKIKX0DER/USD',
    ]);
    // the account-level fee belongs to the main marketplace (most lines: Amazon.com)
    expect(r.journals.map((j) => lineFor(j, 'PAYOUT')[0])).toEqual([
      expect.objectContaining({ debit: '25.5' }),
      expect.objectContaining({ debit: '15.01' }),
    ]);
    expect(r.tiesOut).toBe(true);
  });

  it("when the company's mapping overrides an account per marketplace, then its rule wins over the default", () => {
    const rules = new GlRules(
      glMappingFileSchema.parse({
        accounts: { payout: '1020-00', suspense: '9990' },
        rules: [
          {
            amountType: 'ItemPrice',
            amountDescription: 'Principal',
            marketplaceId: 'ATVPDKIKX0DER',
            category: 'SALES',
            account: '4000-US',
          },
          { amountType: 'ItemPrice', amountDescription: 'Principal', category: 'SALES', account: '4000-XX' },
        ],
      }),
    );
    const r = build([line('Order', 'ItemPrice', 'Principal', '10.00')], header('10.00'), rules);
    expect(r.journals[0].lines.map((l) => l.account)).toEqual(['4000-US', '1020-00']);
  });

  it("when the simulator's settlements are booked (US, CA, UK and German decimal commas), then every journal balances and ties to the deposit", async () => {
    const sim = new SpApiSimulator({ days: 56, ordersPerDay: 40, now: () => Date.UTC(2026, 10, 24) });
    for (const s of sim.settlements) {
      const { result, lines } = await parseSettlementText(s.text, s.settlementId);
      const r = build(lines, {
        ...result.summary,
        currency: result.summary.totalAmount.currency,
        totalAmount: result.summary.totalAmount.amount,
      });
      expect(r.unmapped).toEqual([]);
      expect(r.tiesOut).toBe(true);
      for (const j of r.journals) expect(debits(j).eq(credits(j))).toBe(true);
    }
  });

  it('property: for any generated settlement, every journal balances exactly and the payouts equal the total', () => {
    const descriptions = [
      ['Order', 'ItemPrice', 'Principal'],
      ['Order', 'ItemPrice', 'Shipping'],
      ['Order', 'ItemPrice', 'Tax'],
      ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal'],
      ['Order', 'Promotion', 'Principal'],
      ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee'],
      ['Refund', 'ItemPrice', 'Principal'],
      ['Refund', 'ItemFees', 'RefundCommission'],
      ['other-transaction', 'other-transaction', 'Current Reserve Amount'],
      ['other-transaction', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE'],
      ['ServiceFee', 'Cost of Advertising', 'TransactionTotalAmount'],
      ['Mystery', 'Unknown', 'Something new'],
    ] as const;
    const arbLine = fc.record({
      kind: fc.integer({ min: 0, max: descriptions.length - 1 }),
      cents: fc.bigInt({ min: -10_000_000n, max: 10_000_000n }),
      market: fc.constantFrom('Amazon.com', 'Amazon.ca', null),
    });
    expect(() =>
      fc.assert(
        fc.property(fc.array(arbLine, { minLength: 1, maxLength: 300 }), (rows) => {
          const lines = rows.map((r) => {
            const [t, a, d] = descriptions[r.kind];
            const neg = r.cents < 0n;
            const abs = neg ? -r.cents : r.cents;
            return line(t, a, d, `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`, {
              marketplaceName: r.market,
            });
          });
          const total = sumDecimals(lines.map((l) => l.amount.amount)).toFixed(2);
          const r = build(lines, header(total, 'USD', null));
          for (const j of r.journals) {
            if (!debits(j).eq(credits(j))) return false;
            if (j.lines.some((l) => sumDecimals([l.debit]).gt(0) && sumDecimals([l.credit]).gt(0)))
              return false;
          }
          return (
            r.tiesOut &&
            sumDecimals(
              r.journals.flatMap((j) =>
                lineFor(j, 'PAYOUT').map((l) => sumDecimals([l.debit]).minus(l.credit).toFixed()),
              ),
            ).toFixed(2) === total
          );
        }),
        { numRuns: 300 },
      ),
    ).not.toThrow();
  });
});
