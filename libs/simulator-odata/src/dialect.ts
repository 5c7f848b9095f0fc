import type { ODataProblem } from './errors';

/** The `$filter` functions the two simulated ERPs know between them. */
export type FilterFunction = 'startswith' | 'endswith' | 'contains' | 'substringof';

/**
 * What differs between the OData servers the simulators imitate. One parser and one evaluator
 * read every dialect; the options below are the only places where the ERPs part ways.
 */
export interface ODataDialect {
  /** the ERP, for messages and tests */
  readonly name: string;
  /** functions `$filter` accepts; any other `name(` is refused as an unknown function */
  readonly functions: readonly FilterFunction[];
  /**
   * `by-value`: either side of a comparison and each function argument is a property or a literal,
   * and values compare as stored (numbers exactly, a date against a date-time by its date part).
   * `property-to-literal`: a comparison is `Property op literal` and compares by the literal's type;
   * `startswith`/`endswith`/`contains` take (property, 'text') and `substringof` ('text', property).
   */
  readonly comparisons: 'by-value' | 'property-to-literal';
  /** `And`, `EQ`, `StartsWith(…)` are read as their lower-case forms */
  readonly keywordsIgnoreCase: boolean;
  /** a function call may be compared with a boolean: `startswith(A,'x') eq true` */
  readonly functionEqualsBoolean: boolean;
  /** property paths with `/` (`Address/City`) are single names */
  readonly propertyPaths: boolean;
  readonly literals: {
    /** `2016-12-31T12:00:00Z` without a prefix is a date-time */
    readonly bareDates: boolean;
    /** `99.99m`, `12L`, `1.5d`, `2f`: the type suffix is dropped */
    readonly numberSuffixes: boolean;
    /** prefixes of quoted date and time literals: `datetime'…'`, `time'…'`, `datetimeoffset'…'` */
    readonly datetimePrefixes: readonly string[];
  };
  /** whether `$orderby` is served */
  readonly orderBy: boolean;
  /** the ERP's wording for a refused query option */
  readonly phrase: (problem: ODataProblem) => string;
}

/**
 * SAP Business One Service Layer v1 (OData v3), reference/erp/FACTS.md §1.4: `eq ne gt ge lt le`,
 * `and or not`, `startswith endswith contains substringof`, `datetime'…'` and `time'…'` literals,
 * `$orderby`. Refusals are answered 400 with code -1000 and the message as phrased here.
 */
export const SAP_B1_DIALECT: ODataDialect = {
  name: 'SAP Business One',
  functions: ['startswith', 'endswith', 'contains', 'substringof'],
  comparisons: 'by-value',
  keywordsIgnoreCase: true,
  functionEqualsBoolean: true,
  propertyPaths: true,
  literals: { bareDates: false, numberSuffixes: false, datetimePrefixes: ['datetime', 'time'] },
  orderBy: true,
  phrase: (p) => {
    switch (p.kind) {
      case 'syntax':
        return p.detail;
      case 'unknown-function':
        return `Unknown function '${p.name}'`;
      case 'unknown-property':
        return `Property '${p.name}' is invalid`;
      case 'unsupported-option':
        return `Query option '${p.option}' is not supported`;
    }
  },
};

/**
 * Sage 300 Web API (OData v4 server, v3-style literals), reference/erp/FACTS.md §2.4:
 * `eq ne gt ge lt le and or not` (`ge` is not in Sage's list but every OData server takes it),
 * `startswith endswith substringof`, literals `'text'`, `99.99m`, `datetime'2015-12-31T12:00'`,
 * bare `2016-12-31T12:00:00Z`, `true false null`; no `$orderby`. Refusals are InvalidParameters.
 */
export const SAGE300_DIALECT: ODataDialect = {
  name: 'Sage 300',
  functions: ['startswith', 'endswith', 'substringof'],
  comparisons: 'property-to-literal',
  keywordsIgnoreCase: false,
  functionEqualsBoolean: false,
  propertyPaths: false,
  literals: { bareDates: true, numberSuffixes: true, datetimePrefixes: ['datetime', 'datetimeoffset'] },
  orderBy: false,
  phrase: (p) => {
    switch (p.kind) {
      case 'syntax':
        return `$filter: ${p.detail}`;
      case 'unknown-function':
        return `$filter: unknown function '${p.name}'`;
      case 'unknown-property':
        return `Could not find a property named '${p.name}' on ${p.entity ?? 'the resource'}`;
      case 'unsupported-option':
        return `query option ${p.option} is not supported`;
    }
  },
};
