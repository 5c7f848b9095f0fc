import { ErpValidationError } from './errors';
import type { ErpKind } from './port';

/**
 * The unformatted account id of a formatted GL account, parsed against the company's account
 * structure (segment lengths, e.g. [4, 2] for "4000-00"): "4000-00" → "400000". A formatted account
 * must have one part per segment, each of its length; an unformatted one the total length, so
 * "4000-0" or "40000-00" is refused before anything reaches the ERP. Without a structure the
 * delimiters are dropped as they are. Sage 300 and Sage 100 key their GL views this way.
 */
export function segmentedAccount(
  account: string,
  segments: readonly number[] | undefined,
  erp: ErpKind,
): string {
  const trimmed = account.trim();
  const flat = trimmed.replace(/[-./ ]/g, '');
  if (!segments?.length) return flat;
  const parts = trimmed.split(/[-./ ]/);
  const total = segments.reduce((a, b) => a + b, 0);
  const fits =
    parts.length === 1
      ? flat.length === total
      : parts.length === segments.length && parts.every((p, i) => p.length === segments[i]);
  if (!fits || !/^[0-9A-Za-z]+$/.test(flat))
    throw new ErpValidationError(
      `GL account "${account}" does not fit the company's account structure (segments of ${segments.join('-')} characters)`,
      { erp, erpCode: 'AccountFormat' },
    );
  return flat;
}
