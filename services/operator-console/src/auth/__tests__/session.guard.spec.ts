import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { VirtualClock } from '@connector/core';
import { silentLogger } from '@connector/observability';
import { PUBLIC, REQUIRES } from '../../http/decorators';
import { AuthService } from '../auth.service';
import { CsrfError, ForbiddenError, NotSignedInError } from '../errors';
import { hashPassword } from '../password';
import type { Permission, Role } from '../roles';
import { SessionGuard } from '../session.guard';
import { FakeAuthStore } from '../testing';
import { cookieSettings } from '../tokens';

describe('SessionGuard', () => {
  const cookie = cookieSettings(true);
  let auth: AuthService;
  let store: FakeAuthStore;

  beforeAll(async () => {
    store = new FakeAuthStore();
    auth = new AuthService({
      store,
      clock: new VirtualClock(Date.now()),
      logger: silentLogger(),
      policy: { idleMinutes: 30, maxHours: 12 },
    });
    for (const role of ['viewer', 'accountant', 'operator'] as Role[])
      await store.createUser({
        email: `${role}@example.com`,
        passwordHash: await hashPassword('pw-pw-pw-pw-pw', { N: 1024, r: 8, p: 1 }),
        role,
      });
  });

  /** a guard whose route carries `meta`, and a request as Express gives it */
  function run(
    meta: { public?: boolean; requires?: Permission },
    req: { method: string; path?: string; token?: string; csrf?: string },
  ) {
    const reflector = new Reflector();
    jest
      .spyOn(reflector, 'getAllAndOverride')
      .mockImplementation((key: unknown) =>
        key === PUBLIC ? meta.public : key === REQUIRES ? meta.requires : undefined,
      );
    const request = {
      method: req.method,
      path: req.path ?? '/api/x',
      cookies: req.token ? { [cookie.name]: req.token } : {},
      header: (name: string) => (name === 'x-csrf-token' ? req.csrf : undefined),
    };
    const ctx = {
      getType: () => 'http',
      getHandler: () => undefined,
      getClass: () => undefined,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { result: new SessionGuard(reflector, auth, cookie).canActivate(ctx), request };
  }
  const signIn = (role: Role) => auth.signIn(`${role}@example.com`, 'pw-pw-pw-pw-pw');

  it('when there is no session, then every route but the public ones and the probes is refused', async () => {
    await expect(run({}, { method: 'GET' }).result).rejects.toBeInstanceOf(NotSignedInError);
    await expect(run({}, { method: 'GET', token: 'forged' }).result).rejects.toBeInstanceOf(NotSignedInError);
    await expect(run({ public: true }, { method: 'POST' }).result).resolves.toBe(true);
    await expect(run({}, { method: 'GET', path: '/health/ready' }).result).resolves.toBe(true);
  });

  it('when a viewer reads, then it passes and the session is on the request', async () => {
    const s = await signIn('viewer');
    const { result, request } = run({}, { method: 'GET', token: s.token });
    await expect(result).resolves.toBe(true);
    expect((request as { consoleSession?: { user: { role: string } } }).consoleSession?.user.role).toBe(
      'viewer',
    );
  });

  it('when a change comes without the CSRF token, then it is refused before the role is even looked at', async () => {
    const s = await signIn('operator');
    await expect(
      run({ requires: 'redrive' }, { method: 'POST', token: s.token }).result,
    ).rejects.toBeInstanceOf(CsrfError);
    await expect(
      run({ requires: 'redrive' }, { method: 'DELETE', token: s.token, csrf: 'nope' }).result,
    ).rejects.toBeInstanceOf(CsrfError);
    await expect(
      run({ requires: 'redrive' }, { method: 'POST', token: s.token, csrf: s.csrfToken }).result,
    ).resolves.toBe(true);
  });

  it('when a role below the one a route needs asks, then it is refused on the server', async () => {
    const viewer = await signIn('viewer');
    const accountant = await signIn('accountant');
    await expect(
      run({ requires: 'map-gl' }, { method: 'POST', token: viewer.token, csrf: viewer.csrfToken }).result,
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      run({ requires: 'map-gl' }, { method: 'POST', token: accountant.token, csrf: accountant.csrfToken })
        .result,
    ).resolves.toBe(true);
    await expect(
      run({ requires: 'redrive' }, { method: 'POST', token: accountant.token, csrf: accountant.csrfToken })
        .result,
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
