import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@connector/core';
import type { Logger } from '@connector/observability';
import type { AuthStore, ConsoleUser, StoredSession } from './auth.store';
import { BadCredentialsError, CsrfError, InvalidRequestError } from './errors';
import { hashPassword, verifyPassword } from './password';
import { isRole, type Role } from './roles';

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export interface SignedIn {
  /** goes only into the HTTP-only cookie; the database keeps its SHA-256 */
  token: string;
  csrfToken: string;
  user: ConsoleUser;
  expiresAt: Date;
}

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/** Sign-in, sessions and CSRF tokens; knows nothing of HTTP. */
export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly deps: { store: AuthStore; clock: Clock; logger: Logger; policy: SessionPolicy },
  ) {}

  async signIn(email: string, password: string): Promise<SignedIn> {
    const { store, clock, policy, logger } = this.deps;
    const user = await store.findUserByEmail(email.trim());
    // an unknown e-mail costs one scrypt too, so the answer's timing does not tell which accounts exist
    this.dummyHash ??= hashPassword('not a password');
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok || !user.enabled) {
      logger.warn({ userId: user?.id, reason: user ? 'password' : 'no-such-user' }, 'sign-in refused');
      throw new BadCredentialsError();
    }
    const now = new Date(clock.now());
    const token = newToken();
    const csrfToken = newToken();
    const expiresAt = new Date(now.getTime() + policy.idleMinutes * 60_000);
    await store.createSession({
      tokenHash: sha256(token),
      userId: user.id,
      csrfToken,
      expiresAt,
      maxExpiresAt: new Date(now.getTime() + policy.maxHours * 3_600_000),
    });
    await store.markSignedIn(user.id, now);
    logger.info({ userId: user.id, role: user.role }, 'signed in');
    const { passwordHash: _, ...plain } = user;
    return { token, csrfToken, user: plain, expiresAt };
  }

  /** The session a cookie token stands for, its idle expiry moved forward; undefined when none or expired. */
  async authenticate(token: string | undefined): Promise<StoredSession | undefined> {
    if (!token) return undefined;
    const { store, clock, policy } = this.deps;
    const now = new Date(clock.now());
    const session = await store.findSession(sha256(token), now);
    if (!session) return undefined;
    const expiresAt = new Date(
      Math.min(now.getTime() + policy.idleMinutes * 60_000, session.maxExpiresAt.getTime()),
    );
    // written at most once a minute per session
    if (expiresAt.getTime() - session.expiresAt.getTime() > 60_000) {
      await store.touchSession(session.tokenHash, expiresAt);
      session.expiresAt = expiresAt;
    }
    return session;
  }

  /** Removes expired sessions (run hourly by the module). */
  async purgeExpired(): Promise<void> {
    const n = await this.deps.store.deleteExpiredSessions(new Date(this.deps.clock.now()));
    if (n > 0) this.deps.logger.info({ sessions: n }, 'expired sessions removed');
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await this.deps.store.deleteSession(sha256(token));
  }

  /** Synchronizer token: the header must equal the token stored with the session (constant time). */
  checkCsrf(session: StoredSession, header: string | undefined): void {
    const a = Buffer.from(header ?? '');
    const b = Buffer.from(session.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfError();
  }

  async addUser(email: string, password: string, role: Role): Promise<ConsoleUser> {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new InvalidRequestError('an e-mail address is required');
    if (password.length < 12) throw new InvalidRequestError('passwords have at least 12 characters');
    if (!isRole(role)) throw new InvalidRequestError(`role must be viewer, accountant, operator or admin`);
    if (await this.deps.store.findUserByEmail(email))
      throw new InvalidRequestError(`${email} already has an account`);
    const user = await this.deps.store.createUser({
      email,
      passwordHash: await hashPassword(password),
      role,
    });
    this.deps.logger.info({ userId: user.id, role }, 'account created');
    return user;
  }

  listUsers(): Promise<ConsoleUser[]> {
    return this.deps.store.listUsers();
  }

  /** At boot: the configured first administrator, only while no account exists. */
  async ensureFirstAdmin(email: string | undefined, password: string | undefined): Promise<void> {
    if (!email || !password) return;
    if ((await this.deps.store.countUsers()) > 0) return;
    await this.addUser(email, password, 'admin');
  }
}
