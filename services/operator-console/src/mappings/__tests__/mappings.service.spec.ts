import type { SettlementReportEvent } from '@connector/events';
import { FakeAuditStore } from '@connector/db/testing';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import type { ConsoleUser } from '../../auth/auth.store';
import { ConsoleAudit } from '../../auth/console-audit';
import { ConflictError, InvalidRequestError } from '../../auth/errors';
import { FakeLedgerView, FakeSettlementsStore } from '../../settlements/testing';
import { MappingsService } from '../mappings.service';
import { MappingsView } from '../mappings-view';

const ann: ConsoleUser = { id: '7', email: 'ann@example.com', role: 'accountant', enabled: true };
const unmapped = {
  key: 'other-transaction|Subscription Fee|Monatliche Grundgebühr',
  amount: '-39.0000',
  lines: 1,
};

function closing(settlementId: string): SettlementReportEvent {
  const header = {
    reportId: 'R',
    settlementStartDate: 0,
    settlementEndDate: 1,
    depositDate: 2,
    totalAmount: { amount: '100.0000', currency: 'EUR' },
    marketplaceName: 'Amazon.de',
  };
  return {
    eventId: `${settlementId}#closed`,
    connectionId: 'c1',
    settlementId,
    payload: {
      'connector.amazon.SettlementClosed': {
        chunkCount: 1,
        lineCount: 3,
        header,
        detailTotal: header.totalAmount,
        tiesOut: true,
        rawArchiveUri: 'file:///x',
      },
    },
  };
}

describe('MappingsService', () => {
  let store: FakeSettlementsStore;
  let ledger: FakeLedgerView;
  let publisher: FakeEventPublisher;
  let auditTrail: FakeAuditStore;
  let service: MappingsService;

  beforeEach(() => {
    store = new FakeSettlementsStore();
    ledger = new FakeLedgerView();
    publisher = new FakeEventPublisher();
    auditTrail = new FakeAuditStore();
    service = new MappingsService({
      store,
      ledger,
      mappings: new MappingsView(),
      publisher,
      audit: new ConsoleAudit(auditTrail),
      logger: silentLogger(),
      settleMs: 0,
      readBackMs: 0,
    });
    for (const sid of ['100', '200'])
      store.rows.push({
        connectionId: 'c1',
        settlementId: sid,
        currency: 'EUR',
        expectedDeposit: '100.0000',
        postedTotal: '100.0000',
        difference: '0.0000',
        status: 'TIED_OUT',
        unmapped: [unmapped],
        generatedAt: new Date(),
      });
    ledger.closed.set('c1|100', closing('100'));
    ledger.closed.set('c1|200', closing('200'));
    // settlement 200 is already in the ERP
    store.ledger.push({
      connectionId: 'c1',
      documentKind: 'JOURNAL',
      naturalKey: '200/A1PA6795UKMFR9/EUR',
      state: 'confirmed',
      erpDocumentNumber: 'JE-9',
      lastError: null,
      updatedAt: new Date(),
    });
  });

  it('when unmapped lines are listed, then one line per key sums the settlements exactly', async () => {
    expect(await service.unmapped()).toEqual([
      {
        connectionId: 'c1',
        transactionType: 'other-transaction',
        amountType: 'Subscription Fee',
        amountDescription: 'Monatliche Grundgebühr',
        marketplaces: [],
        amounts: { EUR: '-78' },
        lines: 2,
        settlements: ['100', '200'],
      },
    ]);
  });

  it('when an account is chosen, then the mapping is published as the mapping CLI does, audited, and only the unposted settlement re-runs', async () => {
    const r = await service.mapGlLine(ann, {
      connectionId: 'c1',
      transactionType: 'other-transaction',
      amountType: 'Subscription Fee',
      amountDescription: 'Monatliche Grundgebühr',
      account: '6200',
      category: 'FEE',
    });
    expect(r.rerun).toEqual(['100']);
    expect(r.skipped).toEqual([{ settlementId: '200', reason: expect.stringContaining('JE-9') as unknown }]);
    expect(publisher.on('mapping.gl-accounts.v1').map(({ key, value }) => ({ key, value }))).toEqual([
      {
        key: 'c1/other-transaction|Subscription Fee|Monatliche Grundgebühr|*',
        value: expect.objectContaining({ account: '6200', category: 'FEE', connectionId: 'c1' }) as unknown,
      },
    ]);
    expect(publisher.on('amazon.settlements.v1').map(({ key, value }) => ({ key, value }))).toEqual([
      { key: 'c1/100', value: closing('100') },
    ]);
    expect(auditTrail.records.map((a) => [a.service, a.stage, a.outcome, a.recordKey])).toEqual([
      [
        'operator-console',
        'mapped',
        'map-gl-account',
        'c1/other-transaction|Subscription Fee|Monatliche Grundgebühr|*',
      ],
      ['operator-console', 'produced', 'rerun-settlement', 'c1/100'],
    ]);
    expect(auditTrail.records[0].payload).toMatchObject({
      by: { userId: '7', email: 'ann@example.com', role: 'accountant' },
    });
  });

  it('when a posted settlement is re-run, then it is refused with what the ERP holds', async () => {
    await expect(service.rerun(ann, 'c1', '200')).rejects.toBeInstanceOf(ConflictError);
    expect(publisher.published).toEqual([]);
  });

  it('when a CSV import has an invalid row, then nothing is published and the problem is named', async () => {
    await expect(
      service.importCsv(ann, 'glAccounts', 'c1', 'amountType,account\nItemFees,\n'),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    expect(publisher.published).toEqual([]);
    const ok = await service.importCsv(ann, 'skus', 'c1', 'sellerSku,itemCode,unitsPerSku\nS-1,ITEM-1,2\n');
    expect(ok).toEqual({ published: 1 });
    expect(publisher.on('mapping.skus.v1')[0].value).toMatchObject({
      sellerSku: 'S-1',
      itemCode: 'ITEM-1',
      unitsPerSku: 2,
    });
  });
});
