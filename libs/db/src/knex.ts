import knexFactory, { type Knex } from 'knex';

/** A knex instance or a transaction: every store accepts both, so it can join a caller's transaction. */
export type Db = Knex | Knex.Transaction;

export interface DbOptions {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

export function createDb({ url, poolMax = 10, applicationName = 'connector' }: DbOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: applicationName },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}

/** Round-trips to the server; used by readiness checks. */
export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}
