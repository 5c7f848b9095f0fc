/**
 * Reprocessing, through one command (Kafka from the same validated environment as the services:
 * KAFKA_BROKERS, SSL/SASL, KAFKA_TOPIC_PREFIX; topic names are logical):
 *
 *   npm run replay -- dlq   --topic amazon.orders.v1 [--code UNMAPPED_SKU]   redrive the dead letters recorded so far
 *   npm run replay -- reset --group connector.sage-writer --topic amazon.orders.v1 --to 2026-11-01T00:00:00Z
 *                                                                            move a stopped group back to a time
 */
import { parseArgs } from 'node:util';
import { commandConfigSchema, loadConfig } from '@connector/config';
import { createKafka, kafkaSettingsFromConfig, redriveDeadLetters, resetGroupToTime } from '@connector/kafka';
import { createLogger } from '@connector/observability';

const USAGE =
  'usage: replay dlq --topic T [--code C[,C]] | replay reset --group G --topic T --to ISO-DATE-TIME';

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      code: { type: 'string' },
      group: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const need = (name: 'topic' | 'group' | 'to'): string => {
    const v = values[name];
    if (!v) throw new Error(`--${name} is required\n${USAGE}`);
    return v;
  };
  const [cmd] = positionals;
  if (cmd !== 'dlq' && cmd !== 'reset') throw new Error(USAGE);
  const config = loadConfig(commandConfigSchema);
  const logger = createLogger({ service: 'replay', level: config.LOG_LEVEL });
  const kafka = createKafka(kafkaSettingsFromConfig(config, 'replay'), logger);
  const topic = `${config.KAFKA_TOPIC_PREFIX}${need('topic')}`;
  if (cmd === 'dlq') {
    const codes = values.code?.split(',');
    const result = await redriveDeadLetters(kafka, { topic, logger, codes });
    console.log(`redriven ${result.redriven}, left on the DLQ ${result.skipped}`);
    return;
  }
  const at = new Date(need('to'));
  if (Number.isNaN(at.getTime())) throw new Error('--to must be an ISO date-time');
  const partitions = await resetGroupToTime(kafka, need('group'), topic, at);
  console.log(partitions.map((p) => `partition ${p.partition} → offset ${p.offset}`).join('\n'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`replay: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
