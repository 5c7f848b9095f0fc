import type { Knex } from 'knex';

/**
 * inventory-publisher's order book (issue 11): what confirming an ERP shipment needs of each Amazon
 * order, taken from amazon.orders.v1. One row per order holding only its newest version (by Amazon's
 * lastUpdateDate): whether the merchant ships it, whether it was cancelled, and its items (order item
 * id, seller SKU, quantities) to turn ERP lines into Amazon order items. No buyer PII.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shipment_orders', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('amazon_order_id').notNullable();
    t.text('marketplace_id').notNullable();
    t.text('fulfillment_channel').notNullable().comment('AFN | MFN | UNKNOWN');
    t.text('order_status').notNullable().comment('AmazonOrder.orderStatus');
    t.jsonb('items').notNullable().comment('[{orderItemId, sellerSku, quantityOrdered, quantityShipped}]');
    t.timestamp('last_update_date', { useTz: true }).notNullable().comment("Amazon's lastUpdateDate");
    t.text('event_id').notNullable().comment('the amazon.orders.v1 event the row was taken from');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'amazon_order_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('shipment_orders');
}
