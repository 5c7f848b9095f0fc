import { hashPassword, verifyPassword } from '../password';

describe('scrypt password hashes', () => {
  it('when hashed, then the parameters and a random salt travel with the hash, and only the password verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
  });

  it('when the stored hash is malformed or of another scheme, then nothing verifies', async () => {
    expect(await verifyPassword('x', 'bcrypt$...')).toBe(false);
    expect(await verifyPassword('x', '')).toBe(false);
  });
});
