import { LosslessNumber } from 'lossless-json';
import type { Rec } from '../resources';
import { dec, num, pad, type Company } from '../state';

/**
 * `GET OE/OEShipments`: not in the 2022 endpoint list (reference/erp/FACTS.md §2.2 lists no OE
 * shipment endpoint), modelled on the OE shipment view for reads only. A shipment is made when an
 * order is posted with `QuantityShipped` (what was shipped) or shipped later from the desktop
 * (`Sage300Simulator.ship`: the backordered quantity, which the order then shows as shipped).
 */
export interface ShipmentOptions {
  shipViaCode?: string;
  trackingNumber?: string;
  date?: string;
}

export function createShipment(c: Company, order: Rec, opts: ShipmentOptions, fromOrder = false): Rec {
  const lines = (order.OrderDetails as Rec[]).filter((l) => l.LineType === 'Item');
  const shipment: Rec = {
    ShipmentUniquifier: c.next('ShipmentUniquifier'),
    ShipmentNumber: `SH${pad(c.next('ShipmentNumber'), 13)}`,
    ShipmentDate: opts.date ?? c.today(),
    CustomerNumber: order.CustomerNumber,
    OrderNumber: order.OrderNumber,
    PurchaseOrderNumber: order.PurchaseOrderNumber,
    ShipViaCode: opts.shipViaCode ?? order.ShipViaCode ?? '',
    TrackingNumber: opts.trackingNumber ?? '',
    ShipmentDetails: lines
      .map((l) => ({
        LineNumber: l.LineNumber,
        LineType: 'Item',
        Item: l.Item,
        Location: l.Location,
        QuantityShipped: fromOrder ? l.QuantityShipped : l.QuantityBackordered,
      }))
      .filter((l) => dec(l.QuantityShipped, 'QuantityShipped').gt(0)),
  };
  if (!fromOrder)
    for (const l of lines) {
      const qty = dec(l.QuantityBackordered, 'QuantityBackordered');
      // the backordered quantity was committed; it now leaves the location
      c.moveStock(String(l.Item), String(l.Location), qty.neg(), qty.neg());
      l.QuantityShipped = num(dec(l.QuantityOrdered, 'QuantityOrdered'));
      l.QuantityBackordered = new LosslessNumber('0');
      l.QuantityCommitted = new LosslessNumber('0');
    }
  c.list('OEShipments').push(shipment);
  order.LastShipmentNumber = shipment.ShipmentNumber;
  return shipment;
}

/**
 * A shipment deleted in OE shipment entry (not yet invoiced): it is gone from the shipment view, its
 * goods are back at their locations and committed again to the order, whose lines are backordered
 * again by the quantities shipped.
 */
export function deleteShipment(c: Company, shipmentNumber: string): void {
  const list = c.list('OEShipments');
  const i = list.findIndex((s) => s.ShipmentNumber === shipmentNumber);
  if (i < 0) throw new Error(`no shipment ${shipmentNumber}`);
  const [shipment] = list.splice(i, 1);
  const order = c.list('OEOrders').find((o) => o.OrderNumber === shipment.OrderNumber);
  for (const d of shipment.ShipmentDetails as Rec[]) {
    const qty = dec(d.QuantityShipped, 'QuantityShipped');
    c.moveStock(String(d.Item), String(d.Location), qty, qty);
    const line = (order?.OrderDetails as Rec[] | undefined)?.find((l) => l.LineNumber === d.LineNumber);
    if (!line) continue;
    line.QuantityShipped = num(dec(line.QuantityShipped, 'QuantityShipped').minus(qty));
    line.QuantityBackordered = num(dec(line.QuantityBackordered, 'QuantityBackordered').plus(qty));
    line.QuantityCommitted = line.QuantityBackordered;
  }
}
