/** Sage 300 Web API error codes (reference/erp/sage300/error-codes.json, reference/erp/FACTS.md §2.6). */
export type Sage300ErrorCode =
  | 'InternalServerError'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InvalidParameters'
  | 'ResourceNotFound'
  | 'InvalidEntityKey'
  | 'RecordNotFound'
  | 'MethodNotAllowed'
  | 'InvalidPayload'
  | 'InvalidAction'
  | 'DBLinkError'
  | 'SessionError'
  | 'RecordDuplicate'
  | 'RecordInvalid'
  | 'General';

/** HTTP status per code: only 404/RecordNotFound is documented; the rest is the "natural mapping" of reference/erp/FACTS.md §2.6 [?]. */
export const SAGE300_ERROR_STATUS: Record<Sage300ErrorCode, number> = {
  InternalServerError: 500,
  Unauthorized: 401,
  Forbidden: 403,
  TooManyRequests: 429,
  InvalidParameters: 400,
  ResourceNotFound: 404,
  InvalidEntityKey: 400,
  RecordNotFound: 404,
  MethodNotAllowed: 405,
  InvalidPayload: 400,
  InvalidAction: 400,
  DBLinkError: 500,
  SessionError: 500,
  RecordDuplicate: 409,
  RecordInvalid: 422,
  General: 400,
};

/** The lock-style business-layer message (reference/erp/FACTS.md §2.6: texts [?]); answered 409 with code `General`. */
export const SAGE300_LOCK_MESSAGE =
  'Record is locked by another user. The record is in use; try again later.';

/** An error the Web API answers with its envelope `{ error: { code, message: { lang, value } } }`. */
export class SageError extends Error {
  constructor(
    readonly code: Sage300ErrorCode,
    message: string,
    readonly status = SAGE300_ERROR_STATUS[code],
  ) {
    super(message);
  }
}
