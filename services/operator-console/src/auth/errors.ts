/** Typed errors of the console; the HTTP filter maps each to its status without leaking details. */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

export class NotSignedInError extends ConsoleError {
  constructor() {
    super('NOT_SIGNED_IN', 401, 'sign in first');
  }
}

export class BadCredentialsError extends ConsoleError {
  constructor() {
    super('BAD_CREDENTIALS', 401, 'wrong e-mail or password');
  }
}

export class ForbiddenError extends ConsoleError {
  constructor(permission: string) {
    super('FORBIDDEN', 403, `your role may not ${permission}`);
  }
}

export class CsrfError extends ConsoleError {
  constructor() {
    super('CSRF', 403, 'missing or wrong CSRF token: reload the page');
  }
}

export class InvalidRequestError extends ConsoleError {
  constructor(message: string) {
    super('INVALID_REQUEST', 400, message);
  }
}

export class NotFoundError extends ConsoleError {
  constructor(what: string) {
    super('NOT_FOUND', 404, `${what} not found`);
  }
}

export class ConflictError extends ConsoleError {
  constructor(message: string) {
    super('CONFLICT', 409, message);
  }
}
