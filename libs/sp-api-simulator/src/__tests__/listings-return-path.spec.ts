import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SIM_SELLERS } from '../dataset';
import { MERCHANT_LISTINGS_COLUMNS } from '../routes/reports';
import { SpApiSimulator } from '../server';
import { accessToken } from './token';

/**
 * What inventory-publisher needs of the simulated Amazon (issue 11): the listings report that says
 * which SKUs Amazon fulfils, a bulk catalogue, and listings whose updates Amazon rejects until the
 * test lifts the rejection, through patches and JSON_LISTINGS_FEED alike.
 */
const MODELS = path.resolve(__dirname, '../../../../reference/sp-api/models');
function schemaErrors(model: string, definition: string, body: unknown) {
  const swagger = JSON.parse(readFileSync(path.join(MODELS, `${model}.json`), 'utf8')) as {
    definitions: Record<string, unknown>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile({ $ref: `#/definitions/${definition}`, definitions: swagger.definitions });
  return validate(body) ? [] : validate.errors;
}

const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const NOW = Date.UTC(2026, 10, 24);
let clock = NOW;
let sim: SpApiSimulator;
let token: string;

async function call<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
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
}

const pricePatch = (price: number) => ({
  productType: 'PRODUCT',
  patches: [
    {
      op: 'replace',
      path: '/attributes/purchasable_offer',
      value: [
        {
          marketplace_id: US,
          currency: 'USD',
          audience: 'ALL',
          our_price: [{ schedule: [{ value_with_tax: price }] }],
        },
      ],
    },
  ],
});

beforeAll(async () => {
  sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 1000, now: () => clock });
  await sim.start();
  token = await accessToken(sim.url, NA);
});
afterAll(() => sim.close());

describe('the listings report (GET_MERCHANT_LISTINGS_ALL_DATA)', () => {
  it('when it is requested, then it lists every SKU of the marketplace with its ASIN and fulfillment channel', async () => {
    const created = await call<{ reportId: string }>('POST', '/reports/2021-06-30/reports', {
      reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA',
      marketplaceIds: [US],
    });
    expect(created.status).toBe(202);
    clock += 200;
    const report = await call<{ processingStatus: string; reportDocumentId: string }>(
      'GET',
      `/reports/2021-06-30/reports/${created.body.reportId}`,
    );
    expect(schemaErrors('reports_2021-06-30', 'Report', report.body)).toEqual([]);
    expect(report.body.processingStatus).toBe('DONE');
    const doc = await call<{ url: string; compressionAlgorithm: string }>(
      'GET',
      `/reports/2021-06-30/documents/${report.body.reportDocumentId}`,
    );
    expect(schemaErrors('reports_2021-06-30', 'ReportDocument', doc.body)).toEqual([]);
    const text = gunzipSync(Buffer.from(await (await fetch(doc.body.url)).arrayBuffer())).toString('utf8');
    const [header, ...lines] = text.trimEnd().split('\n');
    expect(header.split('\t')).toEqual(MERCHANT_LISTINGS_COLUMNS);
    const rows = lines.map((l) =>
      Object.fromEntries(header.split('\t').map((h, i) => [h, l.split('\t')[i]])),
    );
    expect(rows).toHaveLength(
      [...sim.listings.keys()].filter((k) => k.startsWith(`${NA.sellerId}/`) && k.endsWith(`/${US}`)).length,
    );
    const fba = rows.find((r) => r['seller-sku'] === 'SIM-0000')!;
    const mfn = rows.find((r) => r['seller-sku'] === 'SIM-0001')!;
    expect(fba).toMatchObject({ 'fulfillment-channel': 'AMAZON_NA', quantity: '', asin1: 'B0SIM00000' });
    expect(mfn).toMatchObject({
      'fulfillment-channel': 'DEFAULT',
      quantity: String(sim.listing(NA.sellerId, 'SIM-0001', US)!.quantity),
      asin1: 'B0SIM00001',
      status: 'Active',
    });
  });
});

