import Decimal from 'decimal.js';

/**
 * Exact decimal arithmetic for money. Amounts travel as decimal strings ("1234.5600") and are
 * computed with decimal.js; a JavaScript number is never accepted as money.
 */
export const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type MoneyDecimal = InstanceType<typeof MoneyDecimal>;

export class InvalidAmountError extends Error {
  readonly retriable = false;
  readonly code = 'INVALID_AMOUNT';
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super(`invalid amount ${JSON.stringify(input)}: ${reason}`);
    this.name = 'InvalidAmountError';
  }
}

const PLAIN = /^[+-]?\d+(\.\d+)?$/;

/** Parses a plain decimal string ("-12.50"). Numbers, exponents, NaN and empty strings are rejected. */
export function decimal(value: string | MoneyDecimal): MoneyDecimal {
  if (value instanceof MoneyDecimal) return value;
  if (typeof value !== 'string')
    throw new InvalidAmountError(value, `expected a decimal string, got ${typeof value}`);
  const trimmed = value.trim();
  if (!PLAIN.test(trimmed)) throw new InvalidAmountError(value, 'not a plain decimal');
  return new MoneyDecimal(trimmed);
}

export interface LocaleAmountOptions {
  /** The decimal separator the source uses; `auto` decides per value (see parseLocaleAmount). */
  decimalSeparator?: '.' | ',' | 'auto';
}

/**
 * Parses an amount as Amazon writes it in flat files: "1,234.56" (US/UK), "1.234,56" or "-12,5" (DE/FR/IT/ES),
 * "1 234,56". With `auto`, the last of ',' or '.' is the decimal separator when it is followed by 1–2 digits
 * or when the other separator also appears; a lone separator followed by exactly three digits is ambiguous
 * and rejected unless the separator is given. "(55.00)" is -55.00. A group separator must split the whole
 * part into thousands, so "95,00" read with "." as the decimal separator is an error, never 9500.
 */
export function parseLocaleAmount(raw: string, opts: LocaleAmountOptions = {}): string {
  const input = raw.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (input === '') throw new InvalidAmountError(raw, 'empty');
  let sep = opts.decimalSeparator ?? 'auto';
  if (sep === 'auto') {
    const lastComma = input.lastIndexOf(',');
    const lastDot = input.lastIndexOf('.');
    if (lastComma === -1 && lastDot === -1) sep = '.';
    else if (lastComma !== -1 && lastDot !== -1) sep = lastComma > lastDot ? ',' : '.';
    else {
      const at = Math.max(lastComma, lastDot);
      const candidate = lastComma !== -1 ? ',' : '.';
      const decimals = input.length - at - 1;
      const occurrences = input.split(candidate).length - 1;
      if (occurrences > 1) sep = candidate === ',' ? '.' : ',';
      else if (decimals === 3)
        throw new InvalidAmountError(raw, 'ambiguous separator: pass decimalSeparator');
      else sep = candidate;
    }
  }
  const group = sep === ',' ? '.' : ',';
  const negative = /^\(.*\)$/.test(input); // (55.00): accountants' negative
  const body = negative ? input.slice(1, -1) : input;
  if (body.split(sep).length > 2) throw new InvalidAmountError(raw, `more than one "${sep}"`);
  const [whole, fraction] = body.split(sep);
  if (fraction !== undefined && !/^\d+$/.test(fraction))
    throw new InvalidAmountError(raw, `only digits may follow the decimal "${sep}"`);
  // a group separator only ever splits thousands: "95,00" in a file whose decimals are "." is not 9500
  if (whole.includes(group) && !groupedThousands(whole, group))
    throw new InvalidAmountError(raw, `"${group}" is not between groups of three digits`);
  const normalised = body.split(group).join('').replace(sep, '.');
  if (negative && /^[+-]/.test(normalised)) throw new InvalidAmountError(raw, 'sign inside parentheses');
  return decimal(negative ? `-${normalised}` : normalised).toFixed();
}

function groupedThousands(whole: string, group: string): boolean {
  const g = group === '.' ? '\\.' : group;
  return new RegExp(`^[+-]?\\d{1,3}(${g}\\d{3})+$`).test(whole);
}

/** Sum of decimal strings, exact. */
export function sumDecimals(values: Iterable<string | MoneyDecimal>): MoneyDecimal {
  let total = new MoneyDecimal(0);
  for (const v of values) total = total.plus(decimal(v));
  return total;
}

/** Formats to a fixed scale (half-even), e.g. toScale("1.005", 2) === "1.00". */
export function toScale(value: string | MoneyDecimal, scale: number): string {
  return decimal(value).toFixed(scale, MoneyDecimal.ROUND_HALF_EVEN);
}

/** Unscaled integer at `scale` ("12.34", 4 → 123400n); rejects values with more fraction digits than scale. */
export function toUnscaled(value: string, scale: number): bigint {
  const d = decimal(value);
  if (d.decimalPlaces() > scale) throw new InvalidAmountError(value, `more than ${scale} fraction digits`);
  return BigInt(d.times(new MoneyDecimal(10).pow(scale)).toFixed(0));
}

/** Inverse of toUnscaled: (123400n, 4) → "12.3400". */
export function fromUnscaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}
