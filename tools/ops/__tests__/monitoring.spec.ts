import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALERTS_FILE,
  ALERT_TESTS_FILE,
  alertExprs,
  alertNames,
  dashboardExprs,
} from '../src/monitoring-config';
import { connectorLabels, problemsOf } from '../src/monitoring-check';
import { exposedNames, metricUses } from '../src/promql';

const ROOT = join(__dirname, '..', '..', '..');

const promtool = (...args: string[]) =>
  execFileSync('promtool', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('PromQL names', () => {
  it('when an expression has selectors, groupings, functions and Grafana variables, then only the metrics and labels come out', () => {
    expect(
      metricUses(
        'sum by (service, topic) (rate(connector_dlq_messages_total{reason=~"A|B", service="$service"}[$__rate_interval])) / on(service) group_left sum(up{job="connector"}) and histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[5m])))',
      ),
    ).toEqual({
      metrics: [
        { name: 'connector_dlq_messages_total', labels: ['reason', 'service'] },
        { name: 'up', labels: ['job'] },
        { name: 'x_seconds_bucket', labels: [] },
      ],
      groupingLabels: ['service', 'topic', 'service', 'le'],
    });
    expect(metricUses('label_values(connector_erp_writes_total, erp)')).toEqual({
      metrics: [{ name: 'connector_erp_writes_total', labels: [] }],
      groupingLabels: ['erp'],
    });
    expect(exposedNames('# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE c counter\n')).toEqual(
      new Set(['h', 'h_bucket', 'h_sum', 'h_count', 'c']),
    );
  });
});

describe('alert rules and dashboards against the metrics the code defines', () => {
  const labels = connectorLabels();
  const exposed = new Set(labels.keys());

  it('when alerts.yml and the dashboards are read, then every rule and every panel has an expression', () => {
    expect(alertExprs().length).toBe(alertNames().length);
    expect(dashboardExprs().length).toBeGreaterThan(40);
  });

  it('when a rule or a panel names a metric or a label, then the connector defines it', () => {
    const problems = [...alertExprs(), ...dashboardExprs()].flatMap((src) =>
      problemsOf(src, exposed, labels),
    );
    expect(problems).toEqual([]);
  });

  it('when a metric is misspelt or a label renamed, then the check says where', () => {
    expect(
      problemsOf(
        { where: 'x', expr: 'sum by (topik) (rate(connector_dlq_mesages_total[5m]))' },
        exposed,
        labels,
      ),
    ).toEqual(['x: connector_dlq_mesages_total is not exposed by any service']);
    expect(problemsOf({ where: 'y', expr: 'connector_consumer_lag{grup="g"} > 0' }, exposed, labels)).toEqual(
      ['y: connector_consumer_lag has no label grup'],
    );
    expect(
      problemsOf({ where: 'z', expr: 'sum by (topik) (connector_consumer_lag)' }, exposed, labels),
    ).toEqual(['z: no metric of the expression has the label topik it groups by']);
  });
});

describe('Prometheus rules checked by promtool (Debian prometheus)', () => {
  beforeAll(() => {
    // installs Debian's prometheus package where promtool is missing (a fresh CI machine)
    execFileSync('bash', [join(ROOT, 'tools/scripts/ensure-prometheus.sh')], { stdio: 'ignore' });
  }, 300_000);

  it('when promtool checks alerts.yml, then the rules are valid', () => {
    expect(promtool('check', 'rules', ALERTS_FILE)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('when promtool runs the alert unit tests, then each alert fires when it should and not before', () => {
    expect(promtool('test', 'rules', ALERT_TESTS_FILE)).toContain('SUCCESS');
  });

  it('when the alerts are listed, then each of them has a unit test', () => {
    const tested = new Set(
      [...readFileSync(ALERT_TESTS_FILE, 'utf8').matchAll(/alertname:\s*(\S+)/g)].map((m) => m[1]),
    );
    expect(alertNames().filter((a) => !tested.has(a))).toEqual([]);
  });

  it('when promtool checks the compose Prometheus configuration, then it is valid and loads the rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prom-'));
    const config = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8').replace(
      '/etc/prometheus/alerts.yml',
      ALERTS_FILE,
    );
    writeFileSync(join(dir, 'prometheus.yml'), config);
    expect(promtool('check', 'config', join(dir, 'prometheus.yml'))).toMatch(/SUCCESS/);
  });
});
