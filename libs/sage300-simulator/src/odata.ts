import {
  ODataError,
  SAGE300_DIALECT,
  evaluate as evaluateIn,
  filterFields,
  parseFilter as parseFilterIn,
  type FilterExpr,
  type FilterOptions,
  type Literal,
} from '@connector/simulator-odata';

/**
 * The OData `$filter` subset Sage 300 documents (reference/erp/FACTS.md §2.4), read by the shared
 * module in its Sage 300 dialect: `eq ne gt ge lt le and or not`, parentheses, `startswith`,
 * `endswith`, `substringof`, and the literals `'text'` (quotes doubled inside), `99.99m` / `12`,
 * `datetime'2015-12-31T12:00'`, bare `2016-12-31T12:00:00Z`, `true`, `false`, `null`. `ge` is not
 * in Sage's list but every OData server takes it ([?] in reference/erp/FACTS.md). No `$orderby`.
 */
export type { FilterExpr, Literal };
export { filterFields };

/** What a refused `$filter` throws (the shared ODataError). */
export const FilterSyntaxError = ODataError;
export type FilterSyntaxError = ODataError;

export function parseFilter(src: string, options: FilterOptions = {}): FilterExpr {
  return parseFilterIn(src, SAGE300_DIALECT, options);
}

export function evaluate(e: FilterExpr, rec: Record<string, unknown>): boolean {
  return evaluateIn(e, rec, SAGE300_DIALECT);
}
