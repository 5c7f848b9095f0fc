import type { Server } from 'node:http';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConnectorMetrics } from '@connector/observability';
import { HealthController } from '../health.controller';
import { MetricsController } from '../metrics.controller';
import { METRICS, READINESS_CHECKS, type ReadinessCheck } from '../tokens';

/** Terminus's health check body, the parts asserted on. */
interface HealthBody {
  info?: Record<string, unknown>;
  error?: Record<string, unknown>;
}

describe('health and metrics endpoints', () => {
  let app: INestApplication<Server>;
  let kafkaUp = true;

  beforeAll(async () => {
    const checks: ReadinessCheck[] = [
      { name: 'database', check: async () => undefined },
      {
        name: 'kafka',
        check: async () => {
          if (!kafkaUp) throw new Error('connection refused');
        },
      },
    ];
    const metrics = new ConnectorMetrics('test', { defaultMetrics: false });
    metrics.eventsProduced.inc({ topic: 'amazon.orders.v1' }, 2);
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: READINESS_CHECKS, useValue: checks },
        { provide: METRICS, useValue: metrics },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => app?.close());

  it('when every dependency answers, then ready is 200 and names each one', async () => {
    kafkaUp = true;
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect((res.body as HealthBody).info).toEqual({ database: { status: 'up' }, kafka: { status: 'up' } });
  });

  it('when Kafka is down, then ready is 503 with the reason while live stays 200', async () => {
    kafkaUp = false;
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect((res.body as HealthBody).error).toEqual({
      kafka: { status: 'down', message: 'connection refused' },
    });
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });

  it('when scraped, then /metrics serves the Prometheus text format', async () => {
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('connector_events_produced_total{topic="amazon.orders.v1",service="test"} 2');
  });
});
