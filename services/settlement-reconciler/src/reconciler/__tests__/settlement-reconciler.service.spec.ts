import { VirtualClock } from '@connector/core';
import type { FinancialEvent, SettlementReportEvent } from '@connector/events';
import { type ConsumedRecord } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { MappingCache } from '@connector/mapping';
import { decimal, sumDecimals } from '@connector/money';
import { silentLogger } from '@connector/observability';
import { parseSettlementText, type SettlementLine } from '@connector/sp-api';
import { SpApiSimulator } from '@connector/sp-api-simulator';
import { financialKindOf } from '../../journals/settlement-journal.builder';
import { FakeReconcilerStore } from '../testing';
import { SettlementReconcilerService } from '../settlement-reconciler.service';

const rec = <T>(value: T): ConsumedRecord<T> => ({
  topic: 't',
  partition: 0,
  offset: '0',
  key: null,
  value,
  headers: {},
  timestamp: '0',
});

/** A simulator settlement as amazon-ingest publishes it: chunks of `size` lines and the closing record. */
async function settlementEvents(
  text: string,
  reportId: string,
  size = 40,
): Promise<{ events: SettlementReportEvent[]; lines: SettlementLine[] }> {
  const { result, lines } = await parseSettlementText(text, reportId);
  const { settlementId, ...header } = {
    ...result.summary,
    marketplaceName: result.marketplaceNames[0] ?? null,
  };
  const events: SettlementReportEvent[] = [];
  for (let i = 0; i * size < lines.length; i++)
    events.push({
      eventId: `${settlementId}#${i}`,
      connectionId: 'c1',
      settlementId,
      payload: {
        'connector.amazon.SettlementChunk': {
          chunkIndex: i,
          header,
          lines: lines.slice(i * size, (i + 1) * size),
        },
      },
    });
  events.push({
    eventId: `${settlementId}#closed`,
    connectionId: 'c1',
    settlementId,
    payload: {
      'connector.amazon.SettlementClosed': {
        chunkCount: events.length,
        lineCount: lines.length,
        header,
        detailTotal: { amount: result.detailTotal, currency: result.summary.totalAmount.currency },
        tiesOut: result.tiesOut,
        rawArchiveUri: 'file:///archive/x.gz',
      },
    },
  });
  return { events, lines };
}

/** Financial events that mirror the settlement's order lines (what the Finances API would say). */
function mirrorEvents(lines: SettlementLine[]): FinancialEvent[] {
  const byOrder = new Map<string, SettlementLine[]>();
  for (const l of lines) if (l.orderId) byOrder.set(l.orderId, [...(byOrder.get(l.orderId) ?? []), l]);
  return [...byOrder].map(([orderId, ls], i) => ({
    eventId: `fe-${i}`,
    connectionId: 'c1',
    eventType: 'ShipmentEvent',
    postedDate: ls[0].postedDate ?? 0,
    amazonOrderId: orderId,
    components: ls.map((l) => ({
      componentType: l.amountDescription,
      kind: financialKindOf(l.amountType),
      amount: l.amount,
    })),
    total: { amount: sumDecimals(ls.map((l) => l.amount.amount)).toFixed(), currency: ls[0].amount.currency },
  }));
}

