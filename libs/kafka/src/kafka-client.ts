import { Kafka, Partitioners, logLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '@connector/observability';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Sends kafkajs's own log lines through the service logger (one level down: its ERRORs are usually self-healing). */
export function kafkaLogCreator(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const target =
        LEVELS[level] === 'error' ? 'warn' : LEVELS[level] === 'info' ? 'debug' : (LEVELS[level] ?? 'debug');
      child[target](extra, message);
    };
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
  };
  if (settings.sasl) config.sasl = settings.sasl as KafkaConfig['sasl'];
  return new Kafka(config);
}

/**
 * The one kind of producer the connector uses: idempotent (no duplicates from its own retries), Java-compatible
 * murmur2 partitioning (keys land where Java clients would put them), and retries without a count limit
 * (backing off to 30 s) because a record handed to it must not be dropped while the broker is away.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
}
