import type { BaseConfig } from '@connector/config';
import { TOPIC_CATALOGUE } from '@connector/events';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { RegistrySettings } from './avro-codec';
import type { KafkaSettings } from './kafka-client';
import { KafkaRuntime } from './kafka-runtime';

type KafkaConfig = Pick<
  BaseConfig,
  | 'KAFKA_BROKERS'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;
type RegistryConfig = Pick<
  BaseConfig,
  'SCHEMA_REGISTRY_URL' | 'SCHEMA_REGISTRY_USERNAME' | 'SCHEMA_REGISTRY_PASSWORD'
>;

/** The broker settings of a validated configuration (SSL and SASL included). */
export function kafkaSettingsFromConfig(config: KafkaConfig, clientName: string): KafkaSettings {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-${clientName}`,
    ssl: config.KAFKA_SSL,
    sasl:
      config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME
        ? {
            mechanism: config.KAFKA_SASL_MECHANISM,
            username: config.KAFKA_SASL_USERNAME,
            password: config.KAFKA_SASL_PASSWORD ?? '',
          }
        : undefined,
  };
}

/** The schema registry settings of a validated configuration (credentials included). */
export function registrySettingsFromConfig(config: RegistryConfig): RegistrySettings {
  return {
    url: config.SCHEMA_REGISTRY_URL,
    username: config.SCHEMA_REGISTRY_USERNAME,
    password: config.SCHEMA_REGISTRY_PASSWORD,
  };
}

/**
 * The Kafka runtime of a service or a command-line tool, built from the same validated configuration
 * (libs/config baseConfigSchema): brokers with SSL and SASL, the registry with its credentials, the
 * topic prefix, the consumer group and its retry policy.
 */
export function kafkaRuntimeFromConfig(
  config: BaseConfig,
  service: string,
  opts: { logger: Logger; metrics?: ConnectorMetrics; groupId?: string },
): KafkaRuntime {
  return new KafkaRuntime({
    service,
    kafka: kafkaSettingsFromConfig(config, service),
    registry: registrySettingsFromConfig(config),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    catalogue: TOPIC_CATALOGUE,
    groupId: opts.groupId ?? config.KAFKA_GROUP_ID ?? `connector.${service}`,
    autoRegister: config.SCHEMA_AUTO_REGISTER,
    ensureTopics: config.NODE_ENV !== 'production',
    consumer: {
      maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
      retryBaseMs: config.CONSUMER_RETRY_BASE_MS,
      retryMaxMs: config.CONSUMER_RETRY_MAX_MS,
      concurrency: config.CONSUMER_CONCURRENCY,
      keyConcurrency: config.CONSUMER_KEY_CONCURRENCY,
    },
    logger: opts.logger,
    metrics: opts.metrics,
  });
}

/** Readiness of the schema registry: it answers a list of subjects, with the configured credentials. */
export async function pingRegistry({ url, username, password }: RegistrySettings): Promise<void> {
  const headers: Record<string, string> = username
    ? { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` }
    : {};
  const res = await fetch(`${url.replace(/\/$/, '')}/subjects`, {
    headers,
    signal: AbortSignal.timeout(3000),
  });
  if (!res.ok) throw new Error(`schema registry answered HTTP ${res.status}`);
}
