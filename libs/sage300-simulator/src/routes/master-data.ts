import { SageError } from '../errors';
import type { Rec, ResourceDef } from '../resources';
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
  if (list.some((r) => def.keys.every((k) => String(r[k]) === String(rec[k]))))
    throw new SageError(
      'RecordDuplicate',
      'An insert request was made with a key value that already exist in the system',
    );
  if (name === 'ICItems' || name === 'ARCustomers') rec.DateLastMaintained = c.today();
  list.push(rec);
  return rec;
}
