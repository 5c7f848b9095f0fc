import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIM_LWA_CLIENT, SIM_SELLERS } from '../dataset';
import { SpApiSimulator } from '../server';
import { accessToken } from './token';

const MODELS = path.resolve(__dirname, '../../../../reference/sp-api/models');

/*
 * The parts of the answers these tests read once they are checked against Amazon's models
 * (schemaErrors); the models describe the rest.
 */
interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}
interface SearchOrdersBody {
  orders: unknown[];
  pagination?: { nextToken?: string };
}
interface GetOrderBody {
  order: { proceeds?: { grandTotal?: { amount?: string } } };
}
interface GetReportsBody {
  reports: Array<{ reportDocumentId: string }>;
}
interface FinancialEventGroupsBody {
  payload: { FinancialEventGroupList: Array<{ FinancialEventGroupId: string }> };
}
interface FinancialEventsBody {
  payload: { FinancialEvents: { ShipmentEventList?: unknown[] } };
}
interface TransactionsBody {
  payload: { transactions: unknown[] };
}
interface GetOrdersV0Body {
  payload: { Orders: Array<{ AmazonOrderId: string }> };
}

/** A validator for one definition of one of Amazon's Swagger 2.0 models. */
function validatorFor(model: string, definition: string) {
  const swagger = JSON.parse(readFileSync(path.join(MODELS, `${model}.json`), 'utf8')) as {
    definitions: Record<string, unknown>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ $ref: `#/definitions/${definition}`, definitions: swagger.definitions });
}

/** What is wrong with body against one definition of one model: none when it validates. */
function schemaErrors(model: string, definition: string, body: unknown) {
  const validate = validatorFor(model, definition);
  const ok = validate(body);
  return ok ? [] : validate.errors;
}

