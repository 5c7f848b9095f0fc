import path from 'node:path';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  SpApiSimulator,
  loadSandboxCases,
  sandboxRequest,
} from '@connector/sp-api-simulator';
import { FetchTransport, LwaTokenProvider, SpApiClient, TokenBucketLimiter, parseExactJson } from '../index';

const CASES = path.resolve(__dirname, '../../../../reference/sp-api/samples/sandbox-static-cases.json');

describe("Amazon's static sandbox cases round-trip through the client and the simulator", () => {
  let sim: SpApiSimulator;
  let client: SpApiClient;
  let tokens: LwaTokenProvider;
  const http = new FetchTransport();
  const cases = loadSandboxCases(CASES);

  beforeAll(async () => {
    sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 100, sandboxCasesFile: CASES });
    await sim.start();
    tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken: SIM_SELLERS[0].refreshToken }, http, {
      tokenUrl: `${sim.url}/auth/o2/token`,
    });
    client = new SpApiClient({
      endpoint: sim.url,
      sellerId: SIM_SELLERS[0].sellerId,
      tokens,
      http,
      limiter: new TokenBucketLimiter(),
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
    });
  });
  afterAll(() => sim.close());

  it('when the cases are loaded, then every model we call has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.model))).toEqual(
      expect.objectContaining({ size: expect.any(Number) as unknown }),
    );
  });

  it.each(
    cases
      .filter((c) => c.status < 300)
      .map((c) => [`${c.operation} ${c.status} #${cases.indexOf(c)}`, c] as const),
  )('when %s is sent, then the client gets the published response', async (_name, c) => {
    const { path: p, query, body } = sandboxRequest(c);
    const res = await client.call(c.operation, c.method, p, { query, body });
    expect(res.status).toBe(c.status);
    // a 204 has no content, which the client answers as an undefined body
    expect(res.body).toEqual(c.status === 204 ? undefined : parseExactJson(JSON.stringify(c.response)));
  });

  it.each(
    cases
      .filter((c) => c.status >= 400)
      .map((c) => [`${c.operation} ${c.status} #${cases.indexOf(c)}`, c] as const),
  )('when %s is sent, then the published error comes back', async (_name, c) => {
    const { path: p, query, body } = sandboxRequest(c);
    const url = `${sim.url}${p}?${new URLSearchParams(query).toString()}`;
    const res = await fetch(url, {
      method: c.method,
      headers: { 'x-amz-access-token': await tokens.getAccessToken(), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(c.status);
    expect(await res.json()).toEqual(c.response);
  });
});
