import type { Knex } from 'knex';

/**
 * sage-writer's inbox remembers when an order event's ERP documents were all written, so a redelivered
 * or replayed event returns early instead of asking the ledger and the ERP again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inbound_records', (t) => {
    t.timestamp('processed_at', { useTz: true })
      .nullable()
      .comment('when every ERP document of this event was written; null while it is still to do');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('inbound_records', (t) => {
    t.dropColumn('processed_at');
  });
}
