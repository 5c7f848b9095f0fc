import { NonRetriableError, errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { AuditStore } from '@connector/db';
import type { DocumentKind, ErpKind } from '@connector/erp';
import type { CustomerReceipt, ErpWriteResult, JournalEntry } from '@connector/events';
import { recordKey } from '@connector/events';
import type { ConsumedRecord, EventPublisher } from '@connector/kafka';
import { decimal, sumDecimals } from '@connector/money';
import type { ConnectorMetrics } from '@connector/observability';
import type { DocumentWriter, WriteResult } from './document-writer';
import { SERVICE, type ErpResolver } from './order-writer.service';
import { publishWriteResult } from './write-results';
import { fxFor } from '../order-to-cash/fx';
import { DEFAULT_ORDER_TO_CASH, type OrderToCashSettingsOf } from '../order-to-cash/settings';

/**
 * The rate the settlement's deposit implies, when the reconciler put one on the event (an optional
 * `exchangeRate` on JournalEntry/CustomerReceipt, added to schemas/ledger by the reconciler's side of
 * issue 14): read defensively, so events without it still decode and post at the ERP's rate.
 */
const depositRateOf = (v: object): string | null => {
  const rate = (v as { exchangeRate?: unknown }).exchangeRate;
  return typeof rate === 'string' && rate !== '' ? rate : null;
};

/** Avro `date` is days since 1970-01-01. */
const dateOf = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);

/**
 * Posts settlement journals and payout receipts once each, keyed by journal id
 * (`<settlementId>/<marketplace>/<currency>`) and receipt id: ledger first, then the ERP's own
 * lookup, then the insert (DocumentWriter). A journal that does not balance never reaches the ERP.
 */
export class LedgerWriterService {
  constructor(
    private readonly deps: {
      erps: ErpResolver;
      writer: DocumentWriter;
      audit: AuditStore;
      publisher: EventPublisher;
      clock: Clock;
      metrics?: ConnectorMetrics;
      /** the connection's order-to-cash settings (home currency, rate source); without them, no fx */
      settings?: OrderToCashSettingsOf;
    },
  ) {}

  private settingsOf(connectionId: string) {
    return this.deps.settings?.(connectionId) ?? Promise.resolve(DEFAULT_ORDER_TO_CASH);
  }

  async journal(record: ConsumedRecord<JournalEntry>): Promise<void> {
    const j = record.value;
    const debit = sumDecimals(j.lines.map((l) => l.debit));
    const credit = sumDecimals(j.lines.map((l) => l.credit));
    await this.run(record, 'JOURNAL', j.connectionId, j.journalId, async (erp) => {
      if (!debit.eq(credit))
        throw new NonRetriableError(
          'JOURNAL_UNBALANCED',
          `journal ${j.journalId}: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`,
        );
      if (!erp.capabilities.journals)
        throw new NonRetriableError('ERP_UNSUPPORTED', `${erp.capabilities.kind} takes no journals`);
      const fx = await fxFor(
        this.deps.writer.gatedPort(j.connectionId, erp),
        await this.settingsOf(j.connectionId),
        `journal ${j.journalId}`,
        j.currency,
        dateOf(j.postingDate),
        depositRateOf(j),
      );
      return this.deps.writer.ensure(j.connectionId, erp, 'JOURNAL', j.journalId, () =>
        erp.postJournal({
          ...(fx ? { fx } : {}),
          naturalKey: j.journalId,
          postingDate: dateOf(j.postingDate),
          currency: j.currency,
          reference: j.reference,
          memo: j.memo,
          lines: j.lines.map((l) => ({
            account: l.account,
            debit: decimal(l.debit).toFixed(),
            credit: decimal(l.credit).toFixed(),
            description: l.description,
            ...(l.customerCode ? { customerCode: l.customerCode } : {}),
          })),
        }),
      );
    });
  }

