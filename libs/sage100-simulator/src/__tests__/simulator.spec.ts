import * as soap from 'soap';
import { SAGE100_SOAP_DESERIALIZER, Sage100Simulator, startSage100Simulator } from '../server';
import { SAGE100_LOGON_FAILURE, stamp } from '../state';

const LOGON = { Username: 'WEBUSER', Password: 'secret' };
const T0 = Date.parse('2026-10-02T13:30:00Z');

type Ops = Record<string, (args: unknown) => Promise<[Record<string, unknown>]>>;
type Client = Ops;
const open = async (url: string): Promise<Client> =>
  await soap.createClientAsync(`${url}?wsdl`, {
    customDeserializer: SAGE100_SOAP_DESERIALIZER,
  });

/** The MasFault of a SOAP fault the client threw. */
function masFault(err: unknown): { ErrorCode: string; ErrorMessage: string; faultcode: string } {
  const f = (err as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } } }).root?.Envelope
    ?.Body?.Fault;
  if (!f) throw err;
  const detail = f.detail as { MasFault: { ErrorCode: string; ErrorMessage: string } };
  return { ...detail.MasFault, faultcode: String(f.faultcode) };
}

async function fails(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return masFault(err);
  }
  throw new Error('expected a fault');
}

const order = (no: string, lines: unknown[], po = '114-3941689-8772232') => ({
  logon: LOGON,
  companyCode: 'ABC',
  salesOrder: {
    SalesOrderNo: no,
    ARDivisionNo: '01',
    CustomerNo: 'AMZUS',
    OrderDate: '2026-10-02',
    CustomerPONo: po,
    FreightAmt: '4.99',
    Lines: { SalesOrderLine: lines },
  },
});
const line = (ItemCode: string, QuantityOrdered: string, UnitPrice = '19.99') => ({
  ItemCode,
  WarehouseCode: '000',
  QuantityOrdered,
  UnitPrice,
});

