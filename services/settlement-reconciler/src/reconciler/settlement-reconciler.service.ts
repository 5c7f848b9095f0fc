import { RetriableError, type Clock } from '@connector/core';
import {
  recordKey,
  type FinancialEvent,
  type ReconciliationReport,
  type ReconciliationReportTypes,
  type SettlementReportEvent,
  type SettlementReportEventTypes,
} from '@connector/events';
import type { ConsumedRecord, EventPublisher } from '@connector/kafka';
import type { MappingCache } from '@connector/mapping';
import { decimal, fromUnscaled } from '@connector/money';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { GlRules } from '../journals/gl-rules';
import {
  SettlementAccumulator,
  buildSettlementJournals,
  depositRate,
  type FinancialKind,
  type ReceiptTarget,
} from '../journals/settlement-journal.builder';
import type { ReconcilerStore } from './reconciler.store';

type Closed = SettlementReportEventTypes.ConnectorAmazon.SettlementClosed;
const str = (v: bigint) => decimal(fromUnscaled(v, 4)).toFixed();

export interface OrderDifference {
  orderId: string;
  /** a FinancialKind, or a kind only the financial events carry (e.g. UNKNOWN) */
  kind: string;
  settlement: string;
  financialEvents: string;
}

/**
 * The accounting heart. Settlement chunks are folded and stored as they arrive; the
 * closing record (authoritative) books the whole settlement: balanced journals per marketplace and
 * currency on ledger.journals.v1, payout receipts on ledger.receipts.v1 (ERP-neutral: sage-writer
 * books each as its ERP does, see capabilitiesOf in libs/erp), and a reconciliation — deposit against journals, settlement lines against financial
 * events per order and kind — stored and published on ledger.reconciliations.v1. Financial events
 * are kept as they come (the early view) for that comparison.
 */
export class SettlementReconcilerService {
  constructor(
    private readonly deps: {
      store: ReconcilerStore;
      mapping: MappingCache;
      publisher: EventPublisher;
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
    },
  ) {}

  async onSettlementEvent(record: ConsumedRecord<SettlementReportEvent>): Promise<void> {
    const e = record.value;
    const chunk = e.payload['connector.amazon.SettlementChunk'];
    if (chunk) {
      const acc = new SettlementAccumulator();
      chunk.lines.forEach((l) => acc.add(l));
      await this.deps.store.saveChunk(e.connectionId, e.settlementId, chunk.chunkIndex, {
        buckets: [...acc.buckets.values()],
        orders: acc.orders,
        refunds: acc.refunds,
        lineCount: acc.lineCount,
      });
      return;
    }
    await this.close(e.connectionId, e.settlementId, e.payload['connector.amazon.SettlementClosed']);
  }

  async onFinancialEvent(record: ConsumedRecord<FinancialEvent>): Promise<void> {
    const e = record.value;
    const byKind: Record<string, string> = {};
    for (const c of e.components)
      byKind[c.kind] = decimal(byKind[c.kind] ?? '0')
        .plus(c.amount.amount)
        .toFixed();
    await this.deps.store.saveFinancialEvent(e.connectionId, {
      eventId: e.eventId,
      amazonOrderId: e.amazonOrderId ?? null,
      groupId: e.financialEventGroupId ?? null,
      eventType: e.eventType,
      postedAt: e.postedDate,
      byKind,
      currency: e.total.currency,
    });
  }

