import { textOf } from '@connector/simulator-odata';
import { MoneyDecimal } from '@connector/money';
import { SageError } from '../errors';
import { text, type Rec } from '../resources';
import { dec, num, pad, type Company } from '../state';

/**
 * `POST GL/GLJournalBatches`, reference/erp/FACTS.md §2.3 and
 * reference/erp/sage300/payloads/GL/GLJournalBatches.json: entries of at least two details on
 * active accounts (`AccountNumber` unformatted), each entry balanced on the signed `Amount`
 * (+ debit, − credit). Batch, entry and transaction numbers are assigned.
 */
export function insertJournalBatch(c: Company, body: Rec): Rec {
  text(body.Description, 'Description');
  const chart = c.list('GLAccounts');
  const batch = pad(c.next('GLBatch'), 6);
  const headers = ((body.JournalHeaders as Rec[] | undefined) ?? []).map((h, i) => {
    const entry = pad(i + 1, 5);
    text(h.Description, 'Description');
    let sum = new MoneyDecimal(0);
    const home = c.homeCurrency();
    /** source-currency sums per currency: a multicurrency entry balances in each, and in home */
    const sources = new Map<string, MoneyDecimal>();
    const details = ((h.JournalDetails as Rec[] | undefined) ?? []).map((d, j) => {
      const acct = chart.find((a) => a.UnformattedAccount === d.AccountNumber);
      if (!acct) throw new SageError('RecordInvalid', `Account ${String(d.AccountNumber)} does not exist.`);
      if (acct.Status === 'Inactive')
        throw new SageError('RecordInvalid', `Account ${String(d.AccountNumber)} is inactive.`);
      text(d.Description, 'Description');
      text(d.Reference, 'Reference');
      const amount = dec(d.Amount ?? 0, 'Amount');
      sum = sum.plus(amount);
      const source = d.SourceCurrencyAmount !== undefined ? dec(d.SourceCurrencyAmount, 'x') : amount;
      const currency = textOf(d.SourceCurrency ?? home);
      if (d.HomeCurrency !== undefined && d.HomeCurrency !== home)
        throw new SageError(
          'RecordInvalid',
          `The home currency of the company is ${home}, not ${textOf(d.HomeCurrency)}.`,
        );
      let rate = new MoneyDecimal(1);
      if (currency !== home) {
        // a detail in a source currency carries its rate (or the rate table's for its date) and
        // its home amount is the source amount at that rate, to the cent (message texts [?])
        rate =
          d.ConversionRate !== undefined
            ? dec(d.ConversionRate, 'ConversionRate')
            : (c.rate(
                currency,
                textOf(d.RateDate ?? h.DocumentDate ?? c.today()),
                textOf(d.RateType ?? 'SP'),
              ) ?? new MoneyDecimal(0));
        if (rate.lte(0)) throw new SageError('RecordInvalid', `No exchange rate for ${currency} to ${home}.`);
        if (amount.minus(source.times(rate)).abs().gt('0.005'))
          throw new SageError(
            'RecordInvalid',
            `Detail ${j + 1}: home amount ${amount.toFixed()} is not ${source.toFixed()} ${currency} at ${rate.toFixed()}.`,
          );
      } else if (!source.eq(amount))
        throw new SageError('RecordInvalid', `Detail ${j + 1}: a ${home} amount has the same source amount.`);
      sources.set(currency, (sources.get(currency) ?? new MoneyDecimal(0)).plus(source));
      return {
        ...d,
        BatchNumber: batch,
        EntryNumber: entry,
        TransactionNumber: pad((j + 1) * 20, 10),
        Amount: num(amount),
        SourceCurrency: currency,
        HomeCurrency: home,
        ...(currency !== home ? { RateType: d.RateType ?? 'SP', ConversionRate: num(rate) } : {}),
        SourceCurrencyAmount: num(source),
      };
    });
    if (details.length < 2)
      throw new SageError('RecordInvalid', `Entry ${entry} needs at least two details.`);
    // GL batches must balance (signed Amount, + debit, − credit), reference/erp/FACTS.md §2.8 point 3
    if (!sum.isZero())
      throw new SageError('RecordInvalid', `Entry ${entry} is out of balance by ${sum.toFixed()}.`);
    for (const [currency, s] of sources)
      if (currency !== home && !s.isZero())
        throw new SageError(
          'RecordInvalid',
          `Entry ${entry} is out of balance by ${s.toFixed()} ${currency} (source currency).`,
        );
    return {
      ...h,
      BatchNumber: batch,
      EntryNumber: entry,
      SourceLedger: h.SourceLedger ?? 'GL',
      SourceType: h.SourceType ?? 'JE',
      JournalDetails: details,
    };
  });
  if (headers.length === 0) throw new SageError('RecordInvalid', 'The batch has no entries.');
  const rec: Rec = {
    ...body,
    BatchNumber: batch,
    Description: body.Description ?? '',
    Status: 'Open',
    SourceLedger: 'GL',
    DateLastEdited: c.today(),
    JournalHeaders: headers,
  };
  c.list('GLJournalBatches').push(rec);
  return rec;
}
