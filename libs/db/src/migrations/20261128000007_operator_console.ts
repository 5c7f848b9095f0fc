import type { Knex } from 'knex';

/**
 * operator-console: its local accounts (scrypt password hashes, one role each) and server-side
 * sessions (only a hash of the cookie's token is stored, with the session's CSRF token and expiry).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_users', (t) => {
    t.bigIncrements('id').primary();
    t.text('email').notNullable().unique().comment('lower-cased');
    t.text('password_hash').notNullable().comment('scrypt$N$r$p$salt$hash (base64)');
    t.text('role').notNullable().comment('viewer | accountant | operator | admin');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_sign_in_at', { useTz: true });
  });
  await knex.raw(
    "alter table console_users add constraint console_users_role_check check (role in ('viewer','accountant','operator','admin'))",
  );
  await knex.schema.createTable('console_sessions', (t) => {
    t.text('token_hash').primary().comment('sha-256 of the cookie token; the token itself is never stored');
    t.bigInteger('user_id').notNullable().references('console_users.id').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('idle expiry, moved on each use');
    t.timestamp('max_expires_at', { useTz: true }).notNullable().comment('absolute expiry');
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('console_sessions');
  await knex.schema.dropTableIfExists('console_users');
}
