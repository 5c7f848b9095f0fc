import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ConsoleError, NotSignedInError } from '../auth/errors';
import type { ConsoleRequest } from './decorators';

/** Typed errors to their status and a JSON body; a page request without a session goes to sign-in. */
@Catch(ConsoleError)
export class ConsoleErrorFilter implements ExceptionFilter {
  catch(err: ConsoleError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<ConsoleRequest>();
    const res = http.getResponse<Response>();
    if (err instanceof NotSignedInError && req.method === 'GET' && !req.path.startsWith('/api/')) {
      res.redirect(302, '/sign-in');
      return;
    }
    res.status(err.status).json({ code: err.code, message: err.message });
  }
}
