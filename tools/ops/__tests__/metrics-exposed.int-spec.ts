import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@connector/config';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
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
import { ALERTS_FILE, alertExprs, alertNames, dashboardExprs } from '../src/monitoring-config';
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

  describe('a real Prometheus (Debian prometheus) scraping them with the alert rules loaded', () => {
    let prometheus: ChildProcess | undefined;
    let api: string;
    const query = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${api}${path}`);
      const body = (await res.json()) as { status: string; data: T };
      if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
      return body.data;
    };

    beforeAll(async () => {
      execFileSync('bash', [join(__dirname, '../../scripts/ensure-prometheus.sh')], { stdio: 'ignore' });
      const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
      const port = await freePort();
      api = `http://127.0.0.1:${port}/api/v1`;
      const targets = [...apps].map(([service, app]) => {
        const { port: p } = (app.getHttpServer() as Server).address() as AddressInfo;
        return `      - targets: ['127.0.0.1:${p}']\n        labels: { service: ${service} }`;
      });
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          `rule_files: ['${ALERTS_FILE}']`,
          'scrape_configs:',
          '  - job_name: connector',
          '    honor_labels: true',
          '    static_configs:',
          ...targets,
        ].join('\n'),
      );
      // started here, stopped in afterAll by its own pid
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
      await waitFor(async () => (await fetch(`${api}/status/buildinfo`)).ok, { what: 'Prometheus up' });
    }, 300_000);

    afterAll(() => {
      prometheus?.kill('SIGTERM');
    });

    it('when Prometheus scrapes the five services, then every target is up with its service label and every alert rule loads and evaluates', async () => {
      const up = await waitFor(
        async () => {
          const { result: r } = await query<{
            result: Array<{ metric: { service: string }; value: [number, string] }>;
          }>('/query?query=up%7Bjob%3D%22connector%22%7D');
          return r.length === apps.size && r.every((x) => x.value[1] === '1') ? r : undefined;
        },
        { what: 'five targets up', timeoutMs: 30_000 },
      ).catch(async (err: Error) => {
        const t = await query<{
          activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }>;
        }>('/targets');
        throw new Error(`${err.message}: ${JSON.stringify(t.activeTargets)}`);
      });
      expect(up.map((x) => x.metric.service).sort()).toEqual([...apps.keys()].sort());
      const rules = await waitFor(
        async () => {
          const d = await query<{
            groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
          }>('/rules');
          const all = d.groups.flatMap((g) => g.rules);
          return all.length > 0 && all.every((r) => r.health === 'ok') ? all : undefined;
        },
        { what: 'every rule evaluated', timeoutMs: 30_000 },
      );
      expect(rules.map((r) => r.name).sort()).toEqual(alertNames().sort());
      // ConnectorServiceMissing stays quiet: Prometheus sees all five services
      const firing = await query<{ alerts: Array<{ labels: { alertname: string } }> }>('/alerts');
      expect(firing.alerts.map((a) => a.labels.alertname)).not.toContain('ConnectorServiceDown');
      // series the services have samples of are in Prometheus under the names the rules use
      const names = await query<string[]>('/label/__name__/values');
      expect(names).toEqual(
        expect.arrayContaining(['up', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']),
      );
    }, 90_000);
  });
});

/** A free TCP port on 127.0.0.1 (bound, then released for Prometheus to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
