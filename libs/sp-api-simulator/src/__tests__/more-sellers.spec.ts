import { SIM_SELLERS, simNaSellers, type SimSeller } from '../dataset';
import { SpApiSimulator } from '../server';
import { accessToken } from './token';

/**
 * More sellers than SIM_SELLERS (SimulatorOptions.sellers, simNaSellers): each has its own orders,
 * settlements and refresh token, and sees nothing of the others; without the option the dataset is
 * the one every other test knows.
 */
const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 1);
const NOW = START + 33 * DAY;
const [NA, EU] = SIM_SELLERS;
const SETTLEMENTS = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';

/** the first orders of the default dataset (seed 42, 40 a day from 2026-10-01), as they have always been */
const DEFAULT_FIRST_ORDERS: Record<string, string[]> = {
  [NA.sellerId]: ['617-1302489-1924140', '159-7049391-8490478', '612-7849897-0779044'],
  [EU.sellerId]: ['799-8314233-4763316', '897-2587151-4244049', '446-9507131-6293456'],
};

const firstOrders = (sim: SpApiSimulator, seller: SimSeller, n = 3) =>
  sim.orders
    .filter((o) => o.sellerId === seller.sellerId)
    .slice(0, n)
    .map((o) => o.orderId);

describe('the default dataset', () => {
  it('when no sellers are given, then the simulator has SIM_SELLERS with the orders and settlements it always had', () => {
    const sim = new SpApiSimulator();
    expect(sim.state.sellers).toEqual(SIM_SELLERS);
    for (const seller of SIM_SELLERS)
      expect(firstOrders(sim, seller)).toEqual(DEFAULT_FIRST_ORDERS[seller.sellerId]);
    expect(sim.orders).toHaveLength(2 * 28 * 40);
    expect(sim.settlements.map((s) => `${s.settlementId} ${s.sellerId} ${s.marketplaceId}`)).toEqual([
      `11000000001 ${NA.sellerId} ATVPDKIKX0DER`,
      `11000000002 ${NA.sellerId} ATVPDKIKX0DER`,
      `11000000003 ${NA.sellerId} A2EUQ1WTGCTBG2`,
      `11000000004 ${NA.sellerId} A2EUQ1WTGCTBG2`,
      `11000000005 ${EU.sellerId} A1F83G8C2ARO7P`,
      `11000000006 ${EU.sellerId} A1F83G8C2ARO7P`,
      `11000000007 ${EU.sellerId} A1PA6795UKMFR9`,
      `11000000008 ${EU.sellerId} A1PA6795UKMFR9`,
    ]);
  });
});

describe('simNaSellers', () => {
  it('when asked for 3, then they are North American sellers of US and CA with ids and refresh tokens of their own', () => {
    const extra = simNaSellers(3);
    expect(extra).toHaveLength(3);
    const all = [...SIM_SELLERS, ...extra];
    expect(new Set(all.map((s) => s.sellerId)).size).toBe(all.length);
    expect(new Set(all.map((s) => s.refreshToken)).size).toBe(all.length);
    for (const s of extra) {
      // Amazon's merchant tokens: an A and 12 to 13 upper-case letters and digits
      expect(s.sellerId).toMatch(/^A[0-9A-Z]{12,13}$/);
      expect(s.refreshToken).toMatch(/^Atzr\|/);
      expect(s.region).toBe('na');
      expect(s.marketplaces.map((m) => m.id)).toEqual(['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2']);
    }
  });

  it('when two sellers share an id, then the simulator refuses them', () => {
    const [one] = simNaSellers(1);
    expect(() => new SpApiSimulator({ sellers: [one, { ...one, refreshToken: 'Atzr|other' }] })).toThrow(
      /distinct seller ids/,
    );
  });
});

