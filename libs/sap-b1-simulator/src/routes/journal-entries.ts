import { textOf } from '@connector/simulator-odata';
import { validation } from '../errors';
import type { Row } from '../odata';
import { JEL_W, JE_RO, JE_W, NONE, checkProps, listOf } from '../properties';
import { D, N, round2, type SapB1State } from '../state';
import { rateMissing } from './documents';

/**
 * `POST /JournalEntries` (object 30), reference/erp/FACTS.md §1.3: at least two lines on active
 * accounts (or a business partner's control account through ShortName), each a debit or a credit.
 * Debit/Credit are in the local currency; a line that names FCCurrency carries FCDebit/FCCredit in
 * that currency too, and its local amounts, when not sent, are converted at the rate table's rate of
 * the ReferenceDate (refused when it has none). The entry must balance in the local currency, and
 * its foreign lines in their currency (one foreign currency per entry). A line with local amounts
 * only (an exchange-rounding line) belongs to the local balance alone. JdtNum and Number come from
 * the series.
 */
export function createJournalEntry(state: SapB1State, body: unknown): Row {
  const je = checkProps(body, JE_W, JE_RO, 'JournalEntry');
  const lines = listOf(je.JournalEntryLines, 'JournalEntryLines').map((l) =>
    checkProps(l, JEL_W, NONE, 'JournalEntryLine'),
  );
  if (lines.length < 2) throw validation('A journal entry needs at least two rows');
  const refDate = typeof je.ReferenceDate === 'string' ? je.ReferenceDate.slice(0, 10) : state.stamp().date;
  const currencies = new Set(
    lines.filter((l) => l.FCCurrency !== undefined).map((l) => textOf(l.FCCurrency)),
  );
  if (currencies.size > 1) throw validation('A journal entry can hold one foreign currency only');
  let debit = D(0);
  let credit = D(0);
  let fcDebit = D(0);
  let fcCredit = D(0);
  lines.forEach((l, i) => {
    const bp = state.businessPartner(l.ShortName);
    if (l.AccountCode === undefined && bp) l.AccountCode = bp.DebitorAccount;
    if (!state.account(l.AccountCode))
      throw validation(`Invalid account code (${textOf(l.AccountCode ?? '')})`);
    if (l.ShortName !== undefined && !bp && l.ShortName !== l.AccountCode)
      throw validation(`Line ${i}: invalid ShortName (${textOf(l.ShortName)})`);
    if (l.FCCurrency !== undefined) {
      const cur = textOf(l.FCCurrency);
      if (cur === state.localCurrency) throw validation(`Line ${i}: ${cur} is the local currency`);
      const fd = D(l.FCDebit ?? 0);
      const fc = D(l.FCCredit ?? 0);
      if (fd.isNeg() || fc.isNeg()) throw validation(`Line ${i}: negative amount`);
      if (l.Debit === undefined && l.Credit === undefined) {
        const rate = state.rate(cur, refDate);
        if (!rate) throw rateMissing(cur, refDate);
        l.Debit = N(round2(fd.times(rate)));
        l.Credit = N(round2(fc.times(rate)));
      }
      fcDebit = fcDebit.plus(fd);
      fcCredit = fcCredit.plus(fc);
    }
    const d = D(l.Debit ?? 0);
    const c = D(l.Credit ?? 0);
    if (d.isNeg() || c.isNeg()) throw validation(`Line ${i}: negative amount`);
    if (d.isZero() && c.isZero() && D(l.FCDebit ?? 0).isZero() && D(l.FCCredit ?? 0).isZero())
      throw validation(`Line ${i}: enter a debit or a credit amount`);
    debit = debit.plus(d);
    credit = credit.plus(c);
  });
  if (!debit.eq(credit))
    throw validation(`Unbalanced transaction (debit ${debit.toFixed()}, credit ${credit.toFixed()})`);
  if (!fcDebit.eq(fcCredit))
    throw validation(
      `Unbalanced transaction in ${[...currencies][0]} (debit ${fcDebit.toFixed()}, credit ${fcCredit.toFixed()})`,
    );
  const counter = state.counter('JournalEntries');
  const jdtNum = ++counter.entry;
  const { date } = state.stamp();
  const stored: Row = {
    ReferenceDate: date,
    DueDate: je.ReferenceDate ?? date,
    TaxDate: je.ReferenceDate ?? date,
    ...je,
    JdtNum: jdtNum,
    Number: counter.num++,
    JournalEntryLines: lines.map((l, i) => ({
      ...l,
      Line_ID: i,
      ShortName: l.ShortName ?? l.AccountCode,
      Debit: l.Debit ?? N('0'),
      Credit: l.Credit ?? N('0'),
    })),
  };
  state.table('JournalEntries').push(stored);
  return stored;
}
