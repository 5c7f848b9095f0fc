import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIM_LWA_CLIENT, SIM_SELLERS, type SimOrder } from '../dataset';
import { SpApiSimulator } from '../server';
import { accessToken } from './token';

/**
 * Where the simulator used to be more lenient than Amazon, or shaped differently (issue 19), each
 * checked against Amazon's models in reference/sp-api/models and the notes in reference/sp-api/FACTS.md.
 */
const MODELS = path.resolve(__dirname, '../../../../reference/sp-api/models');

/*
 * The parts of Amazon's answers these tests read. Each answer is first checked against Amazon's
 * model (expectValid) where the shape matters; these types only name what is then asserted on.
 */
interface AmazonError {
  code: string;
  message: string;
  details?: string;
}
interface ErrorList {
  errors: AmazonError[];
}
interface Answer<T> {
  status: number;
  body: T;
}
interface Money {
  CurrencyCode?: string;
  Amount?: string;
}
interface V0Order {
  AmazonOrderId: string;
  OrderStatus?: string;
  OrderTotal?: Money;
}
interface V0OrderItem {
  OrderItemId: string;
  QuantityOrdered: number;
  ItemPrice?: Money;
  ItemTax?: Money;
}
interface GetOrdersBody {
  payload: { Orders: V0Order[]; CreatedBefore?: string; LastUpdatedBefore?: string };
}
interface GetOrderBody {
  payload: V0Order;
}
interface GetOrderItemsBody {
  payload: { OrderItems: V0OrderItem[] };
}
interface Order2026 {
  orderId: string;
  buyer?: unknown;
  fulfillment?: { fulfillmentStatus?: string };
  proceeds?: { grandTotal?: { amount?: string } };
  orderItems: Array<{
    orderItemId: string;
    proceeds?: { breakdowns?: Array<{ type: string; subtotal?: { amount?: string } }> };
  }>;
}
interface GetOrder2026Body {
  order: Order2026;
}
interface SearchOrdersBody {
  orders: Order2026[];
  pagination?: { nextToken?: string };
}
interface ListingItem {
  attributes: Record<string, unknown>;
}
interface Participation {
  marketplace: { countryCode: string; defaultLanguageCode: string };
}
interface Report {
  marketplaceIds?: string[];
  createdTime: string;
  reportDocumentId?: string;
}
interface DocumentBody {
  url: string;
}

