import { CredentialsCipher, CredentialsCipherError } from '../credentials-cipher';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');

describe('CredentialsCipher (AES-256-GCM)', () => {
  it('when a secret is sealed, then the blob holds no plaintext, differs every time, and opens with the same key and row', () => {
    const c = new CredentialsCipher('k1', { k1: key(1) });
    const a = c.seal('{"refreshToken":"Atzr|secret"}', 'conn-1');
    const b = c.seal('{"refreshToken":"Atzr|secret"}', 'conn-1');
    expect(a.ciphertext.toString('latin1')).not.toContain('Atzr');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false); // random IV
    expect(a.keyId).toBe('k1');
    expect(c.open(a, 'conn-1')).toBe('{"refreshToken":"Atzr|secret"}');
  });

  it('when the blob is moved to another connection, altered, or opened with the wrong key, then it does not decrypt', () => {
    const c = new CredentialsCipher('k1', { k1: key(1) });
    const sealed = c.seal('secret', 'conn-1');
    expect(() => c.open(sealed, 'conn-2')).toThrow(CredentialsCipherError);
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[tampered.length - 1] ^= 1;
    expect(() => c.open({ ...sealed, ciphertext: tampered }, 'conn-1')).toThrow(/does not decrypt/);
    expect(() => new CredentialsCipher('k1', { k1: key(2) }).open(sealed, 'conn-1')).toThrow(
      /does not decrypt/,
    );
  });

  it('when keys rotate, then new secrets use the new key and old ones still open', () => {
    const old = new CredentialsCipher('k1', { k1: key(1) }).seal('old', 'c');
    const rotated = CredentialsCipher.fromConfig({
      CREDENTIALS_KEY: key(2),
      CREDENTIALS_KEY_ID: 'k2',
      CREDENTIALS_PREVIOUS_KEYS: `k1:${key(1)}`,
    });
    expect(rotated.open(old, 'c')).toBe('old');
    expect(rotated.seal('new', 'c').keyId).toBe('k2');
    expect(() => new CredentialsCipher('k2', { k2: key(2) }).open(old, 'c')).toThrow(
      /key "k1", which is not configured/,
    );
  });

  it('when the key is missing or not 32 bytes, then the error says how to make one', () => {
    expect(() => CredentialsCipher.fromConfig({})).toThrow(/openssl rand -base64 32/);
    expect(() => new CredentialsCipher('k', { k: Buffer.alloc(16).toString('base64') })).toThrow(/32 bytes/);
  });
});
