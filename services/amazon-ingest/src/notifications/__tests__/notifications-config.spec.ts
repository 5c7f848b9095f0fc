import { ConfigError, loadConfig } from '@connector/config';
import { configSchema } from '../../config';

const base = {
  HTTP_PORT: '0',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  DATABASE_URL: 'postgres://p@127.0.0.1/db',
  CREDENTIALS_KEY: Buffer.alloc(32, 1).toString('base64'),
};
const queue = {
  SQS_REGION: 'us-east-1',
  SQS_QUEUE_URL: 'http://127.0.0.1:19324/000000000000/sp-api-notifications',
  SQS_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:sp-api-notifications',
  SQS_DLQ_URL: 'http://127.0.0.1:19324/000000000000/sp-api-notifications-dlq',
};
const issues = (env: Record<string, string>) => {
  try {
    loadConfig(configSchema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('amazon-ingest configuration of notifications', () => {
  it('when notifications are off, then no queue is needed', () => {
    expect(loadConfig(configSchema, base).NOTIFICATIONS).toBe(false);
  });

  it('when notifications are on without a queue, then boot stops naming every missing setting', () => {
    expect(issues({ ...base, NOTIFICATIONS: 'true' })).toEqual([
      'SQS_REGION: required when NOTIFICATIONS=true',
      'SQS_QUEUE_URL: required when NOTIFICATIONS=true',
      'SQS_QUEUE_ARN: required when NOTIFICATIONS=true',
      'SQS_DLQ_URL: required when NOTIFICATIONS=true',
    ]);
  });

  it('when the ARN is not an SQS ARN or only one static key is given, then boot stops and says so', () => {
    const found = issues({
      ...base,
      ...queue,
      NOTIFICATIONS: 'true',
      SQS_QUEUE_ARN: 'arn:aws:sns:us-east-1:000000000000:topic',
      SQS_ACCESS_KEY_ID: 'x',
    });
    expect(found).toEqual([
      expect.stringMatching(/^SQS_QUEUE_ARN: arn:aws:sqs:<region>:<account>:<queue>/),
      expect.stringMatching(
        /^SQS_SECRET_ACCESS_KEY: SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY go together/,
      ),
    ]);
  });

  it('when notifications are on with a queue, then the poller net defaults to 30 minutes', () => {
    const c = loadConfig(configSchema, { ...base, ...queue, NOTIFICATIONS: 'true' });
    expect([c.NOTIFICATIONS, c.NOTIFICATIONS_ORDERS_INTERVAL_SEC, c.SQS_WAIT_SEC]).toEqual([true, 1800, 20]);
  });
});
