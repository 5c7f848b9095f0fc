import type { Knex } from 'knex';

/**
 * Which replica of a service reads which connection (issue 15): a lease per (service, connection),
 * claimed with `FOR UPDATE SKIP LOCKED` and renewed by its holder, and a heartbeat per replica so that
 * a replica holding nothing yet still counts when the others work out their fair share.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connection_leases', (t) => {
    t.text('service').notNullable().comment('amazon-ingest, erp-change-poller');
    t.text('connection_id').notNullable();
    t.text('holder').nullable().comment('the replica holding the lease (pod name + pid + random)');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.raw("'epoch'"))
      .comment("by PostgreSQL's clock: free once past");
    t.bigInteger('generation').notNullable().defaultTo(0).comment('bumped on every change of holder');
    t.primary(['service', 'connection_id']);
  });
  await knex.schema.createTable('lease_holders', (t) => {
    t.text('service').notNullable();
    t.text('holder').notNullable();
    t.timestamp('seen_until', { useTz: true }).notNullable();
    t.primary(['service', 'holder']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('lease_holders');
  await knex.schema.dropTableIfExists('connection_leases');
}
