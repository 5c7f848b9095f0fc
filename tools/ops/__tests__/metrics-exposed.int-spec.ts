import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@connector/config';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName } from '@connector/testing';
import { appModule as ingestModule, configSchema as ingestConfig } from '@connector/amazon-ingest';
import { appModule as writerModule, configSchema as writerConfig } from '@connector/sage-writer';
import {
  appModule as reconcilerModule,
  configSchema as reconcilerConfig,
} from '@connector/settlement-reconciler';
import {
  appModule as publisherModule,
  configSchema as publisherConfig,
} from '@connector/inventory-publisher';
import { appModule as pollerModule, configSchema as pollerConfig } from '@connector/erp-change-poller';
import { alertExprs, dashboardExprs } from '../src/monitoring-config';
import { connectorLabels, problemsOf } from '../src/monitoring-check';
import { exposedNames } from '../src/promql';

/**
 * The five services started in-process against the real broker, registry and PostgreSQL, as the
 * end-to-end tests do; what their /metrics pages really expose is compared with every metric an alert
 * rule or a Grafana panel uses.
 */
describe('every metric of the alert rules and dashboards is on some service’s /metrics', () => {
  const prefix = `${uniqueName('ops')}.`;
  let tdb: TestDatabase;
  const apps = new Map<string, INestApplication>();

  const env = (service: string) => ({
    HTTP_PORT: '0',
    KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
    SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}${service}`,
    CREDENTIALS_KEY: Buffer.alloc(32, 1).toString('base64'),
    // no schedulers or ERP writes: the test reads /metrics, it does not run the flows
    INGEST_SCHEDULER: 'false',
    ERP_WRITES: 'false',
    PUBLISHER_SCHEDULER: 'false',
    POLLER_SCHEDULER: 'false',
  });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const logger = silentLogger();
    const start = async (name: string, module: Parameters<typeof startService>[0]) =>
      apps.set(name, await startService(module, { logger: false, port: 0, host: '127.0.0.1' }));
    // one after the other: each migrates the same database at boot
    await start('amazon-ingest', ingestModule(loadConfig(ingestConfig, env('amazon-ingest')), { logger }));
    await start('sage-writer', writerModule(loadConfig(writerConfig, env('sage-writer')), { logger }));
    await start(
      'settlement-reconciler',
      reconcilerModule(loadConfig(reconcilerConfig, env('settlement-reconciler')), { logger }),
    );
    await start(
      'inventory-publisher',
      publisherModule(loadConfig(publisherConfig, env('inventory-publisher')), { logger }),
    );
    await start(
      'erp-change-poller',
      pollerModule(loadConfig(pollerConfig, env('erp-change-poller')), { logger }),
    );
  }, 180_000);

  afterAll(async () => {
    for (const app of [...apps.values()].reverse()) await app.close();
    await tdb?.drop();
  });

  it('when the five services are scraped, then each rule and panel finds its metrics and labels there', async () => {
    const exposed = new Set<string>();
    for (const [name, app] of apps) {
      const res = await request(app.getHttpServer() as Server)
        .get('/metrics')
        .expect(200);
      const names = exposedNames(res.text);
      expect({ name, count: names.size > 20 }).toEqual({ name, count: true });
      expect(res.text).toContain(`service="${name}"`);
      for (const n of names) exposed.add(n);
    }
    const labels = connectorLabels();
    const problems = [...alertExprs(), ...dashboardExprs()].flatMap((src) =>
      problemsOf(src, exposed, labels),
    );
    expect(problems).toEqual([]);
  }, 60_000);
});
