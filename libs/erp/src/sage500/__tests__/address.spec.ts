import { ErpValidationError } from '../../errors';
import { formatSage500Address, wrap } from '../address';

describe('Amazon address → Sage 500 ship-to columns', () => {
  const base = {
    name: 'Jane Doe',
    addressLine1: '1 Main St',
    city: 'Seattle',
    stateOrRegion: 'WA',
    postalCode: '98101',
    countryCode: 'US',
  };

  it('puts a short address in the columns as it is', () => {
    expect(formatSage500Address(base)).toEqual({
      ShipToName: 'Jane Doe',
      ShipToAddrLine1: '1 Main St',
      ShipToAddrLine2: null,
      ShipToAddrLine3: null,
      ShipToAddrLine4: null,
      ShipToAddrLine5: null,
      ShipToCity: 'Seattle',
      ShipToStateID: 'WA',
      ShipToPostalCode: '98101',
      ShipToCountryID: 'US',
    });
  });

  it('wraps a name longer than 40 at a space and carries the rest into the first address line, losing nothing', () => {
    const name = 'Maximiliane Alexandra Wilhelmina von Hohenzollern-Sigmaringen';
    const a = formatSage500Address({ ...base, name, addressLine2: 'Apartment 12' });
    expect(a.ShipToName.length).toBeLessThanOrEqual(40);
    expect(a.ShipToName).toBe('Maximiliane Alexandra Wilhelmina von');
    expect(a.ShipToAddrLine1).toBe('Hohenzollern-Sigmaringen');
    expect(a.ShipToAddrLine2).toBe('1 Main St');
    expect(a.ShipToAddrLine3).toBe('Apartment 12');
    expect([a.ShipToName, a.ShipToAddrLine1].join(' ')).toBe(name);
  });

  it('wraps long street lines into more address lines, each ≤ 40, keeping every character', () => {
    const line1 = 'Building 7, Suite 1200, The Very Long Corporate Campus Road Extension';
    const a = formatSage500Address({ ...base, addressLine1: line1 });
    const lines = [a.ShipToAddrLine1, a.ShipToAddrLine2, a.ShipToAddrLine3].filter(Boolean) as string[];
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.join(' ')).toBe(line1);
  });

  it('splits a single word longer than a line inside the word, and keeps it whole', () => {
    expect(wrap('x'.repeat(95), 40)).toEqual(['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(15)]);
  });

  it('keeps Latin accents Windows-1252 holds (ß, é, ñ, Œ, €)', () => {
    const a = formatSage500Address({ ...base, name: 'José Núñez-Straße Œuvre €', city: 'Köln' });
    expect(a.ShipToName).toBe('José Núñez-Straße Œuvre €');
    expect(a.ShipToCity).toBe('Köln');
  });

  it.each([
    ['Cyrillic', 'Иван Петров'],
    ['CJK', '山田太郎'],
    ['Greek', 'Νίκος Παπαδόπουλος'],
    ['Arabic', 'محمد علي'],
    ['emoji', 'Jane 😀 Doe'],
  ])(
    'refuses a %s name rather than let VARCHAR store question marks, naming the field but not the value',
    (_what, name) => {
      const err = (() => {
        try {
          formatSage500Address({ ...base, name });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ErpValidationError);
      expect((err as Error).message).toMatch(/^ship-to name has a character/);
      expect((err as Error).message).not.toContain(name);
      expect((err as ErpValidationError).retriable).toBe(false);
    },
  );

  it('refuses what cannot fit: more than five lines, a city over 20, a state over 3, a postal code over 10', () => {
    const long = 'word '.repeat(60);
    expect(() => formatSage500Address({ ...base, addressLine1: long })).toThrow(/needs \d+ lines of 40/);
    expect(() => formatSage500Address({ ...base, city: 'Llanfairpwllgwyngyll-gogery' })).toThrow(
      /city is 27 characters/,
    );
    expect(() => formatSage500Address({ ...base, stateOrRegion: 'California' })).toThrow(
      /state is 10 characters/,
    );
    expect(() => formatSage500Address({ ...base, postalCode: '12345-67890' })).toThrow(/postal code/);
    expect(() => formatSage500Address({ ...base, name: '  ' })).toThrow(/name is empty/);
  });
});
