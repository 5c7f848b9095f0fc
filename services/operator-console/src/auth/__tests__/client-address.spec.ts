import { clientAddress } from '../client-address';

describe('clientAddress (what sign-in attempts are counted against)', () => {
  it('when no proxy is trusted, then the socket peer counts, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('10.0.0.9', '1.2.3.4', 0)).toBe('10.0.0.9');
  });

  it('when one proxy is trusted, then the address it saw counts, not one the client made up', () => {
    expect(clientAddress('10.0.0.9', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.9', ['6.6.6.6', '203.0.113.7, 10.1.1.1'], 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.9', undefined, 1)).toBe('10.0.0.9');
  });
});