/** What is wrong with body against one definition of one model: none when it validates. */
function schemaErrors(model: string, definition: string, body: unknown) {
  const swagger = JSON.parse(readFileSync(path.join(MODELS, `${model}.json`), 'utf8')) as {
    definitions: Record<string, unknown>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile({ $ref: `#/definitions/${definition}`, definitions: swagger.definitions });
  return validate(body) ? [] : validate.errors;
}

const NOW = Date.UTC(2026, 10, 24);
const NA = SIM_SELLERS[0];
const EU = SIM_SELLERS[1];
const US = 'ATVPDKIKX0DER';
const DE = 'A1PA6795UKMFR9';

let clock = NOW;
let sim: SpApiSimulator;

const tokenFor = (seller = NA) => accessToken(sim.url, seller);

const call = async <T = unknown>(
  method: string,
  p: string,
  token: string,
  body?: unknown,
): Promise<Answer<T>> => {
  const res = await fetch(`${sim.url}${p}`, {
    method,
    headers: {
      'x-amz-access-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
};

beforeAll(async () => {
  sim = new SpApiSimulator({ days: 28, ordersPerDay: 20, speedFactor: 1000, now: () => clock });
  await sim.start();
});
afterAll(() => sim.close());
beforeEach(() => {
  clock = NOW;
});

/**
 * An error answer summed up for one toMatchObject against anError: its status, what is wrong with
 * its errors against Amazon's ErrorList, the first error, and that error's message and details.
 */
const errorAnswer = (res: Answer<unknown>) => {
  // not an error answer at all: the summary still matches nothing anError asks for
  const errors = (res.body as Partial<ErrorList> | undefined)?.errors;
  const first = errors?.[0];
  return {
    status: res.status,
    schemaErrors: schemaErrors('ordersV0', 'ErrorList', errors),
    first,
    text: `${first?.message} ${first?.details}`,
  };
};

/** an error answer in Amazon's shape: { errors: [{ code, message, details }] } */
const anError = (status: number, code: string, text?: RegExp) => ({
  status,
  schemaErrors: [],
  first: { code, details: expect.any(String) as unknown },
  ...(text ? { text: expect.stringMatching(text) as unknown } : {}),
});

const naOrders = (pred: (o: SimOrder) => boolean) =>
  sim.orders.filter((o) => o.sellerId === NA.sellerId && pred(o));

describe('1. the LWA token endpoint', () => {
  it('when the refresh-token grant comes as a JSON body, then it is answered as the form-encoded one is', async () => {
    const json = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: NA.refreshToken,
        client_id: SIM_LWA_CLIENT.clientId,
        client_secret: SIM_LWA_CLIENT.clientSecret,
      }),
    });
    expect(json.status).toBe(200);
    const { access_token } = (await json.json()) as { access_token: string };
    expect((await call('GET', '/sellers/v1/marketplaceParticipations', access_token)).status).toBe(200);

    const badSecret = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: NA.refreshToken, client_id: 'x' }),
    });
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('2. expired and revoked access tokens', () => {
  it('when a token has expired, then Amazon says so; when one is revoked or forged, then it says revoked, malformed or invalid', async () => {
    const participations = '/sellers/v1/marketplaceParticipations';
    const expired = await tokenFor();
    clock = NOW + 3_600_000;
    expect(errorAnswer(await call('GET', participations, expired))).toMatchObject(
      anError(403, 'Unauthorized', /has expired/),
    );
    clock = NOW;

    const revoked = await tokenFor();
    sim.control.revokeTokens();
    expect(errorAnswer(await call('GET', participations, revoked))).toMatchObject(
      anError(403, 'Unauthorized', /revoked, malformed or invalid/),
    );
    expect(errorAnswer(await call('GET', participations, 'Atza|forged'))).toMatchObject(
      anError(403, 'Unauthorized', /revoked, malformed or invalid/),
    );

    const expiredNow = await tokenFor();
    sim.control.expireTokens();
    expect(errorAnswer(await call('GET', participations, expiredNow))).toMatchObject(
      anError(403, 'Unauthorized', /has expired/),
    );
  });
});

