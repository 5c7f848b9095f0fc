import type { Knex } from 'knex';

/**
 * settlement-reconciler: each settlement chunk folded to sums (by account key and by order) as it
 * arrives, so the closing record can book the whole settlement without holding its lines; and
 * financial events by order and kind, for the reconciliation against the settlement.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settlement_chunks', (t) => {
    t.text('connection_id').notNullable();
    t.text('settlement_id').notNullable();
    t.integer('chunk_index').notNullable();
    t.jsonb('buckets')
      .notNullable()
      .comment(
        '[{marketplaceId, transactionType, amountType, amountDescription, total, lines}] with totals as decimal strings',
      );
    t.jsonb('orders').notNullable().comment('{orderId: {category: total}}');
    t.integer('line_count').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'settlement_id', 'chunk_index']);
  });
  await knex.schema.createTable('financial_event_lines', (t) => {
    t.text('connection_id').notNullable();
    t.text('event_id').notNullable();
    t.text('amazon_order_id');
    t.text('group_id');
    t.text('event_type').notNullable();
    t.timestamp('posted_at', { useTz: true }).notNullable();
    t.jsonb('by_kind').notNullable().comment('{CHARGE: "12.34", FEE: "-1.85", ...}');
    t.text('currency').notNullable();
    t.primary(['connection_id', 'event_id']);
    t.index(['connection_id', 'amazon_order_id']);
    t.index(['connection_id', 'posted_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('financial_event_lines');
  await knex.schema.dropTableIfExists('settlement_chunks');
}
