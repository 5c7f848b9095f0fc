import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse that never rounds: Finances v0 sends amounts as JSON numbers (12.34), and a float would
 * turn them into 12.339999…. Integers that fit a double stay numbers; every other number (fractions,
 * exponents, very large integers) becomes its decimal string exactly as Amazon wrote it.
 */
export function parseExactJson<T = unknown>(text: string): T {
  if (text.trim() === '') return undefined as T;
  return parse(text, undefined, (value: string) =>
    /^-?\d+$/.test(value) && isSafeNumber(value) ? Number(value) : value,
  ) as T;
}

/** An amount that may arrive as a number or a decimal string; never a float after parseExactJson. */
export type ExactAmount = number | string;
