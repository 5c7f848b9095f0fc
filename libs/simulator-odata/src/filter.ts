import { LosslessNumber } from 'lossless-json';
import { compareByValue, compareToLiteral, parseInstant, textOf } from './compare';
import type { FilterFunction, ODataDialect } from './dialect';
import { ODataError, type ODataProblem } from './errors';

export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal as written: numbers and dates keep their text (no rounding, no zone guessing). */
export type Literal =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'date'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

export type Operand = Literal | { t: 'field'; v: string };

export type FilterExpr =
  | { op: 'and' | 'or'; l: FilterExpr; r: FilterExpr }
  | { op: 'not'; e: FilterExpr }
  | { op: 'cmp'; cmp: Comparison; left: Operand; right: Operand }
  | { op: 'fn'; fn: FilterFunction; args: [Operand, Operand]; equals?: Operand };

export type Row = Record<string, unknown>;

export interface FilterOptions {
  /** when given, a property it answers false for is refused (`unknown-property`) */
  isProperty?: (name: string) => boolean;
  /** the entity set, named in the `unknown-property` message */
  entity?: string;
}

type Token = { k: 'punct'; v: '(' | ')' | ',' } | { k: 'ident'; v: string } | { k: 'lit'; v: Literal };

const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const BARE_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;
const NUMBER = /^-?\d+(\.\d+)?/;
const NUMBER_WITH_SUFFIX = /^-?\d+(\.\d+)?[mMdDfFlL]?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const PATH = /^[A-Za-z_][A-Za-z0-9_/]*/;

export function fail(dialect: ODataDialect, problem: ODataProblem): never {
  throw new ODataError(problem, dialect.phrase(problem));
}

function syntax(dialect: ODataDialect, detail: string): never {
  return fail(dialect, { kind: 'syntax', detail });
}

function tokenize(src: string, d: ODataDialect): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) syntax(d, 'unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ k: 'lit', v: { t: 'str', v } });
      continue;
    }
    const rest = src.slice(i);
    const date = d.literals.bareDates ? BARE_DATE.exec(rest) : null;
    if (date) {
      out.push({ k: 'lit', v: { t: 'date', v: date[0] } });
      i += date[0].length;
      continue;
    }
    const num = (d.literals.numberSuffixes ? NUMBER_WITH_SUFFIX : NUMBER).exec(rest);
    if (num) {
      out.push({ k: 'lit', v: { t: 'num', v: num[0].replace(/[mMdDfFlL]$/, '') } });
      i += num[0].length;
      continue;
    }
    const id = (d.propertyPaths ? PATH : NAME).exec(rest);
    if (id) {
      const w = id[0];
      i += w.length;
      if (d.literals.datetimePrefixes.includes(w) && src[i] === "'") {
        // datetime'2024-05-01T00:00:00', time'14:30:00', datetimeoffset'…'
        const end = src.indexOf("'", i + 1);
        if (end < 0) syntax(d, `unterminated ${w} literal`);
        out.push({ k: 'lit', v: { t: 'date', v: src.slice(i + 1, end) } });
        i = end + 1;
      } else if (w === 'true' || w === 'false') out.push({ k: 'lit', v: { t: 'bool', v: w === 'true' } });
      else if (w === 'null') out.push({ k: 'lit', v: { t: 'null' } });
      else out.push({ k: 'ident', v: w });
      continue;
    }
    syntax(d, `unexpected character '${c}' at ${i}`);
  }
  return out;
}

const tokenText = (t: Token): string => (t.k === 'lit' ? ('v' in t.v ? String(t.v.v) : 'null') : t.v);

/**
 * Parses a `$filter` expression as the dialect reads it: `or` binds loosest, then `and`, then `not`,
 * parentheses, function calls and comparisons. Throws ODataError, phrased by the dialect.
 */
