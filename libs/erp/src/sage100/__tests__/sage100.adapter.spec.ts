import { FetchTransport, type HttpRequest, type HttpResponse, type HttpTransport } from '@connector/core';
import { Sage100Simulator, startSage100Simulator } from '@connector/sage100-simulator';
import { createAdapter } from '../../adapters';
import { capabilitiesOf } from '../../capabilities';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../../errors';
import type { SalesDocumentDraft } from '../../port';
import { InMemorySage100OrderNumbers } from '../order-numbers';
import { Sage100Adapter, sage100Account, type Sage100AdapterOptions } from '../sage100.adapter';

/** The real transport, remembering what went out, with a hook after each answer. */
class Recording implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  after?: (req: HttpRequest) => Promise<void>;
  private readonly inner = new FetchTransport(5_000);
  async request(req: HttpRequest): Promise<HttpResponse> {
    this.sent.push(req);
    const res = await this.inner.request(req);
    if (this.after) await this.after(req);
    return res;
  }
  ops(): string[] {
    return this.sent
      .filter((r) => r.method === 'POST')
      .map((r) => /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(String(r.body))?.[1] ?? '?');
  }
}

const ORDER_ID = '114-3941689-8772232';
const T0 = Date.parse('2026-10-02T13:30:00Z');
const PASSWORD = 'secret';

const draft = (naturalKey = ORDER_ID, itemCode = 'ITEM-1'): SalesDocumentDraft => ({
  naturalKey,
  customerCode: '01-AMZUS',
  currency: 'USD',
  documentDate: '2026-10-02',
  comments: `Amazon.com order ${naturalKey}`,
  lines: [
    { itemCode, quantity: 3, unitPrice: '19.99', taxAmount: '4.20', sourceLineId: '4711' },
    { itemCode: 'ITEM-2', quantity: 1, unitPrice: '0.10' },
  ],
  charges: [
    { kind: 'SHIPPING', amount: '4.99' },
    { kind: 'SHIPPING_DISCOUNT', amount: '-1.00' },
    { kind: 'PROMOTION', amount: '-1.10' },
    { kind: 'GIFT_WRAP', amount: '2.50' },
  ],
});

