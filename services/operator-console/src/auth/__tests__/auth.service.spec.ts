import { VirtualClock } from '@connector/core';
import { silentLogger } from '@connector/observability';
import { AuthService } from '../auth.service';
import { BadCredentialsError, CsrfError, InvalidRequestError } from '../errors';
import { hashPassword, verifyPassword } from '../password';
import { FakeAuthStore } from '../testing';

/** cheap scrypt parameters keep the tests quick; production uses N = 2^15 */
const fast = { N: 1024, r: 8, p: 1 };

describe('AuthService', () => {
  const t0 = Date.UTC(2026, 10, 28, 8);
  let store: FakeAuthStore;
  let clock: VirtualClock;
  let auth: AuthService;

  beforeEach(async () => {
    store = new FakeAuthStore();
    clock = new VirtualClock(t0);
    auth = new AuthService({
      store,
      clock,
      logger: silentLogger(),
      policy: { idleMinutes: 30, maxHours: 12 },
    });
    await store.createUser({
      email: 'ann@example.com',
      passwordHash: await hashPassword('a long passphrase', fast),
      role: 'accountant',
    });
  });

  it('when the password is right, then a session is stored under the hash of its token, never the token', async () => {
    const s = await auth.signIn('Ann@Example.com', 'a long passphrase');
    expect(s.user).toEqual({ id: '1', email: 'ann@example.com', role: 'accountant', enabled: true });
    expect(s.token).toMatch(/^[\w-]{43}$/);
    expect(store.sessions.has(s.token)).toBe(false);
    expect(store.sessions.size).toBe(1);
    expect((await auth.authenticate(s.token))?.user.email).toBe('ann@example.com');
  });

  it('when the password or the account is wrong, then the same typed error comes back', async () => {
    await expect(auth.signIn('ann@example.com', 'wrong')).rejects.toBeInstanceOf(BadCredentialsError);
    await expect(auth.signIn('bob@example.com', 'a long passphrase')).rejects.toBeInstanceOf(
      BadCredentialsError,
    );
    expect(store.sessions.size).toBe(0);
  });

  it('when an account is disabled, then it cannot sign in and its sessions stop working', async () => {
    const s = await auth.signIn('ann@example.com', 'a long passphrase');
    store.users[0].enabled = false;
    expect(await auth.authenticate(s.token)).toBeUndefined();
    await expect(auth.signIn('ann@example.com', 'a long passphrase')).rejects.toBeInstanceOf(
      BadCredentialsError,
    );
  });

  it('when a session is idle past its limit, then it is gone; used within it, it lives on up to the absolute limit', async () => {
    const s = await auth.signIn('ann@example.com', 'a long passphrase');
    for (let i = 0; i < 28; i++) {
      clock.advance(25 * 60_000); // steady use up to 11 h 40 min
      expect(await auth.authenticate(s.token)).toBeDefined();
    }
    clock.advance(25 * 60_000); // 12 h 05 min: past the absolute limit although in use
    expect(await auth.authenticate(s.token)).toBeUndefined();

    const idle = await auth.signIn('ann@example.com', 'a long passphrase');
    clock.advance(31 * 60_000);
    expect(await auth.authenticate(idle.token)).toBeUndefined();
  });

  it('when signed out, then the token no longer opens a session', async () => {
    const s = await auth.signIn('ann@example.com', 'a long passphrase');
    await auth.signOut(s.token);
    expect(await auth.authenticate(s.token)).toBeUndefined();
    expect(await auth.authenticate(undefined)).toBeUndefined();
    expect(await auth.authenticate('made-up')).toBeUndefined();
  });

  it('when a change carries the session CSRF token, then it passes; a missing or another token is refused', async () => {
    const a = (await auth.authenticate((await auth.signIn('ann@example.com', 'a long passphrase')).token))!;
    const b = await auth.signIn('ann@example.com', 'a long passphrase');
    expect(() => auth.checkCsrf(a, a.csrfToken)).not.toThrow();
    expect(() => auth.checkCsrf(a, undefined)).toThrow(CsrfError);
    expect(() => auth.checkCsrf(a, b.csrfToken)).toThrow(CsrfError);
    expect(() => auth.checkCsrf(a, a.csrfToken.slice(1))).toThrow(CsrfError);
  });

  it('when the first administrator is configured, then it is created once and only while no account exists', async () => {
    const empty = new FakeAuthStore();
    const boot = new AuthService({
      store: empty,
      clock,
      logger: silentLogger(),
      policy: { idleMinutes: 30, maxHours: 12 },
    });
    await boot.ensureFirstAdmin('root@example.com', 'twelve chars!');
    await boot.ensureFirstAdmin('other@example.com', 'twelve chars!');
    expect(empty.users.map((u) => [u.email, u.role])).toEqual([['root@example.com', 'admin']]);
    expect(await verifyPassword('twelve chars!', empty.users[0].passwordHash)).toBe(true);
  });

  it('when an account is added with a short password, a bad role or a taken e-mail, then it is refused', async () => {
    await expect(auth.addUser('x@example.com', 'short', 'viewer')).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(auth.addUser('x@example.com', 'long enough pw', 'root' as never)).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(auth.addUser('ann@example.com', 'long enough pw', 'viewer')).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });
});
