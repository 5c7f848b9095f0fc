/**
 * Database migrations for deploys (the Kubernetes migrations job) and by hand:
 *   npm run migrate -- latest | rollback | list        (DATABASE_URL from the environment, validated as the services do)
 */
import { parseArgs } from 'node:util';
import { baseConfigSchema, loadConfig } from '@connector/config';
import { createDb, migrateLatest, migrateRollback, pendingMigrations } from '@connector/db';

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const cmd = positionals[0] ?? 'latest';
  if (!['latest', 'rollback', 'list'].includes(cmd))
    throw new Error(`unknown command ${cmd}: latest | rollback | list`);
  const { DATABASE_URL } = loadConfig(baseConfigSchema.pick({ DATABASE_URL: true }));
  const db = createDb({ url: DATABASE_URL, poolMax: 1, applicationName: 'migrate' });
  try {
    if (cmd === 'latest')
      console.log(`applied: ${(await migrateLatest(db)).join(', ') || 'nothing (up to date)'}`);
    else if (cmd === 'rollback')
      console.log(`rolled back: ${(await migrateRollback(db)).join(', ') || 'nothing'}`);
    else console.log(`pending: ${(await pendingMigrations(db)).join(', ') || 'none'}`);
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
