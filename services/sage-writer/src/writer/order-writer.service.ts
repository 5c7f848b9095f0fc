import { NonRetriableError, errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { AuditStore } from '@connector/db';
import type {
  DocumentKind,
  ErpDocumentRef,
  ErpKind,
  ErpPort,
  SalesDocumentDraft,
  ShipToAddress,
} from '@connector/erp';
import type { AmazonOrder, ErpWriteResultTypes } from '@connector/events';
import { recordKey } from '@connector/events';
import type { ConsumedRecord, EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { MappingLookup } from '@connector/mapping';
import type { DocumentWriter, WriteResult } from './document-writer';
import { isoDate, orderToDraft } from './order-draft.mapper';
import { cancellationKey, cancellationToDraft } from '../order-to-cash/credit-note-draft.mapper';
import type { CreditNoteWriterService } from '../order-to-cash/credit-note-writer.service';
import type { CustomerResolver } from '../order-to-cash/customers';
import { fxFor } from '../order-to-cash/fx';
import { DEFAULT_ORDER_TO_CASH, type OrderToCashSettingsOf } from '../order-to-cash/settings';
import { publishWriteResult } from './write-results';

type Operation = ErpWriteResultTypes.ConnectorErp.ErpOperation;
export const SERVICE = 'sage-writer';

/** Which ERP (and adapter) a connection writes to. */
export interface ErpResolver {
  forConnection(connectionId: string): Promise<ErpPort>;
}

export interface Source {
  topic: string;
  partition: number;
  offset: string;
}

/** A cancellation is not claimed in the ledger (cancelling twice changes nothing): no fencing token. */
type CancelResult = Pick<WriteResult, 'outcome' | 'ref' | 'via' | 'attempts'>;

export type OrderPlan = Array<'SALES_ORDER' | 'INVOICE' | 'CANCEL'>;

/**
 * Order status → ERP documents: Unshipped → an open sales order; Shipped → the order and
 * its invoice (copied from the order where the ERP does that); Canceled → the order cancelled, or
 * nothing if it never reached the ERP. Pending and other states write nothing.
 */
export function planFor(order: AmazonOrder): OrderPlan {
  switch (order.orderStatus) {
    case 'UNSHIPPED':
    case 'PARTIALLY_SHIPPED':
      return ['SALES_ORDER'];
    case 'SHIPPED':
    case 'INVOICE_UNCONFIRMED':
      return ['SALES_ORDER', 'INVOICE'];
    case 'CANCELLED':
      return ['CANCEL'];
    default:
      return [];
  }
}

const OPERATION: Record<DocumentKind | 'CANCEL', Operation> = {
  SALES_ORDER: 'CREATE_SALES_ORDER',
  INVOICE: 'CREATE_INVOICE',
  CREDIT_NOTE: 'CREATE_CREDIT_NOTE',
  JOURNAL: 'POST_JOURNAL',
  RECEIPT: 'CREATE_RECEIPT',
  CANCEL: 'CANCEL_ORDER',
};

/**
 * Turns one order event into ERP documents, each at most once (DocumentWriter), audits every step
 * with the source offset, the mapped payload and the ERP's answer, and publishes one
 * erp.write-results.v1 event per operation. Throws what the consumer host must retry (record locks,
 * session expiry, outages) or dead-letter (unmapped SKU, invalid data), after auditing it.
 */
export class OrderWriterService {
  constructor(
    private readonly deps: {
      erps: ErpResolver;
      mapping: MappingLookup;
      writer: DocumentWriter;
      audit: AuditStore;
      publisher: EventPublisher;
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
      /** the ship-to address of an order from the buyer PII vault (shipToOf), null when none or purged */
      shipTo?: (connectionId: string, amazonOrderId: string) => Promise<ShipToAddress | null>;
      /** the connection's order-to-cash settings; without them, today's behaviour */
      settings?: OrderToCashSettingsOf;
      /** a customer per buyer (settings.customers) */
      customers?: CustomerResolver;
      /** credit notes: refunds parked for an order are written right after its invoice */
      creditNotes?: CreditNoteWriterService;
      /** the versions of an order taken in, oldest first (what a cancellation after invoicing credits) */
      orderVersions?: (connectionId: string, amazonOrderId: string) => Promise<AmazonOrder[]>;
    },
  ) {}

  async handle(record: ConsumedRecord<AmazonOrder>): Promise<void> {
    const order = record.value;
    const source: Source = { topic: record.topic, partition: record.partition, offset: record.offset };
    let plan = planFor(order);
    if (plan.length === 0) {
      await this.auditStep(order, source, 'skipped', {
        outcome: `status ${order.orderStatus}: nothing to write`,
      });
      return;
    }
    const erp = await this.deps.erps.forConnection(order.connectionId);
    const kind = erp.capabilities.kind;
    // an order first seen shipped (FBA) goes in as one document that is shipped and invoiced at once
    // where the ERP's API cannot ship or invoice an order it holds already (Sage 300)
    if (
      erp.capabilities.shippedOrderInOneCall &&
      plan[0] === 'SALES_ORDER' &&
      plan.includes('INVOICE') &&
      !(await this.deps.writer.exists(order.connectionId, 'SALES_ORDER', order.amazonOrderId))
    )
      plan = plan.filter((s) => s !== 'SALES_ORDER');
    // the sales order as this event wrote or found it: the invoice copied from it needs no ledger read
    let salesOrder: ErpDocumentRef | undefined;
    for (const step of plan) {
      const started = this.deps.clock.now();
      try {
        const result =
          step === 'CANCEL' ? await this.cancel(order, erp) : await this.write(order, erp, step, salesOrder);
        if (step === 'SALES_ORDER' && result?.ref.internalId) salesOrder = result.ref;
        if (result) {
          if (result.ref.kind === 'CREDIT_NOTE')
            await this.recordOutcome(order, source, kind, 'CREDIT_NOTE', result, result.ref.naturalKey);
          else await this.recordOutcome(order, source, kind, step, result);
          if (result.ref.kind !== 'SALES_ORDER' || step === 'SALES_ORDER')
            this.deps.metrics?.endToEndLatency.observe(
              { flow: `order:${step.toLowerCase()}` },
              (started - order.purchaseDate) / 1000,
            );
        }
      } catch (err) {
        await this.recordFailure(order, source, kind, step, err);
        throw err;
      }
    }
    // refunds that came before the invoice are written now that it is there; one that fails for
    // good is audited by the credit-note writer and sends this order event to the dead letters with
    // its reason, so that a replay (once fixed) writes it
    if (plan.includes('INVOICE')) await this.deps.creditNotes?.drain(order.connectionId, order.amazonOrderId);
  }

  private async write(
    order: AmazonOrder,
    erp: ErpPort,
    step: 'SALES_ORDER' | 'INVOICE',
    salesOrder?: ErpDocumentRef,
  ): Promise<WriteResult> {
    const draft = await this.draftOf(order, erp, isoDate(order.purchaseDate));
    // merchant-fulfilled orders of connections that keep buyer PII ship to the buyer's address
    if (order.piiRef && order.fulfillmentChannel === 'MFN' && this.deps.shipTo) {
      const shipTo = await this.deps.shipTo(order.connectionId, order.amazonOrderId);
      if (shipTo) draft.shipTo = shipTo;
    }
    if (draft.lines.length === 0)
      throw new NonRetriableError(
        'ORDER_WITHOUT_ITEMS',
        `order ${order.amazonOrderId} (${order.orderStatus}) has no items to write`,
      );
    this.checkKeyLength(order, erp);
    if (step === 'SALES_ORDER') {
      if (!erp.capabilities.salesOrders) return this.unsupported(order, 'SALES_ORDER');
      return this.deps.writer.ensure(order.connectionId, erp, 'SALES_ORDER', order.amazonOrderId, () =>
        erp.createSalesOrder(draft),
      );
    }
    const baseOrder =
      erp.capabilities.invoices === 'copyFromOrder'
        ? (salesOrder ??
          (await this.deps.writer.known(order.connectionId, 'SALES_ORDER', order.amazonOrderId)) ??
          undefined)
        : undefined;
    return this.deps.writer.ensure(order.connectionId, erp, 'INVOICE', order.amazonOrderId, () =>
      erp.createInvoice({ ...draft, ...(baseOrder ? { baseOrder } : {}) }),
    );
  }

  /**
   * The order as an ERP document: lines and charges (orderToDraft), its customer (the marketplace's,
   * or the buyer's own), and the exchange-rate fields when it is not in the company's currency.
   */
  private async draftOf(order: AmazonOrder, erp: ErpPort, fxDate: string): Promise<SalesDocumentDraft> {
    const draft = orderToDraft(order, this.deps.mapping);
    const settings = (await this.deps.settings?.(order.connectionId)) ?? DEFAULT_ORDER_TO_CASH;
    // a customer or a rate the ERP is asked for, each in one of the connection's slots
    const calls = this.deps.writer.gatedPort(order.connectionId, erp);
    if (this.deps.customers)
      draft.customerCode = await this.deps.customers.customerFor(
        order,
        calls,
        settings,
        this.deps.mapping.customer(order.connectionId, order.marketplaceId),
      );
    const fx = await fxFor(calls, settings, `order ${order.amazonOrderId}`, draft.currency, fxDate);
    if (fx) draft.fx = fx;
    return draft;
  }

  /**
   * Cancels the ERP order if there is one. An order cancelled after it was invoiced is credited in
   * full: one credit note `<amazonOrderId>/C` with the invoiced lines and charges.
   */
  private async cancel(order: AmazonOrder, erp: ErpPort): Promise<CancelResult | WriteResult | null> {
    // each call in one of the connection's slots; the credit note's ensure takes the plain port
    const calls = this.deps.writer.gatedPort(order.connectionId, erp);
    const invoiced =
      (await this.deps.writer.known(order.connectionId, 'INVOICE', order.amazonOrderId)) ??
      (await calls.findByNaturalKey('INVOICE', order.amazonOrderId));
    if (invoiced) return this.creditCancelled(order, erp, invoiced);
    const existing =
      (await this.deps.writer.known(order.connectionId, 'SALES_ORDER', order.amazonOrderId)) ??
      (await calls.findByNaturalKey('SALES_ORDER', order.amazonOrderId));
    if (!existing) return null;
    if (existing.status === 'CANCELLED') return { outcome: 'ALREADY_EXISTS', ref: existing, attempts: 1 };
    if (!erp.capabilities.cancelOrder)
      throw new NonRetriableError(
        'ERP_UNSUPPORTED',
        `order ${order.amazonOrderId} was cancelled on Amazon, but the ${erp.capabilities.kind} API cannot cancel orders: cancel sales order ${existing.documentNumber} in the ERP by hand`,
      );
    const ref = await calls.cancelOrder(existing);
    await this.deps.writer.setStatus(order.connectionId, 'SALES_ORDER', order.amazonOrderId, ref.status);
    return { outcome: 'CREATED', ref, attempts: 1 };
  }

  private async creditCancelled(
    order: AmazonOrder,
    erp: ErpPort,
    invoice: ErpDocumentRef,
  ): Promise<WriteResult> {
    const key = cancellationKey(order.amazonOrderId);
    if (erp.capabilities.creditNotes === 'none')
      throw new NonRetriableError(
        'CANCEL_AFTER_INVOICE',
        `order ${order.amazonOrderId} was cancelled after invoice ${invoice.documentNumber}, and the ${erp.capabilities.kind} connector writes no credit notes: credit invoice ${invoice.documentNumber} in full by hand`,
      );
    // what was invoiced: the newest version of the order that was written as an invoice
    const versions = (await this.deps.orderVersions?.(order.connectionId, order.amazonOrderId)) ?? [];
    const invoicedVersion = versions.filter((v) => planFor(v).includes('INVOICE')).pop() ?? order;
    const settings = (await this.deps.settings?.(order.connectionId)) ?? DEFAULT_ORDER_TO_CASH;
    const date = isoDate(order.lastUpdateDate);
    const invoiceDraft = await this.draftOf(invoicedVersion, erp, date);
    if (invoiceDraft.lines.length === 0)
      throw new NonRetriableError(
        'ORDER_WITHOUT_ITEMS',
        `order ${order.amazonOrderId} was cancelled after invoice ${invoice.documentNumber}, but no invoiced version of it is known: credit it by hand`,
      );
    const draft = cancellationToDraft(invoiceDraft, {
      amazonOrderId: order.amazonOrderId,
      baseInvoice: invoice,
      returnToStock: settings.returnsToStock && invoicedVersion.fulfillmentChannel === 'MFN',
      documentDate: date,
    });
    return this.deps.writer.ensure(order.connectionId, erp, 'CREDIT_NOTE', key, () =>
      erp.createCreditNote(draft),
    );
  }

  private checkKeyLength(order: AmazonOrder, erp: ErpPort): void {
    if (order.amazonOrderId.length > erp.capabilities.naturalKeyMaxLength)
      throw new NonRetriableError(
        'NATURAL_KEY_TOO_LONG',
        `order id ${order.amazonOrderId} does not fit the ${erp.capabilities.kind} reference field (${erp.capabilities.naturalKeyMaxLength} characters)`,
      );
  }

  private unsupported(order: AmazonOrder, step: string): never {
    throw new NonRetriableError(
      'ERP_UNSUPPORTED',
      `${step} is not supported by the ERP of connection ${order.connectionId}`,
    );
  }

  private async recordOutcome(
    order: AmazonOrder,
    source: Source,
    erp: ErpKind,
    step: DocumentKind | 'CANCEL',
    result: WriteResult | CancelResult,
    naturalKey = order.amazonOrderId,
  ) {
    const operation = OPERATION[step];
    // the audit row and the published result do not depend on each other: both go at once, and the
    // ledger row is confirmed only after both (a crash before that audits and publishes it again)
    await Promise.all([
      this.deps.audit.append({
        connectionId: order.connectionId,
        service: SERVICE,
        stage: 'posted',
        source,
        recordKey: recordKey(order.connectionId, naturalKey),
        eventId: order.eventId,
        payload: { amazonOrderId: order.amazonOrderId, orderStatus: order.orderStatus, operation },
        erpRequest: step === 'CANCEL' ? { cancel: result.ref.internalId } : { naturalKey, kind: step },
        erpResponse: result.ref,
        outcome:
          result.outcome === 'CREATED' ? 'created' : `already_exists${result.via ? `:${result.via}` : ''}`,
      }),
      this.publishResult(
        order,
        source,
        erp,
        operation,
        result.outcome,
        result.ref,
        result.attempts,
        undefined,
        naturalKey,
      ),
    ]);
    if (step !== 'CANCEL' && 'fence' in result && !result.confirmed)
      await this.deps.writer.confirm(order.connectionId, step, naturalKey, result.fence);
    this.deps.metrics?.erpWrites.inc({ erp, operation, outcome: result.outcome });
  }

  private async recordFailure(
    order: AmazonOrder,
    source: Source,
    erp: ErpKind,
    step: DocumentKind | 'CANCEL',
    err: unknown,
  ) {
    const operation = OPERATION[step];
    const retriable = isRetriable(err);
    this.deps.metrics?.erpWrites.inc({ erp, operation, outcome: retriable ? 'RETRY' : 'FAILED' });
    await this.deps.audit.append({
      connectionId: order.connectionId,
      service: SERVICE,
      stage: retriable ? 'consumed' : 'dead_lettered',
      source,
      recordKey: recordKey(order.connectionId, order.amazonOrderId),
      eventId: order.eventId,
      payload: { amazonOrderId: order.amazonOrderId, orderStatus: order.orderStatus, operation },
      outcome: retriable ? 'retry' : 'failed',
      error: `${errorCode(err)}: ${errorMessage(err)}`,
    });
    if (!retriable) {
      const attempts =
        step === 'CANCEL'
          ? 1
          : await this.deps.writer.attempts(order.connectionId, step, order.amazonOrderId);
      await this.publishResult(order, source, erp, operation, 'FAILED', null, attempts, err);
    }
  }

  private publishResult(
    order: AmazonOrder,
    source: Source,
    erpKind: ErpKind,
    operation: Operation,
    outcome: ErpWriteResultTypes.ConnectorErp.WriteOutcome,
    ref: ErpDocumentRef | null,
    attempts: number,
    error?: unknown,
    naturalKey = order.amazonOrderId,
  ) {
    return publishWriteResult(this.deps.publisher, {
      connectionId: order.connectionId,
      naturalKey,
      erpKind,
      operation,
      outcome,
      source,
      documentNumber: ref?.documentNumber,
      attempts,
      error,
      writtenAt: this.deps.clock.now(),
    });
  }

  private async auditStep(order: AmazonOrder, source: Source, stage: 'skipped', extra: { outcome: string }) {
    await this.deps.audit.append({
      connectionId: order.connectionId,
      service: SERVICE,
      stage,
      source,
      recordKey: recordKey(order.connectionId, order.amazonOrderId),
      eventId: order.eventId,
      payload: { amazonOrderId: order.amazonOrderId, orderStatus: order.orderStatus },
      outcome: extra.outcome,
    });
  }
}
