import type { Knex } from 'knex';

/**
 * Document numbers drawn from an ERP for a natural key before the document is written (Sage 100:
 * `GetNextSalesOrderNo`, reference/erp/FACTS.md §3.1). eBusiness Web Services cannot search by the
 * Amazon order id, so the drawn number is how the order is found again after a crash, and a retry
 * reuses it instead of drawing another.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('erp_drawn_numbers', (t) => {
    t.text('connection_id').notNullable().comment('the connection whose adapter drew the number');
    t.text('company').notNullable().comment('ERP company code');
    t.text('natural_key').notNullable().comment('Amazon order id');
    t.text('number').notNullable().comment('the ERP document number drawn for it');
    t.timestamp('drawn_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['connection_id', 'company', 'natural_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('erp_drawn_numbers');
}
