import { Writable } from 'node:stream';
import { ConnectorMetrics, createLogger } from '../index';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('when a log line carries secrets or buyer PII, then they are redacted', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'test', destination });
    log.info(
      {
        lwa: { refreshToken: 'Atzr|secret-refresh', clientSecret: 'amzn1.oa2-cs.v1.x' },
        order: {
          amazonOrderId: '111-1234567-1234567',
          buyerEmail: 'jane@example.com',
          shippingAddress: { city: 'X' },
        },
        password: 'p',
      },
      'fetched order',
    );
    const line = lines.join('');
    expect(line).toContain('111-1234567-1234567');
    expect(line).toContain('"service":"test"');
    for (const secret of [
      'Atzr|secret-refresh',
      'amzn1.oa2-cs.v1.x',
      'jane@example.com',
      '"city"',
      '"password":"p"',
    ]) {
      expect(line).not.toContain(secret);
    }
  });

  it('when pino-http logs a request and its answer, then session cookies and CSRF tokens are redacted', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'test', destination }).info(
      {
        req: {
          url: '/api/settlements',
          headers: { cookie: 'console-session=sess-value-1', 'x-csrf-token': 'csrf-value' },
        },
        res: { statusCode: 200, headers: { 'set-cookie': '__Host-console-session=sess-value-2; HttpOnly' } },
      },
      'request completed',
    );
    const line = lines.join('');
    expect(line).toContain('/api/settlements');
    for (const secret of ['sess-value-1', 'sess-value-2', 'csrf-value']) expect(line).not.toContain(secret);
  });
});

describe('metrics', () => {
  it('when a counter moves, then the exposition carries it with the service label', async () => {
    const metrics = new ConnectorMetrics('amazon-ingest', { defaultMetrics: false });
    metrics.eventsConsumed.inc({ topic: 'amazon.orders.v1', outcome: 'ok' }, 3);
    metrics.spapiThrottled.inc({ operation: 'searchOrders' });
    const text = await metrics.text();
    expect(text).toContain(
      'connector_events_consumed_total{topic="amazon.orders.v1",outcome="ok",service="amazon-ingest"} 3',
    );
    expect(text).toContain(
      'connector_spapi_throttled_total{operation="searchOrders",service="amazon-ingest"} 1',
    );
  });
});
