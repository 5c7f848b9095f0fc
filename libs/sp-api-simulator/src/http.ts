/** What every route shares: answers, Amazon's error bodies, next tokens that carry their query. */

/** A status and a body; `undefined` is an empty body (204). */
export type Answer = [status: number, body: unknown];

/** A body already serialised (Finances writes exact JSON numbers). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Amazon's error body (ErrorList in every model, reference/sp-api/FACTS.md §1.5). */
export const errorBody = (code: string, message: string, details = '') => ({
  errors: [{ code, message, details }],
});

export const invalid = (message: string, details = ''): Answer => [
  400,
  errorBody('InvalidInput', message, details),
];
export const notFound = (message: string): Answer => [404, errorBody('NotFound', message)];

export const THROTTLED = errorBody('QuotaExceeded', 'You exceeded your quota for the requested resource.');

/** 403 for an access token Amazon never issued, or one revoked (FACTS §1.5). */
export const TOKEN_INVALID = errorBody(
  'Unauthorized',
  'Access to requested resource is denied.',
  'The access token you provided is revoked, malformed or invalid.',
);
/** 403 for an access token past its hour: clients refresh on this wording (FACTS §1.5). */
export const TOKEN_EXPIRED = errorBody(
  'Unauthorized',
  'Access to requested resource is denied.',
  'The access token you provided has expired.',
);

export const iso = (ms: number) => new Date(ms).toISOString();
export const DAY = 86_400_000;
/** Amazon's two-minute rule: "before" dates must lie at least two minutes in the past. */
export const TWO_MINUTES = 120_000;

/** Next tokens that carry the original query, as Amazon's do: the caller resends the token alone. */
export interface QueryToken {
  offset: number;
  q: string;
}

export function readQueryToken(next: string | null, q: URLSearchParams): QueryToken | undefined {
  if (!next) return { offset: 0, q: q.toString() };
  try {
    const t = JSON.parse(Buffer.from(next, 'base64url').toString()) as QueryToken;
    return typeof t.offset === 'number' && typeof t.q === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

export const nextQueryToken = (offset: number, state: QueryToken): string =>
  Buffer.from(JSON.stringify({ offset, q: state.q })).toString('base64url');

/** A comma-separated list parameter (Swagger's csv collection format), or undefined when absent. */
export const list = (q: URLSearchParams, name: string): string[] | undefined =>
  q.get(name)?.split(',').filter(Boolean);

/** An ISO 8601 date-time parameter: its time, undefined when absent, NaN when malformed. */
export function dateParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)
    ? Date.parse(v)
    : NaN;
}
