import { NonRetriableError } from '@connector/core';
import type { CustomerReceipt, JournalEntry, JournalEntryTypes } from '@connector/events';
import { decimal, fromUnscaled, toScale, toUnscaled } from '@connector/money';
import { MARKETPLACES, type SettlementLine } from '@connector/sp-api';
import { isInvoicedLine, type GlRules } from './gl-rules';

type JournalLine = JournalEntryTypes.ConnectorLedger.JournalLine;
const SCALE = 4;
const fmt = (v: bigint) => decimal(fromUnscaled(v, SCALE)).toFixed();

/** marketplace-name (Amazon.de) → marketplace id; lines without one belong to the settlement's main marketplace. */
export function marketplaceIdOf(name: string | null | undefined): string | null {
  if (!name) return null;
  return MARKETPLACES.find((m) => m.domain.toLowerCase() === name.toLowerCase())?.id ?? `NAME:${name}`;
}

export interface Bucket {
  marketplaceId: string | null;
  transactionType: string;
  amountType: string;
  amountDescription: string;
  /** Σ amount, unscaled at 4 decimals */
  total: bigint;
  lines: number;
}

/** The Finances API's component kinds, which settlement lines are compared with per order. */
export type FinancialKind = 'CHARGE' | 'FEE' | 'TAX_WITHHELD' | 'PROMOTION' | 'ADJUSTMENT';

/** amount-type → the kind the Finances API files the same money under (FACTS §5, §7.4). */
export function financialKindOf(amountType: string): FinancialKind {
  switch (amountType.toLowerCase()) {
    case 'itemprice':
      return 'CHARGE';
    case 'itemfees':
      return 'FEE';
    case 'itemwithheldtax':
      return 'TAX_WITHHELD';
    case 'promotion':
      return 'PROMOTION';
    default:
      return 'ADJUSTMENT';
  }
}

/** Per-order sums by financial kind (unscaled at 4 decimals), for the reconciliation against financial events. */
export type OrderTotals = Map<string, Map<FinancialKind, bigint>>;

/** Per-order Σ of the settlement's Refund transaction lines, every amount type (unscaled at 4 decimals): the refund tie-out. */
export type OrderRefunds = Map<string, bigint>;

const isRefund = (transactionType: string) => transactionType.toLowerCase() === 'refund';

/**
 * Folds settlement lines into sums by (marketplace, transaction-type, amount-type,
 * amount-description) and by order: memory grows with the number of distinct keys and orders, not
 * with the number of lines. Chunks can be folded in any order and merged.
 */
export class SettlementAccumulator {
  readonly buckets = new Map<string, Bucket>();

  /** Folds another accumulator (a stored chunk) into this one. */
  merge(other: {
    buckets: Iterable<Bucket>;
    orders: OrderTotals;
    refunds?: OrderRefunds;
    lineCount: number;
  }): void {
    for (const b of other.buckets) {
      const key = `${b.marketplaceId ?? ''}\u0000${b.transactionType}\u0000${b.amountType}\u0000${b.amountDescription}`;
      const mine = this.buckets.get(key);
      if (mine) {
        mine.total += b.total;
        mine.lines += b.lines;
      } else this.buckets.set(key, { ...b });
      this.total += b.total;
    }
    for (const [order, kinds] of other.orders) {
      const mine = this.orders.get(order) ?? new Map<FinancialKind, bigint>();
      for (const [k, v] of kinds) mine.set(k, (mine.get(k) ?? 0n) + v);
      this.orders.set(order, mine);
    }
    for (const [order, v] of other.refunds ?? [])
      this.refunds.set(order, (this.refunds.get(order) ?? 0n) + v);
    this.lineCount += other.lineCount;
  }
  readonly orders: OrderTotals = new Map();
  readonly refunds: OrderRefunds = new Map();
  lineCount = 0;
  total = 0n;

  add(line: SettlementLine): void {
    const marketplaceId = marketplaceIdOf(line.marketplaceName);
    const key = `${marketplaceId ?? ''}\u0000${line.transactionType}\u0000${line.amountType}\u0000${line.amountDescription}`;
    const amount = toUnscaled(line.amount.amount, SCALE);
    const b = this.buckets.get(key);
    if (b) {
      b.total += amount;
      b.lines++;
    } else
      this.buckets.set(key, {
        marketplaceId,
        transactionType: line.transactionType,
        amountType: line.amountType,
        amountDescription: line.amountDescription,
        total: amount,
        lines: 1,
      });
    if (line.orderId) {
      const kind = financialKindOf(line.amountType);
      const byKind = this.orders.get(line.orderId) ?? new Map<FinancialKind, bigint>();
      byKind.set(kind, (byKind.get(kind) ?? 0n) + amount);
      this.orders.set(line.orderId, byKind);
      if (isRefund(line.transactionType))
        this.refunds.set(line.orderId, (this.refunds.get(line.orderId) ?? 0n) + amount);
    }
    this.lineCount++;
    this.total += amount;
  }
}