describe("SP-API simulator answers as Amazon's models describe", () => {
  let sim: SpApiSimulator;
  let token: string;
  const seller = SIM_SELLERS[1];

  const get = async <T = unknown>(p: string): Promise<Answer<T>> => {
    const res = await fetch(`${sim.url}${p}`, { headers: { 'x-amz-access-token': token } });
    return {
      status: res.status,
      headers: res.headers,
      body: (res.status === 204 ? undefined : await res.json()) as T,
    };
  };

  beforeAll(async () => {
    sim = new SpApiSimulator({
      days: 28,
      ordersPerDay: 20,
      speedFactor: 1000,
      now: () => Date.UTC(2026, 10, 24),
    });
    await sim.start();
    const res = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: seller.refreshToken,
        client_id: SIM_LWA_CLIENT.clientId,
        client_secret: SIM_LWA_CLIENT.clientSecret,
      }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => sim.close());

  it('when orders are searched, then the page and every order validate against SearchOrdersResponse', async () => {
    const res = await get<SearchOrdersBody>(
      '/orders/2026-01-01/orders?lastUpdatedAfter=2026-10-01T00:00:00Z&maxResultsPerPage=50&includedData=PROCEEDS',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-ratelimit-limit')).toBeTruthy();
    expect(schemaErrors('orders_2026-01-01', 'SearchOrdersResponse', res.body)).toEqual([]);
    expect(res.body.orders).toHaveLength(50);
    expect(res.body.pagination?.nextToken).toEqual(expect.any(String));
  });

  it('when one order is read, then it validates against GetOrderResponse and money is a decimal string', async () => {
    const [order] = sim.orders.filter((o) => o.sellerId === seller.sellerId && o.status === 'SHIPPED');
    const res = await get<GetOrderBody>(`/orders/2026-01-01/orders/${order.orderId}`);
    expect(schemaErrors('orders_2026-01-01', 'GetOrderResponse', res.body)).toEqual([]);
    expect(res.body.order.proceeds?.grandTotal?.amount).toMatch(/^-?\d+\.\d{2}$/);
  });

  it('when settlement reports are listed and their document requested, then both validate against the Reports model', async () => {
    const list = await get<GetReportsBody>(
      '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&pageSize=2',
    );
    expect(schemaErrors('reports_2021-06-30', 'GetReportsResponse', list.body)).toEqual([]);
    const doc = await get(
      `/reports/2021-06-30/documents/${encodeURIComponent(list.body.reports[0].reportDocumentId)}`,
    );
    expect(schemaErrors('reports_2021-06-30', 'ReportDocument', doc.body)).toEqual([]);
  });

  it('when financial event groups and their events are read, then they validate against the Finances v0 model', async () => {
    const groups = await get<FinancialEventGroupsBody>(
      '/finances/v0/financialEventGroups?MaxResultsPerPage=2',
    );
    expect(schemaErrors('financesV0', 'ListFinancialEventGroupsResponse', groups.body)).toEqual([]);
    const id = groups.body.payload.FinancialEventGroupList[0].FinancialEventGroupId;
    const events = await get<FinancialEventsBody>(
      `/finances/v0/financialEventGroups/${encodeURIComponent(id)}/financialEvents?MaxResultsPerPage=5`,
    );
    expect(schemaErrors('financesV0', 'ListFinancialEventsResponse', events.body)).toEqual([]);
    expect(events.body.payload.FinancialEvents.ShipmentEventList).toHaveLength(5);
  });

  it('when 2024-06-19 transactions are listed, then the page validates against ListTransactionsResponse and amounts are JSON numbers', async () => {
    const shipped = sim.orders.find((o) => o.sellerId === seller.sellerId && o.status === 'SHIPPED')!;
    const after = new Date(shipped.lastUpdatedMs - 86_400_000).toISOString();
    const res = await fetch(
      `${sim.url}/finances/2024-06-19/transactions?postedAfter=${after}&marketplaceId=${shipped.marketplaceId}`,
      { headers: { 'x-amz-access-token': token } },
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as TransactionsBody;
    expect(body.payload.transactions.length).toBeGreaterThan(0);
    expect(schemaErrors('finances_2024-06-19', 'ListTransactionsResponse', body)).toEqual([]);
    expect(text).toMatch(/"currencyAmount":-?\d+(\.\d+)?[,}]/);
    const missing = await get('/finances/2024-06-19/transactions');
    expect(missing.status).toBe(400);
    expect(schemaErrors('finances_2024-06-19', 'ErrorList', missing.body)).toEqual([]);
  });

  it('when a listing is read and patched, then both answers validate against the Listings Items model', async () => {
    const item = await get(
      `/listings/2021-08-01/items/${seller.sellerId}/SIM-0001?marketplaceIds=A1F83G8C2ARO7P&includedData=summaries,offers,fulfillmentAvailability,issues`,
    );
    expect(item.status).toBe(200);
    expect(schemaErrors('listingsItems_2021-08-01', 'Item', item.body)).toEqual([]);
    const res = await fetch(
      `${sim.url}/listings/2021-08-01/items/${seller.sellerId}/SIM-0003?marketplaceIds=A1F83G8C2ARO7P`,
      {
        method: 'PATCH',
        headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({
          productType: 'PRODUCT',
          patches: [
            {
              op: 'replace',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }],
            },
          ],
        }),
      },
    );
    const body = (await res.json()) as { status: string };
    expect(schemaErrors('listingsItems_2021-08-01', 'ListingsItemSubmissionResponse', body)).toEqual([]);
    expect(body.status).toBe('INVALID');
  });

  it('when a feed is created and read and a report is created and read, then every answer validates against its model', async () => {
    const send = async <T>(method: string, p: string, body?: unknown) => {
      const res = await fetch(`${sim.url}${p}`, {
        method,
        headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    };
    const doc = await send<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: 'application/json; charset=UTF-8',
    });
    expect(doc.status).toBe(201);
    expect(schemaErrors('feeds_2021-06-30', 'CreateFeedDocumentResponse', doc.body)).toEqual([]);
    const upload = await fetch(doc.body.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({
        header: { sellerId: seller.sellerId, version: '2.0' },
        messages: [{ messageId: 1, sku: 'SIM-0001', operationType: 'DELETE' }],
      }),
    });
    expect(upload.status).toBe(200);
    const feed = await send<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: ['A1F83G8C2ARO7P'],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    expect(feed.status).toBe(202);
    expect(schemaErrors('feeds_2021-06-30', 'CreateFeedResponse', feed.body)).toEqual([]);
    expect(
      schemaErrors(
        'feeds_2021-06-30',
        'Feed',
        (await get(`/feeds/2021-06-30/feeds/${feed.body.feedId}`)).body,
      ),
    ).toEqual([]);

    const report = await send<{ reportId: string }>('POST', '/reports/2021-06-30/reports', {
      reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
      marketplaceIds: ['A1F83G8C2ARO7P'],
    });
    expect(report.status).toBe(202);
    expect(schemaErrors('reports_2021-06-30', 'CreateReportResponse', report.body)).toEqual([]);
    expect(
      schemaErrors(
        'reports_2021-06-30',
        'Report',
        (await get(`/reports/2021-06-30/reports/${report.body.reportId}`)).body,
      ),
    ).toEqual([]);
  });

  it('when orders are read through Orders v0, then the answers validate against the v0 model', async () => {
    const orders = await get<GetOrdersV0Body>(
      '/orders/v0/orders?LastUpdatedAfter=2026-10-01T00:00:00Z&MarketplaceIds=A1F83G8C2ARO7P&MaxResultsPerPage=5',
    );
    expect(schemaErrors('ordersV0', 'GetOrdersResponse', orders.body)).toEqual([]);
    const items = await get(`/orders/v0/orders/${orders.body.payload.Orders[0].AmazonOrderId}/orderItems`);
    expect(schemaErrors('ordersV0', 'GetOrderItemsResponse', items.body)).toEqual([]);
  });

  it('when participations are read, then they validate against the Sellers model', async () => {
    const res = await get('/sellers/v1/marketplaceParticipations');
    expect(schemaErrors('sellers', 'GetMarketplaceParticipationsResponse', res.body)).toEqual([]);
  });

  it('when a request is invalid or throttled or unauthorised, then the error bodies validate against ErrorList', async () => {
    const bad = await get('/orders/2026-01-01/orders');
    expect(bad.status).toBe(400);
    expect(schemaErrors('orders_2026-01-01', 'ErrorList', bad.body)).toEqual([]);
    const unauth = await fetch(`${sim.url}/orders/2026-01-01/orders/1`, {
      headers: { 'x-amz-access-token': 'Atza|forged' },
    });
    expect(unauth.status).toBe(403);
    expect(await unauth.json()).toMatchObject({ errors: [{ code: 'Unauthorized' }] });
  });
});

