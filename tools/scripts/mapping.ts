/**
 * Mappings, through one command (Kafka and the registry from the same validated environment as the
 * services: KAFKA_BROKERS, SSL/SASL, SCHEMA_REGISTRY_URL and its credentials, KAFKA_TOPIC_PREFIX):
 *
 *   npm run mapping -- load --file mappings.json     publish SKU, customer and GL account mappings (see libs/mapping)
 *
 * Fixing a mapping and replaying the dead letters it caused:
 *   npm run mapping -- load --file fix.json && npm run replay -- dlq --topic amazon.orders.v1 --code UNMAPPED_SKU
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { commandConfigSchema, loadConfig } from '@connector/config';
import { kafkaRuntimeFromConfig } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { createLogger } from '@connector/observability';

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { file: { type: 'string' } },
  });
  if (positionals[0] !== 'load' || !values.file) throw new Error('usage: mapping load --file mappings.json');
  const records = mappingRecords(JSON.parse(readFileSync(values.file, 'utf8')), Date.now());
  const config = loadConfig(commandConfigSchema);
  const logger = createLogger({ service: 'mapping', level: config.LOG_LEVEL });
  const runtime = kafkaRuntimeFromConfig(config, 'mapping-cli', { logger });
  await runtime.connect();
  try {
    await publishMappings(runtime.publisher, records);
  } finally {
    await runtime.disconnect();
  }
  const count = (t: string) => records.filter((r) => r.topic === t).length;
  console.log(
    `published ${count('mapping.skus.v1')} SKU, ${count('mapping.customers.v1')} customer and ${count('mapping.gl-accounts.v1')} GL account mappings (${records.filter((r) => r.value === null).length} deletions)`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`mapping: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
