import { resolveTestInfra } from '../infra';

describe('resolveTestInfra', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('when connection strings are in the environment, then they win and nothing is started', async () => {
    process.env.KAFKA_BROKERS = 'broker-a:9092';
    process.env.SCHEMA_REGISTRY_URL = 'http://registry-a/apis/ccompat/v7';
    process.env.TEST_DATABASE_URL = 'postgres://db-a/test';
    const infra = await resolveTestInfra();
    expect(infra).toMatchObject({
      source: 'env',
      kafkaBrokers: 'broker-a:9092',
      schemaRegistryUrl: 'http://registry-a/apis/ccompat/v7',
      databaseUrl: 'postgres://db-a/test',
    });
  });
});
