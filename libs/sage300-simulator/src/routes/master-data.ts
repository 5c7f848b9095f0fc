import { SageError } from '../errors';
import { SAGE300_FIELD_LENGTHS, text, type Rec, type ResourceDef } from '../resources';
import { unformat, type Company } from '../state';

/**
 * `POST` on master data, reference/erp/FACTS.md §2.2 and reference/erp/sage300/payloads/:
 * `AR/ARCustomers`, `GL/GLAccounts` (stored unformatted, the formatted account kept),
 * `IC/ICItems` (`ItemNumber` from `UnformattedItemNumber`), `IC/ICItemPricing` and
 * `OE/OEMiscellaneousCharges`. Every key property is required; a key already taken is
 * RecordDuplicate.
 */
export function insertMasterRecord(c: Company, name: string, def: ResourceDef, body: Rec): Rec {
  const list = c.list(name);
  const rec: Rec = { ...body };
  if (name === 'ICItems' && rec.ItemNumber === undefined) rec.ItemNumber = rec.UnformattedItemNumber;
  if (name === 'GLAccounts' && typeof rec.UnformattedAccount === 'string') {
    rec.FormattedAccount ??= rec.UnformattedAccount;
    rec.UnformattedAccount = unformat(rec.UnformattedAccount);
  }
  for (const k of def.keys)
    if (rec[k] === undefined || rec[k] === '') throw new SageError('InvalidPayload', `${k} is required`);
  if (name === 'ARCustomers') {
    text(rec.CustomerNumber, 'CustomerNumber', SAGE300_FIELD_LENGTHS.CustomerNumber);
    text(rec.CustomerName, 'CustomerName', SAGE300_FIELD_LENGTHS.CustomerName);
    text(rec.ShortName, 'ShortName', SAGE300_FIELD_LENGTHS.ShortName);
    rec.Status ??= 'Active';
    rec.OnHold ??= 'No';
  }
  if (name === 'CSCurrencyRates') {
    // one rate per day: the date part is the key (a time of day is dropped)
    rec.RateDate = `${String(rec.RateDate).slice(0, 10)}T00:00:00Z`;
    rec.RateOperator ??= 'Multiply';
    if (!['Multiply', 'Divide'].includes(String(rec.RateOperator)))
      throw new SageError('InvalidPayload', `RateOperator ${String(rec.RateOperator)} is not valid.`);
  }
  if (list.some((r) => def.keys.every((k) => String(r[k]) === String(rec[k]))))
    throw new SageError(
      'RecordDuplicate',
      'An insert request was made with a key value that already exist in the system',
    );
  if (name === 'ICItems' || name === 'ARCustomers') rec.DateLastMaintained = c.today();
  list.push(rec);
  return rec;
}