  async receipt(record: ConsumedRecord<CustomerReceipt>): Promise<void> {
    const r = record.value;
    await this.run(record, 'RECEIPT', r.connectionId, r.receiptId, async (erp) => {
      if (!erp.capabilities.receipts) return null; // this ERP books the payout in the journal
      const fx = await fxFor(
        this.deps.writer.gatedPort(r.connectionId, erp),
        await this.settingsOf(r.connectionId),
        `receipt ${r.receiptId}`,
        r.amount.currency,
        dateOf(r.depositDate),
        depositRateOf(r),
      );
      return this.deps.writer.ensure(r.connectionId, erp, 'RECEIPT', r.receiptId, () =>
        erp.createReceipt({
          ...(fx ? { fx } : {}),
          naturalKey: r.receiptId,
          customerCode: r.customerCode,
          amount: decimal(r.amount.amount).toFixed(),
          currency: r.amount.currency,
          date: dateOf(r.depositDate),
          bankAccount: r.bankAccount,
          reference: r.reference,
        }),
      );
    });
  }

  private async run(
    record: ConsumedRecord<{ connectionId: string; eventId: string }>,
    kind: DocumentKind,
    connectionId: string,
    naturalKey: string,
    write: (erp: Awaited<ReturnType<ErpResolver['forConnection']>>) => Promise<WriteResult | null>,
  ): Promise<void> {
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    const operation = kind === 'JOURNAL' ? 'POST_JOURNAL' : 'CREATE_RECEIPT';
    const erp = await this.deps.erps.forConnection(connectionId);
    const erpKind: ErpKind = erp.capabilities.kind;
    const base = {
      connectionId,
      service: SERVICE,
      source,
      recordKey: recordKey(connectionId, naturalKey),
      eventId: record.value.eventId,
    };
    try {
      const result = await write(erp);
      if (!result) {
        await this.deps.audit.append({
          ...base,
          stage: 'skipped',
          outcome: `${erpKind} books no ${kind.toLowerCase()}`,
        });
        await this.publish(connectionId, naturalKey, erpKind, operation, 'SKIPPED', source, null, 1);
        return;
      }
      await this.deps.audit.append({
        ...base,
        stage: 'posted',
        payload: record.value,
        erpRequest: { kind, naturalKey },
        erpResponse: result.ref,
        outcome:
          result.outcome === 'CREATED' ? 'created' : `already_exists${result.via ? `:${result.via}` : ''}`,
      });
      await this.publish(
        connectionId,
        naturalKey,
        erpKind,
        operation,
        result.outcome,
        source,
        result.ref.documentNumber,
        result.attempts,
      );
      await this.deps.writer.confirm(connectionId, kind, naturalKey, result.fence);
      this.deps.metrics?.erpWrites.inc({ erp: erpKind, operation, outcome: result.outcome });
    } catch (err) {
      const retriable = isRetriable(err);
      this.deps.metrics?.erpWrites.inc({ erp: erpKind, operation, outcome: retriable ? 'RETRY' : 'FAILED' });
      await this.deps.audit.append({
        ...base,
        stage: retriable ? 'consumed' : 'dead_lettered',
        outcome: retriable ? 'retry' : 'failed',
        error: `${errorCode(err)}: ${errorMessage(err)}`,
      });
      if (!retriable) {
        const attempts = await this.deps.writer.attempts(connectionId, kind, naturalKey);
        await this.publish(
          connectionId,
          naturalKey,
          erpKind,
          operation,
          'FAILED',
          source,
          null,
          attempts,
          err,
        );
      }
      throw err;
    }
  }

  private publish(
    connectionId: string,
    naturalKey: string,
    erpKind: ErpKind,
    operation: ErpWriteResult['operation'],
    outcome: ErpWriteResult['outcome'],
    source: ErpWriteResult['source'],
    documentNumber: string | null,
    attempts: number,
    error?: unknown,
  ) {
    return publishWriteResult(this.deps.publisher, {
      connectionId,
      naturalKey,
      erpKind,
      operation,
      outcome,
      source,
      documentNumber,
      attempts,
      error,
      writtenAt: this.deps.clock.now(),
    });
  }
}
