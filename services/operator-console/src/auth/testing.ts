import type { AuthStore, ConsoleUser, StoredSession, StoredUser } from './auth.store';
import type { Role } from './roles';

/** In-memory accounts and sessions for unit tests. */
export class FakeAuthStore implements AuthStore {
  readonly users: StoredUser[] = [];
  readonly sessions = new Map<
    string,
    { userId: string; csrfToken: string; expiresAt: Date; maxExpiresAt: Date }
  >();

  async countUsers(): Promise<number> {
    return this.users.length;
  }
  async findUserByEmail(email: string): Promise<StoredUser | undefined> {
    return this.users.find((u) => u.email === email.toLowerCase());
  }
  async createUser(u: { email: string; passwordHash: string; role: Role }): Promise<ConsoleUser> {
    const stored: StoredUser = {
      id: String(this.users.length + 1),
      email: u.email.toLowerCase(),
      passwordHash: u.passwordHash,
      role: u.role,
      enabled: true,
    };
    this.users.push(stored);
    return { id: stored.id, email: stored.email, role: stored.role, enabled: true };
  }
  async listUsers(): Promise<ConsoleUser[]> {
    return this.users.map(({ passwordHash: _, ...u }) => u);
  }
  async markSignedIn(): Promise<void> {}
  async createSession(s: {
    tokenHash: string;
    userId: string;
    csrfToken: string;
    expiresAt: Date;
    maxExpiresAt: Date;
  }): Promise<void> {
    this.sessions.set(s.tokenHash, s);
  }
  async findSession(tokenHash: string, now: Date): Promise<StoredSession | undefined> {
    const s = this.sessions.get(tokenHash);
    const u = s && this.users.find((x) => x.id === s.userId);
    if (!s || !u || !u.enabled || s.expiresAt <= now || s.maxExpiresAt <= now) return undefined;
    const { passwordHash: _, ...user } = u;
    return { tokenHash, user, csrfToken: s.csrfToken, expiresAt: s.expiresAt, maxExpiresAt: s.maxExpiresAt };
  }
  async touchSession(tokenHash: string, expiresAt: Date): Promise<void> {
    const s = this.sessions.get(tokenHash);
    if (s) s.expiresAt = expiresAt;
  }
  async deleteSession(tokenHash: string): Promise<void> {
    this.sessions.delete(tokenHash);
  }
  async deleteExpiredSessions(now: Date): Promise<number> {
    let n = 0;
    for (const [k, s] of this.sessions)
      if (s.expiresAt <= now || s.maxExpiresAt <= now) n += Number(this.sessions.delete(k));
    return n;
  }
}