describe('3. Orders v0 getOrders', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenFor();
  });
  const getOrders = <T = GetOrdersBody>(query: string) => call<T>('GET', `/orders/v0/orders?${query}`, token);

  it('when MarketplaceIds is missing, made up or of another region, then Amazon refuses it', async () => {
    expect(errorAnswer(await getOrders('CreatedAfter=2026-10-05T00:00:00Z'))).toMatchObject(
      anError(400, 'InvalidInput', /MarketplaceIds/),
    );
    expect(
      errorAnswer(await getOrders('CreatedAfter=2026-10-05T00:00:00Z&MarketplaceIds=BOGUS')),
    ).toMatchObject(anError(400, 'InvalidInput'));
    expect(
      errorAnswer(await getOrders(`CreatedAfter=2026-10-05T00:00:00Z&MarketplaceIds=${DE}`)),
    ).toMatchObject(anError(403, 'Unauthorized', /not valid for region/));
  });

  it('when orders are asked for by creation date, then CreatedAfter and CreatedBefore filter on the purchase date, and CreatedBefore is echoed', async () => {
    const after = Date.UTC(2026, 9, 5);
    const before = Date.UTC(2026, 9, 6);
    const res = await getOrders(
      `CreatedAfter=${new Date(after).toISOString()}&CreatedBefore=${new Date(before).toISOString()}&MarketplaceIds=${US}`,
    );
    expect(res.status).toBe(200);
    expect(schemaErrors('ordersV0', 'GetOrdersResponse', res.body)).toEqual([]);
    const expected = naOrders((o) => o.marketplaceId === US && o.createdMs >= after && o.createdMs < before);
    expect(res.body.payload.Orders.map((o) => o.AmazonOrderId).sort()).toEqual(
      expected.map((o) => o.orderId).sort(),
    );
    expect(res.body.payload.CreatedBefore).toBe(new Date(before).toISOString());
    expect(res.body.payload.LastUpdatedBefore).toBeUndefined();
  });

  it('when a Before date is not two minutes in the past or a date is malformed, then the 400 says what is wrong', async () => {
    const future = new Date(NOW - 60_000).toISOString();
    expect(
      errorAnswer(
        await getOrders(
          `LastUpdatedAfter=2026-10-05T00:00:00Z&LastUpdatedBefore=${future}&MarketplaceIds=${US}`,
        ),
      ),
    ).toMatchObject(anError(400, 'InvalidInput', /two minutes/));
    const bad = await getOrders<ErrorList>(`CreatedAfter=05/10/2026&MarketplaceIds=${US}`);
    expect(errorAnswer(bad)).toMatchObject(anError(400, 'InvalidInput', /ISO 8601/));
    expect(bad.body.errors[0].message).not.toMatch(/required/);
    expect(
      errorAnswer(
        await getOrders(
          `CreatedAfter=2026-10-05T00:00:00Z&LastUpdatedAfter=2026-10-05T00:00:00Z&MarketplaceIds=${US}`,
        ),
      ),
    ).toMatchObject(anError(400, 'InvalidInput'));
  });

  it('when OrderStatuses, FulfillmentChannels and AmazonOrderIds are given, then only matching orders come back', async () => {
    const window = `LastUpdatedAfter=2026-10-05T00:00:00Z&LastUpdatedBefore=2026-10-08T00:00:00Z&MarketplaceIds=${US}`;
    const shippedAfn = await getOrders(`${window}&OrderStatuses=Shipped&FulfillmentChannels=AFN`);
    expect(shippedAfn.body.payload.Orders.length).toBeGreaterThan(0);
    for (const o of shippedAfn.body.payload.Orders)
      expect(o).toMatchObject({ OrderStatus: 'Shipped', FulfillmentChannel: 'AFN' });
    const some = shippedAfn.body.payload.Orders.slice(0, 2).map((o) => o.AmazonOrderId);
    const byId = await getOrders(`${window}&AmazonOrderIds=${some.join(',')}`);
    expect(byId.body.payload.Orders.map((o) => o.AmazonOrderId).sort()).toEqual([...some].sort());
    expect(errorAnswer(await getOrders(`${window}&OrderStatuses=SHIPPED`))).toMatchObject(
      anError(400, 'InvalidInput', /OrderStatuses/),
    );
    expect(errorAnswer(await getOrders(`${window}&MaxResultsPerPage=101`))).toMatchObject(
      anError(400, 'InvalidInput', /MaxResultsPerPage/),
    );
  });
});

