/**
 * Reprocessing, through one command (Kafka from the same validated environment as the services:
 * KAFKA_BROKERS, SSL/SASL, KAFKA_TOPIC_PREFIX; topic names are logical; DATABASE_URL for the audit
 * trail, where every replay is written with who, what and when):
 *
 *   npm run replay -- record --topic amazon.orders.v1 --partition 1 --offset 42   that one record again
 *   npm run replay -- record --order 114-3941689-8772232 [--connection C]          by Amazon order id
 *   npm run replay -- record --settlement 11000000001 [--connection C]             by settlement id
 *       [--group connector.sage-writer] [--wait 30] [--by alice] [--reason "ticket 123"]
 *   npm run replay -- dlq   --topic amazon.orders.v1 [--code UNMAPPED_SKU]   redrive the dead letters recorded so far
 *   npm run replay -- reset --group connector.sage-writer --topic amazon.orders.v1 --to 2026-11-01T00:00:00Z
 *                                                                            move a stopped group back to a time
 */
import { commandConfigSchema, loadConfig } from '@connector/config';
import { KnexAuditStore, createDb } from '@connector/db';
import { createKafka, kafkaSettingsFromConfig } from '@connector/kafka';
import { createLogger } from '@connector/observability';
import { runReplay } from './replay-command';

async function main(argv: string[]): Promise<void> {
  const config = loadConfig(commandConfigSchema);
  const logger = createLogger({ service: 'replay', level: config.LOG_LEVEL });
  const kafka = createKafka(kafkaSettingsFromConfig(config, 'replay'), logger);
  const db = createDb({ url: config.DATABASE_URL, poolMax: 2, applicationName: 'replay' });
  try {
    const audit = new KnexAuditStore(db);
    await runReplay(argv, {
      kafka,
      audit,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      logger,
      print: (line) => console.log(line),
      auditOf: (topic, partition, offset) => audit.findBySource(topic, partition, offset),
    });
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`replay: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
