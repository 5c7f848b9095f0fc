import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse } from 'lossless-json';
import { invalidPayload } from '../errors';
import type { Row } from '../odata';

/**
 * `POST /Login` and `POST /Logout`, reference/erp/FACTS.md §1.1: a login to the one company opens a
 * session (cookies B1SESSION and ROUTEID); a session unused for the timeout is gone, and a request
 * with no live session is answered 401 with code 301.
 */
export interface Session {
  id: string;
  user: string;
  lastSeenMs: number;
}

export interface LoginSettings {
  companyDb: string;
  users: Record<string, string>;
  sessionTimeoutMinutes: number;
  now: () => number;
}

export class Sessions {
  private readonly live = new Map<string, Session>();

  constructor(private readonly settings: LoginSettings) {}

  /** The session a login body opens, or undefined when company, user or password is wrong. */
  login(raw: Buffer): Session | undefined {
    let body: Row;
    try {
      body = parse(raw.toString() || '{}') as Row;
    } catch {
      throw invalidPayload('Invalid JSON payload');
    }
    const { companyDb, users } = this.settings;
    const ok =
      body.CompanyDB === companyDb &&
      typeof body.UserName === 'string' &&
      users[body.UserName] !== undefined &&
      users[body.UserName] === body.Password;
    if (!ok) return undefined;
    const session = { id: randomUUID(), user: body.UserName as string, lastSeenMs: this.settings.now() };
    this.live.set(session.id, session);
    return session;
  }

  logout(session: Session): void {
    this.live.delete(session.id);
  }

  /** The live session of the request's B1SESSION cookie; touching it restarts its idle time. */
  of(req: IncomingMessage): Session | undefined {
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .filter((kv) => kv.length >= 2)
        .map(([k, ...v]) => [k, v.join('=')]),
    );
    const s = cookies.B1SESSION ? this.live.get(cookies.B1SESSION) : undefined;
    if (!s) return undefined;
    if (this.settings.now() - s.lastSeenMs > this.settings.sessionTimeoutMinutes * 60_000) {
      this.live.delete(s.id);
      return undefined;
    }
    return s;
  }

  expireAll(): void {
    this.live.clear();
  }
}

/** The cookies and body of a successful login. */
export function loginAnswer(
  session: Session,
  metadataBase: string,
  timeoutMinutes: number,
): { cookies: string[]; body: Row } {
  return {
    cookies: [`B1SESSION=${session.id}; HttpOnly;`, 'ROUTEID=.node1; path=/b1s'],
    body: {
      'odata.metadata': `${metadataBase}$metadata#B1Sessions/@Element`,
      SessionId: session.id,
      Version: '1000110',
      SessionTimeout: timeoutMinutes,
    },
  };
}
