export { seededRandom } from '@connector/core';

export const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
export const digits = (rnd: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

/** cents → "12.34" (or "12,34" with a decimal comma), exact */
export function formatCents(cents: bigint | number, decimalComma = false): string {
  const c = BigInt(cents);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  const s = `${neg ? '-' : ''}${abs / 100n}${decimalComma ? ',' : '.'}${(abs % 100n).toString().padStart(2, '0')}`;
  return s;
}

/** FNV-1a: a stable 32-bit hash, to derive per-entity seeds from names. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