describe('4. Orders v0 getOrder and the fuller order and items', () => {
  it('when one order is read through v0, then it is served with totals and counts, and its items carry the same money as the 2026-01-01 view', async () => {
    const token = await tokenFor();
    const o = naOrders((x) => x.status === 'SHIPPED' && x.items.some((it) => it.taxCents > 0))[0];
    const order = await call<GetOrderBody>('GET', `/orders/v0/orders/${o.orderId}`, token);
    expect(order.status).toBe(200);
    expect(schemaErrors('ordersV0', 'GetOrderResponse', order.body)).toEqual([]);
    expect(order.body.payload).toMatchObject({
      AmazonOrderId: o.orderId,
      SalesChannel: NA.marketplaces.find((m) => m.id === o.marketplaceId)!.domain,
      OrderTotal: { CurrencyCode: o.currency, Amount: expect.stringMatching(/^\d+\.\d\d$/) as unknown },
      NumberOfItemsShipped: o.items.reduce((n, it) => n + it.quantity, 0),
      NumberOfItemsUnshipped: 0,
    });
    const items = await call<GetOrderItemsBody>('GET', `/orders/v0/orders/${o.orderId}/orderItems`, token);
    expect(schemaErrors('ordersV0', 'GetOrderItemsResponse', items.body)).toEqual([]);
    const v2026 = await call<GetOrder2026Body>(
      'GET',
      `/orders/2026-01-01/orders/${o.orderId}?includedData=PROCEEDS`,
      token,
    );
    expect(order.body.payload.OrderTotal?.Amount).toBe(v2026.body.order.proceeds?.grandTotal?.amount);
    for (const it of items.body.payload.OrderItems) {
      expect(it).toEqual(
        expect.objectContaining({
          QuantityShipped: it.QuantityOrdered,
          ItemTax: expect.any(Object) as unknown,
          ShippingPrice: expect.any(Object) as unknown,
          PromotionDiscount: expect.any(Object) as unknown,
        }),
      );
      const same = v2026.body.order.orderItems.find((x) => x.orderItemId === it.OrderItemId);
      const breakdown = (type: string) =>
        same!.proceeds!.breakdowns!.find((b) => b.type === type)?.subtotal!.amount ?? '0.00';
      expect(it.ItemPrice!.Amount).toBe(breakdown('ITEM'));
      expect(it.ItemTax!.Amount).toBe(breakdown('TAX'));
    }
  });

  it('when an order is Pending, then v0 withholds its total and its item prices', async () => {
    const token = await tokenFor();
    const o = naOrders((x) => x.status === 'PENDING')[0];
    const order = await call<GetOrderBody>('GET', `/orders/v0/orders/${o.orderId}`, token);
    expect(order.body.payload.OrderStatus).toBe('Pending');
    expect(order.body.payload.OrderTotal).toBeUndefined();
    const items = await call<GetOrderItemsBody>('GET', `/orders/v0/orders/${o.orderId}/orderItems`, token);
    for (const it of items.body.payload.OrderItems) {
      expect(it.ItemPrice).toBeUndefined();
      expect(it.ItemTax).toBeUndefined();
    }
  });
});

describe('5. searchOrders pagination', () => {
  it('when maxResultsPerPage and includedData change between pages, then the token still pages on; another filter is refused', async () => {
    const token = await tokenFor();
    const base = `lastUpdatedAfter=2026-10-05T00:00:00Z&lastUpdatedBefore=2026-10-07T00:00:00Z&marketplaceIds=${US}`;
    const first = await call<SearchOrdersBody>(
      'GET',
      `/orders/2026-01-01/orders?${base}&maxResultsPerPage=5`,
      token,
    );
    const next = first.body.pagination!.nextToken!;
    const second = await call<SearchOrdersBody>(
      'GET',
      `/orders/2026-01-01/orders?${base}&maxResultsPerPage=7&includedData=BUYER&paginationToken=${next}`,
      token,
    );
    expect(second.status).toBe(200);
    expect(second.body.orders).toHaveLength(7);
    expect(second.body.orders[0].buyer).toBeDefined();
    const ids = new Set(first.body.orders.map((o) => o.orderId));
    for (const o of second.body.orders) expect(ids.has(o.orderId)).toBe(false);
    const tokenOnly = await call('GET', `/orders/2026-01-01/orders?paginationToken=${next}`, token);
    expect(tokenOnly.status).toBe(200);
    expect(
      errorAnswer(
        await call(
          'GET',
          `/orders/2026-01-01/orders?${base}&fulfilledBy=AMAZON&paginationToken=${next}`,
          token,
        ),
      ),
    ).toMatchObject(anError(400, 'InvalidInput'));
  });
});

