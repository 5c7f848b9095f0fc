import { textOf } from '@connector/simulator-odata';
import { validation } from '../errors';
import type { Row } from '../odata';
import { JEL_W, JE_RO, JE_W, NONE, checkProps, listOf } from '../properties';
import { D, N, type SapB1State } from '../state';

/**
 * `POST /JournalEntries` (object 30), reference/erp/FACTS.md §1.3: at least two lines on active
 * accounts (or a business partner's control account through ShortName), each a debit or a credit,
 * balanced in local or, when any line names FCCurrency, in foreign currency. JdtNum and Number
 * come from the series.
 */
export function createJournalEntry(state: SapB1State, body: unknown): Row {
  const je = checkProps(body, JE_W, JE_RO, 'JournalEntry');
  const lines = listOf(je.JournalEntryLines, 'JournalEntryLines').map((l) =>
    checkProps(l, JEL_W, NONE, 'JournalEntryLine'),
  );
  if (lines.length < 2) throw validation('A journal entry needs at least two rows');
  const fc = lines.some((l) => l.FCCurrency !== undefined);
  let debit = D(0);
  let credit = D(0);
  lines.forEach((l, i) => {
    const bp = state.businessPartner(l.ShortName);
    if (l.AccountCode === undefined && bp) l.AccountCode = bp.DebitorAccount;
    if (!state.account(l.AccountCode))
      throw validation(`Invalid account code (${textOf(l.AccountCode ?? '')})`);
    if (l.ShortName !== undefined && !bp && l.ShortName !== l.AccountCode)
      throw validation(`Line ${i}: invalid ShortName (${textOf(l.ShortName)})`);
    const d = D(fc ? l.FCDebit : l.Debit);
    const c = D(fc ? l.FCCredit : l.Credit);
    if (d.isNeg() || c.isNeg()) throw validation(`Line ${i}: negative amount`);
    if (d.isZero() && c.isZero()) throw validation(`Line ${i}: enter a debit or a credit amount`);
    debit = debit.plus(d);
    credit = credit.plus(c);
  });
  if (!debit.eq(credit))
    throw validation(`Unbalanced transaction (debit ${debit.toFixed()}, credit ${credit.toFixed()})`);
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
