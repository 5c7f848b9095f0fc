import { resolveTestInfra } from './infra';

/** Jest global setup for the integration project: exports the infra's connection strings to the workers. */
export default async function globalSetup(): Promise<void> {
  const infra = await resolveTestInfra((msg) => process.stderr.write(`${msg}\n`));
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = infra.schemaRegistryUrl;
  process.env.TEST_DATABASE_URL = infra.databaseUrl;
  process.env.TEST_INFRA_SOURCE = infra.source;
  (globalThis as { __TEST_INFRA__?: typeof infra }).__TEST_INFRA__ = infra;
}
