import type { Knex } from 'knex';

/**
 * The idempotency ledger becomes an exclusive claim with fencing (issue 18): who holds a row, until
 * when (by the database's clock, so every host agrees), and a token that grows on every claim so a
 * writer whose claim was taken over cannot record over the new holder.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_ledger', (t) => {
    t.text('lease_owner').comment('writer instance holding the claim (host:pid:random); null once settled');
    t.timestamp('lease_expires_at', { useTz: true }).comment('end of the claim, computed with now()');
    t.bigInteger('fence')
      .notNullable()
      .defaultTo(0)
      .comment('fencing token: +1 on every successful claim; marks must carry the current one');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_ledger', (t) => {
    t.dropColumn('lease_owner');
    t.dropColumn('lease_expires_at');
    t.dropColumn('fence');
  });
}
