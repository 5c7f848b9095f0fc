import type { JournalEntry, SettlementReportEvent } from '@connector/events';
import type { LedgerView } from '../ledger/ledger-view';
import type { LedgerRow, ResultRow, SettlementsStore } from './settlements.store';

/** In-memory reconciliation results and ledger rows for unit tests. */
export class FakeSettlementsStore implements SettlementsStore {
  readonly rows: ResultRow[] = [];
  readonly ledger: LedgerRow[] = [];
  readonly chunks: Array<{ connectionId: string; settlementId: string; chunks: number }> = [];

  async results(connectionId?: string): Promise<ResultRow[]> {
    return this.rows.filter((r) => !connectionId || r.connectionId === connectionId);
  }
  async result(connectionId: string, settlementId: string): Promise<ResultRow | undefined> {
    return this.rows.find((r) => r.connectionId === connectionId && r.settlementId === settlementId);
  }
  async waiting(connectionId?: string) {
    return this.chunks.filter(
      (c) =>
        (!connectionId || c.connectionId === connectionId) &&
        !this.rows.some((r) => r.connectionId === c.connectionId && r.settlementId === c.settlementId),
    );
  }
  async postedSettlements(connectionId?: string): Promise<Set<string>> {
    return new Set(
      this.ledger
        .filter(
          (l) =>
            l.documentKind === 'JOURNAL' &&
            ['written', 'confirmed'].includes(l.state) &&
            (!connectionId || l.connectionId === connectionId),
        )
        .map((l) => `${l.connectionId}|${l.naturalKey.split('/')[0]}`),
    );
  }
  async ledgerForSettlement(connectionId: string, settlementId: string): Promise<LedgerRow[]> {
    return this.ledger.filter(
      (l) => l.connectionId === connectionId && l.naturalKey.startsWith(`${settlementId}/`),
    );
  }
}

/** Closing records and journals set by the test. */
export class FakeLedgerView implements LedgerView {
  readonly closed = new Map<string, SettlementReportEvent>();
  readonly journalList: JournalEntry[] = [];
  closing(connectionId: string, settlementId: string): SettlementReportEvent | undefined {
    return this.closed.get(`${connectionId}|${settlementId}`);
  }
  journals(connectionId: string, settlementId: string): JournalEntry[] {
    return this.journalList.filter((j) => j.connectionId === connectionId && j.settlementId === settlementId);
  }
}
