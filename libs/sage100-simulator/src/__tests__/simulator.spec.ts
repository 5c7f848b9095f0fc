import * as soap from 'soap';
import { SAGE100_SOAP_DESERIALIZER, Sage100Simulator, startSage100Simulator } from '../server';
import { SAGE100_LOGON_FAILURE, stamp } from '../state';
import { invoiceTotal, type SimBusObject } from '../boi-simulator';

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

  it('creates a customer with the AR_Customer columns it is given; refuses a long number, unknown division or terms', async () => {
    const create = (customer: Record<string, string>) =>
      client.CreateCustomerAsync({ logon: LOGON, companyCode: 'ABC', customer });
    await create({
      ARDivisionNo: '01',
      CustomerNo: 'B7K2Q9X',
      CustomerName: 'Buyer',
      TermsCode: '00',
      TaxSchedule: 'NONTAX',
      CustomerType: 'WEB',
      SalespersonDivisionNo: '01',
      SalespersonNo: '0100',
      City: 'Seattle',
    });
    const [c] = await client.GetCustomerAsync({
      logon: LOGON,
      companyCode: 'ABC',
      arDivisionNo: '01',
      customerNo: 'B7K2Q9X',
    });
    expect(c.GetCustomerResult).toMatchObject({
      CustomerName: 'Buyer',
      TermsCode: '00',
      TaxSchedule: 'NONTAX',
      SalespersonNo: '0100',
      City: 'Seattle',
      CustomerStatus: 'A',
    });
    expect((await fails(create({ ARDivisionNo: '01', CustomerNo: 'TOOLONG1' }))).ErrorCode).toBe(
      'CI_CharLength',
    );
    expect((await fails(create({ ARDivisionNo: '07', CustomerNo: 'B1' }))).ErrorMessage).toMatch(
      /ARDivisionNo to 07/,
    );
    expect(
      (await fails(create({ ARDivisionNo: '01', CustomerNo: 'B1', TermsCode: '99' }))).ErrorMessage,
    ).toMatch(/TermsCode to 99/);
    expect(sim.customers().map((x) => x.CustomerNo)).toEqual(['AMZUS', 'B7K2Q9X']);
  });

  it('BOI credit memos: applied to an invoice of the customer, never beyond what it shipped', async () => {
    await client.CreateSalesOrderAsync(order('0000001', [line('ITEM-1', '2'), line('ITEM-2', '1', '5.00')]));
    const invoiceNo = sim.ship('ABC', '0000001', { shipVia: 'UPS', trackingId: '1Z' });
    const db = sim.company('ABC').db;
    // the invoice keeps the order's freight: 2 × 19.99 + 5.00 + 4.99
    expect(invoiceTotal(db.find('SO_InvoiceHeader', [invoiceNo])!).toFixed(2)).toBe('49.97');
    const s = sim.boi.newSession();
    s.nSetUser('AGENT', 'secret');
    s.nSetCompany('ABC');
    s.nSetModule('S/O');
    s.nSetProgram(s.nLookupTask('SO_Invoice_ui'));
    const memo = (no: string, applyTo: string, lines: [string, string, string][], customer = 'AMZUS') => {
      const cm = sim.boi.newObject('SO_Invoice_bus', s) as SimBusObject;
      expect(cm.nSetKey(no)).toBe(2);
      cm.nSetValue('InvoiceType$', 'CM');
      cm.nSetValue('ARDivisionNo$', '01');
      if (!cm.nSetValue('CustomerNo$', customer)) return cm.sLastErrorMsg;
      if (!cm.nSetValue('ApplyToInvoiceNo$', applyTo)) return cm.sLastErrorMsg;
      for (const [item, qty, price] of lines) {
        cm.oLines!.nAddLine();
        if (!cm.oLines!.nSetValue('ItemCode$', item)) return cm.oLines!.sLastErrorMsg;
        cm.oLines!.nSetValue('WarehouseCode$', '000');
        cm.oLines!.nSetValue('QuantityShipped', qty);
        cm.oLines!.nSetValue('UnitPrice', price);
        cm.oLines!.nWrite();
      }
      return cm.nWrite() === 1 ? 'written' : cm.sLastErrorMsg;
    };
    const stock = () => db.find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header.QuantityOnHand;
    expect(stock()).toBe('98');
    expect(memo('CM00001', invoiceNo, [['ITEM-1', '1', '19.99']])).toBe('written');
    expect(stock()).toBe('99');
    expect(memo('CM00002', invoiceNo, [['ITEM-1', '2', '1.00']])).toMatch(
      /quantity credited for ITEM-1 \(3\) is more than invoice 0000001 shipped \(2\)/,
    );
    expect(memo('CM00003', invoiceNo, [['/RETURN', '1', '30.00']])).toMatch(
      /would exceed its total \(49\.97\)/,
    );
    expect(memo('CM00004', '0000404', [['ITEM-1', '1', '1.00']])).toMatch(
      /ApplyToInvoiceNo 0000404 is invalid/,
    );
    expect(memo('CM00005', 'CM00001', [['ITEM-1', '1', '1.00']])).toMatch(/Invoice CM00001 is not on file/);
    expect(memo('CM00006', invoiceNo, [['/NOSUCH', '1', '1.00']])).toMatch(/ItemCode \/NOSUCH is invalid/);
    // a misc line within the total is fine and moves no stock
    expect(memo('CM00007', invoiceNo, [['/RETURN', '1', '29.98']])).toBe('written');
    expect(stock()).toBe('99');
    expect(db.rows('SO_InvoiceHeader').filter((d) => d.header['InvoiceType$'] === 'CM')).toHaveLength(2);
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
