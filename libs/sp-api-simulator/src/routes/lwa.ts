import { SIM_LWA_CLIENT } from '../dataset';
import type { Answer } from '../http';
import type { SimState } from '../state';

/**
 * Login with Amazon's token endpoint, `POST /auth/o2/token` (reference/sp-api/FACTS.md §1.3): the
 * refresh-token grant for the simulated sellers, with Amazon's invalid_client / invalid_grant answers.
 * The client-credentials grant of grantless operations is served for the notifications scope (its
 * token belongs to the application, not a seller); Amazon's wording for another scope is not public,
 * so the simulator answers invalid_scope, OAuth 2.0's code for it (RFC 6749 §5.2).
 * The body may be form-encoded, as Amazon documents it, or JSON, which Amazon's endpoint takes as well
 * and which several popular clients send.
 */
export function lwaToken(state: SimState, contentType: string, text: string): Answer {
  let form: Record<string, unknown>;
  try {
    form = /json/i.test(contentType)
      ? (JSON.parse(text || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
  } catch {
    return [400, { error_description: 'The request body is malformed.', error: 'invalid_request' }];
  }
  if (form.client_id !== SIM_LWA_CLIENT.clientId || form.client_secret !== SIM_LWA_CLIENT.clientSecret)
    return [401, { error_description: 'Client authentication failed', error: 'invalid_client' }];
  if (form.grant_type === 'client_credentials') {
    if (form.scope !== 'sellingpartnerapi::notifications')
      return [400, { error_description: 'The requested scope is invalid.', error: 'invalid_scope' }];
    return [
      200,
      {
        access_token: state.issueToken('', true),
        token_type: 'bearer',
        expires_in: state.opts.tokenLifetimeSec,
        scope: form.scope,
      },
    ];
  }
  const seller = state.sellerByRefreshToken(form.refresh_token);
  if (form.grant_type !== 'refresh_token' || !seller)
    return [
      400,
      {
        error_description: 'The request has an invalid grant parameter : refresh_token',
        error: 'invalid_grant',
      },
    ];
  return [
    200,
    {
      access_token: state.issueToken(seller.sellerId),
      token_type: 'bearer',
      expires_in: state.opts.tokenLifetimeSec,
      refresh_token: seller.refreshToken,
    },
  ];
}
