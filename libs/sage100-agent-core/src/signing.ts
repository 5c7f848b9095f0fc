import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed agent request. */
export const TIMESTAMP_HEADER = 'x-sage100-agent-timestamp';
export const SIGNATURE_HEADER = 'x-sage100-agent-signature';
/** Requests older (or further in the future) than this are refused: a captured request cannot be replayed later. */
export const MAX_SKEW_MS = 5 * 60_000;

/** HMAC-SHA256, hex, over `METHOD\npath\ntimestamp\nbody` with the shared secret. */
export function signAgentRequest(
  secret: string,
  method: string,
  path: string,
  timestamp: string,
  body: string,
): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}\n${path}\n${timestamp}\n${body}`)
    .digest('hex');
}

/** The headers the connector sends with a request to the agent. */
export function agentHeaders(secret: string, method: string, path: string, body: string, now = Date.now()) {
  const timestamp = String(now);
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signAgentRequest(secret, method, path, timestamp, body),
  };
}

/** Why a request is refused, or null when its signature and timestamp hold. */
export function verifyAgentRequest(
  secret: string,
  req: { method: string; path: string; timestamp?: string; signature?: string; body: string },
  now: number,
): string | null {
  if (!req.timestamp || !/^\d{1,15}$/.test(req.timestamp)) return 'missing or malformed timestamp';
  if (Math.abs(now - Number(req.timestamp)) > MAX_SKEW_MS) return 'timestamp outside the 5-minute window';
  if (!req.signature || !/^[0-9a-f]{64}$/.test(req.signature)) return 'missing or malformed signature';
  const want = Buffer.from(signAgentRequest(secret, req.method, req.path, req.timestamp, req.body), 'hex');
  return timingSafeEqual(want, Buffer.from(req.signature, 'hex')) ? null : 'bad signature';
}
