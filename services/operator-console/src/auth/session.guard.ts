import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC, REQUIRES, cookieOf, type ConsoleRequest } from '../http/decorators';
import type { AuthService } from './auth.service';
import { ForbiddenError, NotSignedInError } from './errors';
import { can, type Permission } from './roles';
import { AUTH_SERVICE, COOKIE_SETTINGS, type CookieSettings } from './tokens';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every request but the public ones: a live server-side session from the cookie, the CSRF token on
 * every change (header `x-csrf-token` equal to the session's), and the role the route requires.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SERVICE) private readonly auth: AuthService,
    @Inject(COOKIE_SETTINGS) private readonly cookie: CookieSettings,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true; // the Kafka transport's handlers (none here)
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    // probes and Prometheus (libs/nest-common's controllers), reached inside the cluster only
    if (req.path.startsWith('/health/') || req.path === '/metrics') return true;
    const session = await this.auth.authenticate(cookieOf(req, this.cookie.name));
    if (!session) throw new NotSignedInError();
    if (!SAFE_METHODS.has(req.method)) this.auth.checkCsrf(session, req.header('x-csrf-token'));
    const permission = this.reflector.getAllAndOverride<Permission>(REQUIRES, targets) ?? 'read';
    if (!can(session.user.role, permission)) throw new ForbiddenError(permission);
    req.consoleSession = session;
    return true;
  }
}