export interface SettlementHeaderInfo {
  settlementId: string;
  currency: string;
  /** summary total-amount: what the bank receives */
  totalAmount: string;
  /** epoch ms */
  depositDate: number;
  settlementStartDate: number;
  settlementEndDate: number;
  /** marketplace-name of the file when it covers one */
  marketplaceName?: string | null;
}

export interface ReceiptTarget {
  /**
   * marketplace id → the ERP customer standing for Amazon there and its receivable account, when the
   * mapping names one: the journal's payout line goes to that account and a receipt clears it
   */
  receivableFor(marketplaceId: string | null): { customerCode: string; account: string } | undefined;
  /** the bank account the receipt moves the deposit to */
  bankAccount: string;
}

/** How a connection books its settlements (libs/mapping settlementOptionsSchema). */
export interface BuildOptions {
  /**
   * `receivable` (default): where the marketplace's customer has a receivable, the lines the ERP's
   * invoices and credit notes already booked (isInvoicedLine) go to that receivable, so the
   * settlement clears it; `income`: every line on its own account (no invoices in the ERP).
   */
  booking?: 'receivable' | 'income';
  /** false: the invoices carry no sales tax, so the settlement's tax lines do not clear the receivable */
  invoicesCarryTax?: boolean;
  /** home-currency units per settlement-currency unit implied by the recorded deposit (depositRate), or null */
  exchangeRate?: string | null;
}

export interface BuiltJournals {
  journals: JournalEntry[];
  receipts: CustomerReceipt[];
  /** lines booked to suspense: key and amount */
  unmapped: Array<{ key: string; amount: string; lines: number }>;
  /** Σ payout lines (debits to the payout accounts minus credits): the deposit the journals book */
  postedTotal: string;
  expectedDeposit: string;
  difference: string;
  tiesOut: boolean;
}

const DAY = 86_400_000;

/**
 * One balanced journal per settlement, marketplace and currency (FACTS §7): a line per
 * (transaction-type, amount-type, amount-description) on its mapped account — income and
 * released reserves as credits, fees, refunds, promotions and held reserves as debits — and the net
 * on the payout account (a debit; a credit when the settlement is negative). Debits equal credits
 * exactly, and the payout lines of all journals add up to the summary's total.
 *
 * With `receipts` and a receivable mapped for the marketplace's customer, sage-writer has written an
 * invoice per order and a credit note per refund on that customer: the lines those documents booked
 * (isInvoicedLine: Order/Refund item price and promotions) go to the receivable instead of their
 * income and refund accounts (unless `options.booking` is `income`), the payout line goes to the
 * receivable too when the net is positive, and a CustomerReceipt moves the deposit from it to the
 * bank; after invoices, credit notes, journal and receipt the receivable is zero and each sale,
 * refund and fee is booked once (docs/settlement-accounting.md). sage-writer books the receipt as
 * the ERP does (SAP B1 IncomingPayments, Sage 300 AR receipt batch).
 *
 * `options.exchangeRate` (the deposit's rate, depositRate) goes on every journal and receipt with
 * rateSource DEPOSIT; without it they carry null and ERP (the ERP's own rate table).
 */