describe('a simulator with more sellers', () => {
  const extra = simNaSellers(2);
  const sellers = [...SIM_SELLERS, ...extra];
  let sim: SpApiSimulator;

  const call = async <T>(token: string, p: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sim.url}${p}`, { headers: { 'x-amz-access-token': token } });
    return { status: res.status, body: (await res.json()) as T };
  };
  const settlementReports = async (token: string) =>
    (
      await call<{ reports: Array<{ reportDocumentId: string }> }>(
        token,
        `/reports/2021-06-30/reports?reportTypes=${SETTLEMENTS}&pageSize=100`,
      )
    ).body.reports.map((r) => r.reportDocumentId);

  beforeAll(async () => {
    sim = new SpApiSimulator({ sellers, days: 28, ordersPerDay: 20, speedFactor: 1000, now: () => NOW });
    await sim.start();
  });
  afterAll(() => sim.close());

  it('when generated, then each extra seller has its own orders and settlements, with ids no other seller has', () => {
    for (const seller of sellers)
      expect(sim.orders.filter((o) => o.sellerId === seller.sellerId)).toHaveLength(28 * 20);
    // SIM_SELLERS' orders do not change when sellers are added after them
    const alone = new SpApiSimulator({ days: 28, ordersPerDay: 20 });
    for (const seller of SIM_SELLERS)
      expect(firstOrders(sim, seller, 50)).toEqual(firstOrders(alone, seller, 50));
    expect(new Set(sim.orders.map((o) => o.orderId)).size).toBe(sim.orders.length);
    for (const seller of extra)
      for (const mp of seller.marketplaces)
        expect(
          sim.settlements.filter((s) => s.sellerId === seller.sellerId && s.marketplaceId === mp.id),
        ).toHaveLength(2);
    expect(sim.settlements).toHaveLength(sellers.length * 2 * 2);
    expect(new Set(sim.settlements.map((s) => s.settlementId)).size).toBe(sim.settlements.length);
  });

  it("when an extra seller's refresh token is exchanged, then its access token reads its orders and settlements and nobody else's", async () => {
    const [mine, theirs] = extra;
    const token = await accessToken(sim.url, mine);
    expect(token).toMatch(/^Atza\|/);

    const own = sim.orders.find((o) => o.sellerId === mine.sellerId)!;
    const other = sim.orders.find((o) => o.sellerId === theirs.sellerId)!;
    const na = sim.orders.find((o) => o.sellerId === NA.sellerId)!;
    expect(
      (await call<{ order: { orderId: string } }>(token, `/orders/2026-01-01/orders/${own.orderId}`)).body,
    ).toMatchObject({ order: { orderId: own.orderId, salesChannel: { marketplaceId: own.marketplaceId } } });
    expect((await call(token, `/orders/2026-01-01/orders/${other.orderId}`)).status).toBe(404);
    expect((await call(token, `/orders/2026-01-01/orders/${na.orderId}`)).status).toBe(404);

    const searched = await call<{ orders: Array<{ orderId: string }> }>(
      token,
      '/orders/2026-01-01/orders?createdAfter=2026-10-01T00:00:00Z&marketplaceIds=ATVPDKIKX0DER,A2EUQ1WTGCTBG2&maxResultsPerPage=100',
    );
    expect(searched.status).toBe(200);
    expect(searched.body.orders.length).toBe(100);
    const mineIds = new Set(sim.orders.filter((o) => o.sellerId === mine.sellerId).map((o) => o.orderId));
    expect(searched.body.orders.every((o) => mineIds.has(o.orderId))).toBe(true);

    // the settlement reports listed are its own four, and another seller's document is not found
    const docs = await settlementReports(token);
    const ownSettlements = sim.settlements.filter((s) => s.sellerId === mine.sellerId);
    expect(docs.sort()).toEqual(ownSettlements.map((s) => `amzn1.spdoc.1.4.na.sim.${s.settlementId}`).sort());
    const theirDocs = await settlementReports(await accessToken(sim.url, theirs));
    expect(theirDocs).toHaveLength(4);
    expect(theirDocs.some((d) => docs.includes(d))).toBe(false);
    expect((await call(token, `/reports/2021-06-30/documents/${theirDocs[0]}`)).status).toBe(404);
    expect((await call(token, `/reports/2021-06-30/documents/${docs[0]}`)).status).toBe(200);

    // and a canonical seller's token does not see the extra seller's order
    expect(
      (await call(await accessToken(sim.url, NA), `/orders/2026-01-01/orders/${own.orderId}`)).status,
    ).toBe(404);
  });
});
