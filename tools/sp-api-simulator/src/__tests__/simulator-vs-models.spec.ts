/* eslint-disable @typescript-eslint/no-explicit-any -- responses are checked against Amazon's models here, not typed */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIM_LWA_CLIENT, SIM_SELLERS } from '../dataset';
import { SpApiSimulator } from '../simulator';

const MODELS = path.resolve(__dirname, '../../../../../shared/reference/sp-api/models');

/** A validator for one definition of one of Amazon's Swagger 2.0 models. */
function validatorFor(model: string, definition: string) {
  const swagger = JSON.parse(readFileSync(path.join(MODELS, `${model}.json`), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ $ref: `#/definitions/${definition}`, definitions: swagger.definitions });
}

function expectValid(model: string, definition: string, body: unknown) {
  const validate = validatorFor(model, definition);
  const ok = validate(body);
  expect(ok ? [] : validate.errors).toEqual([]);
}

describe("SP-API simulator answers as Amazon's models describe", () => {
  let sim: SpApiSimulator;
  let token: string;
  const seller = SIM_SELLERS[1];

  const get = async (p: string) => {
    const res = await fetch(`${sim.url}${p}`, { headers: { 'x-amz-access-token': token } });
    return {
      status: res.status,
      headers: res.headers,
      body: (res.status === 204 ? undefined : await res.json()) as any,
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
    const res = await get(
      '/orders/2026-01-01/orders?lastUpdatedAfter=2026-10-01T00:00:00Z&maxResultsPerPage=50&includedData=PROCEEDS',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-ratelimit-limit')).toBeTruthy();
    expectValid('orders_2026-01-01', 'SearchOrdersResponse', res.body);
    expect(res.body.orders).toHaveLength(50);
    expect(res.body.pagination.nextToken).toEqual(expect.any(String));
  });

  it('when one order is read, then it validates against GetOrderResponse and money is a decimal string', async () => {
    const [order] = sim.orders.filter((o) => o.sellerId === seller.sellerId && o.status === 'SHIPPED');
    const res = await get(`/orders/2026-01-01/orders/${order.orderId}`);
    expectValid('orders_2026-01-01', 'GetOrderResponse', res.body);
    expect(res.body.order.proceeds.grandTotal.amount).toMatch(/^-?\d+\.\d{2}$/);
  });

  it('when settlement reports are listed and their document requested, then both validate against the Reports model', async () => {
    const list = await get(
      '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&pageSize=2',
    );
    expectValid('reports_2021-06-30', 'GetReportsResponse', list.body);
    const doc = await get(
      `/reports/2021-06-30/documents/${encodeURIComponent(list.body.reports[0].reportDocumentId)}`,
    );
    expectValid('reports_2021-06-30', 'ReportDocument', doc.body);
  });

  it('when financial event groups and their events are read, then they validate against the Finances v0 model', async () => {
    const groups = await get('/finances/v0/financialEventGroups?MaxResultsPerPage=2');
    expectValid('financesV0', 'ListFinancialEventGroupsResponse', groups.body);
    const id = groups.body.payload.FinancialEventGroupList[0].FinancialEventGroupId;
    const events = await get(
      `/finances/v0/financialEventGroups/${encodeURIComponent(id)}/financialEvents?MaxResultsPerPage=5`,
    );
    expectValid('financesV0', 'ListFinancialEventsResponse', events.body);
    expect(events.body.payload.FinancialEvents.ShipmentEventList).toHaveLength(5);
  });

  it('when participations are read, then they validate against the Sellers model', async () => {
    const res = await get('/sellers/v1/marketplaceParticipations');
    expectValid('sellers', 'GetMarketplaceParticipationsResponse', res.body);
  });

  it('when a request is invalid or throttled or unauthorised, then the error bodies validate against ErrorList', async () => {
    const bad = await get('/orders/2026-01-01/orders');
    expect(bad.status).toBe(400);
    expectValid('orders_2026-01-01', 'ErrorList', bad.body);
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