describe('SettlementReconcilerService', () => {
  const sim = new SpApiSimulator({ days: 56, ordersPerDay: 40, now: () => Date.UTC(2026, 10, 24) });
  const us = sim.settlements.filter((s) => s.currency === 'USD')[1];

  /** `arAccount`: the receivable the marketplace's customer is mapped to (a payout receipt follows), or none */
  function setup(arAccount: string | null) {
    const store = new FakeReconcilerStore();
    const publisher = new FakeEventPublisher();
    const mapping = new MappingCache();
    mapping.apply('mapping.customers.v1', 'c1/ATVPDKIKX0DER', {
      eventId: 'm',
      connectionId: 'c1',
      marketplaceId: 'ATVPDKIKX0DER',
      customerCode: 'AMZ-US',
      currency: 'USD',
      arAccount,
      updatedAt: 0,
    });
    const service = new SettlementReconcilerService({
      store,
      mapping,
      publisher,
      clock: new VirtualClock(Date.UTC(2026, 10, 24)),
      logger: silentLogger(),
    });
    const journals = () => publisher.on('ledger.journals.v1').map((r) => r.value);
    const receipts = () => publisher.on('ledger.receipts.v1').map((r) => r.value);
    const reports = () => publisher.on('ledger.reconciliations.v1').map((r) => r.value);
    return { store, service, journals, receipts, reports, mapping };
  }

  it('when a settlement closes and the financial events agree, then a balanced journal is published and the report says TIED_OUT', async () => {
    const { store, service, journals, receipts, reports } = setup(null);
    const { events, lines } = await settlementEvents(us.text, 'R1');
    for (const fe of mirrorEvents(lines)) await service.onFinancialEvent(rec(fe));
    for (const e of events) await service.onSettlementEvent(rec(e));
    const [j] = journals();
    expect(j.journalId).toBe(`${us.settlementId}/ATVPDKIKX0DER/USD`);
    expect(sumDecimals(j.lines.map((l) => l.debit)).eq(sumDecimals(j.lines.map((l) => l.credit)))).toBe(true);
    expect(receipts()).toEqual([]); // no receivable mapped: the journal books the payout to the payout account
    expect(reports()).toEqual([
      expect.objectContaining({
        status: 'TIED_OUT',
        difference: { amount: '0', currency: 'USD' },
        unmappedLines: 0,
        ordersMissingInFinancialEvents: [],
        ordersMissingInSettlement: [],
      }),
    ]);
    const stored = [...store.results.values()][0];
    expect(stored).toMatchObject({ settlementId: us.settlementId, status: 'TIED_OUT', difference: '0' });
    expect((stored.report as { orderDifferences: unknown[] }).orderDifferences).toEqual([]);
  });

  it('when the marketplace customer has a receivable account, then the invoiced lines and the payout go to it and a receipt moves the payout to the bank', async () => {
    const { service, journals, receipts } = setup('1100');
    for (const e of (await settlementEvents(us.text, 'R1')).events) await service.onSettlementEvent(rec(e));
    const [j] = journals();
    const payout = j.lines.find((l) => l.category === 'PAYOUT')!;
    expect(payout.account).toBe('1100');
    // the invoices and credit notes booked sales and refunds: the settlement clears them from AMZ-US, not again to 4000/4050
    expect(j.lines.filter((l) => l.category === 'SALES' || l.category === 'REFUND')).not.toEqual([]);
    for (const l of j.lines.filter((x) => /^(Order|Refund) (ItemPrice|Promotion) /.test(x.description)))
      expect(l).toMatchObject({ account: '1100', customerCode: 'AMZ-US' });
    expect(j.lines.filter((l) => l.category === 'FEE').every((l) => l.account.startsWith('61'))).toBe(true);
    expect(receipts()).toEqual([
      expect.objectContaining({
        customerCode: 'AMZ-US',
        bankAccount: '1010',
        amount: { amount: payout.debit, currency: 'USD' },
        receiptId: j.journalId,
      }),
    ]);
  });

  it('when financial events disagree with the settlement, then the report lists the order and kind, and orders missing on either side', async () => {
    const { store, service, reports } = setup(null);
    const { events, lines } = await settlementEvents(us.text, 'R1');
    const fes = mirrorEvents(lines);
    const [changed, dropped] = fes;
    changed.components[0] = {
      ...changed.components[0],
      amount: {
        ...changed.components[0].amount,
        amount: sumDecimals([changed.components[0].amount.amount, '0.01']).toFixed(),
      },
    };
    const extra = { ...fes[2], eventId: 'fe-extra', amazonOrderId: '999-0000000-0000000' };
    for (const fe of [changed, ...fes.slice(2), extra]) await service.onFinancialEvent(rec(fe));
    for (const e of events) await service.onSettlementEvent(rec(e));
    const [r] = reports();
    expect(r.status).toBe('TIED_OUT'); // the deposit still ties: the difference is in the early view
    expect(r.ordersMissingInFinancialEvents).toEqual([dropped.amazonOrderId]);
    expect(r.ordersMissingInSettlement).toEqual(['999-0000000-0000000']);
    const report = [...store.results.values()][0].report as {
      orderDifferences: Array<{ orderId: string; kind: string }>;
    };
    expect(report.orderDifferences).toEqual([
      expect.objectContaining({ orderId: changed.amazonOrderId, kind: changed.components[0].kind }),
    ]);
  });

  it("when the connection books settlements as income, then the settlement's sales stay on their account", async () => {
    const { store, service, journals } = setup('1100');
    store.settings.set('c1', { orderToCash: { settlementBooking: 'income' } });
    for (const e of (await settlementEvents(us.text, 'R1')).events) await service.onSettlementEvent(rec(e));
    const [j] = journals();
    expect(j.lines.filter((l) => l.category === 'SALES').map((l) => l.account)).toEqual(['4000']);
  });

  it('when the settlement refunds orders, then the report ties its refund lines out against the refund financial events, order by order', async () => {
    const { store, service, reports } = setup('1100');
    const { events, lines } = await settlementEvents(us.text, 'R1');
    const refundLines = lines.filter((l) => l.transactionType === 'Refund');
    const refunded = [...new Set(refundLines.map((l) => l.orderId!))].sort();
    expect(refunded.length).toBeGreaterThan(1); // the simulator refunds some orders
    // the Finances API's RefundEvents mirror the settlement's Refund lines; one order's is 0.50 short
    const refundEvents = mirrorEvents(refundLines).map((fe) => ({ ...fe, eventType: 'RefundEvent' }));
    const short = refundEvents.find((fe) => fe.amazonOrderId === refunded[0])!;
    short.components[0] = {
      ...short.components[0],
      amount: {
        ...short.components[0].amount,
        amount: sumDecimals([short.components[0].amount.amount, '0.50']).toFixed(),
      },
    };
    const missing = refunded[1];
    for (const fe of [...mirrorEvents(lines.filter((l) => l.transactionType !== 'Refund')), ...refundEvents])
      if (fe.amazonOrderId !== missing || fe.eventType !== 'RefundEvent')
        await service.onFinancialEvent(rec({ ...fe, eventId: `${fe.eventType}-${fe.eventId}` }));
    for (const e of events) await service.onSettlementEvent(rec(e));

    const settlementRefunds = sumDecimals(refundLines.map((l) => l.amount.amount));
    const missingRefund = sumDecimals(
      refundLines.filter((l) => l.orderId === missing).map((l) => l.amount.amount),
    );
    const [r] = reports();
    expect(r.refunds).toEqual({
      settlementRefunds: { amount: settlementRefunds.toFixed(), currency: 'USD' },
      financialEventRefunds: {
        amount: settlementRefunds.minus(missingRefund).plus('0.50').toFixed(),
        currency: 'USD',
      },
      orders: refunded.length,
      ordersDiffering: [
        {
          orderId: refunded[0],
          settlement: sumDecimals(
            refundLines.filter((l) => l.orderId === refunded[0]).map((l) => l.amount.amount),
          ).toFixed(),
          financialEvents: sumDecimals(
            refundLines.filter((l) => l.orderId === refunded[0]).map((l) => l.amount.amount),
          )
            .plus('0.50')
            .toFixed(),
        },
        { orderId: missing, settlement: missingRefund.toFixed(), financialEvents: '0' },
      ],
      tiedOut: false,
    });
    expect(([...store.results.values()][0].report as { refunds: unknown }).refunds).toEqual(r.refunds);
  });

  it('when every refund has its refund financial event, then the refunds tie out', async () => {
    const { service, reports } = setup('1100');
    const { events, lines } = await settlementEvents(us.text, 'R1');
    const refundLines = lines.filter((l) => l.transactionType === 'Refund');
    for (const fe of mirrorEvents(refundLines))
      await service.onFinancialEvent(rec({ ...fe, eventType: 'RefundEvent' }));
    for (const e of events) await service.onSettlementEvent(rec(e));
    expect(reports()[0].refunds).toMatchObject({ ordersDiffering: [], tiedOut: true });
    expect(reports()[0].refunds?.orders).toBeGreaterThan(0);
  });

  it("when the connection's rate source is the deposit and the deposit was recorded, then journals and receipt carry the deposit's rate; without a recorded deposit, null", async () => {
    const { store, service, journals, receipts } = setup('1100');
    store.settings.set('c1', { orderToCash: { fx: { rateSource: 'deposit' } } });
    const { events } = await settlementEvents(us.text, 'R1');
    for (const e of events) await service.onSettlementEvent(rec(e));
    expect(journals()[0]).toMatchObject({ exchangeRate: null, rateSource: 'ERP' });
    const total = events.at(-1)!.payload['connector.amazon.SettlementClosed']!.header.totalAmount.amount;
    await store.recordDeposit({
      connectionId: 'c1',
      settlementId: us.settlementId,
      homeAmount: '1000.00',
      homeCurrency: 'CAD',
      recordedBy: 'ops',
    });
    for (const e of events) await service.onSettlementEvent(rec(e));
    const rate = decimal('1000.00').div(total).toFixed(10);
    expect(journals()[1]).toMatchObject({ exchangeRate: rate, rateSource: 'DEPOSIT' });
    expect(receipts()[1]).toMatchObject({ exchangeRate: rate, rateSource: 'DEPOSIT' });
  });

  it('when a chunk is missing at the close, then the close is retried rather than booked short; chunks delivered twice change nothing', async () => {
    const { service, journals } = setup(null);
    const { events } = await settlementEvents(us.text, 'R1');
    const closed = events.at(-1)!;
    for (const e of events.slice(1, -1)) await service.onSettlementEvent(rec(e));
    await expect(service.onSettlementEvent(rec(closed))).rejects.toMatchObject({
      code: 'SETTLEMENT_INCOMPLETE',
      retriable: true,
    });
    for (const e of events) await service.onSettlementEvent(rec(e));
    for (const e of events) await service.onSettlementEvent(rec(e)); // a replay
    const all = journals();
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual(all[1]); // same id, same content: the writer posts it once
  });
});
