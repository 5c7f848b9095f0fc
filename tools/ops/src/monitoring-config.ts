import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where a PromQL expression was found: an alert rule or a dashboard panel / variable. */
export interface ExprSource {
  where: string;
  expr: string;
}

const ROOT = join(__dirname, '..', '..', '..');
export const ALERTS_FILE = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');
export const ALERT_TESTS_FILE = join(ROOT, 'deploy', 'prometheus', 'alerts.test.yml');
export const DASHBOARDS_DIR = join(ROOT, 'deploy', 'grafana', 'dashboards');

/**
 * The `expr:` of every rule in alerts.yml. The file keeps each expression on one line (promtool
 * check rules would accept more; the test that reads this says so if a rule is missed).
 */
export function alertExprs(text = readFileSync(ALERTS_FILE, 'utf8')): ExprSource[] {
  const out: ExprSource[] = [];
  let alert = '?';
  for (const line of text.split('\n')) {
    const a = /^\s*- alert:\s*(\S+)/.exec(line);
    if (a) alert = a[1];
    const x = /^\s*expr:\s*(.+)$/.exec(line);
    if (x) out.push({ where: `alerts.yml ${alert}`, expr: x[1].trim() });
  }
  return out;
}

export function alertNames(text = readFileSync(ALERTS_FILE, 'utf8')): string[] {
  return [...text.matchAll(/^\s*- alert:\s*(\S+)/gm)].map((m) => m[1]);
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
interface Dashboard {
  title?: string;
  panels?: Panel[];
  templating?: { list?: Array<{ name?: string; query?: string | { query?: string } }> };
}

/** Every panel target's expr and every query variable of the Grafana dashboards. */
export function dashboardExprs(dir = DASHBOARDS_DIR): ExprSource[] {
  const out: ExprSource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
    const walk = (panels: Panel[] | undefined) => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? [])
          if (t.expr) out.push({ where: `${file} panel "${p.title ?? '?'}"`, expr: t.expr });
        walk(p.panels);
      }
    };
    walk(d.panels);
    for (const v of d.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query;
      if (q) out.push({ where: `${file} variable ${v.name ?? '?'}`, expr: q });
    }
  }
  return out;
}