describe('6. confirmShipment', () => {
  const body = (marketplaceId: string, extra: Record<string, unknown> = {}) => ({
    marketplaceId,
    packageDetail: {
      packageReferenceId: '1',
      carrierCode: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      shipDate: '2026-11-20T10:00:00Z',
      orderItems: [],
      ...extra,
    },
  });

  it('when the body lacks what the model requires or has a non-ISO shipDate, or the order is cancelled, then Amazon answers 400', async () => {
    const token = await tokenFor();
    const open = naOrders((o) => o.status === 'UNSHIPPED' && o.fulfilledBy === 'MERCHANT')[0];
    const confirm = (id: string, b: unknown) =>
      call('POST', `/orders/v0/orders/${id}/shipmentConfirmation`, token, b);
    const { marketplaceId: _dropped, ...noMarketplace } = body(open.marketplaceId);
    expect(errorAnswer(await confirm(open.orderId, noMarketplace))).toMatchObject(
      anError(400, 'InvalidInput', /marketplaceId/),
    );
    const noTracking = body(open.marketplaceId);
    delete (noTracking.packageDetail as Record<string, unknown>).trackingNumber;
    expect(errorAnswer(await confirm(open.orderId, noTracking))).toMatchObject(
      anError(400, 'InvalidInput', /trackingNumber/),
    );
    expect(
      errorAnswer(await confirm(open.orderId, body(open.marketplaceId, { shipDate: '02/21/2022' }))),
    ).toMatchObject(anError(400, 'InvalidInput', /shipDate/));
    const cancelled = naOrders((o) => o.status === 'CANCELLED' && o.fulfilledBy === 'MERCHANT')[0];
    expect(errorAnswer(await confirm(cancelled.orderId, body(cancelled.marketplaceId)))).toMatchObject(
      anError(400, 'InvalidInput', /cancel/i),
    );
    const afn = naOrders((o) => o.status === 'UNSHIPPED' && o.fulfilledBy === 'AMAZON')[0];
    expect(errorAnswer(await confirm(afn.orderId, body(afn.marketplaceId)))).toMatchObject(
      anError(400, 'InvalidInput'),
    );
  });

  it('when a shipment is confirmed, then the order shows as shipped in both Orders APIs', async () => {
    const token = await tokenFor();
    const open = naOrders((o) => o.status === 'UNSHIPPED' && o.fulfilledBy === 'MERCHANT')[1];
    const res = await call(
      'POST',
      `/orders/v0/orders/${open.orderId}/shipmentConfirmation`,
      token,
      body(open.marketplaceId, {
        orderItems: open.items.map((it) => ({ orderItemId: it.orderItemId, quantity: it.quantity })),
      }),
    );
    expect(res.status).toBe(204);
    const v0 = await call<GetOrderBody>('GET', `/orders/v0/orders/${open.orderId}`, token);
    expect(v0.body.payload).toMatchObject({ OrderStatus: 'Shipped', NumberOfItemsUnshipped: 0 });
    const v2026 = await call<GetOrder2026Body>('GET', `/orders/2026-01-01/orders/${open.orderId}`, token);
    expect(v2026.body.order.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
  });
});

describe("7. marketplaces outside the seller's region", () => {
  it('when a North American seller names a European or made-up marketplace, then Amazon answers 403 or 400, never 200', async () => {
    const token = await tokenFor(NA);
    expect(
      errorAnswer(
        await call(
          'GET',
          `/orders/2026-01-01/orders?createdAfter=2026-10-05T00:00:00Z&marketplaceIds=${DE}`,
          token,
        ),
      ),
    ).toMatchObject(anError(403, 'Unauthorized', /not valid for region/));
    const report = (marketplaceIds: string[]) =>
      call('POST', '/reports/2021-06-30/reports', token, {
        reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
        marketplaceIds,
      });
    expect(errorAnswer(await report(['AMADEUPMARKETPLACE']))).toMatchObject(anError(400, 'InvalidInput'));
    expect(errorAnswer(await report([DE]))).toMatchObject(
      anError(403, 'Unauthorized', /not valid for region/),
    );
    expect((await report([US])).status).toBe(202);
  });
});

describe('8. listings attributes, feed states and marketplace languages', () => {
  it('when a listing is read with includedData=attributes, then its attributes come back with the price as a number', async () => {
    const token = await tokenFor(EU);
    const res = await fetch(
      `${sim.url}/listings/2021-08-01/items/${EU.sellerId}/SIM-0001?marketplaceIds=${DE}&includedData=attributes`,
      { headers: { 'x-amz-access-token': token } },
    );
    const text = await res.text();
    const item = JSON.parse(text) as ListingItem;
    expect(schemaErrors('listingsItems_2021-08-01', 'Item', item)).toEqual([]);
    const listing = sim.listing(EU.sellerId, 'SIM-0001', DE)!;
    expect(item.attributes.fulfillment_availability).toEqual([
      { fulfillment_channel_code: 'DEFAULT', quantity: listing.quantity, marketplace_id: DE },
    ]);
    expect(text).toContain(`"value_with_tax":${listing.price}`);
  });

  it('when a feed is processed, then it goes IN_QUEUE, IN_PROGRESS, then DONE', async () => {
    const slow = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1, now: () => clock });
    await slow.start();
    try {
      const res = await fetch(`${slow.url}/auth/o2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'refresh_token',
          refresh_token: EU.refreshToken,
          client_id: SIM_LWA_CLIENT.clientId,
          client_secret: SIM_LWA_CLIENT.clientSecret,
        }),
      });
      const token = ((await res.json()) as { access_token: string }).access_token;
      const send = async <T>(method: string, p: string, b?: unknown) => {
        const r = await fetch(`${slow.url}${p}`, {
          method,
          headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        return (await r.json()) as T;
      };
      const doc = await send<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
        contentType: 'application/json; charset=UTF-8',
      });
      await fetch(doc.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: JSON.stringify({ header: { sellerId: EU.sellerId, version: '2.0' }, messages: [] }),
      });
      const { feedId } = await send<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: [DE],
        inputFeedDocumentId: doc.feedDocumentId,
      });
      const seen: string[] = [];
      for (const at of [10_000, 90_000, 121_000]) {
        clock = NOW + at;
        const feed = await send<{ processingStatus: string }>('GET', `/feeds/2021-06-30/feeds/${feedId}`);
        expect(schemaErrors('feeds_2021-06-30', 'Feed', feed)).toEqual([]);
        seen.push(feed.processingStatus);
      }
      expect(seen).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'DONE']);
    } finally {
      await slow.close();
    }
  });

  it('when participations are read, then each marketplace has its own default language', async () => {
    const languages = async (seller: typeof NA) => {
      const res = await call<{ payload: Participation[] }>(
        'GET',
        '/sellers/v1/marketplaceParticipations',
        await tokenFor(seller),
      );
      return Object.fromEntries(
        res.body.payload.map((p) => [p.marketplace.countryCode, p.marketplace.defaultLanguageCode]),
      );
    };
    expect(await languages(NA)).toEqual({ US: 'en_US', CA: 'en_CA' });
    expect(await languages(EU)).toEqual({ GB: 'en_GB', DE: 'de_DE' });
  });
});

describe("requests checked against Amazon's models", () => {
  it('when a parameter the model requires is missing or a value is outside its enum or range, then the answer is a 400 ErrorList', async () => {
    const na = await tokenFor(NA);
    const eu = await tokenFor(EU);
    expect(
      errorAnswer(await call('GET', `/listings/2021-08-01/items/${EU.sellerId}/SIM-0001`, eu)),
    ).toMatchObject(anError(400, 'BAD_REQUEST', /marketplaceIds/));
    expect(
      errorAnswer(
        await call('PATCH', `/listings/2021-08-01/items/${EU.sellerId}/SIM-0001?marketplaceIds=${DE}`, eu, {
          patches: [],
        }),
      ),
    ).toMatchObject(anError(400, 'BAD_REQUEST', /productType/));
    expect(
      errorAnswer(await call('POST', '/reports/2021-06-30/reports', na, { marketplaceIds: [US] })),
    ).toMatchObject(anError(400, 'InvalidInput', /reportType/));
    expect(
      errorAnswer(
        await call(
          'GET',
          '/orders/2026-01-01/orders?createdAfter=2026-10-05T00:00:00Z&fulfillmentStatuses=Shipped',
          na,
        ),
      ),
    ).toMatchObject(anError(400, 'InvalidInput', /fulfillmentStatuses/));
    expect(
      errorAnswer(
        await call(
          'GET',
          '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&pageSize=0',
          na,
        ),
      ),
    ).toMatchObject(anError(400, 'InvalidInput', /pageSize/));
    expect(errorAnswer(await call('POST', '/feeds/2021-06-30/documents', na, {}))).toMatchObject(
      anError(400, 'InvalidInput', /contentType/),
    );
  });

  it('when getReports is filtered by marketplace and creation window, then only those reports are listed', async () => {
    const token = await tokenFor(NA);
    const list = async (q: string) =>
      (
        await call<{ reports: Report[] }>(
          'GET',
          `/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&pageSize=100&${q}`,
          token,
        )
      ).body.reports;
    const all = await list('');
    const us = await list(`marketplaceIds=${US}`);
    expect(us.length).toBeGreaterThan(0);
    expect(us.length).toBeLessThan(all.length);
    for (const r of us) expect(r.marketplaceIds).toEqual([US]);
    const until = '2026-10-20T00:00:00Z';
    for (const r of await list(`createdUntil=${until}`))
      expect(Date.parse(r.createdTime)).toBeLessThanOrEqual(Date.parse(until));
  });

  it('when a report document is asked for with enableContentEncodingUrlHeader, then its URL serves Content-Encoding gzip', async () => {
    const token = await tokenFor(NA);
    const reports = await call<{ reports: Report[] }>(
      'GET',
      '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&pageSize=1',
      token,
    );
    const id = reports.body.reports[0].reportDocumentId!;
    const plain = await call<DocumentBody>('GET', `/reports/2021-06-30/documents/${id}`, token);
    const encoded = await call<DocumentBody>(
      'GET',
      `/reports/2021-06-30/documents/${id}?enableContentEncodingUrlHeader=true`,
      token,
    );
    const head = async (url: string) => (await fetch(url)).headers.get('content-encoding');
    expect(await head(plain.body.url)).toBeNull();
    expect(await head(encoded.body.url)).toBe('gzip');
    // fetch decompresses the encoded download itself: the settlement file arrives as text
    expect(await (await fetch(encoded.body.url)).text()).toMatch(/^settlement-id\t/);
  });

  it('when financial event groups are asked for over more than 180 days, then there are none, as Amazon documents', async () => {
    const token = await tokenFor(NA);
    const groups = async (after: string) =>
      (
        await call<{ payload: { FinancialEventGroupList: unknown[] } }>(
          'GET',
          `/finances/v0/financialEventGroups?MaxResultsPerPage=100&FinancialEventGroupStartedAfter=${after}&FinancialEventGroupStartedBefore=2026-11-20T00:00:00Z`,
          token,
        )
      ).body.payload.FinancialEventGroupList;
    expect((await groups('2026-09-01T00:00:00Z')).length).toBeGreaterThan(0);
    expect(await groups('2026-01-01T00:00:00Z')).toEqual([]);
  });
});
