import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import {
  FetchTransport,
  LwaTokenProvider,
  SellingPartnerApi,
  SpApiClient,
  TokenBucketLimiter,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from '../index';

const MODELS = path.resolve(__dirname, '../../../../reference/sp-api/models');

interface Param {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
  enum?: string[];
  items?: { enum?: string[] };
  schema?: unknown;
}

/** Every operation of every model: method, path pattern, parameters, definitions. */
const operations = readdirSync(MODELS)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => {
    const model = JSON.parse(readFileSync(path.join(MODELS, file), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
      definitions: Record<string, unknown>;
    };
    return Object.entries(model.paths).flatMap(([p, item]) => {
      const shared = (item.parameters as Param[] | undefined) ?? [];
      return Object.entries(item)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([method, op]) => ({
          model: file,
          method: method.toUpperCase(),
          template: p,
          pattern: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
          operationId: (op as { operationId: string }).operationId,
          parameters: [...shared, ...((op as { parameters?: Param[] }).parameters ?? [])],
          definitions: model.definitions,
        }));
    });
  });

/** Problems of one request against its model operation (an empty list when it conforms). */
function problems(req: HttpRequest): string[] {
  const url = new URL(req.url);
  const op = operations.find((o) => o.method === req.method && o.pattern.test(url.pathname));
  if (!op) return [`${req.method} ${url.pathname} is not an operation of any model`];
  const out: string[] = [];
  const declared = op.parameters.filter((p) => p.in === 'query');
  const paging = [...url.searchParams.keys()].some((k) => /^(next|pagination)token$/i.test(k));
  for (const [name, value] of url.searchParams) {
    const p = declared.find((d) => d.name === name);
    if (!p) {
      out.push(`${op.operationId}: query parameter ${name} is not declared`);
      continue;
    }
    const allowed = p.enum ?? p.items?.enum;
    const values = p.type === 'array' ? value.split(',') : [value];
    for (const v of values)
      if (allowed && !allowed.includes(v))
        out.push(`${op.operationId}: ${name}=${v} is not one of ${allowed.join('|')}`);
  }
  if (!paging) {
    for (const p of declared.filter((d) => d.required)) {
      if (!url.searchParams.has(p.name))
        out.push(`${op.operationId}: required query parameter ${p.name} is missing`);
    }
  }
  const bodyParam = op.parameters.find((p) => p.in === 'body');
  if (bodyParam && req.body !== undefined) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile({ ...(bodyParam.schema as object), definitions: op.definitions });
    if (!validate(JSON.parse(String(req.body))))
      out.push(`${op.operationId}: body ${ajv.errorsText(validate.errors)}`);
  } else if (bodyParam?.required && req.body === undefined) {
    out.push(`${op.operationId}: the body is required`);
  }
  return out;
}

class RecordingTransport implements HttpTransport {
  readonly requests: HttpRequest[] = [];
  constructor(
    private readonly inner: HttpTransport,
    private readonly endpoint: string,
  ) {}
  async request(req: HttpRequest): Promise<HttpResponse> {
    if (
      req.url.startsWith(this.endpoint) &&
      !req.url.includes('/auth/o2/token') &&
      !req.url.includes('/_documents/')
    )
      this.requests.push(req);
    return this.inner.request(req);
  }
}

