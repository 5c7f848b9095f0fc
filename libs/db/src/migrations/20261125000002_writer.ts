import type { Knex } from 'knex';

/** sage-writer: the ERP's internal key and status beside the document number, so later steps (invoice from order, cancel) need no lookup. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_ledger', (t) => {
    t.text('erp_internal_id').comment('SAP B1 DocEntry / JdtNum, Sage 300 uniquifier or batch-entry');
    t.text('erp_status').comment('OPEN | CLOSED | CANCELLED as last seen');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_ledger', (t) => {
    t.dropColumn('erp_internal_id');
    t.dropColumn('erp_status');
  });
}
