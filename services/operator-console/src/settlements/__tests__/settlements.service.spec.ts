import type { JournalEntry } from '@connector/events';
import { SettlementsService } from '../settlements.service';
import { FakeLedgerView, FakeSettlementsStore } from '../testing';

describe('SettlementsService', () => {
  it('when settlements are listed, then status says tied out, difference, unmapped lines or waiting for chunks', async () => {
    const store = new FakeSettlementsStore();
    const base = {
      connectionId: 'c1',
      currency: 'USD',
      expectedDeposit: '10',
      postedTotal: '10',
      difference: '0',
      generatedAt: new Date(),
    };
    store.rows.push(
      { ...base, settlementId: '1', status: 'TIED_OUT', unmapped: [] },
      { ...base, settlementId: '2', status: 'DIFFERENCE', unmapped: [], difference: '0.01' },
      {
        ...base,
        settlementId: '3',
        status: 'TIED_OUT',
        unmapped: [{ key: 'a|b|c', amount: '-1', lines: 4 }],
      },
    );
    store.chunks.push({ connectionId: 'c1', settlementId: '4', chunks: 2 });
    const list = await new SettlementsService({ store, ledger: new FakeLedgerView() }).list();
    expect(Object.fromEntries(list.map((s) => [s.settlementId, [s.status, s.unmappedLines]]))).toEqual({
      '1': ['TIED_OUT', 0],
      '2': ['DIFFERENCE', 0],
      '3': ['UNMAPPED_LINES', 4],
      '4': ['WAITING_FOR_CHUNKS', 0],
    });
  });

  it('when fees are charted, then each category is summed exactly (debit − credit) per settlement', async () => {
    const store = new FakeSettlementsStore();
    const ledger = new FakeLedgerView();
    store.rows.push({
      connectionId: 'c1',
      settlementId: '1',
      currency: 'USD',
      expectedDeposit: '1',
      postedTotal: '1',
      difference: '0',
      status: 'TIED_OUT',
      unmapped: [],
      generatedAt: new Date(),
    });
    const line = (category: string, debit: string, credit = '0') => ({
      lineNumber: 1,
      account: 'x',
      debit,
      credit,
      description: '',
      category,
      sourceKeys: [],
    });
    ledger.journalList.push({
      connectionId: 'c1',
      settlementId: '1',
      journalId: '1/ALL/USD',
      lines: [
        line('FEE', '0.1'),
        line('FEE', '0.2'),
        line('SALES', '0', '5'),
        line('ADVERTISING', '1.05', '0.05'),
      ],
    } as unknown as JournalEntry);
    const fees = await new SettlementsService({ store, ledger }).feesByCategory(undefined);
    expect(fees[0].fees).toEqual({ FEE: '0.3', ADVERTISING: '1' });
  });
});
