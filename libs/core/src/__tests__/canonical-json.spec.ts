import { canonicalJson } from '../canonical-json';

describe('canonicalJson', () => {
  it('when two values differ only in key order, then their text is the same, at every depth', () => {
    const a = { b: [{ y: 1, x: 'é' }, null], a: { d: true, c: '1.50' } };
    const b = { a: { c: '1.50', d: true }, b: [{ x: 'é', y: 1 }, null] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"1.50","d":true},"b":[{"x":"é","y":1},null]}');
  });
});
