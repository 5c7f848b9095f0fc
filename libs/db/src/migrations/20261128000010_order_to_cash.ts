import type { Knex } from 'knex';

/**
 * sage-writer's order to cash (issue 14, docs/order-to-cash.md):
 * - `parked_refunds`: refunds whose invoice is not written yet. The financial-events consumer parks
 *   them instead of blocking its partition; the order writer writes them once the order's invoice is
 *   written. The event is kept whole (no buyer PII: FinancialEvent carries none).
 * - `buyer_customers`: which hashed buyer key each per-buyer customer code was made for, so that two
 *   buyers whose keys share the code's characters are refused, never merged silently.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('parked_refunds', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('event_id').notNullable().comment('FinancialEvent.eventId');
    t.text('amazon_order_id').notNullable();
    t.jsonb('event').notNullable().comment('the FinancialEvent as consumed');
    t.jsonb('source').notNullable().comment('{topic, partition, offset} it was consumed from');
    t.timestamp('parked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'event_id']);
    t.index(['connection_id', 'amazon_order_id']);
  });
  await knex.schema.createTable('buyer_customers', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('customer_code').notNullable();
    t.text('buyer_key').notNullable().comment('AmazonOrder.buyerKey: a hash, not PII');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'customer_code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('buyer_customers');
  await knex.schema.dropTableIfExists('parked_refunds');
}
