import {
  InvalidAmountError,
  decimal,
  fromUnscaled,
  parseLocaleAmount,
  sumDecimals,
  toScale,
  toUnscaled,
} from '../index';

describe('money decimals', () => {
  it('when amounts are summed, then the result is exact where floats are not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['0.1', '0.2']).toFixed()).toBe('0.3');
    expect(sumDecimals(Array.from({ length: 1000 }, () => '0.01')).toFixed(2)).toBe('10.00');
  });

  it('when a number is given as money, then it is rejected', () => {
    expect(() => decimal(12.5 as unknown as string)).toThrow(InvalidAmountError);
    expect(() => decimal('1e5')).toThrow(InvalidAmountError);
    expect(() => decimal('NaN')).toThrow(InvalidAmountError);
  });

  it.each([
    ['1,234.56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['-12,5', '-12.5'],
    ['12.50', '12.5'],
    ['1 234,56', '1234.56'],
    ['1.234.567,89', '1234567.89'],
    ['-0,01', '-0.01'],
    ['1,234,567', '1234567'],
    ['7', '7'],
  ])('when Amazon writes %s, then it parses to %s', (raw, expected) => {
    expect(parseLocaleAmount(raw)).toBe(expected);
  });

  it('when a lone separator has three digits after it, then the separator must be given', () => {
    expect(() => parseLocaleAmount('1,234')).toThrow(/ambiguous/);
    expect(parseLocaleAmount('1,234', { decimalSeparator: ',' })).toBe('1.234');
    expect(parseLocaleAmount('1,234', { decimalSeparator: '.' })).toBe('1234');
  });

  it('when scaled, then half-even rounding applies and unscaled round-trips', () => {
    expect(toScale('1.005', 2)).toBe('1.00');
    expect(toScale('1.015', 2)).toBe('1.02');
    expect(toUnscaled('12.34', 4)).toBe(123400n);
    expect(fromUnscaled(123400n, 4)).toBe('12.3400');
    expect(fromUnscaled(-1n, 2)).toBe('-0.01');
    expect(fromUnscaled(5n, 0)).toBe('5');
    expect(() => toUnscaled('1.23456', 4)).toThrow(InvalidAmountError);
  });
});