describe('Sage100Adapter against the eBusiness Web Services simulator', () => {
  let sim: Sage100Simulator;
  let http: Recording;
  let numbers: InMemorySage100OrderNumbers;
  const sleeps: number[] = [];

  const adapter = (over: Partial<Sage100AdapterOptions> = {}) =>
    new Sage100Adapter({
      serviceUrl: sim.serviceUrl,
      company: 'ABC',
      user: 'WEBUSER',
      password: PASSWORD,
      http,
      orderNumbers: numbers,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      backoff: { baseMs: 100, maxMs: 1000, random: () => 0.5 },
      ...over,
    });

  beforeEach(async () => {
    sim = await startSage100Simulator({ items: ['ITEM-1', 'ITEM-2'], now: () => T0 });
    http = new Recording();
    numbers = new InMemorySage100OrderNumbers();
    sleeps.length = 0;
  });
  afterEach(() => sim.close());

  it('is built for a connection by createAdapter: everything with an agent, sales orders only without', () => {
    expect(capabilitiesOf('SAGE100')).toMatchObject({ salesOrders: true, invoices: 'copyFromOrder' });
    const base = { baseUrl: 'http://x/Service.svc', company: 'ABC', user: 'u', password: 'p', http };
    const withAgent = createAdapter('SAGE100', { ...base, agent: { url: 'http://agent', secret: 's' } });
    expect(withAgent).toBeInstanceOf(Sage100Adapter);
    expect(withAgent.capabilities).toEqual(capabilitiesOf('SAGE100'));
    const alone = createAdapter('SAGE100', base);
    expect(alone.capabilities).toMatchObject({ salesOrders: true, invoices: 'none', journals: false });
  });

  it('reads the WSDL from the service and logs on with the company code on every call', async () => {
    const a = adapter();
    await a.ping();
    await a.createSalesOrder(draft());
    expect(http.sent[0]).toMatchObject({ method: 'GET', url: `${sim.serviceUrl}?wsdl` });
    const posts = http.sent.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const p of posts) {
      expect(String(p.body)).toMatch(/<(\w+:)?Username>WEBUSER<\/(\w+:)?Username>/);
      expect(String(p.body)).toMatch(/<(\w+:)?companyCode>ABC<\/(\w+:)?companyCode>/);
    }
  });

  it('writes an order with the Amazon order id in CustomerPONo, exact amounts, and commits stock', async () => {
    const a = adapter();
    const ref = await a.createSalesOrder(draft());
    expect(ref).toEqual({
      kind: 'SALES_ORDER',
      naturalKey: ORDER_ID,
      internalId: '0000001',
      documentNumber: '0000001',
      status: 'OPEN',
    });
    const [so] = sim.salesOrders();
    expect(so).toMatchObject({
      SalesOrderNo: '0000001',
      ARDivisionNo: '01',
      CustomerNo: 'AMZUS',
      CustomerPONo: ORDER_ID,
      FreightAmt: '3.99',
      DiscountAmt: '1.1',
      DateUpdated: '2026-10-02',
      TimeUpdated: '13.5000',
    });
    expect(so.Lines.map((l) => [l.ItemCode, l.QuantityOrdered, l.UnitPrice])).toEqual([
      ['ITEM-1', '3', '19.99'],
      ['ITEM-2', '1', '0.1'],
      ['/GIFTWRAP', '1', '2.5'],
    ]);
    expect(sim.itemWarehouses().find((r) => r.ItemCode === 'ITEM-1')!.QuantityOnSalesOrder).toBe('3');
    expect(await a.findByNaturalKey('SALES_ORDER', ORDER_ID)).toEqual(ref);
    expect(await a.findByNaturalKey('SALES_ORDER', 'other')).toBeNull();
  });

  it('writes an order once: a second create finds it by the recorded number and CustomerPONo', async () => {
    const a = adapter();
    const first = await a.createSalesOrder(draft());
    const again = await a.createSalesOrder(draft());
    expect(again).toEqual(first);
    expect(sim.salesOrders()).toHaveLength(1);
  });

  it('after a lost answer, the retry finds the order: one order, one number drawn, no gap', async () => {
    const a = adapter();
    sim.setFaults({ loseAnswers: 1 });
    await expect(a.createSalesOrder(draft())).rejects.toBeInstanceOf(ErpUnavailableError);
    expect(sim.salesOrders()).toHaveLength(1);
    // another process of the same connection (same store) retries
    const b = adapter();
    expect(await b.findByNaturalKey('SALES_ORDER', ORDER_ID)).toMatchObject({ documentNumber: '0000001' });
    const ref = await b.createSalesOrder(draft());
    expect(ref.documentNumber).toBe('0000001');
    expect(sim.salesOrders()).toHaveLength(1);
    await b.createSalesOrder(draft('114-0000000-0000002'));
    expect(sim.salesOrders().map((s) => s.SalesOrderNo)).toEqual(['0000001', '0000002']);
  });

  it('an invalid item is CI_NOF, not retriable, and the replay after the fix reuses the drawn number', async () => {
    const a = adapter();
    const err = await a.createSalesOrder(draft(ORDER_ID, 'NOPE')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).retriable).toBe(false);
    expect((err as ErpValidationError).detail).toMatchObject({ erp: 'SAGE100', erpCode: 'CI_NOF' });
    expect(sim.salesOrders()).toHaveLength(0);
    expect(await a.findByNaturalKey('SALES_ORDER', ORDER_ID)).toBeNull();
    // the item is created in Sage 100 and the order replayed
    sim.company('ABC').addItem('NOPE', '5');
    const ref = await a.createSalesOrder(draft(ORDER_ID, 'NOPE'));
    expect(ref.documentNumber).toBe('0000001');
    expect(sim.company('ABC').nextSalesOrderNo).toBe(2);
  });

  it('an unknown customer is CI_NOF', async () => {
    const err = await adapter()
      .createSalesOrder({ ...draft(), customerCode: 'NOBODY' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).detail.erpCode).toBe('CI_NOF');
  });

  it('WS_AlreadyExists is looked up: our own order answered late is returned, not written twice', async () => {
    await numbers.put('ABC', ORDER_ID, '0000001');
    const racer = adapter({ http: new FetchTransport(5_000) });
    let raced = false;
    http.after = async (req) => {
      // right after our GetSalesOrder said "not found", another replica writes the order
      if (!raced && /GetSalesOrder[\s>]/.test(String(req.body))) {
        raced = true;
        await racer.createSalesOrder(draft());
      }
    };
    const ref = await adapter().createSalesOrder(draft());
    expect(raced).toBe(true);
    expect(ref.documentNumber).toBe('0000001');
    expect(sim.salesOrders()).toHaveLength(1);
    expect(http.ops()).toEqual(['GetSalesOrder', 'CreateSalesOrder', 'GetSalesOrder']);
  });

  it('a recorded number taken by another order (keyed by hand) is replaced by a new one', async () => {
    await numbers.put('ABC', ORDER_ID, '0000009');
    await adapter().createSalesOrder(draft('114-1111111-1111111'));
    // 0000001 is ours now; make 0000009 someone else's
    sim.company('ABC').saveSalesOrder({
      ...sim.salesOrders()[0],
      SalesOrderNo: '0000009',
      CustomerPONo: 'PHONE',
    });
    const ref = await adapter().createSalesOrder(draft());
    expect(ref.documentNumber).toBe('0000002');
    expect(await numbers.get('ABC', ORDER_ID)).toBe('0000002');
  });

  it('record in use is retried with jittered backoff, then given up as retriable', async () => {
    sim.setFaults({ recordInUseRate: 1 });
    const err = await adapter()
      .createSalesOrder(draft())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpRecordLockedError);
    expect((err as ErpRecordLockedError).retriable).toBe(true);
    expect(sleeps).toEqual([50, 100]);
    expect(sim.salesOrders()).toHaveLength(0);
    sim.clearFaults();
    expect((await adapter().createSalesOrder(draft())).documentNumber).toBe('0000001');
  });

  it('30% record in use: every order written once', async () => {
    sim.setFaults({ recordInUseRate: 0.3 });
    const a = adapter({ recordInUseAttempts: 10 });
    for (let i = 0; i < 10; i++) await a.createSalesOrder(draft(`114-0000000-00000${10 + i}`));
    expect(sim.salesOrders()).toHaveLength(10);
    expect(sim.stats.recordInUse).toBeGreaterThan(0);
  });

  it('a wrong password is an auth error that does not say the password', async () => {
    const err = await adapter({ password: 'hunter2-wrong' })
      .ping()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpAuthError);
    expect((err as Error).message).toContain('Logon failure');
    expect((err as Error).message).not.toContain('hunter2');
    expect(sim.salesOrders()).toHaveLength(0);
  });

  it('an outage and an unreachable server are unavailable (retriable)', async () => {
    const a = adapter();
    await a.ping();
    sim.setFaults({ outage: true });
    const err = await a.createSalesOrder(draft()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpUnavailableError);
    expect((err as ErpUnavailableError).detail.httpStatus).toBe(503);
    const url = sim.serviceUrl;
    await sim.close();
    const gone = new Sage100Adapter({
      serviceUrl: url,
      company: 'ABC',
      user: 'WEBUSER',
      password: PASSWORD,
      http,
    });
    await expect(gone.ping()).rejects.toBeInstanceOf(ErpUnavailableError);
    sim = await startSage100Simulator();
  });

  it('an Amazon order id longer than CustomerPONo is refused before anything is drawn', async () => {
    const a = adapter({ customerPoLength: 15 });
    await expect(a.createSalesOrder(draft())).rejects.toBeInstanceOf(ErpValidationError);
    expect(http.sent).toHaveLength(0);
  });

  it('keeps the Amazon order id in a UDF when CustomerPONo is too short, and finds the order by it', async () => {
    await sim.close();
    sim = await startSage100Simulator({
      items: ['ITEM-1', 'ITEM-2'],
      customerPoLength: 15,
      udfs: { UDF_AMAZON_ORDER_ID: 30 },
    });
    const udf = { name: 'UDF_AMAZON_ORDER_ID', length: 30 };
    const a = adapter({ customerPoLength: 15, amazonOrderIdUdf: udf });
    expect(a.capabilities.naturalKeyMaxLength).toBe(30);
    sim.setFaults({ loseAnswers: 1 });
    await expect(a.createSalesOrder(draft())).rejects.toBeInstanceOf(ErpUnavailableError);
    const ref = await a.createSalesOrder(draft());
    expect(ref.documentNumber).toBe('0000001');
    const [so] = sim.salesOrders();
    expect(so.UDFs).toEqual({ UDF_AMAZON_ORDER_ID: ORDER_ID });
    expect(so.CustomerPONo).toBe(ORDER_ID.slice(0, 15));
    expect(await a.findByNaturalKey('SALES_ORDER', ORDER_ID)).toEqual(ref);
    expect(sim.salesOrders()).toHaveLength(1);
    // a UDF the company does not have is refused
    const wrong = adapter({ customerPoLength: 15, amazonOrderIdUdf: { name: 'UDF_NOPE', length: 30 } });
    const err = await wrong.createSalesOrder(draft('114-0000000-0000009')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).detail.erpCode).toBe('CI_NOF');
  });

  it("reads the ERP's clock from the SOAP Date header", async () => {
    expect(await adapter().erpClock()).toBe(new Date(T0).toISOString());
  });

  it('what needs the BOI agent is unsupported, saying so', async () => {
    const a = adapter();
    await expect(a.findByNaturalKey('JOURNAL', 'x')).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(a.createInvoice({ ...draft() })).rejects.toThrow(/agent/);
    await expect(a.createReceipt({} as never)).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(
      a.readItemChanges({ after: null, until: '2026-10-03T00:00:00Z', pageSize: 10 }),
    ).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(a.scanItems(null, 10)).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(
      a.readShipments({ after: null, until: '2026-10-03T00:00:00Z', pageSize: 10 }),
    ).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(a.cancelOrder({} as never)).rejects.toBeInstanceOf(ErpUnsupportedError);
    expect(a.capabilities).toMatchObject({
      receipts: false,
      kind: 'SAGE100',
      salesOrders: true,
      journals: false,
      invoices: 'none',
    });
  });

  it('GL accounts are parsed against the company account format', async () => {
    expect(sage100Account('400-010', [3, 3])).toBe('400010');
    expect(sage100Account('400010', [3, 3])).toBe('400010');
    expect(() => sage100Account('4000-10', [3, 3])).toThrow(ErpValidationError);
    expect(() => sage100Account('40001', [3, 3])).toThrow(ErpValidationError);
    expect(sage100Account('4000-00')).toBe('400000');
    const a = adapter({ accountSegments: [3, 3] });
    const journal = {
      naturalKey: 'S/M/USD',
      postingDate: '2026-10-02',
      currency: 'USD',
      reference: 'r',
      memo: 'm',
      lines: [{ account: '4000-1', debit: '1', credit: '0', description: 'd' }],
    };
    await expect(a.postJournal(journal)).rejects.toBeInstanceOf(ErpValidationError);
  });
});
