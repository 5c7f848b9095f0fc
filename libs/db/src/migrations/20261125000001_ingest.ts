import type { Knex } from 'knex';

/**
 * amazon-ingest state: per-connection settings (schedules, order read mode, PII), what has been
 * published (so a re-read never publishes twice), orders held while pending, settlement reports
 * processed and archived, and the encrypted buyer-PII store with its purge date.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('connections', (t) => {
    t.jsonb('settings')
      .notNullable()
      .defaultTo('{}')
      .comment('schedules, orders mode (auto|api|report), buyer PII need; validated by the reader');
  });

  await knex.schema.createTable('ingest_published', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('stream').notNullable().comment('orders | financial-events');
    t.text('entity_key').notNullable().comment('AmazonOrderId, or a financial event id');
    t.bigInteger('version')
      .notNullable()
      .comment('order lastUpdateDate (epoch ms); 0 where there is one version');
    t.text('event_id').notNullable();
    t.timestamp('published_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'stream', 'entity_key']);
    t.comment(
      'the latest version of each entity published to Kafka; a re-read of the same version is skipped',
    );
  });

  await knex.schema.createTable('held_orders', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('amazon_order_id').notNullable();
    t.text('status').notNullable();
    t.bigInteger('last_update_ms').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'amazon_order_id']);
    t.comment('orders seen while pending (no prices yet); released when a priced version is published');
  });

  await knex.schema.createTable('settlement_reports', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('report_id').notNullable();
    t.text('settlement_id');
    t.text('state').notNullable().comment('archived | published | rejected');
    t.text('archive_uri');
    t.bigInteger('line_count');
    t.integer('chunk_count');
    t.decimal('total_amount', 18, 4);
    t.decimal('detail_total', 18, 4);
    t.text('currency');
    t.boolean('ties_out');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'report_id']);
  });
  await knex.raw(
    "alter table settlement_reports add constraint settlement_reports_state_check check (state in ('archived','published','rejected'))",
  );

  await knex.schema.createTable('buyer_pii', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('amazon_order_id').notNullable();
    t.binary('ciphertext').notNullable().comment('AES-256-GCM: iv(12) | tag(16) | ciphertext');
    t.text('key_id').notNullable();
    t.timestamp('purge_after', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'amazon_order_id']);
    t.index(['purge_after']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['buyer_pii', 'settlement_reports', 'held_orders', 'ingest_published'])
    await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('connections', (t) => t.dropColumn('settings'));
}
