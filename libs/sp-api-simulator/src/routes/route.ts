import type { Answer } from '../http';
import type { SimState } from '../state';

export interface RouteContext {
  state: SimState;
  /** the selling partner the access token belongs to */
  sellerId: string;
  /** the path's parameters, decoded, in order */
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

/** One SP-API operation: where it lives, which model describes its request, and what it answers. */
export interface Route {
  method: string;
  path: RegExp;
  /** the model file (reference/sp-api/models/<model>.json) and operationId the request is checked against */
  model: string;
  operation: string;
  /** a grantless operation: called with the application's client-credentials token, not a seller's */
  grantless?: boolean;
  run(ctx: RouteContext): Answer;
}
