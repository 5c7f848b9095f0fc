import { ConfigError, baseConfigSchema, loadConfig, redactConfig } from '../index';

const valid = {
  HTTP_PORT: '3001',
  KAFKA_BROKERS: '127.0.0.1:19092, 127.0.0.1:19093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:5432/connector',
};

describe('loadConfig', () => {
  it('when the environment is valid, then a typed frozen config with defaults comes back', () => {
    const config = loadConfig(baseConfigSchema, valid);
    expect(config.HTTP_PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:19092', '127.0.0.1:19093']);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.SCHEMA_AUTO_REGISTER).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when several settings are wrong, then every problem is named at once', () => {
    let error: unknown;
    try {
      loadConfig(baseConfigSchema, {
        ...valid,
        HTTP_PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        KAFKA_BROKERS: undefined,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, retriable } = error as ConfigError;
    expect(retriable).toBe(false);
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS']);
  });

  it('when a config is redacted for logging, then passwords never appear', () => {
    const config = loadConfig(baseConfigSchema, { ...valid, SCHEMA_REGISTRY_PASSWORD: 'hunter2' });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(text).toContain('app:[redacted]@127.0.0.1');
  });
});
