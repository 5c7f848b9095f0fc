import Decimal from 'decimal.js';

/** Numbers and dates in the reader's locale; money exact (decimal.js, Intl formats the decimal string). */
const locale = navigator.languages?.[0] || navigator.language || 'en-US';

export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  const d = new Decimal(amount);
  const digits = Math.min(4, Math.max(2, d.decimalPlaces()));
  const opts = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  if (currency) Object.assign(opts, { style: 'currency', currency });
  // a string, not a number: Intl.NumberFormat formats it without passing through a double
  return new Intl.NumberFormat(locale, opts).format(d.toFixed(digits));
}

export const isZero = (amount) => amount !== null && amount !== undefined && new Decimal(amount).isZero();
export const sum = (amounts) => amounts.reduce((a, b) => a.plus(b || '0'), new Decimal(0)).toFixed();

export function date(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(ms));
}

export function dateTime(v) {
  if (!v) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(v));
}

/** Avro `date`: days since 1970-01-01 */
export const day = (days) => date(days * 86400000);

export const integer = (n) => new Intl.NumberFormat(locale).format(n);
