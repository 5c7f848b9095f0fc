import { createHash } from 'node:crypto';
import { base32, buyerKeyOf } from '../order.mapper';

describe('buyer key', () => {
  it('when encoded, then base32 follows RFC 4648 (lower case, no padding)', () => {
    // RFC 4648 §10 test vectors
    const enc = (s: string) => base32(Buffer.from(s));
    expect([enc(''), enc('f'), enc('fo'), enc('foo'), enc('foob'), enc('fooba'), enc('foobar')]).toEqual([
      '',
      'my',
      'mzxq',
      'mzxw6',
      'mzxw6yq',
      'mzxw6ytb',
      'mzxw6ytboi',
    ]);
  });

  it('when a buyer orders twice from one seller, then the key is the same (case and spaces aside); another seller gets another key', () => {
    const a = buyerKeyOf('S1', 'abc123@marketplace.amazon.com');
    expect(a).toBe(buyerKeyOf('S1', ' ABC123@marketplace.amazon.com '));
    expect(a).not.toBe(buyerKeyOf('S2', 'abc123@marketplace.amazon.com'));
    expect(a).toBe(base32(createHash('sha256').update('S1:abc123@marketplace.amazon.com').digest()));
    expect(a).toHaveLength(52);
    expect(a).not.toContain('abc123');
  });

  it('when Amazon gives no buyer e-mail, then there is no key', () => {
    expect(buyerKeyOf('S1', undefined)).toBeNull();
    expect(buyerKeyOf('S1', '')).toBeNull();
  });
});
