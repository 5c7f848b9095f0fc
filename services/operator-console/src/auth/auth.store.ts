import type { Db } from '@connector/db';
import type { Role } from './roles';

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
  enabled: boolean;
}

export interface StoredUser extends ConsoleUser {
  passwordHash: string;
}

export interface StoredSession {
  tokenHash: string;
  user: ConsoleUser;
  csrfToken: string;
  expiresAt: Date;
  maxExpiresAt: Date;
}

/** Accounts and server-side sessions (PostgreSQL in production, in memory in unit tests). */
export interface AuthStore {
  countUsers(): Promise<number>;
  findUserByEmail(email: string): Promise<StoredUser | undefined>;
  createUser(u: { email: string; passwordHash: string; role: Role }): Promise<ConsoleUser>;
  listUsers(): Promise<ConsoleUser[]>;
  markSignedIn(userId: string, at: Date): Promise<void>;
  createSession(s: {
    tokenHash: string;
    userId: string;
    csrfToken: string;
    expiresAt: Date;
    maxExpiresAt: Date;
  }): Promise<void>;
  /** the session with its user, if the session has not expired and the user is enabled */
  findSession(tokenHash: string, now: Date): Promise<StoredSession | undefined>;
  touchSession(tokenHash: string, expiresAt: Date): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: Date): Promise<number>;
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: Role;
  enabled: boolean;
}

const user = (r: UserRow): ConsoleUser => ({
  id: String(r.id),
  email: r.email,
  role: r.role,
  enabled: r.enabled,
});

export class KnexAuthStore implements AuthStore {
  constructor(private readonly db: Db) {}

  async countUsers(): Promise<number> {
    const [{ n }] = await this.db('console_users').count<{ n: string }[]>({ n: '*' });
    return Number(n);
  }

  async findUserByEmail(email: string): Promise<StoredUser | undefined> {
    const r = await this.db<UserRow>('console_users').where({ email: email.toLowerCase() }).first();
    return r && { ...user(r), passwordHash: r.password_hash };
  }

  async createUser(u: { email: string; passwordHash: string; role: Role }): Promise<ConsoleUser> {
    const [r] = await this.db<UserRow>('console_users')
      .insert({ email: u.email.toLowerCase(), password_hash: u.passwordHash, role: u.role })
      .returning('*');
    return user(r);
  }

  async listUsers(): Promise<ConsoleUser[]> {
    return (await this.db<UserRow>('console_users').orderBy('email')).map(user);
  }

  async markSignedIn(userId: string, at: Date): Promise<void> {
    await this.db('console_users').where({ id: userId }).update({ last_sign_in_at: at });
  }

  async createSession(s: {
    tokenHash: string;
    userId: string;
    csrfToken: string;
    expiresAt: Date;
    maxExpiresAt: Date;
  }): Promise<void> {
    await this.db('console_sessions').insert({
      token_hash: s.tokenHash,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      expires_at: s.expiresAt,
      max_expires_at: s.maxExpiresAt,
    });
  }

  async findSession(tokenHash: string, now: Date): Promise<StoredSession | undefined> {
    const r = await this.db('console_sessions as s')
      .join('console_users as u', 'u.id', 's.user_id')
      .where('s.token_hash', tokenHash)
      .andWhere('s.expires_at', '>', now)
      .andWhere('s.max_expires_at', '>', now)
      .andWhere('u.enabled', true)
      .first<
        | (UserRow & {
            token_hash: string;
            csrf_token: string;
            expires_at: Date;
            max_expires_at: Date;
            user_id: string;
          })
        | undefined
      >(
        'u.id',
        'u.email',
        'u.role',
        'u.enabled',
        'u.password_hash',
        's.token_hash',
        's.csrf_token',
        's.expires_at',
        's.max_expires_at',
      );
    return (
      r && {
        tokenHash: r.token_hash,
        user: user(r),
        csrfToken: r.csrf_token,
        expiresAt: r.expires_at,
        maxExpiresAt: r.max_expires_at,
      }
    );
  }

  async touchSession(tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db('console_sessions').where({ token_hash: tokenHash }).update({ expires_at: expiresAt });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db('console_sessions').where({ token_hash: tokenHash }).delete();
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    return this.db('console_sessions')
      .where('expires_at', '<=', now)
      .orWhere('max_expires_at', '<=', now)
      .delete();
  }
}
