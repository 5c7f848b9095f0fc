/**
 * Mappings, through one command (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, KAFKA_TOPIC_PREFIX from the environment):
 *
 *   npm run mapping -- load --file mappings.json     publish SKU, customer and GL account mappings (see libs/mapping)
 *
 * Fixing a mapping and replaying the dead letters it caused:
 *   npm run mapping -- load --file fix.json && npm run replay -- dlq --topic amazon.orders.v1 --code UNMAPPED_SKU
 */
import { readFileSync } from 'node:fs';
import { TOPIC_CATALOGUE } from '@connector/events';
import { KafkaRuntime } from '@connector/kafka';
import { mappingRecords } from '@connector/mapping';
import { createLogger } from '@connector/observability';

async function main() {
  const [cmd, flag, file] = process.argv.slice(2);
  if (cmd !== 'load' || flag !== '--file' || !file)
    throw new Error('usage: mapping load --file mappings.json');
  const records = mappingRecords(JSON.parse(readFileSync(file, 'utf8')), Date.now());
  const logger = createLogger({ service: 'mapping', level: process.env.LOG_LEVEL ?? 'warn' });
  const runtime = new KafkaRuntime({
    service: 'mapping-cli',
    kafka: {
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
      clientId: 'connector-mapping',
    },
    registry: { url: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7' },
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
    catalogue: TOPIC_CATALOGUE,
    groupId: 'connector.mapping-cli',
    autoRegister: true,
    ensureTopics: true,
    consumer: { maxAttempts: 1, retryBaseMs: 1, retryMaxMs: 1 },
    logger,
  });
  await runtime.connect();
  try {
    for (const topic of new Set(records.map((r) => r.topic)))
      await runtime.publisher.publish(
        topic,
        records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })),
      );
  } finally {
    await runtime.disconnect();
  }
  const count = (t: string) => records.filter((r) => r.topic === t).length;
  console.log(
    `published ${count('mapping.skus.v1')} SKU, ${count('mapping.customers.v1')} customer and ${count('mapping.gl-accounts.v1')} GL account mappings (${records.filter((r) => r.value === null).length} deletions)`,
  );
}

main().catch((err) => {
  console.error(`mapping: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
