import { ErpValidationError } from '../errors';
import type { ShipToAddress } from '../port';

/** A ship-to address as the buyer PII vault holds it (Amazon's CustomerAddress): the port's ShipToAddress. */
export type AmazonAddress = ShipToAddress;

/** The ship-to columns of StgSalesOrder (lengths [?]: docs/sage500.md). */
export interface Sage500ShipTo {
  ShipToName: string;
  ShipToAddrLine1: string | null;
  ShipToAddrLine2: string | null;
  ShipToAddrLine3: string | null;
  ShipToAddrLine4: string | null;
  ShipToAddrLine5: string | null;
  ShipToCity: string | null;
  ShipToStateID: string | null;
  ShipToPostalCode: string | null;
  ShipToCountryID: string | null;
}

/** Column lengths of Sage 500's address ([?] tciAddress as the simulator has it; configurable). */
export const SAGE500_ADDRESS_LENGTHS = {
  name: 40,
  line: 40,
  lines: 5,
  city: 20,
  state: 3,
  postalCode: 10,
  country: 3,
};

/**
 * Characters a Windows-1252 VARCHAR holds (Sage 500's columns are VARCHAR, not NVARCHAR [?]): Latin-1
 * without the C1 controls, plus the 27 characters cp1252 puts in 0x80–0x9F. Anything else would be
 * stored as '?' by SQL Server: a silent loss, so it is refused.
 */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
function cp1252(c: string): boolean {
  const n = c.codePointAt(0)!;
  return (n >= 0x20 && n <= 0x7e) || (n >= 0xa0 && n <= 0xff) || CP1252_EXTRA.has(c);
}

/** Splits text into pieces of at most `width`, at spaces where it can, inside a word only when the word is longer. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    if (line && line.length + 1 + w.length <= width) {
      line += ` ${w}`;
      continue;
    }
    if (line) out.push(line);
    line = '';
    while (w.length > width) {
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    line = w;
  }
  if (line) out.push(line);
  return out;
}

/**
 * An Amazon address in Sage 500's ship-to columns, with nothing cut silently. The rule:
 * - name: up to 40 characters in ShipToName; a longer name is wrapped at spaces and what does not
 *   fit goes to the first address line(s), ahead of the street;
 * - street: Amazon's address lines 1–3, each wrapped at spaces into 40-character lines, in order, into
 *   ShipToAddrLine1..5; more than five lines in all is an error;
 * - city (20), state/region (3), postal code (10), country (3): longer is an error (a state written out,
 *   "California", must be sent as its code);
 * - a character the VARCHAR code page cannot hold (Windows-1252: Cyrillic, CJK, Greek...) is an error,
 *   never a '?'. The connection can choose to send names transliterated upstream; this function
 *   does not transliterate.
 * Errors are ErpValidationError (not retriable) naming the field, never the value (buyer PII).
 */
export function formatSage500Address(a: AmazonAddress, len = SAGE500_ADDRESS_LENGTHS): Sage500ShipTo {
  const fail = (field: string, why: string) =>
    new ErpValidationError(`ship-to ${field} ${why}`, { erp: 'SAGE500', erpCode: 'AddressFormat' });
  const clean = (field: string, v: string | null | undefined) => {
    const s = (v ?? '').replace(/\s+/g, ' ').trim();
    for (const c of s)
      if (!cp1252(c))
        throw fail(
          field,
          `has a character Sage 500's VARCHAR columns cannot hold (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
        );
    return s;
  };
  const name = clean('name', a.name);
  if (!name) throw fail('name', 'is empty');
  const nameParts = wrap(name, len.name);
  const street = [a.addressLine1, a.addressLine2, a.addressLine3].flatMap((l, i) =>
    wrap(clean(`address line ${i + 1}`, l), len.line),
  );
  const overflow = wrap(nameParts.slice(1).join(' '), len.line);
  const lines = [...overflow, ...street];
  if (lines.length > len.lines)
    throw fail('address', `needs ${lines.length} lines of ${len.line} characters; Sage 500 has ${len.lines}`);
  const short = (field: string, v: string | null | undefined, max: number) => {
    const s = clean(field, v);
    if (s.length > max) throw fail(field, `is ${s.length} characters; Sage 500 holds ${max}`);
    return s || null;
  };
  return {
    ShipToName: nameParts[0],
    ShipToAddrLine1: lines[0] ?? null,
    ShipToAddrLine2: lines[1] ?? null,
    ShipToAddrLine3: lines[2] ?? null,
    ShipToAddrLine4: lines[3] ?? null,
    ShipToAddrLine5: lines[4] ?? null,
    ShipToCity: short('city', a.city, len.city),
    ShipToStateID: short('state', a.stateOrRegion, len.state),
    ShipToPostalCode: short('postal code', a.postalCode, len.postalCode),
    ShipToCountryID: short('country', a.countryCode, len.country),
  };
}