  private async close(connectionId: string, settlementId: string, closed: Closed): Promise<void> {
    const { store, mapping, publisher, logger, metrics } = this.deps;
    const chunks = await store.loadChunks(connectionId, settlementId);
    if (chunks.length !== closed.chunkCount)
      throw new RetriableError(
        'SETTLEMENT_INCOMPLETE',
        `settlement ${settlementId}: ${chunks.length} of ${closed.chunkCount} chunks received; replay amazon.settlements.v1 for it`,
      );
    const acc = new SettlementAccumulator();
    for (const c of chunks) acc.merge(c);

    const rules = GlRules.fromMappings(mapping.glAccounts(connectionId));
    // A payout receipt follows where the marketplace's customer names the receivable it clears.
    const receipts: ReceiptTarget = {
      receivableFor: (mp) => {
        const customer = mp ? mapping.findCustomer(connectionId, mp) : undefined;
        return customer?.arAccount
          ? { customerCode: customer.customerCode, account: customer.arAccount }
          : undefined;
      },
      bankAccount: rules.payoutAccount,
    };
    const h = closed.header;
    const options = await store.settlementOptions(connectionId);
    // the deposit's rate, when the connection converts at it and the deposit was recorded; else the ERP's rate table
    const deposit =
      options.fx.rateSource === 'deposit' ? await store.latestDeposit(connectionId, settlementId) : null;
    const exchangeRate = deposit ? depositRate(deposit.homeAmount, h.totalAmount.amount) : null;
    const built = buildSettlementJournals(
      connectionId,
      {
        settlementId,
        currency: h.totalAmount.currency,
        totalAmount: h.totalAmount.amount,
        depositDate: h.depositDate,
        settlementStartDate: h.settlementStartDate,
        settlementEndDate: h.settlementEndDate,
        marketplaceName: h.marketplaceName,
      },
      acc,
      rules,
      receipts,
      { booking: options.settlementBooking, invoicesCarryTax: options.invoicesCarryTax, exchangeRate },
    );

    await publisher.publish(
      'ledger.journals.v1',
      built.journals.map((j) => ({ key: recordKey(connectionId, j.journalId), value: j })),
    );
    if (built.receipts.length)
      await publisher.publish(
        'ledger.receipts.v1',
        built.receipts.map((r) => ({ key: recordKey(connectionId, r.receiptId), value: r })),
      );

    // settlement lines against financial events, per order and kind
    const orderIds = [...acc.orders.keys()];
    const fe = await store.financialTotals(connectionId, orderIds);
    const differences: OrderDifference[] = [];
    const missingInFe: string[] = [];
    for (const [orderId, kinds] of acc.orders) {
      const theirs = fe.get(orderId);
      if (!theirs) {
        missingInFe.push(orderId);
        continue;
      }
      for (const kind of new Set([...kinds.keys(), ...theirs.keys()])) {
        const a = kinds.get(kind as FinancialKind) ?? 0n;
        const b = theirs.get(kind) ?? 0n;
        if (a !== b) differences.push({ orderId, kind, settlement: str(a), financialEvents: str(b) });
      }
    }
    const inSettlement = new Set(orderIds);
    const missingInSettlement = (
      await store.ordersWithEvents(connectionId, h.settlementStartDate, h.settlementEndDate)
    ).filter((o) => !inSettlement.has(o));
    const refunds = await this.refundTieOut(connectionId, acc, h.totalAmount.currency);
    const status: ReconciliationReport['status'] =
      built.tiesOut && closed.tiesOut ? 'TIED_OUT' : 'DIFFERENCE';
    const currency = h.totalAmount.currency;
    const report: ReconciliationReport = {
      eventId: `${settlementId}#reconciliation`,
      connectionId,
      settlementId,
      expectedDeposit: { amount: built.expectedDeposit, currency },
      postedTotal: { amount: built.postedTotal, currency },
      difference: { amount: built.difference, currency },
      status,
      unmappedLines: built.unmapped.reduce((n, u) => n + u.lines, 0),
      ordersMissingInFinancialEvents: missingInFe.sort(),
      ordersMissingInSettlement: missingInSettlement.sort(),
      generatedAt: this.deps.clock.now(),
      refunds,
    };
    await store.saveResult({
      connectionId,
      settlementId,
      marketplaceId: '',
      currency,
      expectedDeposit: built.expectedDeposit,
      postedTotal: built.postedTotal,
      difference: built.difference,
      status,
      report: {
        ...report,
        journals: built.journals.map((j) => ({
          journalId: j.journalId,
          lines: j.lines.length,
          totalDebit: j.totalDebit,
        })),
        receipts: built.receipts.map((r) => ({
          receiptId: r.receiptId,
          amount: r.amount.amount,
          customer: r.customerCode,
        })),
        unmapped: built.unmapped,
        orderDifferences: differences,
        lineCount: acc.lineCount,
        fileTiesOut: closed.tiesOut,
        exchangeRate,
        rateSource: exchangeRate ? 'DEPOSIT' : 'ERP',
        deposit: deposit && {
          homeAmount: deposit.homeAmount,
          homeCurrency: deposit.homeCurrency,
          recordedBy: deposit.recordedBy,
        },
        rawArchiveUri: closed.rawArchiveUri,
      },
    });
    await publisher.publish('ledger.reconciliations.v1', [
      { key: recordKey(connectionId, settlementId), value: report },
    ]);
    metrics?.settlementTieoutDifference.set(
      { settlement_id: settlementId, marketplace: h.marketplaceName ?? 'ALL', currency },
      Number(built.difference),
    );
    const log = {
      connectionId,
      settlementId,
      journals: built.journals.length,
      receipts: built.receipts.length,
      deposit: built.expectedDeposit,
      difference: built.difference,
      unmapped: built.unmapped.length,
      orderDifferences: differences.length,
      ordersMissingInFinancialEvents: missingInFe.length,
      refundsTiedOut: refunds.tiedOut,
      refundOrdersDiffering: refunds.ordersDiffering?.length ?? 0,
      exchangeRate,
    };
    if (status === 'TIED_OUT' && built.unmapped.length === 0)
      logger.info(log, 'settlement booked and tied out');
    else
      logger.warn(log, 'settlement booked with differences or unmapped lines: see the reconciliation report');
  }

  /**
   * The settlement's refunds against the refund financial events, per order: the settlement's
   * Refund lines (every amount type) and the RefundEvents (every kind) of each order it refunds.
   * The financial events are what sage-writer's credit notes are written from, so a tie-out says
   * the settlement's refund lines clear what the credit notes put on the receivable.
   */
  private async refundTieOut(
    connectionId: string,
    acc: SettlementAccumulator,
    currency: string,
  ): Promise<ReconciliationReportTypes.ConnectorLedger.RefundTieOut> {
    const orderIds = [...acc.refunds.keys()].sort();
    const theirs = await this.deps.store.refundTotals(connectionId, orderIds);
    let ours = 0n;
    let fe = 0n;
    const ordersDiffering: ReconciliationReportTypes.ConnectorLedger.RefundDifference[] = [];
    for (const orderId of orderIds) {
      const a = acc.refunds.get(orderId) ?? 0n;
      const b = theirs.get(orderId) ?? 0n;
      ours += a;
      fe += b;
      if (a !== b || !theirs.has(orderId))
        ordersDiffering.push({ orderId, settlement: str(a), financialEvents: str(b) });
    }
    return {
      settlementRefunds: { amount: str(ours), currency },
      financialEventRefunds: { amount: str(fe), currency },
      orders: orderIds.length,
      ordersDiffering,
      tiedOut: ordersDiffering.length === 0,
    };
  }
}
