import { createHash } from 'node:crypto';
import {
  NonRetriableError,
  RetriableError,
  errorCode,
  errorMessage,
  isRetriable,
  type Clock,
} from '@connector/core';
import {
  assertLeaseLeft,
  type AuditEntry,
  type AuditStore,
  type Connection,
  type IdempotencyLedger,
  type LedgerKey,
} from '@connector/db';
import { recordKey, type ErpShipment } from '@connector/events';
import type { ConsumedRecord } from '@connector/kafka';
import type { MappingCache } from '@connector/mapping';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { ConfirmShipmentRequest } from '@connector/sp-api';
import { isAlreadyShipped, type AmazonOrderState, type ShipmentApiResolver } from './amazon-shipments';
import type { BookedOrder, OrderBook } from './order-book';

export const SERVICE = 'inventory-publisher';
export const SHIPMENT_CONFIRMATION = 'SHIPMENT_CONFIRMATION';

export type ShipmentOutcome = 'CONFIRMED' | 'ALREADY_SHIPPED' | 'SKIPPED';

export interface ShipmentResult {
  outcome: ShipmentOutcome;
  /** why it was skipped or how it was found shipped (ledger, amazon-state, amazon-answer) */
  reason?: string;
  body?: ConfirmShipmentRequest;
}

export interface ShipmentConfirmationOptions {
  /** how long a shipment waits for its order on amazon.orders.v1 before it is dead-lettered */
  orderWaitMs: number;
  /** the step of that wait (the consumer retries the record after it) */
  orderPollMs: number;
  /** how long one instance holds a package while it confirms it (ledger lease) */
  leaseMs: number;
  /** lease that must be left to start the confirmShipment call */
  confirmMarginMs: number;
  /** this instance's id in the ledger */
  owner: string;
}

export interface ShipmentConfirmationDeps {
  connections: { get(id: string): Promise<Pick<Connection, 'id' | 'settings'>> };
  orders: OrderBook;
  amazon: ShipmentApiResolver;
  mapping: Pick<MappingCache, 'skusOfItem' | 'carrier'>;
  ledger: IdempotencyLedger;
  audit: AuditStore;
  clock: Clock;
  logger: Logger;
  metrics?: ConnectorMetrics;
}

/**
 * Amazon requires a positive number (FACTS §3.5). SAP B1 delivery DocEntries are; a Sage 300 shipment
 * number such as "SH0000123" becomes its digits without leading zeros ("123"), and an id without
 * digits a number derived from its hash. Stable for one shipment, so a retry sends the same package.
 */
export function packageReferenceIdOf(shipmentId: string): string {
  if (/^[1-9]\d*$/.test(shipmentId)) return shipmentId;
  const digits = shipmentId.replace(/\D/g, '').replace(/^0+/, '');
  if (digits) return digits;
  const n = BigInt(`0x${createHash('sha256').update(shipmentId).digest('hex').slice(0, 12)}`);
  return (n + 1n).toString();
}

/**
 * Confirms each ERP shipment (one package) of a merchant-fulfilled order to Amazon exactly once
 * (issue 11):
 *
 * 1. the connection's returnPath.confirmShipments off, an Amazon-fulfilled or a cancelled order:
 *    skipped with the reason in the audit trail, Amazon not called;
 * 2. the order not yet on amazon.orders.v1: retried (RetriableError with retryAfterMs) until
 *    `orderWaitMs` has passed, then dead-lettered with the reason;
 * 3. ERP lines → order items through the SKU mapping (ERP units / unitsPerSku); a line that matches
 *    no item of the order is dead-lettered; the carrier through mapping.carriers.v1, else `Other`
 *    with the ERP code as carrierName;
 * 4. ledger row `<amazonOrderId>/<shipmentId>` claimed (exclusive lease with fencing), then Amazon's
 *    own view of the order is read: a package whose units are no longer open to ship is already
 *    there (a crash between the call and the ledger mark), so nothing is sent; otherwise
 *    confirmShipment, where Amazon's "already fulfilled" answer counts as success; then the row is
 *    marked with the claim's token and the package audited.
 */
