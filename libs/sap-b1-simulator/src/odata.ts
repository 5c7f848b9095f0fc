import {
  ODataError,
  SAP_B1_DIALECT,
  compareByValue,
  filterPredicate,
  parseOrderBy as parseOrderByIn,
  type Row,
} from '@connector/simulator-odata';

/**
 * The part of OData v3 query options the Service Layer simulator understands
 * (reference/erp/FACTS.md §1.4), read by the shared module in its SAP B1 dialect: `$filter` with
 * eq/ne/gt/ge/lt/le, and/or/not, parentheses, startswith/endswith/contains/substringof, string,
 * number, null, true/false, `datetime'…'` and `time'…'` literals; `$orderby` with asc/desc.
 */
export type { Row };
export type Predicate = (row: Row) => boolean;

/** What a refused `$filter` or `$orderby` throws (the shared ODataError). */
export const ODataSyntaxError = ODataError;
export type ODataSyntaxError = ODataError;

/** Turns a `$filter` expression into a predicate; throws ODataSyntaxError on anything else. */
export function parseFilter(src: string): Predicate {
  return filterPredicate(src, SAP_B1_DIALECT);
}

/** Orders two values the way the simulator stores them; null when they cannot be compared. */
export const compareValues = compareByValue;

/** `$orderby=UpdateDate,UpdateTime desc` → a comparator. */
export function parseOrderBy(src: string): (a: Row, b: Row) => number {
  return parseOrderByIn(src, SAP_B1_DIALECT);
}
