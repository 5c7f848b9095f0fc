import { decimal } from '@connector/money';
import type { LedgerView } from '../ledger/ledger-view';
import type { ResultRow, SettlementsStore } from './settlements.store';

export type SettlementStatus = 'TIED_OUT' | 'DIFFERENCE' | 'UNMAPPED_LINES' | 'WAITING_FOR_CHUNKS';

export interface SettlementSummary {
  connectionId: string;
  settlementId: string;
  currency: string | null;
  periodStart: number | null;
  periodEnd: number | null;
  depositDate: number | null;
  /** amounts are decimal strings, exact */
  deposit: string | null;
  postedTotal: string | null;
  difference: string | null;
  status: SettlementStatus;
  unmappedLines: number;
  /** journals the ERP has taken (idempotency ledger written/confirmed) */
  postedToErp: boolean;
}

/** Categories that are costs of selling, charged by Amazon: what people compare across settlements. */
export const FEE_CATEGORIES = [
  'FEE',
  'REFUND_COMMISSION',
  'ADVERTISING',
  'PROMOTION',
  'SUSPENSE',
  'OTHER',
] as const;

export function statusOf(r: Pick<ResultRow, 'status' | 'unmapped'>): SettlementStatus {
  if (r.unmapped.length > 0) return 'UNMAPPED_LINES';
  return r.status === 'TIED_OUT' ? 'TIED_OUT' : 'DIFFERENCE';
}

/** Settlements as the accountant reads them: totals from PostgreSQL, periods and journal lines from the topics. */
export class SettlementsService {
  constructor(private readonly deps: { store: SettlementsStore; ledger: LedgerView }) {}

  async list(connectionId?: string): Promise<SettlementSummary[]> {
    const { store, ledger } = this.deps;
    const out: SettlementSummary[] = [];
    const posted = await store.postedSettlements(connectionId);
    for (const r of await store.results(connectionId)) {
      const h = ledger.closing(r.connectionId, r.settlementId)?.payload['connector.amazon.SettlementClosed']
        ?.header;
      out.push({
        connectionId: r.connectionId,
        settlementId: r.settlementId,
        currency: r.currency,
        periodStart: h?.settlementStartDate ?? null,
        periodEnd: h?.settlementEndDate ?? null,
        depositDate: h?.depositDate ?? null,
        deposit: r.expectedDeposit,
        postedTotal: r.postedTotal,
        difference: r.difference,
        status: statusOf(r),
        unmappedLines: r.unmapped.reduce((n, u) => n + u.lines, 0),
        postedToErp: posted.has(`${r.connectionId}|${r.settlementId}`),
      });
    }
    for (const w of await store.waiting(connectionId))
      out.push({
        connectionId: w.connectionId,
        settlementId: w.settlementId,
        currency: null,
        periodStart: null,
        periodEnd: null,
        depositDate: null,
        deposit: null,
        postedTotal: null,
        difference: null,
        status: 'WAITING_FOR_CHUNKS',
        unmappedLines: 0,
        postedToErp: false,
      });
    return out.sort(
      (a, b) =>
        (b.periodEnd ?? Infinity) - (a.periodEnd ?? Infinity) || b.settlementId.localeCompare(a.settlementId),
    );
  }

  async detail(connectionId: string, settlementId: string) {
    const { store, ledger } = this.deps;
    const result = await store.result(connectionId, settlementId);
    const closing = ledger.closing(connectionId, settlementId)?.payload['connector.amazon.SettlementClosed'];
    const erp = await store.ledgerForSettlement(connectionId, settlementId);
    const journals = ledger.journals(connectionId, settlementId).map((j) => ({
      journalId: j.journalId,
      reference: j.reference,
      postingDate: j.postingDate,
      currency: j.currency,
      totalDebit: j.totalDebit,
      totalCredit: j.totalCredit,
      erp: erp.find((e) => e.documentKind === 'JOURNAL' && e.naturalKey === j.journalId) ?? null,
      lines: j.lines.map((l, i) => ({
        lineNumber: l.lineNumber || i + 1,
        account: l.account,
        debit: l.debit,
        credit: l.credit,
        description: l.description,
        category: l.category,
        suspense: l.category === 'SUSPENSE' || l.description.includes('(UNMAPPED'),
      })),
    }));
    return {
      connectionId,
      settlementId,
      status: result ? statusOf(result) : 'WAITING_FOR_CHUNKS',
      deposit: result?.expectedDeposit ?? null,
      postedTotal: result?.postedTotal ?? null,
      difference: result?.difference ?? null,
      currency: result?.currency ?? closing?.header.totalAmount.currency ?? null,
      periodStart: closing?.header.settlementStartDate ?? null,
      periodEnd: closing?.header.settlementEndDate ?? null,
      unmapped: result?.unmapped ?? [],
      journals,
      receipts: erp.filter((e) => e.documentKind === 'RECEIPT'),
    };
  }

  /** Amazon's charges per category for the most recent settlements (exact sums, as strings). */
  async feesByCategory(connectionId: string | undefined, count = 8) {
    const { ledger } = this.deps;
    const recent = (await this.list(connectionId))
      .filter((s) => s.status !== 'WAITING_FOR_CHUNKS')
      .slice(0, count)
      .reverse();
    return recent.map((s) => {
      const sums: Record<string, string> = {};
      for (const j of ledger.journals(s.connectionId, s.settlementId))
        for (const l of j.lines)
          if ((FEE_CATEGORIES as readonly string[]).includes(l.category))
            sums[l.category] = decimal(sums[l.category] ?? '0')
              .plus(l.debit)
              .minus(l.credit)
              .toFixed();
      return {
        connectionId: s.connectionId,
        settlementId: s.settlementId,
        periodEnd: s.periodEnd,
        currency: s.currency,
        fees: sums,
      };
    });
  }
}
