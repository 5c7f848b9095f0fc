import { VirtualClock } from '@connector/core';
import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import { type JournalDraft } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import type { CustomerReceipt, JournalEntry } from '@connector/events';
import { type ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { DocumentWriter } from '../document-writer';
import { LedgerWriterService } from '../ledger-writer.service';

const rec = <T>(value: T): ConsumedRecord<T> => ({
  topic: 't',
  partition: 0,
  offset: '7',
  key: null,
  value,
  headers: {},
  timestamp: '0',
});

const journal = (credit = '100.0000'): JournalEntry => ({
  eventId: '123/ATVPDKIKX0DER/USD',
  connectionId: 'c1',
  journalId: '123/ATVPDKIKX0DER/USD',
  settlementId: '123',
  marketplaceId: 'ATVPDKIKX0DER',
  currency: 'USD',
  postingDate: 20_400, // days since 1970-01-01: 2025-11-08
  reference: 'AMZ-SETTLE-123',
  memo: 'Amazon settlement 123',
  lines: [
    {
      lineNumber: 1,
      account: '1010',
      debit: '100.0000',
      credit: '0',
      description: 'payout',
      category: 'PAYOUT',
    },
    { lineNumber: 2, account: '4000', debit: '0', credit, description: 'sales', category: 'SALES' },
  ],
  totalDebit: '100.0000',
  totalCredit: credit,
});

describe('LedgerWriterService', () => {
  const setup = (receipts = true) => {
    const erp = new FakeErp({ ...new FakeErp().capabilities, receipts });
    const publisher = new FakeEventPublisher();
    const service = new LedgerWriterService({
      erps: { forConnection: async () => erp },
      writer: new DocumentWriter(new FakeIdempotencyLedger()),
      audit: new FakeAuditStore(),
      publisher,
      clock: new VirtualClock(0),
    });
    const outcomes = () => publisher.on('erp.write-results.v1').map((r) => r.value.outcome);
    return { erp, service, outcomes };
  };

  it('when a balanced journal arrives twice, then it is posted once with its posting date and lines', async () => {
    const { erp, service, outcomes } = setup();
    await service.journal(rec(journal()));
    await service.journal(rec(journal()));
    expect(erp.of('JOURNAL')).toHaveLength(1);
    expect(erp.of('JOURNAL')[0].draft as JournalDraft).toMatchObject({
      postingDate: '2025-11-08',
      lines: [
        { account: '1010', debit: '100' },
        { account: '4000', credit: '100' },
      ],
    });
    expect(outcomes()).toEqual(['CREATED', 'ALREADY_EXISTS']);
  });

  it('when a journal does not balance, then it never reaches the ERP and fails for the DLQ', async () => {
    const { erp, service, outcomes } = setup();
    await expect(service.journal(rec(journal('99.9900')))).rejects.toMatchObject({
      code: 'JOURNAL_UNBALANCED',
      retriable: false,
    });
    expect(erp.calls).toEqual([]);
    expect(outcomes()).toEqual(['FAILED']);
  });

  it('when the ERP books payouts as receipts, then one is created; when it does not, the receipt is skipped and said so', async () => {
    const receipt: CustomerReceipt = {
      eventId: 'r',
      connectionId: 'c1',
      receiptId: '123/ATVPDKIKX0DER/USD',
      settlementId: '123',
      customerCode: 'AMZ-US',
      amount: { amount: '100.0000', currency: 'USD' },
      depositDate: 20_400,
      bankAccount: '1010',
      reference: 'AMZ-SETTLE-123',
    };
    const withReceipts = setup(true);
    await withReceipts.service.receipt(rec(receipt));
    expect(withReceipts.erp.of('RECEIPT')).toHaveLength(1);
    const without = setup(false);
    await without.service.receipt(rec(receipt));
    expect(without.erp.documents).toHaveLength(0);
    expect(without.outcomes()).toEqual(['SKIPPED']);
  });
});
