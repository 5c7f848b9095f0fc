import type { Connection } from '@connector/db';
import type { ErpPort, ErpShipmentRecord } from '@connector/erp';
import type { ErpShipment } from '@connector/events';
import type { ConnectorMetrics } from '@connector/observability';
import type { PollerDeps } from './item.poller';
import { stateHash } from './item-state';
import { readStream } from './stream-reader';

const TOPIC = 'erp.shipments.v1' as const;
const STREAM = 'erp-shipments' as const;

/** A shipment as published, without the times that are not part of it. */
type ShipmentState = Omit<ErpShipment, 'eventId' | 'connectionId' | 'erpKind' | 'observedAt'>;

/** Why a shipment cannot be published as it stands, or null. */
function malformed(s: ErpShipmentRecord): string | null {
  if (!s.lines.length) return 'NO_LINES';
  if (s.lines.some((l) => !Number.isInteger(l.quantity) || l.quantity <= 0)) return 'QUANTITY_NOT_WHOLE';
  if (Number.isNaN(Date.parse(s.shippedAt))) return 'NO_SHIP_DATE';
  return null;
}

function shipmentState(s: ErpShipmentRecord): ShipmentState {
  return {
    shipmentId: s.shipmentId,
    shipmentNumber: s.shipmentNumber,
    amazonOrderId: s.naturalKey,
    erpOrderNumber: s.erpOrderNumber ?? null,
    erpCarrierCode: s.carrier || null,
    shippingMethod: s.shippingMethod || null,
    trackingNumber: s.trackingNumber || null,
    shipDate: Date.parse(s.shippedAt),
    changedAt: Date.parse(s.changedAt),
    lines: s.lines.map((l) => ({ itemCode: l.itemCode, quantity: l.quantity })),
  };
}

/**
 * Shipments (deliveries of Amazon orders) of one connection, read like item changes and published
 * to `erp.shipments.v1` when new or changed (a tracking number added later publishes again;
 * inventory-publisher confirms each package once). A shipment that cannot be confirmed as it
 * stands (no lines, a fractional quantity) is kept out of Kafka, logged and counted, and read
 * again when the ERP document changes.
 */
export class ShipmentPoller {
  readonly stream = STREAM;
  constructor(private readonly deps: PollerDeps & { metrics?: ConnectorMetrics }) {}

  intervalSec(conn: Connection): number {
    return conn.settings.returnPath.erpPollIntervalSec;
  }

  async run(conn: Connection, erp: ErpPort): Promise<{ published: number } | 'leased-elsewhere'> {
    const { state, owner, leaseMs } = this.deps;
    const renew = () => state.lease(conn.id, STREAM, owner, leaseMs);
    if (!(await renew())) return 'leased-elsewhere';
    let published = 0;
    const read = await readStream({
      connectionId: conn.id,
      stream: STREAM,
      erp,
      state,
      settings: conn.settings.returnPath,
      read: (w) => erp.readShipments(w),
      publish: async (rows) => {
        published += await this.publish(conn, erp, rows);
      },
      renew,
      metrics: this.deps.metrics,
    });
    return read.complete ? { published } : 'leased-elsewhere';
  }

  private async publish(conn: Connection, erp: ErpPort, rows: ErpShipmentRecord[]): Promise<number> {
    const { state, publisher, metrics, logger } = this.deps;
    const stored = await state.snapshots(
      conn.id,
      'shipments',
      rows.map((r) => r.shipmentId),
    );
    const observedAt = (this.deps.now ?? Date.now)();
    const out: Array<{ key: string; value: ErpShipment }> = [];
    const saved: Array<{ key: string; hash: string; state: Record<string, unknown> }> = [];
    for (const r of rows) {
      const st = shipmentState(r);
      const hash = stateHash(st);
      if (stored.get(r.shipmentId)?.hash === hash) continue;
      saved.push({ key: r.shipmentId, hash, state: st });
      const reason = malformed(r);
      if (reason) {
        metrics?.ingestRejected.inc({ connection: conn.id, stream: STREAM, reason });
        logger.error(
          { connectionId: conn.id, shipmentId: r.shipmentId, amazonOrderId: r.naturalKey, reason },
          'ERP shipment not published: fix the document in the ERP and it is read again',
        );
        continue;
      }
      out.push({
        key: `${conn.id}/${r.naturalKey}`,
        value: {
          eventId: `${conn.id}/${r.shipmentId}@${hash}`,
          connectionId: conn.id,
          erpKind: erp.capabilities.kind,
          ...st,
          observedAt,
        },
      });
    }
    if (out.length) await publisher.publish(TOPIC, out);
    if (saved.length) await state.saveSnapshots(conn.id, 'shipments', saved);
    metrics?.erpPollPublished.inc({ connection: conn.id, stream: STREAM, source: 'CHANGE_POLL' }, out.length);
    return out.length;
  }
}
