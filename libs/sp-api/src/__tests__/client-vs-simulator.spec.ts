import { decimal, parseLocaleAmount, sumDecimals } from '@connector/money';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import {
  FetchTransport,
  LwaAuthorizationError,
  LwaTokenProvider,
  SellingPartnerApi,
  SpApiClient,
  SpApiRequestError,
  TokenBucketLimiter,
  type Order,
} from '../index';

const NOW = Date.UTC(2026, 10, 24);
const DAY = 86_400_000;

describe('SP-API client against the simulator', () => {
  let sim: SpApiSimulator;
  const seller = SIM_SELLERS[0];
  const http = new FetchTransport();

  function api(refreshToken = seller.refreshToken) {
    const tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken }, http, {
      tokenUrl: `${sim.url}/auth/o2/token`,
    });
    const client = new SpApiClient({
      endpoint: sim.url,
      sellerId: seller.sellerId,
      tokens,
      http,
      limiter: new TokenBucketLimiter(),
      maxAttempts: 12,
      backoffBaseMs: 2,
      backoffMaxMs: 20,
    });
    return { api: new SellingPartnerApi(client, http), tokens };
  }

  const collect = async <T>(it: AsyncGenerator<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  const oneDay = {
    lastUpdatedAfter: new Date(Date.UTC(2026, 9, 10)).toISOString(),
    lastUpdatedBefore: new Date(Date.UTC(2026, 9, 11)).toISOString(),
  };
  const expectedDay = () =>
    sim.orders
      .filter(
        (o) =>
          o.sellerId === seller.sellerId &&
          o.lastUpdatedMs >= Date.UTC(2026, 9, 10) &&
          o.lastUpdatedMs < Date.UTC(2026, 9, 11),
      )
      .map((o) => o.orderId)
      .sort();

  beforeEach(async () => {
    sim = new SpApiSimulator({ days: 28, ordersPerDay: 150, speedFactor: 2000, now: () => NOW });
    await sim.start();
  });
  afterEach(() => sim.close());

  it('when a day of orders spans several pages, then every order arrives once, following next tokens', async () => {
    const orders = await collect(api().api.searchOrders({ ...oneDay, maxResultsPerPage: 40 }));
    const ids = orders.map((o: Order) => o.orderId).sort();
    expect(ids).toEqual(expectedDay());
    expect(ids.length).toBeGreaterThan(80);
    expect(sim.stats.calls.searchOrders).toBe(Math.ceil(ids.length / 40));
  });

  it('when half the calls are throttled, then all data still arrives and calls stay within the attempt budget', async () => {
    sim.faults.throttleRate = 0.5;
    const orders = await collect(api().api.searchOrders({ ...oneDay, maxResultsPerPage: 20 }));
    expect(orders.map((o) => o.orderId).sort()).toEqual(expectedDay());
    const pages = Math.ceil(orders.length / 20);
    expect(sim.stats.throttled.searchOrders).toBeGreaterThan(0);
    expect(sim.stats.calls.searchOrders).toBeLessThanOrEqual(pages * 12);
  });

  it('when the service answers 503 now and then, then the calls are retried and nothing is lost', async () => {
    sim.faults.errorRate = 0.3;
    const orders = await collect(api().api.searchOrders({ ...oneDay, maxResultsPerPage: 25 }));
    expect(orders).toHaveLength(expectedDay().length);
    expect(sim.stats.errors.searchOrders).toBeGreaterThan(0);
  });

  it('when the access token expires mid-run, then one new token is fetched and paging goes on', async () => {
    const { api: spapi } = api();
    const seen: string[] = [];
    for await (const o of spapi.searchOrders({ ...oneDay, maxResultsPerPage: 30 })) {
      seen.push(o.orderId);
      if (seen.length === 31) sim.expireTokens();
    }
    expect(seen.sort()).toEqual(expectedDay());
    expect(sim.stats.tokensIssued).toBe(2);
  });

  it('when the access token is revoked mid-run, then one new token is fetched and paging goes on', async () => {
    const { api: spapi } = api();
    const seen: string[] = [];
    for await (const o of spapi.searchOrders({ ...oneDay, maxResultsPerPage: 30 })) {
      seen.push(o.orderId);
      // Amazon words this "revoked, malformed or invalid", not "expired": the client refreshes on both
      if (seen.length === 31) sim.control.revokeTokens();
    }
    expect(seen.sort()).toEqual(expectedDay());
    expect(sim.stats.tokensIssued).toBe(2);
  });

  it('when a marketplace of another region is asked for, then the 403 is final and no token is refreshed for it', async () => {
    const error = await collect(
      api().api.searchOrders({ ...oneDay, marketplaceIds: ['A1PA6795UKMFR9'] }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpApiRequestError);
    expect(error).toMatchObject({ retriable: false, context: { status: 403 } });
    expect(sim.stats.tokensIssued).toBe(1);
  });

  it('when many calls start at once, then they share one token refresh', async () => {
    const { tokens } = api();
    const got = await Promise.all(Array.from({ length: 8 }, () => tokens.getAccessToken()));
    expect(new Set(got).size).toBe(1);
    expect(sim.stats.tokensIssued).toBe(1);
  });

  it('when the refresh token is revoked, then the error is final and says invalid_grant', async () => {
    const error = await api('Atzr|revoked')
      .tokens.getAccessToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LwaAuthorizationError);
    expect(error).toMatchObject({ code: 'LWA_INVALID_GRANT', retriable: false });
  });

  it('when a settlement report is listed and downloaded, then the gzip file parses and its lines sum to the summary total', async () => {
    const { api: spapi } = api();
    const reports = await collect(
      spapi.getReports({
        reportTypes: ['GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2'],
        pageSize: 1,
        createdSince: new Date(NOW - 60 * DAY).toISOString(),
      }),
    );
    expect(reports.length).toBe(sim.settlements.filter((s) => s.sellerId === seller.sellerId).length);
    const doc = await spapi.getReportDocument(reports[0].reportDocumentId!);
    const text = (await spapi.downloadReportDocument(doc)).toString('utf8');
    const [header, summary, ...lines] = text
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    const col = (name: string) => header.indexOf(name);
    const total = sumDecimals(
      lines.map((l) => parseLocaleAmount(l[col('amount')], { decimalSeparator: '.' })),
    );
    expect(total.toFixed(2)).toBe(
      decimal(parseLocaleAmount(summary[col('total-amount')], { decimalSeparator: '.' })).toFixed(2),
    );
  });

  it('when any simulated settlement is parsed with its locale, then it ties out, German files using decimal commas', () => {
    const german = sim.settlements.filter((s) => s.currency === 'EUR');
    expect(german.length).toBeGreaterThan(0);
    expect(german[0].text).toMatch(/\t-?\d+,\d{2}\t/);
    for (const s of sim.settlements) {
      const [header, summary, ...lines] = s.text
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t'));
      const sep = s.currency === 'EUR' ? ',' : '.';
      const total = sumDecimals(
        lines.map((l) => parseLocaleAmount(l[header.indexOf('amount')], { decimalSeparator: sep })),
      );
      expect(
        total.equals(
          decimal(parseLocaleAmount(summary[header.indexOf('total-amount')], { decimalSeparator: sep })),
        ),
      ).toBe(true);
      expect(lines.some((l) => l[header.indexOf('amount-description')] === 'Current Reserve Amount')).toBe(
        true,
      );
    }
  });

  it('when the all-orders report is requested, then it is processed and its rows cover the orders updated in the window', async () => {
    let now = NOW;
    await sim.close(); // this test needs a clock it can move
    sim = new SpApiSimulator({ days: 28, ordersPerDay: 150, speedFactor: 2000, now: () => now });
    await sim.start();
    const { api: spapi } = api();
    const reportId = await spapi.createReport({
      reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
      marketplaceIds: seller.marketplaces.map((m) => m.id),
      dataStartTime: oneDay.lastUpdatedAfter,
      dataEndTime: oneDay.lastUpdatedBefore,
    });
    expect((await spapi.getReport(reportId)).processingStatus).toBe('IN_QUEUE');
    now += 60_000;
    const done = await spapi.getReport(reportId);
    expect(done.processingStatus).toBe('DONE');
    const rows = (await spapi.downloadReportDocument(await spapi.getReportDocument(done.reportDocumentId!)))
      .toString()
      .trimEnd()
      .split('\n');
    expect(rows[0].split('\t')).toHaveLength(32);
    expect(new Set(rows.slice(1).map((r) => r.split('\t')[0])).size).toBe(expectedDay().length);
  });

  it('when the financial events of a settlement are read, then amounts arrive exactly and equal the order and refund lines of its report', async () => {
    const { api: spapi } = api();
    const groups = await collect(spapi.listFinancialEventGroups({ MaxResultsPerPage: 2 }));
    expect(groups.length).toBe(sim.settlements.filter((s) => s.sellerId === seller.sellerId).length);
    const group = groups[0];
    const settlement = sim.settlements.find(
      (s) =>
        s.totalCents.toString() ===
        decimal(String(group.OriginalTotal!.CurrencyAmount)).times(100).toFixed(0),
    )!;
    expect(settlement).toBeDefined();

    const amounts: string[] = [];
    for await (const page of spapi.listFinancialEventsByGroupId(group.FinancialEventGroupId!, {
      MaxResultsPerPage: 25,
    })) {
      for (const e of [...(page.ShipmentEventList ?? []), ...(page.RefundEventList ?? [])]) {
        for (const item of [...(e.ShipmentItemList ?? []), ...(e.ShipmentItemAdjustmentList ?? [])]) {
          const money = [
            ...(item.ItemChargeList ?? []).map((c) => c.ChargeAmount),
            ...(item.ItemChargeAdjustmentList ?? []).map((c) => c.ChargeAmount),
            ...(item.ItemFeeList ?? []).map((f) => f.FeeAmount),
            ...(item.ItemFeeAdjustmentList ?? []).map((f) => f.FeeAmount),
            ...(item.ItemTaxWithheldList ?? []).flatMap((t) =>
              (t.TaxesWithheld ?? []).map((c) => c.ChargeAmount),
            ),
            ...(item.PromotionList ?? []).map((p) => p.PromotionAmount),
            ...(item.PromotionAdjustmentList ?? []).map((p) => p.PromotionAmount),
          ];
          for (const m of money) {
            // JSON numbers become exact decimal strings (or safe integers), never floats
            expect(typeof m!.CurrencyAmount === 'string' || Number.isInteger(m!.CurrencyAmount)).toBe(true);
            amounts.push(String(m!.CurrencyAmount));
          }
        }
      }
    }
    const [header, , ...lines] = settlement.text
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    const sep = settlement.currency === 'EUR' ? ',' : '.';
    const reportOrderLines = lines
      .filter((l) => ['Order', 'Refund'].includes(l[header.indexOf('transaction-type')]))
      .map((l) => parseLocaleAmount(l[header.indexOf('amount')], { decimalSeparator: sep }));
    expect(sumDecimals(amounts).equals(sumDecimals(reportOrderLines))).toBe(true);
  });

  it('when 2024-06-19 transactions span several pages, then every shipped order arrives once with exact amounts whose breakdowns sum to the total', async () => {
    const { api: spapi } = api();
    const after = Date.UTC(2026, 9, 10);
    const before = Date.UTC(2026, 9, 14);
    const txns = await collect(
      spapi.listTransactions({
        postedAfter: new Date(after).toISOString(),
        postedBefore: new Date(before).toISOString(),
        marketplaceId: 'ATVPDKIKX0DER',
      }),
    );
    const expected = sim.orders
      .filter(
        (o) =>
          o.sellerId === seller.sellerId &&
          o.marketplaceId === 'ATVPDKIKX0DER' &&
          o.status === 'SHIPPED' &&
          o.lastUpdatedMs >= after &&
          o.lastUpdatedMs < before,
      )
      .map((o) => o.orderId)
      .sort();
    expect(expected.length).toBeGreaterThan(100); // more than one page
    const orderIds = txns.map(
      (t) =>
        t.relatedIdentifiers!.find((r) => r.relatedIdentifierName === 'ORDER_ID')!.relatedIdentifierValue,
    );
    expect([...orderIds].sort()).toEqual(expected);
    for (const t of txns) {
      const total = t.totalAmount!.currencyAmount as unknown;
      expect(typeof total === 'string' || Number.isInteger(total)).toBe(true);
      const groups = t.breakdowns!.map((b) => String(b.breakdownAmount!.currencyAmount));
      expect(sumDecimals(groups).equals(decimal(String(total)))).toBe(true);
      for (const b of t.breakdowns!) {
        const leaves = b.breakdowns!.map((l) => String(l.breakdownAmount!.currencyAmount));
        expect(sumDecimals(leaves).equals(decimal(String(b.breakdownAmount!.currencyAmount)))).toBe(true);
      }
    }
  });

  it('when transactions are asked for without a start date or related identifier, then Amazon answers 400 and the error is final', async () => {
    const { api: spapi } = api();
    await expect(collect(spapi.listTransactions({}))).rejects.toMatchObject({ retriable: false });
  });
});

