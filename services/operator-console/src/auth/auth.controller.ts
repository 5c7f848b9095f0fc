import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Public, Requires, cookieOf, type ConsoleRequest } from '../http/decorators';
import type { AuthService } from './auth.service';
import type { ConsoleUser } from './auth.store';
import type { ConsoleAudit } from './console-audit';
import { InvalidRequestError } from './errors';
import { ROLES, permissionsOf } from './roles';
import { AUTH_SERVICE, CONSOLE_AUDIT, COOKIE_SETTINGS, type CookieSettings } from './tokens';

const signInSchema = z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) });
const newUserSchema = z.object({
  email: z.string().min(3).max(320),
  password: z.string().min(12).max(1024),
  role: z.enum(ROLES),
});

export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new InvalidRequestError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** Sign-in (rate-limited per address), the current session, sign-out, and accounts (admin). */
@Controller('api')
export class AuthController {
  constructor(
    @Inject(AUTH_SERVICE) private readonly auth: AuthService,
    @Inject(COOKIE_SETTINGS) private readonly cookie: CookieSettings,
    @Inject(CONSOLE_AUDIT) private readonly audit: ConsoleAudit,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('session')
  @HttpCode(200)
  async signIn(@Req() req: ConsoleRequest, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    // JSON only: a cross-site HTML form (urlencoded, no preflight) cannot sign a browser into another account
    if (!req.is('application/json')) throw new InvalidRequestError('sign-in takes a JSON body');
    const { email, password } = parse(signInSchema, body);
    const s = await this.auth.signIn(email, password);
    res.cookie(this.cookie.name, s.token, {
      httpOnly: true,
      secure: this.cookie.secure,
      sameSite: 'strict',
      path: '/',
      expires: s.expiresAt,
    });
    return { user: s.user, csrfToken: s.csrfToken, permissions: permissionsOf(s.user.role) };
  }

  @Get('session')
  session(@Req() req: ConsoleRequest) {
    const s = req.consoleSession!;
    return { user: s.user, csrfToken: s.csrfToken, permissions: permissionsOf(s.user.role) };
  }

  @Delete('session')
  @HttpCode(204)
  async signOut(@Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.signOut(cookieOf(req, this.cookie.name));
    res.clearCookie(this.cookie.name, {
      httpOnly: true,
      secure: this.cookie.secure,
      sameSite: 'strict',
      path: '/',
    });
  }

  @Requires('manage-users')
  @Get('users')
  users() {
    return this.auth.listUsers();
  }

  @Requires('manage-users')
  @Post('users')
  async addUser(@CurrentUser() user: ConsoleUser, @Body() body: unknown) {
    const u = parse(newUserSchema, body);
    const created = await this.auth.addUser(u.email, u.password, u.role);
    await this.audit.record(user, 'add-user', {
      stage: 'mapped',
      details: { userId: created.id, role: created.role },
    });
    return created;
  }
}
