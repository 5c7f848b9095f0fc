import type { Knex } from 'knex';

/**
 * inventory-publisher's state (issue 11):
 * - listing_catalogue: what Amazon says of each seller SKU per marketplace (the listings report or
 *   getListingsItem): its ASIN and whether Amazon fulfils it (FBA SKUs are never sent a quantity);
 * - listing_accepted: the last price and quantity Amazon accepted per SKU, so a push that changes
 *   nothing is not sent;
 * - listing_pending: the values waiting for their coalescing window to close, with the ERP event
 *   they came from (what is dead-lettered if Amazon rejects them);
 * - listing_unmapped_items: ERP items with no SKU in mapping.skus.v1, listed for the operator.
 * Times are epoch milliseconds (bigint) where the flusher compares them with its clock.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('listing_catalogue', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('seller_sku').notNullable();
    t.text('marketplace_id').notNullable();
    t.text('asin');
    t.boolean('fba').notNullable().comment('fulfilled by Amazon: no quantity is ever sent');
    t.text('product_type');
    t.text('source').notNullable().comment('report | listings-item');
    t.timestamp('refreshed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'seller_sku', 'marketplace_id']);
  });
  await knex.schema.createTable('listing_accepted', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('seller_sku').notNullable();
    t.text('marketplace_id').notNullable();
    t.integer('quantity');
    t.text('price').comment('decimal string as sent');
    t.text('currency');
    t.text('submission_id');
    t.timestamp('accepted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'seller_sku', 'marketplace_id']);
  });
  await knex.schema.createTable('listing_pending', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('seller_sku').notNullable();
    t.text('marketplace_id').notNullable();
    t.text('item_code').notNullable();
    t.integer('quantity');
    t.text('price');
    t.text('currency');
    t.jsonb('source').notNullable().comment('the erp.item-changes.v1 record the values came from');
    t.bigInteger('first_ms').notNullable().comment('when the first change of the window arrived');
    t.bigInteger('due_ms').notNullable().comment('when the window closes (or the next retry is due)');
    t.integer('version')
      .notNullable()
      .defaultTo(1)
      .comment('bumped by every change, so a flush removes only what it sent');
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('claimed_until_ms').comment('a flusher holds the row until then');
    t.primary(['connection_id', 'seller_sku', 'marketplace_id']);
    t.index(['connection_id', 'due_ms']);
  });
  await knex.schema.createTable('listing_unmapped_items', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('item_code').notNullable();
    t.jsonb('source').comment(
      'the latest item change of the item (a SourceRecord), planned again when a SKU mapping for it arrives',
    );
    t.integer('times').notNullable().defaultTo(1);
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'item_code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('listing_unmapped_items');
  await knex.schema.dropTableIfExists('listing_pending');
  await knex.schema.dropTableIfExists('listing_accepted');
  await knex.schema.dropTableIfExists('listing_catalogue');
}