export function buildSettlementJournals(
  connectionId: string,
  header: SettlementHeaderInfo,
  acc: SettlementAccumulator,
  rules: GlRules,
  receipts?: ReceiptTarget,
  options: BuildOptions = {},
): BuiltJournals {
  const booking = options.booking ?? 'receivable';
  const fx = options.exchangeRate
    ? { exchangeRate: options.exchangeRate, rateSource: 'DEPOSIT' as const }
    : { exchangeRate: null, rateSource: 'ERP' as const };
  const main = marketplaceIdOf(header.marketplaceName) ?? mostFrequentMarketplace(acc);
  const byMarketplace = new Map<string | null, Bucket[]>();
  for (const b of acc.buckets.values()) {
    const mp = b.marketplaceId ?? main;
    byMarketplace.set(mp, [...(byMarketplace.get(mp) ?? []), { ...b, marketplaceId: mp }]);
  }
  const journals: JournalEntry[] = [];
  const receiptsOut: CustomerReceipt[] = [];
  const unmapped: BuiltJournals['unmapped'] = [];
  let posted = 0n;
  const postingDate = Math.floor(header.depositDate / DAY);

  for (const [mp, buckets] of [...byMarketplace.entries()].sort(([a], [b]) =>
    String(a).localeCompare(String(b)),
  )) {
    const lines: JournalLine[] = [];
    let net = 0n;
    const customer = receipts?.receivableFor(mp);
    // the ERP holds the invoices and credit notes: their lines clear the receivable (docs/settlement-accounting.md)
    const clearing = booking === 'receivable' ? customer : undefined;
    buckets.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    for (const b of buckets) {
      net += b.total;
      if (b.total === 0n) continue;
      const r = rules.resolve(b);
      if (r.unmapped) unmapped.push({ key: keyOf(b), amount: fmt(b.total), lines: b.lines });
      const clears =
        clearing && !r.unmapped && isInvoicedLine(b, { invoicesCarryTax: options.invoicesCarryTax });
      lines.push({
        lineNumber: 0,
        account: clears ? clearing.account : r.account,
        // a credit to the seller is a credit on the income/liability side
        debit: b.total < 0n ? fmt(-b.total) : '0',
        credit: b.total > 0n ? fmt(b.total) : '0',
        description: `${b.transactionType} ${b.amountType} ${b.amountDescription}${r.unmapped ? ' (UNMAPPED: suspense)' : ''}${clears ? ` (invoiced: clears ${clearing.customerCode})` : ''}`,
        category: r.category,
        sourceKeys: [keyOf(b)],
        customerCode: clears ? clearing.customerCode : null,
      });
    }
    const receivable = net > 0n ? customer : undefined;
    const payoutAccount = receivable ? receivable.account : rules.payoutFor(mp);
    if (net !== 0n)
      lines.push({
        lineNumber: 0,
        account: payoutAccount,
        debit: net > 0n ? fmt(net) : '0',
        credit: net < 0n ? fmt(-net) : '0',
        description:
          net > 0n
            ? `Amazon payout, settlement ${header.settlementId}`
            : `Amazon charge, settlement ${header.settlementId} (negative)`,
        category: 'PAYOUT',
        sourceKeys: [],
        customerCode: receivable ? receivable.customerCode : null,
      });
    posted += net;
    lines.forEach((l, i) => (l.lineNumber = i + 1));
    const totalDebit = lines.reduce((s, l) => s + toUnscaled(l.debit, SCALE), 0n);
    const totalCredit = lines.reduce((s, l) => s + toUnscaled(l.credit, SCALE), 0n);
    // cannot happen: the payout line is the net of the others; checked because an accountant relies on it
    if (totalDebit !== totalCredit)
      throw new NonRetriableError('JOURNAL_UNBALANCED', `journal for ${mp} does not balance`);
    const journalId = `${header.settlementId}/${mp ?? 'ALL'}/${header.currency}`;
    journals.push({
      eventId: journalId,
      connectionId,
      journalId,
      settlementId: header.settlementId,
      marketplaceId: mp,
      currency: header.currency,
      postingDate,
      reference: `AMZ-SETTLE-${header.settlementId}`,
      memo: `Amazon settlement ${header.settlementId} ${isoDate(header.settlementStartDate)}–${isoDate(header.settlementEndDate)}${mp ? ` ${mp}` : ''}, deposit ${isoDate(header.depositDate)}`,
      lines,
      totalDebit: fmt(totalDebit),
      totalCredit: fmt(totalCredit),
      ...fx,
    });
    if (receivable && receipts)
      receiptsOut.push({
        eventId: journalId,
        connectionId,
        receiptId: journalId,
        settlementId: header.settlementId,
        customerCode: receivable.customerCode,
        amount: { amount: fmt(net), currency: header.currency },
        depositDate: postingDate,
        bankAccount: receipts.bankAccount,
        reference: `AMZ-SETTLE-${header.settlementId}`,
        ...fx,
      });
  }
  const expected = toUnscaled(header.totalAmount, SCALE);
  return {
    journals,
    receipts: receiptsOut,
    unmapped,
    postedTotal: fmt(posted),
    expectedDeposit: fmt(expected),
    difference: fmt(expected - posted),
    tiesOut: expected === posted,
  };
}

const keyOf = (b: Pick<Bucket, 'transactionType' | 'amountType' | 'amountDescription'>) =>
  `${b.transactionType}|${b.amountType}|${b.amountDescription}`;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function mostFrequentMarketplace(acc: SettlementAccumulator): string | null {
  const counts = new Map<string, number>();
  for (const b of acc.buckets.values())
    if (b.marketplaceId) counts.set(b.marketplaceId, (counts.get(b.marketplaceId) ?? 0) + b.lines);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/**
 * The rate the bank deposit implies: home-currency amount received ÷ the settlement's total, to 10
 * decimals, rounded half-even (home-currency units per settlement-currency unit). Null when the
 * settlement is not positive (no deposit to imply a rate).
 */
export function depositRate(homeAmount: string, settlementTotal: string): string | null {
  const total = decimal(settlementTotal);
  const home = decimal(homeAmount);
  if (total.lte(0) || home.lte(0)) return null;
  return toScale(home.div(total), 10);
}
