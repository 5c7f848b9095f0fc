import { isLosslessNumber, type LosslessNumber } from 'lossless-json';
import { MoneyDecimal } from '@connector/money';
import type { Literal } from './filter';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const isNumeric = (v: unknown): v is number | LosslessNumber => typeof v === 'number' || isLosslessNumber(v);

/**
 * A stored or posted value as text, for comparisons and messages: a string as it is; numbers,
 * booleans, null and undefined as `String` writes them; values with their own `toString` (a
 * LosslessNumber, an array, a date, a decimal) through it; a plain object as JSON.
 */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return JSON.stringify(v);
  return (v as { toString(): string }).toString();
}

/**
 * Orders two stored values (the `by-value` dialect): numbers exactly as decimals, a number against a
 * numeric string, a date (`2024-05-01`) against a date-time by its date part, anything else as text.
 * Null when they cannot be compared (null against a value, a number against a word).
 */
export function compareByValue(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined)
    return (a ?? null) === (b ?? null) ? 0 : null;
  if (isNumeric(a) && isNumeric(b))
    return new MoneyDecimal(String(a)).comparedTo(new MoneyDecimal(String(b)));
  if (isNumeric(a) || isNumeric(b)) {
    const s = textOf(isNumeric(a) ? b : a);
    if (!DECIMAL.test(s)) return null;
    return new MoneyDecimal(textOf(a)).comparedTo(new MoneyDecimal(textOf(b)));
  }
  let x = textOf(a);
  let y = textOf(b);
  // a date field compared with datetime'2024-05-01T00:00:00' compares the date part
  if (/^\d{4}-\d{2}-\d{2}$/.test(x) && /^\d{4}-\d{2}-\d{2}T/.test(y)) y = y.slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(y) && /^\d{4}-\d{2}-\d{2}T/.test(x)) x = x.slice(0, 10);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A date or date-time literal as epoch milliseconds, UTC unless it names a zone; `T12:00` takes
 * seconds `:00`. NaN when it is not a date.
 */
export function parseInstant(text: string): number {
  const iso = /T\d{2}:\d{2}$/.test(text) ? `${text}:00` : text;
  const withZone = /T/.test(iso) && !/(Z|[+-]\d{2}:\d{2})$/.test(iso) ? `${iso}Z` : iso;
  return Date.parse(withZone);
}

/**
 * Orders a stored value against a typed literal (the `property-to-literal` dialect): text as text,
 * numbers exactly, date-times as instants, booleans equal or not. Null when the value cannot be
 * read as the literal's type; a missing value equals only `null`, and any value is above `null`.
 */
export function compareToLiteral(value: unknown, lit: Literal): number | null {
  if (value === undefined || value === null) return lit.t === 'null' ? 0 : null;
  switch (lit.t) {
    case 'null':
      return 1;
    case 'str':
      return textOf(value) < lit.v ? -1 : textOf(value) > lit.v ? 1 : 0;
    case 'bool':
      return value === lit.v ? 0 : 1;
    case 'num': {
      const text = textOf(value);
      if (!DECIMAL.test(text)) return null;
      return new MoneyDecimal(text).cmp(new MoneyDecimal(lit.v));
    }
    case 'date': {
      const ms = typeof value === 'string' ? parseInstant(value) : NaN;
      if (Number.isNaN(ms)) return null;
      return Math.sign(ms - parseInstant(lit.v));
    }
  }
}
