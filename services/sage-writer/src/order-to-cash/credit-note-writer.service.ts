import { NonRetriableError, errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { AuditStore } from '@connector/db';
import type { ErpDocumentRef, ErpPort } from '@connector/erp';
import { recordKey, type AmazonOrder, type FinancialEvent } from '@connector/events';
import type { ConsumedRecord, EventPublisher } from '@connector/kafka';
import type { MappingLookup } from '@connector/mapping';
import type { ConnectorMetrics } from '@connector/observability';
import type { DocumentWriter, WriteResult } from '../writer/document-writer';
import { SERVICE, type ErpResolver, type Source } from '../writer/order-writer.service';
import { publishWriteResult } from '../writer/write-results';
import { creditNoteTotal, refundKey, refundToDraft } from './credit-note-draft.mapper';
import type { CustomerResolver } from './customers';
import { fxFor } from './fx';
import type { ParkedRefundStore } from './parked-refunds.store';
import type { OrderToCashSettingsOf } from './settings';

/** A refund is written, or parked until its order's invoice is. */
export type RefundOutcome = 'written' | 'parked' | 'ignored';

/**
 * Amazon refunds (RefundEvent on amazon.financial-events.v1) → ERP credit notes, each exactly once
 * (docs/order-to-cash.md, "Refunds"): the DocumentWriter ledger (kind CREDIT_NOTE, natural key
 * `<amazonOrderId>/R<hash>`) with the ERP's natural-key check when in doubt; every step audited, an
 * erp.write-results.v1 result with operation CREATE_CREDIT_NOTE. The base invoice comes from the
 * ledger or the ERP; a refund whose invoice is not written yet is parked (parked_refunds) and
 * written by the order writer right after that invoice (`drain`), so it neither blocks the
 * partition nor is lost. Other financial events are not sage-writer's: they are ignored.
 */
export class CreditNoteWriterService {
  constructor(
    private readonly deps: {
      erps: ErpResolver;
      mapping: MappingLookup;
      writer: DocumentWriter;
      audit: AuditStore;
      publisher: EventPublisher;
      clock: Clock;
      settings: OrderToCashSettingsOf;
      customers: CustomerResolver;
      parked: ParkedRefundStore;
      /** the versions of an order sage-writer took in, oldest first (the order inbox) */
      orderVersions: (connectionId: string, amazonOrderId: string) => Promise<AmazonOrder[]>;
      metrics?: ConnectorMetrics;
    },
  ) {}

  async handle(record: ConsumedRecord<FinancialEvent>): Promise<RefundOutcome> {
    const source: Source = { topic: record.topic, partition: record.partition, offset: record.offset };
    return this.refund(record.value, source);
  }

  /** Writes the refunds parked for an order whose invoice has just been written; returns how many. */
  async drain(connectionId: string, amazonOrderId: string): Promise<number> {
    let n = 0;
    for (const p of await this.deps.parked.of(connectionId, amazonOrderId)) {
      if ((await this.refund(p.event, p.source, true)) === 'written') n++;
      await this.deps.parked.remove(connectionId, p.event.eventId);
    }
    return n;
  }

  private async refund(ev: FinancialEvent, source: Source, fromPark = false): Promise<RefundOutcome> {
    if (ev.eventType !== 'RefundEvent' || !ev.amazonOrderId) return 'ignored';
    const orderId = ev.amazonOrderId;
    const key = refundKey(orderId, ev.eventId);
    const erp = await this.deps.erps.forConnection(ev.connectionId);
    // the calls around the credit note, each in one of the connection's slots (ensure takes its own)
    const calls = this.deps.writer.gatedPort(ev.connectionId, erp);
    try {
      if (erp.capabilities.creditNotes === 'none')
        throw new NonRetriableError(
          'ERP_UNSUPPORTED',
          `order ${orderId} was refunded ${ev.total.amount} ${ev.total.currency} on Amazon (refund ${key}), but the ${erp.capabilities.kind} connector writes no credit notes: enter the credit note against the order's invoice by hand`,
        );
      const settings = await this.deps.settings(ev.connectionId);
      const versions = await this.deps.orderVersions(ev.connectionId, orderId);
      const order = versions[versions.length - 1];
      const marketplaceId = ev.marketplaceId ?? order?.marketplaceId;
      if (!marketplaceId)
        throw new NonRetriableError(
          'REFUND_WITHOUT_MARKETPLACE',
          `refund ${ev.eventId} of order ${orderId} names no marketplace, and the order was never taken in`,
        );
      const marketplace = this.deps.mapping.customer(ev.connectionId, marketplaceId);
      const customerCode = order
        ? await this.deps.customers.customerFor(order, calls, settings, marketplace)
        : marketplace.customerCode;
      const returnToStock = settings.returnsToStock && order?.fulfillmentChannel === 'MFN';
      const placeholder: ErpDocumentRef = {
        kind: 'INVOICE',
        naturalKey: orderId,
        internalId: '',
        documentNumber: '',
        status: 'OPEN',
      };
      // mapped before the invoice is looked for: an unmapped SKU goes to the dead letters now, not when the invoice comes
      const draft = refundToDraft(ev, this.deps.mapping, {
        customerCode,
        marketplaceId,
        baseInvoice: placeholder,
        returnToStock,
      });
      const baseInvoice =
        (await this.deps.writer.known(ev.connectionId, 'INVOICE', orderId)) ??
        (await calls.findByNaturalKey('INVOICE', orderId));
      if (!baseInvoice) {
        if (fromPark)
          throw new NonRetriableError(
            'INVOICE_MISSING',
            `refund ${key}: the invoice of order ${orderId} is not in the ERP`,
          );
        await this.deps.parked.park(ev, source);
        await this.deps.audit.append({
          ...this.base(ev, source, key),
          stage: 'skipped',
          payload: { amazonOrderId: orderId, refund: key, total: ev.total },
          outcome: `parked: order ${orderId} has no invoice yet; written after it`,
        });
        // the invoice may have been written, and its parked refunds drained, between the lookup above
        // and the park: then nobody would drain this one, so it is written now
        if (await this.deps.writer.known(ev.connectionId, 'INVOICE', orderId)) {
          await this.drain(ev.connectionId, orderId);
          return 'written';
        }
        return 'parked';
      }
      draft.baseInvoice = baseInvoice;
      const fx = await fxFor(calls, settings, `refund ${key}`, draft.currency, draft.documentDate);
      if (fx) draft.fx = fx;
      const result = await this.deps.writer.ensure(ev.connectionId, erp, 'CREDIT_NOTE', key, () =>
        erp.createCreditNote(draft),
      );
      await this.recordOutcome(ev, source, key, erp, result, {
        total: creditNoteTotal(draft),
        returnToStock: draft.returnToStock,
      });
      return 'written';
    } catch (err) {
      await this.recordFailure(ev, source, key, erp, err);
      throw err;
    }
  }

  private base(ev: FinancialEvent, source: Source, key: string) {
    return {
      connectionId: ev.connectionId,
      service: SERVICE,
      source,
      recordKey: recordKey(ev.connectionId, key),
      eventId: ev.eventId,
    };
  }

  private async recordOutcome(
    ev: FinancialEvent,
    source: Source,
    key: string,
    erp: ErpPort,
    result: WriteResult,
    summary: { total: string; returnToStock: boolean },
  ) {
    await this.deps.audit.append({
      ...this.base(ev, source, key),
      stage: 'posted',
      payload: {
        amazonOrderId: ev.amazonOrderId,
        operation: 'CREATE_CREDIT_NOTE',
        refundTotal: ev.total,
        ...summary,
      },
      erpRequest: { kind: 'CREDIT_NOTE', naturalKey: key },
      erpResponse: result.ref,
      outcome:
        result.outcome === 'CREATED' ? 'created' : `already_exists${result.via ? `:${result.via}` : ''}`,
    });
    await publishWriteResult(this.deps.publisher, {
      connectionId: ev.connectionId,
      naturalKey: key,
      erpKind: erp.capabilities.kind,
      operation: 'CREATE_CREDIT_NOTE',
      outcome: result.outcome,
      source,
      documentNumber: result.ref.documentNumber,
      attempts: result.attempts,
      writtenAt: this.deps.clock.now(),
    });
    await this.deps.writer.confirm(ev.connectionId, 'CREDIT_NOTE', key, result.fence);
    this.deps.metrics?.erpWrites.inc({
      erp: erp.capabilities.kind,
      operation: 'CREATE_CREDIT_NOTE',
      outcome: result.outcome,
    });
  }

  private async recordFailure(ev: FinancialEvent, source: Source, key: string, erp: ErpPort, err: unknown) {
    const retriable = isRetriable(err);
    this.deps.metrics?.erpWrites.inc({
      erp: erp.capabilities.kind,
      operation: 'CREATE_CREDIT_NOTE',
      outcome: retriable ? 'RETRY' : 'FAILED',
    });
    await this.deps.audit.append({
      ...this.base(ev, source, key),
      stage: retriable ? 'consumed' : 'dead_lettered',
      payload: { amazonOrderId: ev.amazonOrderId, operation: 'CREATE_CREDIT_NOTE' },
      outcome: retriable ? 'retry' : 'failed',
      error: `${errorCode(err)}: ${errorMessage(err)}`,
    });
    if (!retriable)
      await publishWriteResult(this.deps.publisher, {
        connectionId: ev.connectionId,
        naturalKey: key,
        erpKind: erp.capabilities.kind,
        operation: 'CREATE_CREDIT_NOTE',
        outcome: 'FAILED',
        source,
        documentNumber: null,
        attempts: await this.deps.writer.attempts(ev.connectionId, 'CREDIT_NOTE', key),
        error: err,
        writtenAt: this.deps.clock.now(),
      });
  }
}
