/**
 * Accounts of the operator console, from the same validated environment as the service
 * (DATABASE_URL):
 *
 *   npm run console -- add-user --email ann@example.com --role accountant    password from CONSOLE_NEW_PASSWORD or stdin
 *   npm run console -- list-users
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { commandConfigSchema, loadConfig } from '@connector/config';
import { systemClock } from '@connector/core';
import { createDb } from '@connector/db';
import { createLogger } from '@connector/observability';
import { AuthService } from './auth/auth.service';
import { KnexAuthStore } from './auth/auth.store';
import { isRole } from './auth/roles';

const USAGE =
  'usage: console add-user --email E --role viewer|accountant|operator|admin | console list-users';

async function readPassword(): Promise<string> {
  if (process.env.CONSOLE_NEW_PASSWORD) return process.env.CONSOLE_NEW_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    return (await rl.question('password (at least 12 characters): ')).trim();
  } finally {
    rl.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, role: { type: 'string' } },
  });
  const config = loadConfig(commandConfigSchema);
  const db = createDb({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'console-cli' });
  const store = new KnexAuthStore(db);
  const auth = new AuthService({
    store,
    clock: systemClock,
    logger: createLogger({ service: 'console-cli', level: config.LOG_LEVEL }),
    policy: { idleMinutes: 30, maxHours: 12 },
  });
  try {
    if (positionals[0] === 'add-user') {
      if (!values.email || !isRole(values.role)) throw new Error(USAGE);
      const user = await auth.addUser(values.email, await readPassword(), values.role);
      console.log(`account ${user.email} (${user.role}) created`);
    } else if (positionals[0] === 'list-users') {
      for (const u of await store.listUsers())
        console.log(`${u.email}\t${u.role}\t${u.enabled ? 'enabled' : 'disabled'}`);
    } else throw new Error(USAGE);
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`console: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
