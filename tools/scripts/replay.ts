/**
 * Reprocessing, through one command (brokers from KAFKA_BROKERS, topic names logical, KAFKA_TOPIC_PREFIX applied):
 *
 *   npm run replay -- dlq   --topic amazon.orders.v1 [--code UNMAPPED_SKU]   redrive the dead letters recorded so far
 *   npm run replay -- reset --group connector.sage-writer --topic amazon.orders.v1 --to 2026-11-01T00:00:00Z
 *                                                                            move a stopped group back to a time
 */
import { createKafka, redriveDeadLetters, resetGroupToTime } from '@connector/kafka';
import { createLogger } from '@connector/observability';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function need(name: string): string {
  const v = arg(name);
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

async function main() {
  const logger = createLogger({ service: 'replay', level: process.env.LOG_LEVEL ?? 'info' });
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  const kafka = createKafka({ brokers, clientId: 'connector-replay' }, logger);
  const cmd = process.argv[2];
  if (cmd === 'dlq') {
    const codes = arg('code')?.split(',');
    const result = await redriveDeadLetters(kafka, { topic: `${prefix}${need('topic')}`, logger, codes });
    console.log(`redriven ${result.redriven}, left on the DLQ ${result.skipped}`);
  } else if (cmd === 'reset') {
    const at = new Date(need('to'));
    if (Number.isNaN(at.getTime())) throw new Error('--to must be an ISO date-time');
    const partitions = await resetGroupToTime(kafka, need('group'), `${prefix}${need('topic')}`, at);
    console.log(partitions.map((p) => `partition ${p.partition} → offset ${p.offset}`).join('\n'));
  } else {
    throw new Error('usage: replay dlq --topic T [--code C] | replay reset --group G --topic T --to ISO');
  }
}

main().catch((err) => {
  console.error(`replay: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
