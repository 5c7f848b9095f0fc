/**
 * Checks every topic's schema against the registry (BACKWARD), and with --register registers the ones
 * that are new or compatible. Exit 1 when any schema would break existing readers.
 *
 *   npm run schemas:compat                 check
 *   npm run schemas:compat -- --register   check, then register (deploys; local runs)
 *
 * Registry: SCHEMA_REGISTRY_URL (default: the local stack's), subjects `<KAFKA_TOPIC_PREFIX><topic>-value`.
 */
import { TOPIC_CATALOGUE } from '@connector/events';
import { checkCompatibility, registerSchema } from '@connector/kafka';

async function main() {
  const register = process.argv.includes('--register');
  const reg = {
    url: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7',
    username: process.env.SCHEMA_REGISTRY_USERNAME,
    password: process.env.SCHEMA_REGISTRY_PASSWORD,
  };
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  let broken = 0;
  for (const entry of TOPIC_CATALOGUE) {
    const subject = `${prefix}${entry.topic}-value`;
    const result = await checkCompatibility(reg, subject, entry.schema);
    let line = `${result.status.padEnd(12)} ${subject}`;
    if (result.status === 'incompatible') {
      broken++;
      line += `\n    ${result.messages.join('\n    ')}`;
    } else if (register) {
      line += ` (registered as id ${await registerSchema(reg, subject, entry.schema)})`;
    }
    console.log(line);
  }
  console.log(`${TOPIC_CATALOGUE.length} subjects checked against ${reg.url}: ${broken} incompatible`);
  if (broken > 0) process.exit(1);
}

main().catch((err) => {
  console.error(`schema check failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