export class ShipmentConfirmationService {
  /**
   * When each record was first found waiting for its order (topic/partition/offset → ms). In memory:
   * an instance that restarts, or takes the partition over, starts the record's wait afresh.
   */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly deps: ShipmentConfirmationDeps,
    private readonly opts: ShipmentConfirmationOptions,
  ) {}

  async handle(record: ConsumedRecord<ErpShipment>): Promise<ShipmentResult> {
    const s = record.value;
    const base: AuditEntry = {
      connectionId: s.connectionId,
      service: SERVICE,
      stage: 'consumed',
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
      recordKey: recordKey(s.connectionId, `${s.amazonOrderId}/${s.shipmentId}`),
      eventId: s.eventId,
    };
    try {
      const result = await this.run(record, base);
      this.settled(record);
      this.deps.metrics?.shipmentConfirmations.inc({ outcome: result.outcome });
      return result;
    } catch (err) {
      const retriable = isRetriable(err);
      if (!retriable) this.settled(record);
      this.deps.metrics?.shipmentConfirmations.inc({ outcome: retriable ? 'RETRY' : 'FAILED' });
      // a wait for the order is audited once, when it starts (in run), not at every step
      if (errorCode(err) !== 'ORDER_NOT_YET_KNOWN')
        await this.deps.audit.append({
          ...base,
          stage: retriable ? 'consumed' : 'dead_lettered',
          outcome: retriable ? 'retry' : 'failed',
          error: `${errorCode(err)}: ${errorMessage(err)}`,
        });
      throw err;
    }
  }

  private async run(record: ConsumedRecord<ErpShipment>, base: AuditEntry): Promise<ShipmentResult> {
    const s = record.value;
    const conn = await this.deps.connections.get(s.connectionId);
    if (!conn.settings.returnPath.confirmShipments)
      return this.skip(base, 'confirmShipments is off for the connection');

    const order = await this.deps.orders.get(s.connectionId, s.amazonOrderId);
    if (!order) return this.waitForOrder(record, base);
    if (order.fulfillmentChannel === 'AFN')
      return this.skip(base, `order ${s.amazonOrderId} is fulfilled by Amazon (AFN): Amazon ships it`);
    if (order.fulfillmentChannel !== 'MFN')
      throw new NonRetriableError(
        'SHIPMENT_CHANNEL_UNKNOWN',
        `order ${s.amazonOrderId} has fulfillment channel ${order.fulfillmentChannel}; only merchant-fulfilled (MFN) orders are confirmed`,
      );
    if (order.orderStatus === 'CANCELLED')
      return this.skip(base, `order ${s.amazonOrderId} is cancelled on Amazon`);

    const body = this.confirmation(s, order);
    const key: LedgerKey = {
      connectionId: s.connectionId,
      documentKind: SHIPMENT_CONFIRMATION,
      naturalKey: `${s.amazonOrderId}/${s.shipmentId}`,
    };
    const known = await this.deps.ledger.get(key);
    if (known && (known.state === 'written' || known.state === 'confirmed'))
      return this.posted(base, body, 'ALREADY_SHIPPED', 'ledger');
    const claim = await this.deps.ledger.claim(key, this.opts.owner, this.opts.leaseMs);
    if (claim.status === 'settled') return this.posted(base, body, 'ALREADY_SHIPPED', 'ledger');
    const { token } = claim;
    const amazon = await this.deps.amazon.forConnection(s.connectionId);

    let state: AmazonOrderState;
    try {
      state = await amazon.orderState(s.amazonOrderId);
      if (state.status === 'CANCELLED') {
        await this.deps.ledger.markFailed(key, token, 'order cancelled on Amazon');
        return this.skip(base, `order ${s.amazonOrderId} is cancelled on Amazon`);
      }
      if (!fitsOpenUnits(body, state)) {
        await this.mark(key, token, body, 'ALREADY_SHIPPED');
        return this.posted(base, body, 'ALREADY_SHIPPED', 'amazon-state');
      }
      assertLeaseLeft(key, claim, this.opts.confirmMarginMs);
    } catch (err) {
      // nothing was sent: the next claimant may start at once
      if (isRetriable(err)) await this.deps.ledger.release(key, token);
      else await this.deps.ledger.markFailed(key, token, errorMessage(err));
      throw err;
    }

    let via: 'amazon-answer' | undefined;
    try {
      await amazon.confirmShipment(s.amazonOrderId, body);
    } catch (err) {
      if (isAlreadyShipped(err)) via = 'amazon-answer';
      else {
        // A retriable failure keeps the row reserved and the lease held: Amazon may have taken the
        // package. This instance's retry reclaims it at once and reads the order first; another
        // instance waits for the lease.
        if (!isRetriable(err)) await this.deps.ledger.markFailed(key, token, errorMessage(err));
        throw err;
      }
    }
    await this.mark(key, token, body, via ? 'ALREADY_SHIPPED' : 'CONFIRMED');
    return via
      ? this.posted(base, body, 'ALREADY_SHIPPED', via)
      : this.posted(base, body, 'CONFIRMED', 'amazon');
  }

  /** The request for one package: ERP lines onto the order's items, the carrier mapped. */
  confirmation(s: ErpShipment, order: BookedOrder): ConfirmShipmentRequest {
    if (!s.trackingNumber)
      throw new NonRetriableError(
        'SHIPMENT_NO_TRACKING',
        `shipment ${s.shipmentId} of order ${s.amazonOrderId} has no tracking number; Amazon requires one`,
      );
    const lines = s.lines ?? [];
    if (!lines.length)
      throw new NonRetriableError(
        'SHIPMENT_NO_LINES',
        `shipment ${s.shipmentId} of order ${s.amazonOrderId} has no lines`,
      );
    const units = new Map<string, number>();
    for (const line of lines) {
      for (const [orderItemId, n] of this.lineUnits(s, order, line, units))
        units.set(orderItemId, (units.get(orderItemId) ?? 0) + n);
    }
    const mapped = s.erpCarrierCode ? this.deps.mapping.carrier(s.connectionId, s.erpCarrierCode) : undefined;
    const carrierCode = mapped?.carrierCode ?? 'Other';
    const carrierName =
      mapped?.carrierName ?? (carrierCode === 'Other' ? (s.erpCarrierCode ?? 'Other') : undefined);
    const shippingMethod = s.shippingMethod ?? mapped?.shippingMethod ?? undefined;
    return {
      marketplaceId: order.marketplaceId,
      packageDetail: {
        packageReferenceId: packageReferenceIdOf(s.shipmentId),
        carrierCode,
        ...(carrierName ? { carrierName } : {}),
        ...(shippingMethod ? { shippingMethod } : {}),
        trackingNumber: s.trackingNumber,
        shipDate: new Date(s.shipDate).toISOString(),
        orderItems: [...units].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
      },
    };
  }

  /**
   * Amazon units per order item for one ERP line: the order's items whose SKU maps to the line's
   * item (a marketplace-specific mapping or a general one), filled in order up to what each ordered.
   */
  private lineUnits(
    s: ErpShipment,
    order: BookedOrder,
    line: { itemCode: string; quantity: number },
    taken: Map<string, number>,
  ): Array<[string, number]> {
    const skus = new Map(
      this.deps.mapping
        .skusOfItem(s.connectionId, line.itemCode)
        .filter((m) => !m.marketplaceId || m.marketplaceId === order.marketplaceId)
        .map((m) => [m.sellerSku, Math.max(1, m.unitsPerSku ?? 1)] as const),
    );
    const matches = order.items.filter((it) => skus.has(it.sellerSku));
    if (!matches.length)
      throw new NonRetriableError(
        'SHIPMENT_LINE_UNMATCHED',
        `shipment ${s.shipmentId}: ERP item ${line.itemCode} matches no item of order ${s.amazonOrderId} (its SKUs in mapping.skus.v1: ${[...skus.keys()].join(', ') || 'none'}; the order's: ${order.items.map((it) => it.sellerSku).join(', ')})`,
      );
    let erpUnits = line.quantity;
    const out: Array<[string, number]> = [];
    for (const [i, it] of matches.entries()) {
      const per = skus.get(it.sellerSku)!;
      const room = it.quantityOrdered - (taken.get(it.orderItemId) ?? 0);
      const last = i === matches.length - 1;
      const amazonUnits = last ? erpUnits / per : Math.min(room, Math.floor(erpUnits / per));
      if (!Number.isInteger(amazonUnits))
        throw new NonRetriableError(
          'SHIPMENT_PARTIAL_PACK',
          `shipment ${s.shipmentId}: ${erpUnits} unit(s) of ERP item ${line.itemCode} are not whole packs of ${per} (SKU ${it.sellerSku})`,
        );
      if (amazonUnits <= 0) continue;
      out.push([it.orderItemId, amazonUnits]);
      erpUnits -= amazonUnits * per;
      if (erpUnits === 0) break;
    }
    if (!out.length)
      throw new NonRetriableError(
        'SHIPMENT_LINE_UNMATCHED',
        `shipment ${s.shipmentId}: ERP item ${line.itemCode} ships no unit of order ${s.amazonOrderId}`,
      );
    return out;
  }

  private async waitForOrder(record: ConsumedRecord<ErpShipment>, base: AuditEntry): Promise<never> {
    const s = record.value;
    const id = `${record.topic}/${record.partition}/${record.offset}`;
    const now = this.deps.clock.now();
    const since = this.waitingSince.get(id);
    if (since === undefined) {
      this.waitingSince.set(id, now);
      await this.deps.audit.append({ ...base, outcome: 'waiting_for_order' });
    }
    const waited = now - (since ?? now);
    if (waited >= this.opts.orderWaitMs)
      throw new NonRetriableError(
        'ORDER_UNKNOWN',
        `order ${s.amazonOrderId} of shipment ${s.shipmentId} was not on amazon.orders.v1 after ${Math.round(waited / 1000)} s of waiting`,
      );
    throw new RetriableError(
      'ORDER_NOT_YET_KNOWN',
      `order ${s.amazonOrderId} of shipment ${s.shipmentId} is not on amazon.orders.v1 yet`,
      { retryAfterMs: Math.min(this.opts.orderPollMs, this.opts.orderWaitMs - waited) },
    );
  }

  private settled(record: ConsumedRecord<ErpShipment>): void {
    this.waitingSince.delete(`${record.topic}/${record.partition}/${record.offset}`);
  }

  private async mark(
    key: LedgerKey,
    token: bigint,
    body: ConfirmShipmentRequest,
    status: 'CONFIRMED' | 'ALREADY_SHIPPED',
  ): Promise<void> {
    const ref = body.packageDetail.packageReferenceId;
    await this.deps.ledger.markWritten(key, token, {
      documentNumber: ref,
      internalId: ref,
      erpStatus: status,
    });
    await this.deps.ledger.markConfirmed(key, token);
  }

  private async skip(base: AuditEntry, reason: string): Promise<ShipmentResult> {
    await this.deps.audit.append({ ...base, stage: 'skipped', outcome: `skipped: ${reason}` });
    this.deps.logger.info({ recordKey: base.recordKey, reason }, 'shipment not confirmed to Amazon');
    return { outcome: 'SKIPPED', reason };
  }

  private async posted(
    base: AuditEntry,
    body: ConfirmShipmentRequest,
    outcome: 'CONFIRMED' | 'ALREADY_SHIPPED',
    via: string,
  ): Promise<ShipmentResult> {
    await this.deps.audit.append({
      ...base,
      stage: 'posted',
      erpRequest: body,
      outcome: outcome === 'CONFIRMED' ? 'confirmed' : `already_shipped:${via}`,
    });
    return { outcome, reason: via, body };
  }
}

/**
 * Whether Amazon still has the package's units open to ship. When it has not, the package (or one
 * like it) is already confirmed: by this service before a crash, or by the seller in Seller Central.
 */
function fitsOpenUnits(body: ConfirmShipmentRequest, state: AmazonOrderState): boolean {
  if (state.status === 'SHIPPED') return false;
  return body.packageDetail.orderItems.every((line) => {
    const it = state.items.find((x) => x.orderItemId === line.orderItemId);
    return !it || it.quantityOrdered - it.quantityShipped >= line.quantity;
  });
}
