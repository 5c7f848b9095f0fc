import { ConnectorMetrics } from '@connector/observability';
import type { ExprSource } from './monitoring-config';
import { metricUses } from './promql';

/** Labels every connector series has besides its own: the registry's default and the scrape's target labels. */
const COMMON_LABELS = ['service', 'job', 'instance'];

/** What the connector's registry defines: metric name → its label names. */
export function connectorLabels(): Map<string, Set<string>> {
  const metrics = new ConnectorMetrics('ops-test');
  const out = new Map<string, Set<string>>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = new Set([
      ...((m as unknown as { labelNames?: string[] }).labelNames ?? []),
      ...COMMON_LABELS,
    ]);
    const type = (m as unknown as { type?: string }).type;
    out.set(m.name, labels);
    if (type === 'histogram') {
      out.set(`${m.name}_bucket`, new Set([...labels, 'le']));
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    }
  }
  // Prometheus' own series for each target
  out.set('up', new Set(COMMON_LABELS));
  return out;
}

/** Problems of one expression against the metrics exposed and their labels ([] when none). */
export function problemsOf(
  src: ExprSource,
  exposed: Set<string>,
  labels: Map<string, Set<string>>,
): string[] {
  const { metrics, groupingLabels } = metricUses(src.expr);
  const problems: string[] = [];
  if (metrics.length === 0) problems.push(`${src.where}: no metric found in ${src.expr}`);
  for (const m of metrics) {
    if (!exposed.has(m.name) && m.name !== 'up') {
      problems.push(`${src.where}: ${m.name} is not exposed by any service`);
      continue;
    }
    const known = labels.get(m.name);
    for (const l of m.labels)
      if (known && !known.has(l)) problems.push(`${src.where}: ${m.name} has no label ${l}`);
  }
  const connector = metrics.map((m) => labels.get(m.name)).filter((l): l is Set<string> => !!l);
  for (const l of groupingLabels)
    if (connector.length && !connector.some((known) => known.has(l)))
      problems.push(`${src.where}: no metric of the expression has the label ${l} it groups by`);
  return problems;
}