describe('listings Amazon rejects until the rejection is lifted', () => {
  it('when a listing is made to reject, then a patch answers INVALID with that issue and changes nothing; lifted, it is accepted', async () => {
    sim.rejectListingUpdates(NA.sellerId, 'SIM-0002', US, {
      code: '99022',
      message: 'Price is outside the allowed range.',
    });
    const before = sim.listing(NA.sellerId, 'SIM-0002', US)!.price;
    const refused = await call<{ status: string; issues: Array<{ code: string; message: string }> }>(
      'PATCH',
      `/listings/2021-08-01/items/${NA.sellerId}/SIM-0002?marketplaceIds=${US}`,
      pricePatch(12.5),
    );
    expect(schemaErrors('listingsItems_2021-08-01', 'ListingsItemSubmissionResponse', refused.body)).toEqual(
      [],
    );
    expect(refused.body.status).toBe('INVALID');
    expect(refused.body.issues).toEqual([
      expect.objectContaining({ code: '99022', message: 'Price is outside the allowed range.' }),
    ]);
    expect(sim.listing(NA.sellerId, 'SIM-0002', US)!.price).toBe(before);

    sim.liftListingRejection(NA.sellerId, 'SIM-0002', US);
    const accepted = await call<{ status: string }>(
      'PATCH',
      `/listings/2021-08-01/items/${NA.sellerId}/SIM-0002?marketplaceIds=${US}`,
      pricePatch(12.5),
    );
    expect(accepted.body.status).toBe('ACCEPTED');
    expect(sim.listing(NA.sellerId, 'SIM-0002', US)!.price).toBe('12.5');
    expect(sim.listing(NA.sellerId, 'SIM-0002', US)!.writes).toEqual({ purchasable_offer: 2 });
  });

  it('when a bulk catalogue is fed and one SKU rejects, then the processing report names it with the issue and the others are applied', async () => {
    const skus = sim.addListings(NA.sellerId, US, 30, { prefix: 'FEED-' });
    sim.rejectListingUpdates(NA.sellerId, skus[7], US, { code: '8560', message: 'SKU mismatch.' });
    const doc = await call<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: 'application/json; charset=UTF-8',
    });
    const feed = {
      header: { sellerId: NA.sellerId, version: '2.0' },
      messages: skus.map((sku, i) => ({
        messageId: i + 1,
        sku,
        operationType: 'PATCH',
        productType: 'PRODUCT',
        patches: [
          {
            op: 'replace',
            path: '/attributes/fulfillment_availability',
            value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 40 + i }],
          },
        ],
      })),
    };
    await fetch(doc.body.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(feed),
    });
    const { body: created } = await call<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [US],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    clock += 200;
    const { body: done } = await call<{ processingStatus: string; resultFeedDocumentId: string }>(
      'GET',
      `/feeds/2021-06-30/feeds/${created.feedId}`,
    );
    expect(done.processingStatus).toBe('DONE');
    const { body: result } = await call<{ url: string }>(
      'GET',
      `/feeds/2021-06-30/documents/${done.resultFeedDocumentId}`,
    );
    expect(schemaErrors('feeds_2021-06-30', 'FeedDocument', result)).toEqual([]);
    const report = JSON.parse(
      gunzipSync(Buffer.from(await (await fetch(result.url)).arrayBuffer())).toString('utf8'),
    ) as {
      issues: Array<{ messageId: number; sku: string; code: string; message: string }>;
      summary: { messagesAccepted: number; messagesInvalid: number };
    };
    expect(report.issues).toEqual([
      expect.objectContaining({ messageId: 8, sku: skus[7], code: '8560', message: 'SKU mismatch.' }),
    ]);
    expect(report.summary).toMatchObject({ messagesAccepted: 29, messagesInvalid: 1 });
    expect(sim.listing(NA.sellerId, skus[8], US)!.quantity).toBe(48);
    expect(sim.listing(NA.sellerId, skus[7], US)!.quantity).toBe(5);
  });
});
