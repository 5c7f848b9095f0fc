/**
 * Database migrations for deploys (the Kubernetes migrations job) and by hand:
 *   npm run migrate -- latest | rollback | list        (DATABASE_URL from the environment)
 */
import { createDb, migrateLatest, migrateRollback, pendingMigrations } from '@connector/db';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const db = createDb({ url, poolMax: 1, applicationName: 'migrate' });
  try {
    const cmd = process.argv[2] ?? 'latest';
    if (cmd === 'latest')
      console.log(`applied: ${(await migrateLatest(db)).join(', ') || 'nothing (up to date)'}`);
    else if (cmd === 'rollback')
      console.log(`rolled back: ${(await migrateRollback(db)).join(', ') || 'nothing'}`);
    else if (cmd === 'list') console.log(`pending: ${(await pendingMigrations(db)).join(', ') || 'none'}`);
    else throw new Error(`unknown command ${cmd}: latest | rollback | list`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
