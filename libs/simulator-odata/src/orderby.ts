import { compareByValue } from './compare';
import type { ODataDialect } from './dialect';
import { fail, type Row } from './filter';

/**
 * `$orderby=UpdateDate,UpdateTime desc` → a comparator (values ordered as `compareByValue`; a missing
 * value first). A dialect without `$orderby` refuses it (`unsupported-option`).
 */
export function parseOrderBy(src: string, d: ODataDialect): (a: Row, b: Row) => number {
  if (!d.orderBy) fail(d, { kind: 'unsupported-option', option: '$orderby' });
  const keys = src
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [field, dir] = s.split(/\s+/);
      if (!field || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field) || (dir && !/^(asc|desc)$/i.test(dir)))
        fail(d, { kind: 'syntax', detail: `invalid $orderby '${s}'` });
      return { field, sign: dir?.toLowerCase() === 'desc' ? -1 : 1 };
    });
  return (a, b) => {
    for (const k of keys) {
      const c = compareByValue(a[k.field], b[k.field]) ?? (a[k.field] == null ? -1 : 1);
      if (c !== 0) return c * k.sign;
    }
    return 0;
  };
}
