import { decimal, parseLocaleAmount, sumDecimals } from '@connector/money';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import {
  FetchTransport,
  LwaAuthorizationError,
  LwaTokenProvider,
  SellingPartnerApi,
  SpApiClient,
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
});
