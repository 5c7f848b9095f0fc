import type { Knex } from 'knex';

/** Placeholder: filled by the feature that owns it (issue 11). */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
