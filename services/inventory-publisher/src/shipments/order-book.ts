import type { Db } from '@connector/db';
import type { AmazonOrder } from '@connector/events';

/** An order item as shipment confirmation needs it: Amazon's id, the SKU to match ERP lines by, quantities. */
export interface BookedOrderItem {
  orderItemId: string;
  sellerSku: string;
  quantityOrdered: number;
  quantityShipped: number;
}

/** What confirming a shipment needs of an Amazon order (no buyer PII), as of its newest version. */
export interface BookedOrder {
  connectionId: string;
  amazonOrderId: string;
  marketplaceId: string;
  fulfillmentChannel: AmazonOrder['fulfillmentChannel'];
  orderStatus: AmazonOrder['orderStatus'];
  items: BookedOrderItem[];
  /** Amazon's lastUpdateDate, epoch ms: a version older than the one kept is ignored */
  lastUpdateDate: number;
  eventId: string;
}

/** The orders shipments are confirmed against, newest version per order (table shipment_orders). */
export interface OrderBook {
  /** Keeps `order` unless a newer version is kept already; true when it was kept. */
  upsert(order: BookedOrder): Promise<boolean>;
  get(connectionId: string, amazonOrderId: string): Promise<BookedOrder | null>;
}

export function bookedOrderOf(o: AmazonOrder): BookedOrder {
  return {
    connectionId: o.connectionId,
    amazonOrderId: o.amazonOrderId,
    marketplaceId: o.marketplaceId,
    fulfillmentChannel: o.fulfillmentChannel,
    orderStatus: o.orderStatus,
    items: o.items.map((it) => ({
      orderItemId: it.orderItemId,
      sellerSku: it.sellerSku,
      quantityOrdered: it.quantityOrdered,
      quantityShipped: it.quantityShipped ?? 0,
    })),
    lastUpdateDate: o.lastUpdateDate,
    eventId: o.eventId,
  };
}

const TABLE = 'shipment_orders';

/**
 * One statement: insert, or replace the row only when the incoming version is at least as new, so a
 * replayed or late older snapshot never overwrites a newer one (two consumers may race).
 */
const UPSERT_SQL = `
insert into ${TABLE} as t
  (connection_id, amazon_order_id, marketplace_id, fulfillment_channel, order_status, items, last_update_date, event_id)
values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)
on conflict (connection_id, amazon_order_id) do update set
  marketplace_id = excluded.marketplace_id,
  fulfillment_channel = excluded.fulfillment_channel,
  order_status = excluded.order_status,
  items = excluded.items,
  last_update_date = excluded.last_update_date,
  event_id = excluded.event_id,
  updated_at = now()
where t.last_update_date <= excluded.last_update_date
returning t.amazon_order_id`;

interface Row {
  connection_id: string;
  amazon_order_id: string;
  marketplace_id: string;
  fulfillment_channel: BookedOrder['fulfillmentChannel'];
  order_status: BookedOrder['orderStatus'];
  items: BookedOrderItem[];
  last_update_date: Date;
  event_id: string;
}

export class KnexOrderBook implements OrderBook {
  constructor(private readonly db: Db) {}

  async upsert(o: BookedOrder): Promise<boolean> {
    const res = await this.db.raw<{ rows: unknown[] }>(UPSERT_SQL, [
      o.connectionId,
      o.amazonOrderId,
      o.marketplaceId,
      o.fulfillmentChannel,
      o.orderStatus,
      JSON.stringify(o.items),
      new Date(o.lastUpdateDate),
      o.eventId,
    ]);
    return res.rows.length > 0;
  }

  async get(connectionId: string, amazonOrderId: string): Promise<BookedOrder | null> {
    const row = await this.db<Row>(TABLE)
      .where({ connection_id: connectionId, amazon_order_id: amazonOrderId })
      .first();
    if (!row) return null;
    return {
      connectionId: row.connection_id,
      amazonOrderId: row.amazon_order_id,
      marketplaceId: row.marketplace_id,
      fulfillmentChannel: row.fulfillment_channel,
      orderStatus: row.order_status,
      items: row.items,
      lastUpdateDate: new Date(row.last_update_date).getTime(),
      eventId: row.event_id,
    };
  }
}

/** The order book in memory, same semantics, for unit tests. */
export class FakeOrderBook implements OrderBook {
  readonly orders = new Map<string, BookedOrder>();

  async upsert(o: BookedOrder): Promise<boolean> {
    const k = `${o.connectionId}|${o.amazonOrderId}`;
    const kept = this.orders.get(k);
    if (kept && kept.lastUpdateDate > o.lastUpdateDate) return false;
    this.orders.set(k, structuredClone(o));
    return true;
  }

  async get(connectionId: string, amazonOrderId: string): Promise<BookedOrder | null> {
    const o = this.orders.get(`${connectionId}|${amazonOrderId}`);
    return o ? structuredClone(o) : null;
  }
}
