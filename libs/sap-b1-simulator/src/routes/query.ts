import type { IncomingMessage } from 'node:http';
import { serverPage } from '@connector/simulator-odata';
import { SlError } from '../errors';
import { compareValues, parseFilter, parseOrderBy, type Row } from '../odata';
import { ENTITIES, clone, type SapB1State } from '../state';

/**
 * Reads, reference/erp/FACTS.md §1.4: `GET /<Entity>(key)`, `GET /<Entity>` with `$filter`,
 * `$select`, `$orderby`, `$skip`, `$top` and `$inlinecount=allpages`, paged by the server page size
 * (or `B1S-PageSize`, or `Prefer: odata.maxpagesize=n`) with `odata.nextLink`; `GET /<Entity>/$count`.
 */

export function select(row: Row, sel: string | null): Row {
  if (!sel) return clone(row);
  const out: Row = {};
  for (const f of sel.split(',').map((s) => s.trim())) if (f in row) out[f] = clone(row[f]);
  return out;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new SlError(400, -1000, `Invalid ${name} '${v}'`);
  return Number(v);
}

/** The rows `$filter` keeps, in `$orderby` order (by key when none is asked for). */
export function query(state: SapB1State, entity: string, q: URLSearchParams): Row[] {
  const filter = q.get('$filter');
  const pred = filter ? parseFilter(filter) : () => true;
  const rows = state.table(entity).filter(pred);
  const def = ENTITIES[entity];
  const order = q.get('$orderby');
  rows.sort(order ? parseOrderBy(order) : (a, b) => compareValues(a[def.key], b[def.key]) ?? 0);
  return rows;
}

/** One page of a collection: the body (without `odata.metadata`) and the headers to answer with. */
export function listPage(
  state: SapB1State,
  entity: string,
  q: URLSearchParams,
  req: IncomingMessage,
  defaultPageSize: number,
): { body: Row; headers: Record<string, string> } {
  const rows = query(state, entity, q);
  const skip = intParam(q, '$skip') ?? 0;
  const top = intParam(q, '$top');
  const headers: Record<string, string> = {};
  let pageSize = defaultPageSize;
  const b1sPageSize = req.headers['b1s-pagesize'];
  if (typeof b1sPageSize === 'string' && /^\d+$/.test(b1sPageSize)) pageSize = Number(b1sPageSize);
  const prefer = /odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ''));
  if (prefer) {
    pageSize = Number(prefer[1]);
    headers['Preference-Applied'] = `odata.maxpagesize=${prefer[1]}`;
  }
  const { page, next } = serverPage(rows, q, { skip, top, pageSize: pageSize > 0 ? pageSize : undefined });
  const body: Row = {};
  if (q.get('$inlinecount') === 'allpages') body['odata.count'] = String(rows.length);
  body.value = page.map((r) => select(r, q.get('$select')));
  if (next) body['odata.nextLink'] = `${entity}?${next.toString().replace(/\+/g, '%20')}`;
  return { body, headers };
}
