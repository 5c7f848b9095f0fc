import type { JournalEntry, SettlementReportEvent, SettlementReportEventTypes } from '@connector/events';
import type { FollowedRecord } from './topic-follower';

export type SettlementClosed = SettlementReportEventTypes.ConnectorAmazon.SettlementClosed;
export type SettlementHeader = SettlementReportEventTypes.ConnectorAmazon.SettlementHeader;

/**
 * What the console knows of settlements from the topics (PostgreSQL keeps only totals): each
 * settlement's closing record (its period and the record the reconciler books on) and the latest
 * journals published for it.
 */
export interface LedgerView {
  closing(connectionId: string, settlementId: string): SettlementReportEvent | undefined;
  journals(connectionId: string, settlementId: string): JournalEntry[];
}

/** Folds amazon.settlements.v1 (closing records only) and ledger.journals.v1 (latest per journal id). */
export class InMemoryLedgerView implements LedgerView {
  private readonly closed = new Map<string, SettlementReportEvent>();
  private readonly byJournal = new Map<string, JournalEntry>();

  apply(r: FollowedRecord): void {
    if (r.topic === 'amazon.settlements.v1') {
      const e = r.value as SettlementReportEvent | null;
      if (e?.payload['connector.amazon.SettlementClosed'])
        this.closed.set(`${e.connectionId}|${e.settlementId}`, e);
    } else if (r.topic === 'ledger.journals.v1') {
      const j = r.value as JournalEntry | null;
      if (j) this.byJournal.set(`${j.connectionId}|${j.journalId}`, j);
    }
  }

  closing(connectionId: string, settlementId: string): SettlementReportEvent | undefined {
    return this.closed.get(`${connectionId}|${settlementId}`);
  }

  journals(connectionId: string, settlementId: string): JournalEntry[] {
    return [...this.byJournal.values()].filter(
      (j) => j.connectionId === connectionId && j.settlementId === settlementId,
    );
  }
}