describe('simulated dataset', () => {
  it('when generated twice from one seed, then it is identical, and order ids are unique across sellers', () => {
    const a = new SpApiSimulator({ days: 2, ordersPerDay: 500 });
    const b = new SpApiSimulator({ days: 2, ordersPerDay: 500 });
    expect(b.orders).toEqual(a.orders);
    expect(new Set(a.orders.map((o) => o.orderId)).size).toBe(a.orders.length);
    expect(new Set(a.orders.map((o) => o.sellerId)).size).toBe(SIM_SELLERS.length);
  });
});

describe('fault injection through the control endpoint', () => {
  let sim: SpApiSimulator;
  const seller = SIM_SELLERS[0];
  const participations = '/sellers/v1/marketplaceParticipations';

  const newToken = () => accessToken(sim.url, seller);
  const faults = (body: unknown) =>
    fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
  const call = (token: string) =>
    fetch(`${sim.url}${participations}`, { headers: { 'x-amz-access-token': token } });

  beforeEach(async () => {
    sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1000 });
    await sim.start();
  });
  afterEach(() => sim.close());

  it.each([500, 503] as const)(
    'when every call is set to fail with %i, then the call answers it with an ErrorList body, and clearing restores service',
    async (status) => {
      const token = await newToken();
      expect(await faults({ errorRate: 1, errorStatus: status })).toMatchObject({
        errorRate: 1,
        errorStatus: status,
      });
      const res = await call(token);
      expect(res.status).toBe(status);
      // the Sellers model answers errors with its response wrapper: {errors: ErrorList}
      expect(schemaErrors('sellers', 'GetMarketplaceParticipationsResponse', await res.json())).toEqual([]);
      expect(sim.control.stats.errors.getMarketplaceParticipations).toBe(1);
      sim.control.clearFaults();
      expect((await call(token)).status).toBe(200);
    },
  );

  it('when a 429 storm is injected, then calls are throttled with QuotaExceeded though tokens are left', async () => {
    const token = await newToken();
    sim.control.setFaults({ throttleRate: 1 });
    const res = await call(token);
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'QuotaExceeded' }] });
    expect(sim.control.stats.throttled.getMarketplaceParticipations).toBe(1);
  });

  it('when tokens are expired through the endpoint, then the old token is Unauthorized and a new one works', async () => {
    const token = await newToken();
    expect((await call(token)).status).toBe(200);
    await faults({ expireTokens: true });
    const res = await call(token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'Unauthorized' }] });
    expect((await call(await newToken())).status).toBe(200);
  });

  it('when latency is injected, then answers still arrive and the setting is reported back', async () => {
    const token = await newToken();
    expect(await faults({ latencyMs: 5 })).toMatchObject({ latencyMs: 5 });
    expect((await call(token)).status).toBe(200);
    const stats = (await fetch(`${sim.url}/_sim/stats`).then((r) => r.json())) as {
      calls: Record<string, number>;
    };
    expect(stats.calls.getMarketplaceParticipations).toBe(1);
  });
});
