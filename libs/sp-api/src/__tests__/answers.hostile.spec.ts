import fc from 'fast-check';
import type { Clock, HttpRequest, HttpResponse, HttpTransport } from '@connector/core';
import { SpApiMalformedResponseError, SpApiRequestError, SpApiRetriableError } from '../errors';
import { SpApiClient } from '../sp-api.client';
import type { TokenBucketLimiter } from '../token-bucket.limiter';

/**
 * What the HTTP layer of SP-API can hand back besides the documented answers: HTML error pages from a
 * proxy, empty bodies, JSON cut in the middle, an `errors` member of the wrong shape, any status. The
 * client must answer with its typed errors (retriable or not), never a SyntaxError or TypeError.
 */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const instant: Clock = { now: () => 0, sleep: async () => undefined };
const limiter = {
  acquire: async () => 0,
  adjust: () => undefined,
  drain: () => undefined,
} as unknown as TokenBucketLimiter;
const tokens = { getAccessToken: async () => 'Atza|t', invalidate: () => undefined };

class Scripted implements HttpTransport {
  calls = 0;
  constructor(private readonly answer: () => HttpResponse) {}
  async request(_req: HttpRequest): Promise<HttpResponse> {
    this.calls++;
    return this.answer();
  }
}

const client = (http: HttpTransport) =>
  new SpApiClient({
    endpoint: 'https://sp.test',
    sellerId: 'S1',
    tokens,
    http,
    limiter,
    clock: instant,
    maxAttempts: 3,
  });

// written by hand: a JavaScript number literal would already have lost the last digits
const GOOD =
  '{"payload":{"orders":[{"orderId":"902-1234567-1234567","total":12.34,"big":12345678901234567890}]}}';
const html = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';

const bodyArb = fc.oneof(
  fc.constant(''),
  fc.constant(html),
  fc.nat({ max: GOOD.length - 1 }).map((n) => GOOD.slice(0, n)),
  fc.constantFrom(
    '{"errors": "oops"}',
    '{"errors": [null, 3]}',
    '{"errors": [{"code": 42}]}',
    '{"errors": {"code": "X"}}',
    'null',
    '[]',
    '"text"',
    '{"errors":[{"code":"Unauthorized","message":"m","details":"The access token you provided has expired."}]}',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
);
const statusArb = fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504);

/** 'ok', or what is wrong with the outcome of one call */
function verdict(out: unknown, status: number, calls: number): string {
  if (out === null) return status < 300 ? 'ok' : `resolved on ${status}`;
  const typed = [SpApiRetriableError, SpApiRequestError, SpApiMalformedResponseError].some(
    (c) => out instanceof c,
  );
  if (!typed) return `untyped ${out instanceof Error ? out.message : typeof out}`;
  const e = out as { code: string; retriable: boolean };
  if (!/^[A-Z0-9_]+$/.test(e.code)) return `code ${e.code}`;
  // retried within bounds (3 attempts, one more after a token refresh), never forever
  if (calls > (e.retriable ? 3 : 2)) return `${calls} calls`;
  return 'ok';
}

describe('SP-API answers on hostile input (property-based)', () => {
  it('when any status comes with an HTML page, an empty or cut body, or errors of the wrong shape, then the call resolves or fails with a typed SP-API error', async () => {
    await fc.assert(
      fc.asyncProperty(statusArb, bodyArb, async (status, body) => {
        const http = new Scripted(() => ({ status, headers: {}, body: Buffer.from(body, 'utf8') }));
        const out = await client(http)
          .call('getOrders', 'GET', '/orders/2026-01-01/orders')
          .then(
            () => null,
            (err: unknown) => err,
          );
        expect(verdict(out, status, http.calls)).toBe('ok');
      }),
      { numRuns: RUNS },
    );
  });

  it('when a 200 answer is cut off or is an HTML page, then it is SPAPI_MALFORMED_RESPONSE, retried, and a whole answer on the retry is read', async () => {
    for (const broken of [GOOD.slice(0, 25), html, '{"payload":']) {
      let n = 0;
      const http = new Scripted(() => ({
        status: 200,
        headers: {},
        body: Buffer.from(n++ === 0 ? broken : GOOD),
      }));
      const res = await client(http).call<{ payload: { orders: { total: unknown; big: unknown }[] } }>(
        'getOrders',
        'GET',
        '/x',
      );
      expect(res.body.payload.orders[0]).toMatchObject({ total: '12.34', big: '12345678901234567890' });
      expect(http.calls).toBe(2);
      const always = new Scripted(() => ({ status: 200, headers: {}, body: Buffer.from(broken) }));
      await expect(client(always).call('getOrders', 'GET', '/x')).rejects.toMatchObject({
        code: 'SPAPI_MALFORMED_RESPONSE',
        retriable: true,
      });
    }
  });
});
