/**
 * The metric names and label names a PromQL expression (an alert rule, a Grafana panel or variable
 * query) refers to. Not a PromQL parser: enough of the grammar to find selectors, `by (...)` lists and
 * function calls in the expressions this repository writes, so that a renamed or misspelt metric or
 * label is caught before it silently matches nothing.
 */
export interface MetricUse {
  name: string;
  /** label names in the selector's matchers: metric{label="..."} */
  labels: string[];
}

export interface ExprUses {
  metrics: MetricUse[];
  /** label names of by/without/on/ignoring/group_left/group_right lists */
  groupingLabels: string[];
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

export function metricUses(expr: string): ExprUses {
  let e = expr
    // Grafana variables ($__rate_interval, ${service}, $connection)
    .replace(/\$\{[^}]*\}|\$\w+/g, '1m')
    // string literals (label values, label_replace arguments)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // range and subquery durations
    .replace(/\[[^\]]*\]/g, '');
  const groupingLabels: string[] = [];
  e = e.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_all, _kw, list: string) => {
      groupingLabels.push(
        ...list
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean),
      );
      return ' ';
    },
  );
  // label_values(metric, label) of Grafana variable queries
  e = e.replace(/\blabel_values\s*\(\s*([^,()]+?)\s*,\s*(\w+)\s*\)/g, (_all, sel: string, label: string) => {
    groupingLabels.push(label);
    return ` ${sel} `;
  });
  const metrics: MetricUse[] = [];
  e = e.replace(
    /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g,
    (_all, name: string | undefined, body: string) => {
      const labels = [...body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
      if (name && !KEYWORDS.has(name)) metrics.push({ name, labels });
      return ' ';
    },
  );
  for (const m of e.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\s*\()(?![\w:])/g)) {
    const name = m[1];
    if (KEYWORDS.has(name.toLowerCase())) continue;
    metrics.push({ name, labels: [] });
  }
  return { metrics, groupingLabels };
}

/** Metric names a /metrics page exposes; a histogram or summary also as its _bucket, _sum and _count series. */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
    names.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1] + s);
    if (m[2] === 'summary') for (const s of ['_sum', '_count']) names.add(m[1] + s);
  }
  return names;
}