describe('listings and feeds against the simulator', () => {
  let sim: SpApiSimulator;
  const seller = SIM_SELLERS[0];
  const http = new FetchTransport();
  const US = 'ATVPDKIKX0DER';
  let spapi: SellingPartnerApi;

  beforeEach(async () => {
    let now = NOW;
    sim = new SpApiSimulator({ days: 1, ordersPerDay: 1, speedFactor: 2000, now: () => (now += 1000) });
    await sim.start();
    const tokens = new LwaTokenProvider({ ...SIM_LWA_CLIENT, refreshToken: seller.refreshToken }, http, {
      tokenUrl: `${sim.url}/auth/o2/token`,
    });
    spapi = new SellingPartnerApi(
      new SpApiClient({
        endpoint: sim.url,
        sellerId: seller.sellerId,
        tokens,
        http,
        limiter: new TokenBucketLimiter(),
        backoffBaseMs: 2,
        backoffMaxMs: 20,
      }),
      http,
    );
  });
  afterEach(() => sim.close());

  const quantityPatch = (quantity: number) => ({
    productType: 'PRODUCT',
    patches: [
      {
        op: 'replace' as const,
        path: '/attributes/fulfillment_availability',
        value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
      },
    ],
  });

  it('when quantity and price are patched, then Amazon accepts them and the listing shows them; a preview applies nothing', async () => {
    const preview = await spapi.patchListingsItem(
      'SIM-0001',
      { marketplaceIds: [US], mode: 'VALIDATION_PREVIEW' },
      quantityPatch(5),
    );
    expect(preview.status).toBe('VALID');
    expect(sim.listing(seller.sellerId, 'SIM-0001', US)!.quantity).not.toBe(5);

    expect(
      (await spapi.patchListingsItem('SIM-0001', { marketplaceIds: [US] }, quantityPatch(42))).status,
    ).toBe('ACCEPTED');
    const price = await spapi.patchListingsItem(
      'SIM-0001',
      { marketplaceIds: [US] },
      {
        productType: 'PRODUCT',
        patches: [
          {
            op: 'replace',
            path: '/attributes/purchasable_offer',
            value: [
              { marketplace_id: US, currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 19.99 }] }] },
            ],
          },
        ],
      },
    );
    expect(price.status).toBe('ACCEPTED');
    const item = await spapi.getListingsItem('SIM-0001', {
      marketplaceIds: [US],
      includedData: ['summaries', 'offers', 'fulfillmentAvailability'],
    });
    expect(item.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 42 }]);
    expect(item.offers?.[0].price).toEqual({ currencyCode: 'USD', amount: '19.99' });
  });

  it('when the quantity of an FBA listing or a negative quantity is sent, then the submission is INVALID with the reason', async () => {
    const fba = await spapi.patchListingsItem('SIM-0003', { marketplaceIds: [US] }, quantityPatch(7));
    expect(fba).toMatchObject({
      status: 'INVALID',
      issues: [{ severity: 'ERROR', message: expect.stringContaining('fulfilled by Amazon') as unknown }],
    });
    expect(
      (await spapi.patchListingsItem('SIM-0004', { marketplaceIds: [US] }, quantityPatch(-1))).status,
    ).toBe('INVALID');
  });

  it('when a JSON_LISTINGS_FEED is uploaded and processed, then the report counts accepted and invalid messages and the listings change', async () => {
    const doc = await spapi.createFeedDocument('application/json; charset=UTF-8');
    const feed = {
      header: { sellerId: seller.sellerId, version: '2.0', issueLocale: 'en_US' },
      messages: [
        {
          messageId: 1,
          sku: 'SIM-0010',
          operationType: 'PATCH',
          ...quantityPatch(11),
        },
        {
          messageId: 2,
          sku: 'SIM-0011',
          operationType: 'PATCH',
          ...quantityPatch(12),
        },
        {
          messageId: 3,
          sku: 'SIM-0012',
          operationType: 'PATCH',
          ...quantityPatch(13),
        },
        {
          messageId: 4,
          sku: 'NO-SUCH-SKU',
          operationType: 'PATCH',
          ...quantityPatch(1),
        },
      ],
    };
    await spapi.uploadFeedDocument(doc.url, 'application/json; charset=UTF-8', JSON.stringify(feed));
    const feedId = await spapi.createFeed({
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [US],
      inputFeedDocumentId: doc.feedDocumentId,
    });
    let status = await spapi.getFeed(feedId);
    while (status.processingStatus !== 'DONE') status = await spapi.getFeed(feedId);
    const report = JSON.parse(
      (
        await spapi.downloadFeedDocument(await spapi.getFeedDocument(status.resultFeedDocumentId!))
      ).toString(),
    ) as { summary: unknown; issues: Array<{ messageId: number }> };
    expect(report.summary).toEqual({
      errors: 2,
      warnings: 0,
      messagesProcessed: 4,
      messagesAccepted: 2,
      messagesInvalid: 2,
    });
    expect(report.issues.map((i) => i.messageId)).toEqual([3, 4]);
    expect(sim.listing(seller.sellerId, 'SIM-0010', US)!.quantity).toBe(11);
  });

  it('when the upload uses another content type than declared, then the upload is refused', async () => {
    const doc = await spapi.createFeedDocument('application/json; charset=UTF-8');
    await expect(spapi.uploadFeedDocument(doc.url, 'text/plain', '{}')).rejects.toThrow(
      /upload answered 403/,
    );
  });
});
