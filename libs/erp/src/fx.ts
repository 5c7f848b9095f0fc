import { NonRetriableError } from '@connector/core';
import { decimal, sumDecimals, toScale } from '@connector/money';
import type { ForeignCurrency, JournalDraft, JournalLineDraft } from './port';

/** A journal line with its amounts in both currencies. */
export interface DualCurrencyLine extends JournalLineDraft {
  /** home-currency debit and credit, rounded to `homeScale` */
  homeDebit: string;
  homeCredit: string;
  /** the line added to balance the home currency: no foreign amount */
  rounding?: true;
}

/**
 * A foreign-currency journal in both currencies, as every multi-currency ERP stores it: each line's
 * home amount is its foreign amount × rate, rounded half-even to the home currency's decimals; the
 * foreign side balances already (the reconciler's journals do), and what the rounding leaves
 * unbalanced on the home side goes to one extra line on `fx.roundingAccount` with a zero foreign
 * amount. The difference is at most half a cent per line; a larger one means a bad rate or an
 * unbalanced draft, and is refused.
 */
export function toHomeCurrency(
  draft: Pick<JournalDraft, 'lines' | 'currency'>,
  fx: ForeignCurrency,
  homeScale = 2,
): DualCurrencyLine[] {
  const rate = decimal(fx.rate);
  if (!rate.isFinite() || rate.lte(0))
    throw new NonRetriableError(
      'FX_RATE_INVALID',
      `exchange rate ${fx.rate} for ${draft.currency} is not a positive number`,
    );
  const lines: DualCurrencyLine[] = draft.lines.map((l) => ({
    ...l,
    homeDebit: toScale(decimal(l.debit).times(rate), homeScale),
    homeCredit: toScale(decimal(l.credit).times(rate), homeScale),
  }));
  const foreign = sumDecimals(draft.lines.map((l) => l.debit)).minus(
    sumDecimals(draft.lines.map((l) => l.credit)),
  );
  if (!foreign.isZero())
    throw new NonRetriableError(
      'JOURNAL_UNBALANCED',
      `journal in ${draft.currency} does not balance (${foreign.toFixed()})`,
    );
  const diff = sumDecimals(lines.map((l) => l.homeDebit)).minus(sumDecimals(lines.map((l) => l.homeCredit)));
  if (diff.isZero()) return lines;
  // half a unit of the last home decimal per line is the most rounding can leave
  const most = decimal('0.5').times(decimal('10').pow(-homeScale)).times(lines.length);
  if (diff.abs().gt(most))
    throw new NonRetriableError(
      'FX_ROUNDING_TOO_LARGE',
      `journal converted at ${fx.rate} is off by ${diff.toFixed()} ${fx.homeCurrency}: more than rounding`,
    );
  lines.push({
    account: fx.roundingAccount,
    debit: '0',
    credit: '0',
    description: `Exchange rounding ${draft.currency}→${fx.homeCurrency} at ${fx.rate}`,
    homeDebit: diff.isNegative() ? diff.abs().toFixed() : '0',
    homeCredit: diff.isPositive() ? diff.toFixed() : '0',
    rounding: true,
  });
  return lines;
}

/** An amount in the home currency at the draft's rate, rounded half-even. */
export function toHome(amount: string, fx: ForeignCurrency, homeScale = 2): string {
  return toScale(decimal(amount).times(decimal(fx.rate)), homeScale);
}