export function parseFilter(src: string, d: ODataDialect, options: FilterOptions = {}): FilterExpr {
  const toks = tokenize(src, d);
  const strict = d.comparisons === 'property-to-literal';
  let p = 0;
  const word = (t: Token | undefined): string | undefined =>
    t?.k === 'ident' ? (d.keywordsIgnoreCase ? t.v.toLowerCase() : t.v) : undefined;
  const isWord = (w: string) => word(toks[p]) === w;
  const isPunct = (t: Token | undefined, v: string) => t?.k === 'punct' && t.v === v;
  const expect = (v: '(' | ')' | ',') => {
    if (!isPunct(toks[p++], v)) syntax(d, `expected '${v}'`);
  };
  const property = (name: string): Operand => {
    if (options.isProperty && !options.isProperty(name))
      fail(d, { kind: 'unknown-property', name, entity: options.entity });
    return { t: 'field', v: name };
  };
  const literal = (): Literal => {
    const t = toks[p++];
    if (t?.k !== 'lit') return syntax(d, 'expected a literal');
    if (strict && t.v.t === 'date' && Number.isNaN(parseInstant(t.v.v)))
      syntax(d, `invalid date literal ${t.v.v}`);
    return t.v;
  };
  const propertyName = (): Operand => {
    const t = toks[p++];
    if (t?.k !== 'ident') return syntax(d, 'expected a property name');
    return property(t.v);
  };
  const text = (): Literal => {
    const l = literal();
    if (l.t !== 'str') syntax(d, 'expected a string literal');
    return l;
  };
  const operand = (): Operand => {
    const t = toks[p++];
    if (!t) return syntax(d, 'unexpected end of $filter');
    if (t.k === 'lit') return t.v;
    if (t.k === 'ident') return property(t.v);
    return syntax(d, `unexpected '${t.v}'`);
  };

  const call = (name: string): FilterExpr => {
    const fn = name as FilterFunction;
    if (!d.functions.includes(fn)) fail(d, { kind: 'unknown-function', name });
    expect('(');
    let args: [Operand, Operand];
    if (!strict) {
      const a = operand();
      expect(',');
      args = [a, operand()];
    } else if (fn === 'substringof') {
      const s = text();
      expect(',');
      args = [s, propertyName()];
    } else {
      const f = propertyName();
      expect(',');
      args = [f, text()];
    }
    expect(')');
    if (d.functionEqualsBoolean && isWord('eq')) {
      p++;
      return { op: 'fn', fn, args, equals: operand() };
    }
    return { op: 'fn', fn, args };
  };

  const comparison = (): FilterExpr => {
    const left = strict ? propertyName() : operand();
    const op = toks[p];
    const name = word(op);
    if (name === undefined) return syntax(d, 'expected a comparison operator');
    if (!COMPARISONS.has(name)) return syntax(d, `unknown operator '${op.v as string}'`);
    p++;
    const right = strict ? literal() : operand();
    return { op: 'cmp', cmp: name as Comparison, left, right };
  };

  const unary = (): FilterExpr => {
    if (isWord('not')) {
      p++;
      return { op: 'not', e: unary() };
    }
    const t = toks[p];
    if (isPunct(t, '(')) {
      p++;
      const e = or();
      expect(')');
      return e;
    }
    if (t?.k === 'ident' && isPunct(toks[p + 1], '(')) {
      p++;
      return call(word(t)!);
    }
    return comparison();
  };
  /** `next (op next)*`, left-associative */
  const chain = (op: 'and' | 'or', next: () => FilterExpr) => (): FilterExpr => {
    let l = next();
    while (isWord(op)) {
      p++;
      l = { op, l, r: next() };
    }
    return l;
  };
  const and = chain('and', unary);
  const or = chain('or', and);

  const e = or();
  if (p !== toks.length) syntax(d, `unexpected '${tokenText(toks[p])}'`);
  return e;
}

/** The properties an expression reads, in order of appearance. */
export function filterFields(e: FilterExpr): string[] {
  const fields = (o: Operand | undefined) => (o?.t === 'field' ? [o.v] : []);
  switch (e.op) {
    case 'and':
    case 'or':
      return [...filterFields(e.l), ...filterFields(e.r)];
    case 'not':
      return filterFields(e.e);
    case 'cmp':
      return [...fields(e.left), ...fields(e.right)];
    case 'fn':
      return [...fields(e.args[0]), ...fields(e.args[1]), ...fields(e.equals)];
  }
}

/** An operand's value for one row; numbers as LosslessNumber, dates as their text. */
function valueOf(o: Operand, row: Row): unknown {
  switch (o.t) {
    case 'field':
      return row[o.v];
    case 'num':
      return new LosslessNumber(o.v);
    case 'null':
      return null;
    default:
      return o.v;
  }
}

function holds(cmp: Comparison, c: number | null): boolean {
  if (c === null) return cmp === 'ne';
  switch (cmp) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

/** Whether a row matches the expression, compared as the dialect compares. */
export function evaluate(e: FilterExpr, row: Row, d: ODataDialect): boolean {
  switch (e.op) {
    case 'and':
      return evaluate(e.l, row, d) && evaluate(e.r, row, d);
    case 'or':
      return evaluate(e.l, row, d) || evaluate(e.r, row, d);
    case 'not':
      return !evaluate(e.e, row, d);
    case 'fn': {
      const [x, y] = e.args.map((a) => textOf(valueOf(a, row) ?? ''));
      const r =
        e.fn === 'startswith'
          ? x.startsWith(y)
          : e.fn === 'endswith'
            ? x.endsWith(y)
            : e.fn === 'contains'
              ? x.includes(y)
              : y.includes(x); // substringof('needle', Property)
      return e.equals === undefined ? r : r === (valueOf(e.equals, row) === true);
    }
    case 'cmp': {
      const left = valueOf(e.left, row);
      const c =
        d.comparisons === 'property-to-literal' && e.right.t !== 'field'
          ? compareToLiteral(left, e.right)
          : compareByValue(left, valueOf(e.right, row));
      return holds(e.cmp, c);
    }
  }
}

/** `parseFilter` and `evaluate` in one: a row predicate. */
export function filterPredicate(
  src: string,
  d: ODataDialect,
  options: FilterOptions = {},
): (row: Row) => boolean {
  const e = parseFilter(src, d, options);
  return (row) => evaluate(e, row, d);
}
