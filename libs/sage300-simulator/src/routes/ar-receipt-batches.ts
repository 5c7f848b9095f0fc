import { textOf } from '@connector/simulator-odata';
import { SageError } from '../errors';
import { text, type Rec } from '../resources';
import { dec, type Company } from '../state';

const RECEIPT_TYPES = ['Receipt', 'Prepayment', 'UnappliedCash', 'ApplyDocument', 'MiscellaneousReceipt'];

/**
 * `POST AR/ARReceiptAndAdjustmentBatches`, reference/erp/FACTS.md §2.3 and
 * reference/erp/sage300/payloads/AR/ARReceiptAndAdjustmentBatches_*.json: `BatchRecordType` CA
 * (receipts, into a known bank, each amount above zero) or AD (adjustments), entries for active
 * customers. Batch numbers count per record type.
 */
export function insertReceiptBatch(c: Company, body: Rec): Rec {
  const type = body.BatchRecordType;
  if (type !== 'CA' && type !== 'AD')
    throw new SageError(
      'InvalidPayload',
      'BatchRecordType must be specified: CA for receipts, AD for adjustments.',
    );
  text(body.Description, 'Description');
  if (type === 'CA' && !c.codes.banks.has(String(body.BankCode)))
    throw new SageError('RecordInvalid', `Bank ${String(body.BankCode)} does not exist.`);
  const batch = c.next(`ARBatch${type}`);
  const entries = ((body.ReceiptsAdjustments as Rec[] | undefined) ?? []).map((e, i) => {
    c.customer(e.CustomerNumber);
    if (type === 'CA' && !RECEIPT_TYPES.includes(textOf(e.ReceiptTransactionType ?? 'Receipt')))
      throw new SageError(
        'InvalidPayload',
        `ReceiptTransactionType ${String(e.ReceiptTransactionType)} is not valid.`,
      );
    if (type === 'CA' && dec(e.BankReceiptAmount ?? 0, 'BankReceiptAmount').lte(0))
      throw new SageError('RecordInvalid', 'The receipt amount must be greater than zero.');
    return {
      ...e,
      BatchType: type,
      BatchNumber: batch,
      EntryNumber: i + 1,
      AppliedReceiptsAdjustments: ((e.AppliedReceiptsAdjustments as Rec[] | undefined) ?? []).map((a, j) => ({
        ...a,
        BatchType: type,
        BatchNumber: batch,
        EntryNumber: i + 1,
        LineNumber: (j + 1) * 20,
      })),
    };
  });
  if (entries.length === 0) throw new SageError('RecordInvalid', 'The batch has no entries.');
  const rec: Rec = {
    ...body,
    BatchNumber: batch,
    BatchDate: body.BatchDate ?? c.today(),
    Description: body.Description ?? '',
    BatchStatus: 'Open',
    NumberOfEntries: entries.length,
    ReceiptsAdjustments: entries,
  };
  c.list('ARReceiptAndAdjustmentBatches').push(rec);
  return rec;
}
