import { SAGE300_DIALECT, serverPage, textOf } from '@connector/simulator-odata';
import { SageError } from '../errors';
import { FilterSyntaxError, evaluate, parseFilter, type FilterExpr } from '../odata';
import type { Rec, ResourceDef } from '../resources';
import type { Company } from '../state';

/**
 * What every resource does with its records, reference/erp/FACTS.md §2.2 and §2.4: `GET` a page
 * of the collection (`$filter`, `$select`, `$top`, `$skip`, `$count`, each option once, no other
 * `$` option, `@odata.nextLink` past the page size), `GET`/`PUT`/`PATCH`/`DELETE` one record by its
 * key (`('A1')`, `(CurrencyCode='USD',UnformattedItemNumber='A1',PriceListCode='STD')`).
 */

const QUERY_OPTIONS = ['$filter', '$select', '$top', '$skip', '$count'];
const MALFORMED_KEY = 'The entity key is malformed or is not compatible with the requested resource';

function parseKey(def: ResourceDef, key: string): Rec {
  const parts = key.split(',').map((p) => p.trim());
  const out: Rec = {};
  parts.forEach((p, i) => {
    const named = /^([A-Za-z]+)\s*=\s*(.+)$/.exec(p);
    const prop = named ? named[1] : def.keys[i];
    const raw = named ? named[2] : p;
    if (!prop || !def.keys.includes(prop)) throw new SageError('InvalidEntityKey', MALFORMED_KEY);
    out[prop] = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  });
  if (Object.keys(out).length !== def.keys.length) throw new SageError('InvalidEntityKey', MALFORMED_KEY);
  return out;
}

export function byKey(c: Company, name: string, def: ResourceDef, key: string): Rec {
  const k = parseKey(def, key);
  const rec = c.list(name).find((r) => def.keys.every((p) => String(r[p]) === String(k[p])));
  if (!rec) throw new SageError('RecordNotFound', 'A Record cannot be found for the specified entity key');
  return rec;
}

const unknownProperty = (f: string, name: string) =>
  new SageError(
    'InvalidParameters',
    SAGE300_DIALECT.phrase({ kind: 'unknown-property', name: f, entity: name }),
  );

/** One page of a collection, with `@odata.context` under `base` and `@odata.nextLink` when more follow. */
export function feed(
  c: Company,
  name: string,
  def: ResourceDef,
  url: URL,
  base: string,
  pageSize: number,
): Rec {
  const q = url.searchParams;
  for (const k of new Set(q.keys())) {
    if (q.getAll(k).length > 1)
      throw new SageError('InvalidParameters', `query option ${k} given more than once`);
    if (k.startsWith('$') && !QUERY_OPTIONS.includes(k))
      throw new SageError('InvalidParameters', `query option ${k} is not supported`);
  }
  let rows = c.list(name);
  const filter = q.get('$filter');
  if (filter) {
    // properties, not collections of detail lines; refusals are InvalidParameters as phrased by the dialect
    const isProperty = (f: string) => def.shape.props.includes(f) && !def.shape.details?.[f];
    let expr: FilterExpr;
    try {
      expr = parseFilter(filter, { isProperty, entity: name });
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new SageError('InvalidParameters', err.message);
      throw err;
    }
    rows = rows.filter((r) => evaluate(expr, r));
  }
  const int = (k: string) => {
    const v = q.get(k);
    if (v === null) return undefined;
    if (!/^\d+$/.test(v)) throw new SageError('InvalidParameters', `${k} must be a non-negative integer`);
    return Number(v);
  };
  const skip = int('$skip') ?? 0;
  const top = int('$top');
  const { page, next } = serverPage(rows, q, { skip, top, pageSize });
  const select = q.get('$select');
  let fields: string[] | undefined;
  if (select) {
    fields = select.split(',').map((s) => s.trim());
    for (const f of fields) if (!def.shape.props.includes(f)) throw unknownProperty(f, name);
  }
  const out: Rec = {
    '@odata.context': `${base}/$metadata#${name}${fields ? `(${fields.join(',')})` : ''}`,
  };
  if (q.get('$count') === 'true') out['@odata.count'] = rows.length;
  out.value = page.map((r) => (fields ? Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) : r));
  if (next) out['@odata.nextLink'] = `${base}/${name}?${next.toString()}`;
  return out;
}

/** `PUT` (the body replaces every non-key property) or `PATCH` (the body is merged); keys cannot change. */
export function updateRecord(
  c: Company,
  name: string,
  def: ResourceDef,
  rec: Rec,
  body: Rec,
  put: boolean,
): Rec {
  for (const k of def.keys)
    if (body[k] !== undefined && textOf(body[k]) !== textOf(rec[k]))
      throw new SageError('RecordInvalid', `${k} cannot be changed`);
  if (put) for (const p of Object.keys(rec)) if (!def.keys.includes(p)) delete rec[p];
  Object.assign(rec, body);
  if ('DateLastMaintained' in rec || name === 'ICItems' || name === 'ARCustomers')
    rec.DateLastMaintained = c.today();
  if (name === 'GLJournalBatches') rec.DateLastEdited = c.today();
  return rec;
}

export function deleteRecord(c: Company, name: string, rec: Rec): void {
  const list = c.list(name);
  list.splice(list.indexOf(rec), 1);
}