describe('Sage 100 eBusiness Web Services simulator', () => {
  let sim: Sage100Simulator;
  let client: Client;

  beforeEach(async () => {
    sim = await startSage100Simulator({ items: ['ITEM-1', 'ITEM-2'], now: () => T0 });
    client = await open(sim.serviceUrl);
  });
  afterEach(() => sim.close());

  it('serves our WSDL, marked as ours', async () => {
    const res = await fetch(`${sim.serviceUrl}?wsdl`);
    const text = await res.text();
    expect(text).toContain('OURS, NOT SAGE');
    expect(text).toContain('name="GetNextSalesOrderNo"');
  });

  it('refuses a wrong password with the logon failure text, on every operation', async () => {
    const f = await fails(
      client.GetNextSalesOrderNoAsync({ logon: { ...LOGON, Password: 'nope' }, companyCode: 'ABC' }),
    );
    expect(f.ErrorMessage).toBe(SAGE100_LOGON_FAILURE);
    const g = await fails(
      client.GetSalesOrderAsync({
        logon: { Username: 'X', Password: 'y' },
        companyCode: 'ABC',
        salesOrderNo: '1',
      }),
    );
    expect(g.ErrorMessage).toBe(SAGE100_LOGON_FAILURE);
    expect(sim.salesOrders()).toHaveLength(0);
  });

  it('refuses an unknown company code', async () => {
    const f = await fails(client.GetNextSalesOrderNoAsync({ logon: LOGON, companyCode: 'ZZZ' }));
    expect(f.ErrorCode).toBe('CI_NOF');
  });

  it('draws 7-digit numbers that advance, creates an order, commits stock and stamps it', async () => {
    const [a] = await client.GetNextSalesOrderNoAsync({ logon: LOGON, companyCode: 'ABC' });
    const [b] = await client.GetNextSalesOrderNoAsync({ logon: LOGON, companyCode: 'ABC' });
    expect(a.GetNextSalesOrderNoResult).toBe('0000001');
    expect(b.GetNextSalesOrderNoResult).toBe('0000002');
    await client.CreateSalesOrderAsync(order('0000002', [line('ITEM-1', '3'), line('ITEM-2', '1.5')]));
    const [got] = await client.GetSalesOrderAsync({
      logon: LOGON,
      companyCode: 'ABC',
      salesOrderNo: '0000002',
    });
    const so = got.GetSalesOrderResult as Record<string, unknown>;
    expect(so.CustomerPONo).toBe('114-3941689-8772232');
    expect(so.FreightAmt).toBe('4.99');
    expect(so.DateUpdated).toBe('2026-10-02');
    expect(so.TimeUpdated).toBe('13.5000');
    const iw = sim.itemWarehouses().find((r) => r.ItemCode === 'ITEM-1')!;
    expect(iw.QuantityOnSalesOrder).toBe('3');
    expect(sim.itemWarehouses().find((r) => r.ItemCode === 'ITEM-2')!.QuantityOnSalesOrder).toBe('1.5');
    // exact money through the wire
    expect(sim.salesOrders()[0].Lines[0].UnitPrice).toBe('19.99');
  });

  it('refuses an unknown item with CI_NOF and writes nothing, stock untouched', async () => {
    const f = await fails(
      client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1'), line('NOPE', '1')])),
    );
    expect(f.ErrorCode).toBe('CI_NOF');
    expect(f.faultcode).toBe('a:CI_NOF');
    expect(sim.salesOrders()).toHaveLength(0);
    expect(sim.itemWarehouses().every((r) => r.QuantityOnSalesOrder === '0')).toBe(true);
  });

  it('refuses an existing SalesOrderNo with WS_AlreadyExists', async () => {
    await client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')]));
    const f = await fails(client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')], 'other')));
    expect(f.ErrorCode).toBe('WS_AlreadyExists');
    expect(sim.salesOrders()).toHaveLength(1);
  });

  it('refuses a CustomerPONo longer than the version holds', async () => {
    const short = await startSage100Simulator({ items: ['ITEM-1'], customerPoLength: 15 });
    try {
      const c = await open(short.serviceUrl);
      const f = await fails(c.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')])));
      expect(f.ErrorCode).toBe('CI_CharLength');
    } finally {
      await short.close();
    }
  });

  it('fails writes with a configurable record-in-use fault and writes nothing', async () => {
    sim.setFaults({ recordInUseRate: 1, recordInUseCode: 'SY_Locked', recordInUseMessage: 'in use by X' });
    const f = await fails(client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')])));
    expect(f).toMatchObject({ ErrorCode: 'SY_Locked', ErrorMessage: 'in use by X' });
    expect(sim.salesOrders()).toHaveLength(0);
    expect(sim.stats.recordInUse).toBe(1);
  });

  it('gets and creates customers', async () => {
    const [c] = await client.GetCustomerAsync({
      logon: LOGON,
      companyCode: 'ABC',
      arDivisionNo: '01',
      customerNo: 'AMZUS',
    });
    expect((c.GetCustomerResult as Record<string, unknown>).CustomerNo).toBe('AMZUS');
    await client.CreateCustomerAsync({
      logon: LOGON,
      companyCode: 'ABC',
      customer: { ARDivisionNo: '01', CustomerNo: 'AMZCA' },
    });
    const dup = await fails(
      client.CreateCustomerAsync({
        logon: LOGON,
        companyCode: 'ABC',
        customer: { ARDivisionNo: '01', CustomerNo: 'AMZCA' },
      }),
    );
    expect(dup.ErrorCode).toBe('WS_AlreadyExists');
    const nf = await fails(
      client.GetCustomerAsync({ logon: LOGON, companyCode: 'ABC', arDivisionNo: '01', customerNo: 'X' }),
    );
    expect(nf.ErrorCode).toBe('CI_NOF');
  });

  it('dates every answer from its own clock, takes faults and time through /__control, shows state in /__inspect', async () => {
    const res = await fetch(`${sim.serviceUrl}?wsdl`);
    expect(res.headers.get('date')).toBe(new Date(T0).toUTCString());
    await fetch(`${sim.url}/__control`, {
      method: 'POST',
      body: JSON.stringify({ outage: true, now: '2026-10-03T00:00:00Z' }),
    });
    const down = await fetch(`${sim.serviceUrl}?wsdl`);
    expect(down.status).toBe(503);
    expect(down.headers.get('date')).toBe(new Date('2026-10-03T00:00:00Z').toUTCString());
    await fetch(`${sim.url}/__control`, { method: 'POST', body: JSON.stringify({ clear: true }) });
    await client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')]));
    const rows = (await (await fetch(`${sim.url}/__inspect/SalesOrders?company=ABC`)).json()) as unknown[];
    expect(rows).toHaveLength(1);
  });

  it('can save an order and lose the answer (the caller must find it again)', async () => {
    sim.setFaults({ loseAnswers: 1 });
    await expect(client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '1')]))).rejects.toBeDefined();
    expect(sim.salesOrders()).toHaveLength(1);
  });

  it('stamps decimal hours', () => {
    expect(stamp(Date.parse('2026-01-01T06:15:36Z'))).toEqual({
      DateUpdated: '2026-01-01',
      TimeUpdated: '6.2600',
    });
  });
});