describe("every request the client sends matches the parameters in Amazon's models", () => {
  it('when the connector calls each of the 16 operations it uses, then no request breaks its model', async () => {
    const sim = new SpApiSimulator({
      days: 28,
      ordersPerDay: 30,
      speedFactor: 2000,
      now: () => Date.UTC(2026, 10, 24),
    });
    await sim.start();
    try {
      const seller = SIM_SELLERS[0];
      const http = new RecordingTransport(new FetchTransport(), sim.url);
      const tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken: seller.refreshToken }, http, {
        tokenUrl: `${sim.url}/auth/o2/token`,
      });
      const client = new SpApiClient({
        endpoint: sim.url,
        sellerId: seller.sellerId,
        tokens,
        http,
        limiter: new TokenBucketLimiter(),
      });
      const api = new SellingPartnerApi(client, http);

      const orders = [];
      for await (const o of api.searchOrders({
        lastUpdatedAfter: '2026-10-05T00:00:00Z',
        lastUpdatedBefore: '2026-10-07T00:00:00Z',
        fulfillmentStatuses: ['SHIPPED', 'UNSHIPPED'],
        marketplaceIds: ['ATVPDKIKX0DER'],
        maxResultsPerPage: 10,
      }))
        orders.push(o);
      await api.getOrder(orders[0].orderId, ['PROCEEDS']);
      // Amazon confirms the shipments of the orders it fulfils itself: confirm a merchant-fulfilled one
      const unshipped = orders.find(
        (o) => o.fulfillment?.fulfilledBy === 'MERCHANT' && o.fulfillment.fulfillmentStatus === 'UNSHIPPED',
      )!;
      await api.confirmShipment(unshipped.orderId, {
        marketplaceId: 'ATVPDKIKX0DER',
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'UPS',
          trackingNumber: '1Z999',
          shipDate: '2026-10-06T12:00:00Z',
          orderItems: [],
        },
      });
      const reports = [];
      for await (const r of api.getReports({
        reportTypes: ['GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2'],
        pageSize: 1,
      }))
        reports.push(r);
      await api.getReportDocument(reports[0].reportDocumentId!);
      const reportId = await api.createReport({
        reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
        marketplaceIds: ['ATVPDKIKX0DER'],
        dataStartTime: '2026-10-05T00:00:00Z',
      });
      await api.getReport(reportId);
      for await (const g of api.listFinancialEventGroups({
        MaxResultsPerPage: 1,
        FinancialEventGroupStartedAfter: '2026-10-01T00:00:00Z',
      })) {
        for await (const _ of api.listFinancialEventsByGroupId(g.FinancialEventGroupId!, {
          MaxResultsPerPage: 20,
        }))
          break;
      }
      await api.getMarketplaceParticipations();
      for await (const _ of api.listTransactions({
        postedAfter: '2026-10-01T00:00:00Z',
        marketplaceId: 'ATVPDKIKX0DER',
      }))
        break;
      await api.getListingsItem('SIM-0001', {
        marketplaceIds: ['ATVPDKIKX0DER'],
        includedData: ['summaries', 'offers'],
      });
      await api.patchListingsItem(
        'SIM-0001',
        { marketplaceIds: ['ATVPDKIKX0DER'], mode: 'VALIDATION_PREVIEW' },
        {
          productType: 'PRODUCT',
          patches: [
            {
              op: 'replace',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }],
            },
          ],
        },
      );
      const doc = await api.createFeedDocument('application/json; charset=UTF-8');
      await api.uploadFeedDocument(
        doc.url,
        'application/json; charset=UTF-8',
        JSON.stringify({
          header: { sellerId: seller.sellerId, version: '2.0' },
          messages: [{ messageId: 1, sku: 'SIM-0001', operationType: 'DELETE' }],
        }),
      );
      const feedId = await api.createFeed({
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: ['ATVPDKIKX0DER'],
        inputFeedDocumentId: doc.feedDocumentId,
      });
      await api.getFeed(feedId);

      const ops = new Set(
        http.requests.map(
          (r) =>
            operations.find((o) => o.method === r.method && o.pattern.test(new URL(r.url).pathname))
              ?.operationId,
        ),
      );
      expect([...ops].sort()).toEqual(
        [
          'confirmShipment',
          'createFeed',
          'createFeedDocument',
          'createReport',
          'getFeed',
          'getListingsItem',
          'getMarketplaceParticipations',
          'getOrder',
          'getReport',
          'getReportDocument',
          'getReports',
          'listFinancialEventGroups',
          'listFinancialEventsByGroupId',
          'listTransactions',
          'patchListingsItem',
          'searchOrders',
        ].sort(),
      );
      expect(http.requests.flatMap(problems)).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('when a request breaks its model, then the check names the problem', () => {
    expect(
      problems({
        method: 'GET',
        url: 'http://x/orders/2026-01-01/orders?fulfillmentStatuses=SHIPPED,LOST&colour=red',
      }),
    ).toEqual([
      'searchOrders: fulfillmentStatuses=LOST is not one of PENDING_AVAILABILITY|PENDING|UNSHIPPED|PARTIALLY_SHIPPED|SHIPPED|CANCELLED|UNFULFILLABLE',
      'searchOrders: query parameter colour is not declared',
    ]);
    expect(
      problems({ method: 'GET', url: 'http://x/reports/2021-06-30/reports/1', body: undefined }),
    ).toEqual([]);
  });
});
