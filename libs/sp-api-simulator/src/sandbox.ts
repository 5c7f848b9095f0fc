import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';

/**
 * Amazon's static sandbox (x-amzn-api-sandbox.static in the models, FACTS §12): fixed request/response
 * pairs. A request matches a case when every parameter the case lists is present with the listed value.
 */
export interface SandboxCase {
  model: string;
  operation: string;
  method: string;
  template: string;
  status: number;
  parameters: Record<string, { value: unknown }>;
  response: unknown;
}

interface CasesFile {
  cases: Record<
    string,
    Record<
      string,
      Record<
        string,
        Array<{ request: { parameters: Record<string, { value: unknown }> }; response?: unknown }>
      >
    >
  >;
}

export function loadSandboxCases(file: string): SandboxCase[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as CasesFile;
  const out: SandboxCase[] = [];
  for (const [model, ops] of Object.entries(json.cases)) {
    for (const [key, statuses] of Object.entries(ops)) {
      const [method, template, operation] = key.split(' ');
      for (const [status, cases] of Object.entries(statuses)) {
        for (const c of cases)
          out.push({
            model,
            operation,
            method,
            template,
            status: Number(status),
            parameters: c.request.parameters,
            response: c.response,
          });
      }
    }
  }
  return out;
}

const templateParams = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names = templateParams(template);
  const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  const m = path.match(re);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
}

/**
 * The case whose listed parameters all match; with several, the most specific (most parameters with a
 * value). A parameter listed without a value matches anything.
 */
export function findSandboxCase(
  cases: readonly SandboxCase[],
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): SandboxCase | undefined {
  let best: SandboxCase | undefined;
  for (const c of cases) {
    if (c.method !== method) continue;
    const pathParams = matchPath(c.template, path);
    if (!pathParams) continue;
    const listed = Object.entries(c.parameters).filter(([, p]) => 'value' in p);
    const ok = listed.every(([name, { value }]) => {
      if (name in pathParams) return pathParams[name] === String(value);
      if (name === 'body') return isDeepStrictEqual(body, value);
      const got = query.get(name);
      return got !== null && got === (Array.isArray(value) ? value.join(',') : String(value));
    });
    const specificity = (x: SandboxCase) => Object.values(x.parameters).filter((p) => 'value' in p).length;
    if (ok && (!best || listed.length > specificity(best))) best = c;
  }
  return best;
}

/** The request a case describes: path with its parameters filled in, query and body. */
export function sandboxRequest(c: SandboxCase): {
  path: string;
  query: Record<string, string>;
  body?: unknown;
} {
  const names = templateParams(c.template);
  let path = c.template;
  const query: Record<string, string> = {};
  let body: unknown;
  for (const [name, { value }] of Object.entries(c.parameters)) {
    if (names.includes(name)) path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    else if (name === 'body') body = value;
    else query[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return { path, query, body };
}
