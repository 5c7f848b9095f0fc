import avro from 'avsc';
import { avroTypeOptions } from '../avro-decimal.type';
import {
  JournalEntrySchema,
  SettlementReportEventSchema,
  TOPIC_CATALOGUE,
  parseRecordKey,
  recordKey,
  type JournalEntry,
  type SettlementReportEvent,
} from '@connector/events';

const typeOf = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, avroTypeOptions());

describe('event catalogue', () => {
  it('when every topic schema is built with the same options factory, then none collides with another', () => {
    const types = TOPIC_CATALOGUE.map((t) => typeOf(t.schema));
    expect(types).toHaveLength(TOPIC_CATALOGUE.length);
    expect(new Set(TOPIC_CATALOGUE.map((t) => t.topic)).size).toBe(TOPIC_CATALOGUE.length);
  });

  it('when topics are listed, then mapping topics and state snapshots are compacted and consumed topics have dead-letter topics', () => {
    // erp.item-changes.v1 carries the latest state of each item (a snapshot), like the mappings
    const compacted = (topic: string) => topic.startsWith('mapping.') || topic === 'erp.item-changes.v1';
    for (const t of TOPIC_CATALOGUE) {
      expect(t.cleanupPolicy).toBe(compacted(t.topic) ? 'compact' : 'delete');
      expect(t.topic).toMatch(/^[a-z]+\.[a-z-]+\.v\d+$/);
    }
    expect(TOPIC_CATALOGUE.filter((t) => t.dlq).map((t) => t.topic)).toEqual(
      expect.arrayContaining([
        'amazon.orders.v1',
        'amazon.settlements.v1',
        'ledger.journals.v1',
        'erp.item-changes.v1',
      ]),
    );
  });

  it('when a settlement chunk and its closing record are encoded, then they decode to the same union members exactly', () => {
    const type = typeOf(SettlementReportEventSchema);
    const header = {
      reportId: '50001018000',
      settlementStartDate: Date.UTC(2026, 9, 1),
      settlementEndDate: Date.UTC(2026, 9, 15),
      depositDate: Date.UTC(2026, 9, 17),
      totalAmount: { amount: '-12.3400', currency: 'EUR' },
    };
    const chunk: SettlementReportEvent = {
      eventId: '123#0',
      connectionId: 'c1',
      settlementId: '123',
      payload: {
        'connector.amazon.SettlementChunk': {
          chunkIndex: 0,
          header,
          lines: [
            {
              lineNumber: 3,
              transactionType: 'Order',
              amountType: 'ItemPrice',
              amountDescription: 'Principal',
              amount: { amount: '95.0000', currency: 'EUR' },
            },
          ],
        },
      },
    };
    const closed: SettlementReportEvent = {
      eventId: '123#closed',
      connectionId: 'c1',
      settlementId: '123',
      payload: {
        'connector.amazon.SettlementClosed': {
          chunkCount: 1,
          lineCount: 1,
          header,
          detailTotal: { amount: '95.0000', currency: 'EUR' },
          tiesOut: false,
          rawArchiveUri: 'file:///archive/123.tsv.gz',
        },
      },
    };
    const back = [chunk, closed].map((e) => type.fromBuffer(type.toBuffer(e)) as SettlementReportEvent);
    expect(back[0].payload['connector.amazon.SettlementChunk']?.lines[0]).toMatchObject({
      amount: { amount: '95.0000' },
      orderId: null,
    });
    expect(back[1].payload['connector.amazon.SettlementClosed']?.header.totalAmount.amount).toBe('-12.3400');
  });

  it('when a journal is encoded, then debits and credits keep every digit', () => {
    const type = typeOf(JournalEntrySchema);
    const journal: JournalEntry = {
      eventId: 'j',
      connectionId: 'c1',
      journalId: '123/ATVPDKIKX0DER/USD',
      settlementId: '123',
      currency: 'USD',
      postingDate: 20_750,
      reference: 'AMZ-SETTLE-123',
      memo: 'Amazon settlement 123',
      lines: [
        {
          lineNumber: 1,
          account: '1010-000',
          debit: '1000.0100',
          credit: '0',
          description: 'payout',
          category: 'PAYOUT',
        },
        {
          lineNumber: 2,
          account: '4000-100-US',
          debit: '0',
          credit: '1000.0100',
          description: 'sales',
          category: 'SALES',
        },
      ],
      totalDebit: '1000.01',
      totalCredit: '1000.01',
    };
    const back = type.fromBuffer(type.toBuffer(journal)) as JournalEntry;
    expect(back.lines.map((l) => [l.debit, l.credit])).toEqual([
      ['1000.0100', '0.0000'],
      ['0.0000', '1000.0100'],
    ]);
    expect(back.lines[0].sourceKeys).toEqual([]);
  });

  it('when a record key is built and parsed, then the connection and natural key come back', () => {
    expect(parseRecordKey(recordKey('conn-1', '111-2222222-3333333'))).toEqual({
      connectionId: 'conn-1',
      naturalKey: '111-2222222-3333333',
    });
    expect(() => parseRecordKey('no-slash')).toThrow(/not <connectionId>\/<naturalKey>/);
  });
});
