import type { Knex } from 'knex';

/**
 * Core state (docs/architecture.md): connections, poll cursors, the idempotency ledger, the audit trail and
 * reconciliation results. Append-only: later changes go into new migrations.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connections', (t) => {
    t.text('id').primary().comment('stable connection id carried by every event');
    t.text('name').notNullable();
    t.text('seller_id').notNullable();
    t.text('region').notNullable().comment('SP-API region: na, eu, fe');
    t.specificType('marketplace_ids', 'text[]').notNullable();
    t.text('erp_kind').notNullable().comment('SAGE100 | SAGE300 | SAGE500 | SAP_B1');
    t.text('erp_company').notNullable();
    t.binary('credentials_ciphertext').comment('AES-256-GCM: iv(12) | tag(16) | ciphertext');
    t.text('credentials_key_id').comment('which CREDENTIALS_KEY encrypted the blob, for rotation');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['seller_id', 'region', 'erp_kind', 'erp_company']);
  });

  await knex.schema.createTable('poll_cursors', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('stream')
      .notNullable()
      .comment('what is polled: orders, financial-event-groups, settlements, erp-items ...');
    t.timestamp('watermark', { useTz: true }).notNullable();
    t.integer('overlap_seconds').notNullable().defaultTo(0);
    t.jsonb('state')
      .notNullable()
      .defaultTo('{}')
      .comment('stream-specific resume state (e.g. a next token)');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'stream']);
  });

  await knex.schema.createTable('idempotency_ledger', (t) => {
    t.text('connection_id').notNullable();
    t.text('document_kind').notNullable().comment('SALES_ORDER | INVOICE | JOURNAL | RECEIPT | ...');
    t.text('natural_key').notNullable().comment('AmazonOrderId, settlement id + marketplace + currency, ...');
    t.text('state').notNullable().comment('reserved -> written -> confirmed');
    t.text('erp_document_number');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'document_kind', 'natural_key']);
  });
  await knex.raw(
    "alter table idempotency_ledger add constraint idempotency_ledger_state_check check (state in ('reserved','written','confirmed','failed'))",
  );

  await knex.schema.createTable('audit_trail', (t) => {
    t.bigIncrements('id').primary();
    t.text('connection_id');
    t.text('service').notNullable();
    t.text('stage').notNullable().comment('consumed | mapped | posted | produced | dead_lettered | skipped');
    t.text('source_topic');
    t.integer('source_partition');
    t.bigInteger('source_offset');
    t.text('record_key');
    t.text('event_id');
    t.jsonb('payload').comment('the record as consumed or mapped; never buyer PII');
    t.jsonb('erp_request');
    t.jsonb('erp_response');
    t.text('outcome');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['source_topic', 'source_partition', 'source_offset']);
    t.index(['connection_id', 'record_key']);
  });

  await knex.schema.createTable('reconciliation_results', (t) => {
    t.text('connection_id').notNullable();
    t.text('settlement_id').notNullable();
    t.text('marketplace_id').notNullable().defaultTo('');
    t.text('currency').notNullable();
    t.decimal('expected_deposit', 18, 4).notNullable();
    t.decimal('posted_total', 18, 4).notNullable();
    t.decimal('difference', 18, 4).notNullable();
    t.text('status').notNullable();
    t.jsonb('report').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'settlement_id', 'marketplace_id', 'currency']);
  });

  await knex.schema.createTable('inbound_records', (t) => {
    t.text('connection_id').notNullable();
    t.text('topic').notNullable();
    t.text('record_key').notNullable();
    t.text('event_id').notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'topic', 'event_id']);
    t.comment('records a service has taken in, de-duplicated by event id (a replay inserts nothing)');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'inbound_records',
    'reconciliation_results',
    'audit_trail',
    'idempotency_ledger',
    'poll_cursors',
    'connections',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
