import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { StoredSession } from '../auth/auth.store';
import type { Permission } from '../auth/roles';

export const PUBLIC = 'console:public';
export const REQUIRES = 'console:requires';

/** No session needed (sign-in, the sign-in page, static code). */
export const Public = () => SetMetadata(PUBLIC, true);
/** The permission a route needs; every route not public needs at least `read`. */
export const Requires = (permission: Permission) => SetMetadata(REQUIRES, permission);

export type ConsoleRequest = Request & { consoleSession?: StoredSession };

/** A cookie's value (cookie-parser fills `req.cookies`, typed `any` by express). */
export function cookieOf(req: Request, name: string): string | undefined {
  const v: unknown = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** The signed-in user (set by the session guard). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
  return req.consoleSession!.user;
});
