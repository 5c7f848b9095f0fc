import { SapB1Simulator, compareValues, parseFilter } from '../index';

/**
 * The parts of a Service Layer answer these tests read. JSON.parse does not check it: a test that
 * reads a part the answer lacks fails on the undefined it gets.
 */
interface SlBody {
  SessionId: string;
  'odata.metadata': string;
  'odata.nextLink'?: string;
  value: Record<string, unknown>[];
  error: { code: number; message: { lang: string; value: string } };
  DocEntry: number;
  DocumentStatus: string;
  DocumentLines: Record<string, unknown>[];
  UpdateDate: string;
  UpdateTime: string;
}

describe('SAP B1 Service Layer simulator', () => {
  let clock = Date.parse('2024-05-01T10:00:00Z');
  let sim: SapB1Simulator;
  let base: string;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: text.startsWith('{') || text.startsWith('[') ? (JSON.parse(text) as SlBody) : undefined,
    };
  };
  const login = async () => {
    const res = await call('POST', '/b1s/v1/Login', {
      CompanyDB: 'SBODEMOUS',
      UserName: 'manager',
      Password: 'pw',
    });
    expect(res.status).toBe(200);
    return `B1SESSION=${res.json?.SessionId ?? ''}; ROUTEID=.node1`;
  };
  const order = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
    CardCode: 'C1',
    DocDate: '2024-05-01',
    DocDueDate: '2024-05-01',
    NumAtCard: '111-0000000-0000001',
    DocumentLines: lines,
    ...extra,
  });

  beforeEach(async () => {
    clock = Date.parse('2024-05-01T10:00:00Z');
    sim = new SapB1Simulator({
      now: () => clock,
      users: { manager: 'pw' },
      items: Array.from({ length: 45 }, (_, i) => ({
        ItemCode: `I${String(i).padStart(2, '0')}`,
        price: '19.99',
      })),
      customers: ['C1', 'C2'],
      accounts: ['1000', '4000', '2200'],
    });
    base = await sim.start();
  });
  afterEach(() => sim.close());

  it('logs in with a B1SESSION and ROUTEID cookie, and refuses wrong credentials with SAP JSON', async () => {
    const res = await call('POST', '/b1s/v1/Login', {
      CompanyDB: 'SBODEMOUS',
      UserName: 'manager',
      Password: 'pw',
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join('\n')).toMatch(
      /B1SESSION=[0-9a-f-]{36}; HttpOnly;\nROUTEID=\.node1/,
    );
    expect(res.json).toMatchObject({ Version: '1000110', SessionTimeout: 30 });
    expect(res.json?.['odata.metadata']).toMatch(/\$metadata#B1Sessions\/@Element$/);

    const bad = await call('POST', '/b1s/v1/Login', {
      CompanyDB: 'SBODEMOUS',
      UserName: 'manager',
      Password: 'x',
    });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({
      error: { code: 100000027, message: { lang: 'en-us', value: 'Login failed' } },
    });
    expect(sim.stats.logins).toBe(1);
  });

  it('answers 401 / 301 without a session, after the idle timeout, after Logout and after expireSessions', async () => {
    const invalid = {
      error: { code: 301, message: { lang: 'en-us', value: 'Invalid session or session already timeout.' } },
    };
    expect((await call('GET', '/b1s/v1/Items')).json).toEqual(invalid);

    let cookie = await login();
    clock += 29 * 60_000;
    expect((await call('GET', '/b1s/v1/Items?$top=1', undefined, { cookie })).status).toBe(200);
    clock += 29 * 60_000; // idle time counts from the last request
    expect((await call('GET', '/b1s/v1/Items?$top=1', undefined, { cookie })).status).toBe(200);
    clock += 31 * 60_000;
    const expired = await call('GET', '/b1s/v1/Items?$top=1', undefined, { cookie });
    expect([expired.status, expired.json]).toEqual([401, invalid]);

    cookie = await login();
    expect((await call('POST', '/b1s/v1/Logout', undefined, { cookie })).status).toBe(204);
    expect((await call('GET', '/b1s/v1/Items', undefined, { cookie })).status).toBe(401);

    cookie = await login();
    await call('POST', '/__control', { expireSessions: true });
    expect((await call('GET', '/b1s/v1/Items', undefined, { cookie })).status).toBe(401);
  });

  it('creates orders with DocEntry / DocNum, exact amounts, committed stock, and refuses unknown items and BPs', async () => {
    const cookie = await login();
    const res = await call(
      'POST',
      '/b1s/v1/Orders',
      '{"CardCode":"C1","DocDate":"2024-05-01","DocDueDate":"2024-05-01","NumAtCard":"A-1",' +
        '"DocumentLines":[{"ItemCode":"I01","Quantity":3,"UnitPrice":0.10,"TaxTotal":0.02}],' +
        '"DocumentAdditionalExpenses":[{"ExpenseCode":1,"LineTotal":0.20}]}',
      { cookie },
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ DocEntry: 1, DocNum: 1, DocumentStatus: 'bost_Open', Cancelled: 'tNO' });
    // decimal arithmetic: 3 × 0.10 is 0.3 and the total 0.52, never 0.30000000000000004
    expect(res.text).toContain('"LineTotal":0.3,');
    expect(res.text).toContain('"DocTotal":0.52');
    expect(res.json?.UpdateDate).toBe('2024-05-01');
    expect(res.json?.UpdateTime).toBe('10:00:00');
    const item = sim.documents('Items').find((i) => i.ItemCode === 'I01')!;
    expect(item.QuantityOrderedByCustomers).toBe('3');

    const badItem = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'NOPE', Quantity: 1 }]), {
      cookie,
    });
    expect(badItem.status).toBe(400);
    expect(badItem.json?.error.code).toBe(-5002);
    const badBp = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }], { CardCode: 'X' }), {
      cookie,
    });
    expect(badBp.json?.error.code).toBe(-5002);
    const readOnly = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }], { DocEntry: 9 }), {
      cookie,
    });
    expect(readOnly.json?.error.code).toBe(-1000);
    const unknownProp = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }], { Foo: 1 }), {
      cookie,
    });
    expect(unknownProp.json?.error.message.value).toBe("Property 'Foo' of 'Document' is invalid");

    // refused POSTs consume no number (reference/erp/FACTS.md §1.5)
    const next = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I02' }]), { cookie });
    expect(next.json).toMatchObject({ DocEntry: 2, DocNum: 2 });
    const del = await call('DELETE', '/b1s/v1/Orders(2)', undefined, { cookie });
    expect([del.status, del.json?.error.code]).toEqual([400, -5006]);
  });

  it('copies an invoice from an order (BaseType 17), which closes it; Cancel refuses a closed order', async () => {
    const cookie = await login();
    const o = (await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01', Quantity: 2 }]), { cookie }))
      .json;
    const inv = await call(
      'POST',
      '/b1s/v1/Invoices',
      order([{ BaseType: 17, BaseEntry: o?.DocEntry, BaseLine: 0 }]),
      { cookie },
    );
    expect(inv.status).toBe(201);
    expect(inv.json?.DocumentLines[0]).toMatchObject({ ItemCode: 'I01', Quantity: 2, UnitPrice: 19.99 });
    const closed = (await call('GET', `/b1s/v1/Orders(${o?.DocEntry})`, undefined, { cookie })).json;
    expect(closed?.DocumentStatus).toBe('bost_Close');
    const item = sim.documents('Items').find((i) => i.ItemCode === 'I01')!;
    expect([item.QuantityOnStock, item.QuantityOrderedByCustomers]).toEqual(['98', '0']);

    const again = await call(
      'POST',
      '/b1s/v1/Invoices',
      order([{ BaseType: 17, BaseEntry: 1, BaseLine: 0 }]),
      {
        cookie,
      },
    );
    expect(again.json?.error.code).toBe(-5002);
    expect((await call('POST', `/b1s/v1/Orders(${o?.DocEntry})/Cancel`, undefined, { cookie })).status).toBe(
      400,
    );

    const o2 = (await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I03' }]), { cookie })).json;
    expect((await call('POST', `/b1s/v1/Orders(${o2?.DocEntry})/Cancel`, undefined, { cookie })).status).toBe(
      204,
    );
    expect(sim.documents('Orders')[1]).toMatchObject({ Cancelled: 'tYES', DocumentStatus: 'bost_Close' });
  });

  it('rejects unbalanced journal entries and unknown accounts; posts balanced ones exactly', async () => {
    const cookie = await login();
    const je = (debit: string, credit: string, account = '2200') =>
      `{"ReferenceDate":"2024-05-01","Reference":"S1/M1/USD","JournalEntryLines":[` +
      `{"AccountCode":"1000","Debit":${debit},"Credit":0},{"AccountCode":"4000","Debit":0,"Credit":0.1},` +
      `{"AccountCode":"${account}","Debit":0,"Credit":${credit}}]}`;
    const unbalanced = await call('POST', '/b1s/v1/JournalEntries', je('0.3', '0.21'), { cookie });
    expect(unbalanced.status).toBe(400);
    expect(unbalanced.json?.error).toMatchObject({ code: -5002 });
    expect(unbalanced.json?.error.message.value).toMatch(/^Unbalanced transaction/);
    const badAccount = await call('POST', '/b1s/v1/JournalEntries', je('0.3', '0.2', '7777'), { cookie });
    expect(badAccount.json?.error.code).toBe(-5002);
    const ok = await call('POST', '/b1s/v1/JournalEntries', je('0.3', '0.2'), { cookie });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ JdtNum: 1, Number: 1, Reference: 'S1/M1/USD' });
    expect(sim.documents('JournalEntries')[0].JournalEntryLines).toEqual(
      expect.arrayContaining([expect.objectContaining({ Line_ID: 0, Debit: '0.3', ShortName: '1000' })]),
    );
  });

  it('pages collections by 20 with odata.nextLink, honours Prefer odata.maxpagesize, $filter, $select, $orderby', async () => {
    const cookie = await login();
    const first = await call('GET', '/b1s/v1/Items?$select=ItemCode&$orderby=ItemCode desc', undefined, {
      cookie,
    });
    expect(first.json?.value).toHaveLength(20);
    expect(first.json?.value[0]).toEqual({ ItemCode: 'I44' });
    expect(first.json?.['odata.nextLink']).toMatch(/^Items\?.*%24skip=20/);
    const second = await call('GET', `/b1s/v1/${first.json?.['odata.nextLink'] ?? ''}`, undefined, {
      cookie,
    });
    expect(second.json?.value[0]).toEqual({ ItemCode: 'I24' });

    const pref = await call('GET', '/b1s/v1/Items?$select=ItemCode', undefined, {
      cookie,
      Prefer: 'odata.maxpagesize=50',
    });
    expect(pref.json?.value).toHaveLength(45);
    expect(pref.json?.['odata.nextLink']).toBeUndefined();
    expect(pref.headers.get('preference-applied')).toBe('odata.maxpagesize=50');

    await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }], { NumAtCard: "O'Brien" }), { cookie });
    const f = encodeURIComponent("NumAtCard eq 'O''Brien' and CardCode eq 'C1'");
    const found = await call('GET', `/b1s/v1/Orders?$filter=${f}&$select=DocEntry,NumAtCard`, undefined, {
      cookie,
    });
    expect(found.json?.value).toEqual([{ DocEntry: 1, NumAtCard: "O'Brien" }]);
    const count = await call('GET', `/b1s/v1/Orders/$count?$filter=${f}`, undefined, { cookie });
    expect(count.text).toBe('1');
    const inspect = await call('GET', '/__inspect/Orders');
    expect(inspect.json).toHaveLength(1);
  });

  it('answers writes with -2039 record locks at the injected rate, and 503 during an outage', async () => {
    const cookie = await login();
    sim.setFaults({ lockRate: 1 });
    const locked = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }]), { cookie });
    expect(locked.status).toBe(412);
    expect(locked.json?.error.code).toBe(-2039);
    expect((await call('GET', '/b1s/v1/Orders', undefined, { cookie })).status).toBe(200);
    await call('POST', '/__control', { lockRate: 0, outage: true });
    expect((await call('GET', '/b1s/v1/Orders', undefined, { cookie })).status).toBe(503);
    sim.clearFaults();
    expect((await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }]), { cookie })).status).toBe(201);
  });

  it('locks more writes the more run at once (contention), and none alone', async () => {
    const cookie = await login();
    sim.setFaults({ latencyMs: 200, contention: 1 });
    const alone = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }]), { cookie });
    expect(alone.status).toBe(201);
    const together = await Promise.all(
      [1, 2, 3].map(() => call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }]), { cookie })),
    );
    // three writes at once: those that see another one are locked (a lock rate of 100% or more)
    expect(together.filter((r) => r.status === 412).length).toBeGreaterThanOrEqual(2);
    sim.clearFaults();
  });

  it('answers one request at a time with one worker: writes beyond it wait instead of colliding', async () => {
    const cookie = await login();
    sim.setFaults({ latencyMs: 50, contention: 1, workers: 1 });
    const queued = await Promise.all(
      [1, 2, 3].map(() => call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01' }]), { cookie })),
    );
    // the same three writes as above, but served one after the other: none sees another, none is locked
    expect(queued.map((r) => r.status)).toEqual([201, 201, 201]);
    sim.clearFaults();
  });

  it('records incoming payments with bank-transfer fields and validates the account', async () => {
    const cookie = await login();
    const pay = (acct: string, sum: string) =>
      `{"DocType":"rCustomer","CardCode":"C1","DocDate":"2024-05-01","TransferAccount":"${acct}",` +
      `"TransferSum":${sum},"TransferDate":"2024-05-01","TransferReference":"S1","Reference2":"S1/M1"}`;
    expect(
      (await call('POST', '/b1s/v1/IncomingPayments', pay('9999', '10.10'), { cookie })).json?.error.code,
    ).toBe(-5002);
    expect(
      (await call('POST', '/b1s/v1/IncomingPayments', pay('1000', '0'), { cookie })).json?.error.code,
    ).toBe(-5002);
    const ok = await call('POST', '/b1s/v1/IncomingPayments', pay('1000', '10.10'), { cookie });
    expect(ok.status).toBe(201);
    expect(ok.text).toContain('"TransferSum":10.1,');
    expect(sim.documents('IncomingPayments')[0]).toMatchObject({
      DocEntry: 1,
      TransferSum: '10.1',
      Cancelled: 'tNO',
    });
  });

  it('sends its own clock in the Date header of every answer, and tests can set and advance it', async () => {
    const anon = await call('GET', '/b1s/v1/Items');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('date')).toBe('Wed, 01 May 2024 10:00:00 GMT');
    sim.setTime(Date.parse('2031-02-03T04:05:06Z'));
    const cookie = await login();
    expect((await call('GET', '/b1s/v1/Items?$top=1', undefined, { cookie })).headers.get('date')).toBe(
      'Mon, 03 Feb 2031 04:05:06 GMT',
    );
    sim.advanceTime(61_000);
    expect(new Date(sim.now()).toISOString()).toBe('2031-02-03T04:06:07.000Z');
    const created = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I01', Quantity: 1 }]), {
      cookie,
    });
    expect(created.headers.get('date')).toBe('Mon, 03 Feb 2031 04:06:07 GMT');
    expect([created.json?.UpdateDate, created.json?.UpdateTime]).toEqual(['2031-02-03', '04:06:07']);
    await call('POST', '/__control', { now: '2032-01-01T00:00:00Z' });
    expect((await call('GET', '/__stats')).headers.get('date')).toBe('Thu, 01 Jan 2032 00:00:00 GMT');
  });

  it('moves stock by a stock posting without touching Items.UpdateDate; a price change stamps it', async () => {
    clock += 60_000;
    sim.postStock({ itemCode: 'I02', warehouse: '01', quantity: '12.5' });
    await call('POST', '/__control', { stock: { itemCode: 'I02', warehouse: '01', quantity: '-2' } });
    let item = sim.documents('Items').find((i) => i.ItemCode === 'I02')!;
    expect(item.ItemWarehouseInfoCollection).toEqual([
      { WarehouseCode: '01', InStock: '110.5', Committed: '0', Ordered: '0' },
    ]);
    expect(item.QuantityOnStock).toBe('110.5');
    expect([item.UpdateDate, item.UpdateTime]).toEqual(['2024-05-01', '10:00:00']);
    expect(() => sim.postStock({ itemCode: 'NOPE', warehouse: '01', quantity: '1' })).toThrow(/no item/);
    sim.updateItem('I02', { prices: { 1: '21.00' } });
    item = sim.documents('Items').find((i) => i.ItemCode === 'I02')!;
    expect([item.UpdateDate, item.UpdateTime]).toEqual(['2024-05-01', '10:01:00']);
  });

  it('delivers an order (DeliveryNotes, BaseType 17) with tracking and transportation code, moving stock; Cancel puts it back', async () => {
    const cookie = await login();
    const o = await call('POST', '/b1s/v1/Orders', order([{ ItemCode: 'I03', Quantity: 4 }]), { cookie });
    const stock = () =>
      (sim.documents('Items').find((i) => i.ItemCode === 'I03')!.ItemWarehouseInfoCollection as unknown[])[0];
    expect(stock()).toMatchObject({ InStock: '100', Committed: '4' });
    clock += 600_000;
    const d = await call(
      'POST',
      '/b1s/v1/DeliveryNotes',
      {
        CardCode: 'C1',
        NumAtCard: '111-0000000-0000001',
        TrackingNumber: '1Z999AA10123456784',
        TransportationCode: 2,
        DocumentLines: [{ BaseType: 17, BaseEntry: o.json?.DocEntry, BaseLine: 0, Quantity: 3 }],
      },
      { cookie },
    );
    expect(d.status).toBe(201);
    expect(d.json).toMatchObject({
      TrackingNumber: '1Z999AA10123456784',
      TransportationCode: 2,
      UpdateTime: '10:10:00',
      DocumentLines: [{ ItemCode: 'I03', Quantity: 3, BaseType: 17, BaseEntry: 1, BaseLine: 0 }],
    });
    expect(stock()).toMatchObject({ InStock: '97', Committed: '1' });
    const read = await call(
      'GET',
      `/b1s/v1/DeliveryNotes?$filter=${encodeURIComponent("Cancelled eq 'tNO' and NumAtCard ne null")}&$select=DocEntry,TrackingNumber`,
      undefined,
      { cookie },
    );
    expect(read.json?.value).toEqual([{ DocEntry: 1, TrackingNumber: '1Z999AA10123456784' }]);

    clock += 60_000;
    expect((await call('POST', '/b1s/v1/DeliveryNotes(1)/Cancel', undefined, { cookie })).status).toBe(204);
    expect(stock()).toMatchObject({ InStock: '100', Committed: '4' });
    const delivery = sim.documents('DeliveryNotes')[0];
    expect([delivery.Cancelled, delivery.UpdateTime]).toEqual(['tYES', '10:11:00']);
    const base = sim.documents('Orders')[0];
    expect(base.DocumentStatus).toBe('bost_Open');
    expect((base.DocumentLines as Record<string, unknown>[])[0]).toMatchObject({
      LineStatus: 'bost_Open',
      RemainingOpenQuantity: '4',
    });
  });
});

describe('OData $filter', () => {
  it('parses and/or/not, parentheses, functions and literals', () => {
    const p = parseFilter(
      "UpdateDate gt '2024-05-01' or (UpdateDate eq '2024-05-01' and UpdateTime ge '14:30:00') and not startswith(Code, 'X')",
    );
    expect(p({ UpdateDate: '2024-05-02', UpdateTime: '00:00:00', Code: 'A' })).toBe(true);
    expect(p({ UpdateDate: '2024-05-01', UpdateTime: '14:30:00', Code: 'A' })).toBe(true);
    expect(p({ UpdateDate: '2024-05-01', UpdateTime: '14:29:59', Code: 'A' })).toBe(false);
    expect(parseFilter("DocDate ge datetime'2024-05-01T00:00:00'")({ DocDate: '2024-05-01' })).toBe(true);
    expect(parseFilter('DocTotal gt 10.5')({ DocTotal: 10.51 })).toBe(true);
    expect(compareValues('a', null)).toBeNull();
    expect(() => parseFilter("NumAtCard eq 'x")).toThrow(/unterminated/);
  });
});
