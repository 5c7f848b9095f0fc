export * from './compare';
export * from './dialect';
export * from './errors';
export {
  evaluate,
  filterFields,
  filterPredicate,
  parseFilter,
  type Comparison,
  type FilterExpr,
  type FilterOptions,
  type Literal,
  type Operand,
  type Row,
} from './filter';
export * from './orderby';
export * from './paging';
