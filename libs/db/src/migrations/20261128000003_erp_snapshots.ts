import type { Knex } from 'knex';

/**
 * erp-change-poller's memory of what it last published per item and shipment (issue 11): a change read or a
 * full scan publishes a row only when its state differs from the one here, so re-reading the ERP's
 * current day (Sage 300 dates) or every item (stock moves bump no date) sends nothing twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('erp_snapshots', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('stream').notNullable().comment('items | shipments');
    t.text('key').notNullable().comment('ERP item code or shipment id');
    t.text('hash').notNullable().comment('sha-256 of the state as published (16 hex)');
    t.jsonb('state').notNullable().comment('the published state, for diffs and the operator');
    t.timestamp('published_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'stream', 'key']);
  });
  await knex.schema.createTable('poll_leases', (t) => {
    t.text('connection_id').notNullable().references('connections.id').onDelete('CASCADE');
    t.text('stream').notNullable();
    t.text('owner').notNullable().comment('poller instance (host:pid:random) running the stream');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('computed with now(): every host agrees');
    t.primary(['connection_id', 'stream']);
    t.comment(
      'one poller replica reads a (connection, stream) at a time, so events never interleave out of order',
    );
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('poll_leases');
  await knex.schema.dropTableIfExists('erp_snapshots');
}
