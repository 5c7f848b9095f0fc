import type { Knex } from 'knex';

/**
 * settlement-reconciler, issue 14:
 * - `settlement_chunks.refunds`: per order, Σ of the chunk's Refund transaction lines, for the
 *   refund tie-out against the refund financial events (the credit notes).
 * - `settlement_deposits`: what the bank received for a settlement in the company's home currency,
 *   recorded by `npm run settlement -- deposit`; the rate it implies (home ÷ settlement total) goes on
 *   the settlement's journals and receipt when the connection's rate source is the deposit. Rows are
 *   never updated: a correction is a new row, the latest wins, and the history is the audit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('settlement_chunks', (t) => {
    t.jsonb('refunds').notNullable().defaultTo('{}').comment('{orderId: Σ Refund lines, decimal string}');
  });
  await knex.schema.createTable('settlement_deposits', (t) => {
    t.bigIncrements('id').primary();
    t.text('connection_id').notNullable();
    t.text('settlement_id').notNullable();
    t.decimal('home_amount', 18, 4).notNullable().comment('what the bank received, in home currency');
    t.text('home_currency').comment('ISO 4217, when given');
    t.text('recorded_by').notNullable().comment('the operating-system user who ran the command');
    t.text('note');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['connection_id', 'settlement_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('settlement_deposits');
  await knex.schema.alterTable('settlement_chunks', (t) => t.dropColumn('refunds'));
}
