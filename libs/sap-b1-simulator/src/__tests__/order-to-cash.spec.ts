import { SapB1Simulator } from '../index';

/** The parts of a Service Layer answer these tests read (JSON.parse does not check them). */
interface SlBody {
  SessionId: string;
  'odata.metadata': string;
  value: unknown;
  error: { code: number; message: { lang: string; value: string } };
  DocEntry: number;
  DocNum: number;
  DocTotal: number;
  DocTotalFc: number;
  DocRate: number;
  DocCurrency: string;
  LocalCurrency: string;
  DirectIndirectRate: string;
  CardCode: string;
  DebitorAccount: string;
  BPAddresses: Record<string, unknown>[];
}

/**
 * Issue 14 in the Service Layer simulator, over HTTP: credit notes based on an invoice, lines
 * without inventory movement, business partners, the local currency and rate table, foreign
 * documents and journals in both currencies.
 */
describe('SAP B1 Service Layer simulator: order to cash', () => {
  let sim: SapB1Simulator;
  let base: string;
  let cookie: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/b1s/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as SlBody) : undefined };
  };
  const onHand = (itemCode: string) =>
    (sim.documents('Items').find((i) => i.ItemCode === itemCode)?.QuantityOnStock as string) ?? '';
  /** An invoice of 2 × I01 at 10.00 (+1.60 tax) and 1 × I02 at 5.00, with 4.00 freight: 30.60. */
  const invoice = async (extra: Record<string, unknown> = {}) => {
    const res = await call('POST', 'Invoices', {
      CardCode: 'C1',
      DocDate: '2024-05-01',
      NumAtCard: '111-0000000-0000001',
      DocumentLines: [
        { ItemCode: 'I01', Quantity: 2, UnitPrice: 10, TaxTotal: 1.6 },
        { ItemCode: 'I02', Quantity: 1, UnitPrice: 5 },
      ],
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 4 }],
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.json!;
  };
  const credit = (entry: number, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    call('POST', 'CreditNotes', {
      CardCode: 'C1',
      DocDate: '2024-05-02',
      NumAtCard: '111-0000000-0000001/R1',
      DocumentLines: lines.map((l) => ({ BaseType: 13, BaseEntry: entry, ...l })),
      ...extra,
    });

  beforeEach(async () => {
    sim = new SapB1Simulator({
      now: () => Date.parse('2024-05-02T10:00:00Z'),
      items: [
        { ItemCode: 'I01', inStock: '10' },
        { ItemCode: 'I02', inStock: '10' },
      ],
      customers: [{ CardCode: 'C1', DebitorAccount: '1100', GroupCode: 102, PayTermsGrpCode: 3 }, 'C2'],
      accounts: ['1000', '1100', '4000', '7900'],
    });
    base = await sim.start();
    const login = await fetch(`${base}/b1s/v1/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: 'manager' }),
    });
    cookie = `B1SESSION=${((await login.json()) as SlBody).SessionId}`;
  });
  afterEach(() => sim.close());

  it('credits an invoice line by line (BaseType 13), closing it when all is credited, and refuses more', async () => {
    const inv = await invoice();
    expect(inv.DocTotal).toBe(30.6);
    const first = await credit(inv.DocEntry, [{ BaseLine: 1, Quantity: 1 }]);
    expect(first.status).toBe(201);
    // the base line's item and price are copied
    expect(sim.documents('CreditNotes')[0]).toMatchObject({ DocTotal: '5', DocumentStatus: 'bost_Open' });
    expect(sim.documents('Invoices')[0].DocumentStatus).toBe('bost_Open');

    const tooMany = await credit(inv.DocEntry, [{ BaseLine: 0, Quantity: 3 }]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json?.error.code).toBe(-5002);
    expect(tooMany.json?.error.message.value).toMatch(/open quantity/);
    // the quantity fits but the amount does not: 2 × 20.00 + 1.60 + 4.00 > the 25.60 left
    const tooMuch = await credit(inv.DocEntry, [{ BaseLine: 0, Quantity: 2, UnitPrice: 20, TaxTotal: 1.6 }], {
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 4 }],
    });
    expect(tooMuch.json?.error.message.value).toMatch(/exceeds the total 30.60/);

    const rest = await credit(inv.DocEntry, [{ BaseLine: 0, Quantity: 2, TaxTotal: 1.6 }], {
      DocumentAdditionalExpenses: [{ ExpenseCode: 1, LineTotal: 4 }],
    });
    expect(rest.status).toBe(201);
    expect(rest.json?.DocTotal).toBe(25.6);
    expect(sim.documents('Invoices')[0]).toMatchObject({ DocumentStatus: 'bost_Close' });
    const third = await credit(inv.DocEntry, [{ BaseLine: 1, Quantity: 1 }]);
    expect(third.json?.error.message.value).toMatch(/is closed/);
    expect(sim.documents('CreditNotes')).toHaveLength(2);
  });

  it('refuses a base that is no invoice of this customer, and an unknown invoice', async () => {
    const inv = await invoice();
    expect((await credit(99, [{ BaseLine: 0 }])).json?.error.message.value).toMatch(
      /base document 99 not found/,
    );
    expect(
      (await credit(inv.DocEntry, [{ BaseLine: 0 }], { CardCode: 'C2' })).json?.error.message.value,
    ).toMatch(/belongs to another business partner/);
    const fromOrder = await call('POST', 'CreditNotes', {
      CardCode: 'C1',
      DocumentLines: [{ BaseType: 17, BaseEntry: 1, BaseLine: 0 }],
    });
    expect(fromOrder.json?.error.message.value).toMatch(/type 17 cannot be copied here/);
  });

  it('brings the goods back into stock unless a line is without inventory movement', async () => {
    const inv = await invoice();
    expect([onHand('I01'), onHand('I02')]).toEqual(['8', '9']);
    await credit(inv.DocEntry, [{ BaseLine: 0, Quantity: 1 }]);
    expect(onHand('I01')).toBe('9');
    const kept = await credit(inv.DocEntry, [{ BaseLine: 1, Quantity: 1, WithoutInventoryMovement: 'tYES' }]);
    expect(kept.status).toBe(201);
    expect(onHand('I02')).toBe('9');
    expect(sim.documents('CreditNotes')[1].DocumentLines).toEqual([
      expect.objectContaining({ WithoutInventoryMovement: 'tYES' }),
    ]);
    const onOrder = await call('POST', 'Orders', {
      CardCode: 'C1',
      DocumentLines: [{ ItemCode: 'I01', WithoutInventoryMovement: 'tYES' }],
    });
    expect(onOrder.json?.error.code).toBe(-5002);
  });

  it('creates business partners with their receivable and addresses, and refuses a code taken or too long', async () => {
    const created = await call('POST', 'BusinessPartners', {
      CardCode: 'B-1',
      CardName: 'Buyer',
      CardType: 'C',
      GroupCode: 102,
      DebitorAccount: '1100',
      BPAddresses: [{ AddressName: 'Amazon', AddressType: 'B', City: 'Seattle', State: 'WA', Country: 'US' }],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ CardCode: 'B-1', DebitorAccount: '1100' });
    expect(created.json?.BPAddresses[0]).toMatchObject({
      AddressType: 'bo_BillTo',
      BPCode: 'B-1',
      RowNum: 0,
    });
    expect(sim.documents('BusinessPartners').find((b) => b.CardCode === 'B-1')).toMatchObject({
      CardType: 'cCustomer',
      PayTermsGrpCode: -1,
      Currency: '##',
    });

    const again = await call('POST', 'BusinessPartners', { CardCode: 'B-1', CardName: 'Buyer' });
    expect(again.json?.error).toMatchObject({ code: -10 });
    expect(again.json?.error.message.value).toMatch(/already assigned/);
    const long = await call('POST', 'BusinessPartners', { CardCode: 'X'.repeat(16) });
    expect(long.json?.error.message.value).toMatch(/too long in property 'CardCode'/);
    const badAccount = await call('POST', 'BusinessPartners', { CardCode: 'B-2', DebitorAccount: '9999' });
    expect(badAccount.json?.error.code).toBe(-5002);
    const state = await call('POST', 'BusinessPartners', {
      CardCode: 'B-3',
      BPAddresses: [{ AddressName: 'Amazon', State: 'California' }],
    });
    expect(state.json?.error.message.value).toMatch(/'State' of 'BPAddress'/);
  });

  it('answers the local currency, and rates from its table (-4006 without one); SetCurrencyRate fills it', async () => {
    const admin = await call('POST', 'CompanyService_GetAdminInfo');
    expect(admin.json).toMatchObject({ LocalCurrency: 'USD', DirectIndirectRate: 'tYES' });
    const missing = await call('POST', 'SBOBobService_GetCurrencyRate', {
      Currency: 'CAD',
      Date: '20240501',
    });
    expect(missing.status).toBe(400);
    expect(missing.json?.error.code).toBe(-4006);
    expect(
      (
        await call('POST', 'SBOBobService_SetCurrencyRate', {
          Currency: 'CAD',
          RateDate: '20240501',
          Rate: '0.7312',
        })
      ).status,
    ).toBe(204);
    const rate = await call('POST', 'SBOBobService_GetCurrencyRate', { Currency: 'CAD', Date: '2024-05-01' });
    expect(rate.json).toMatchObject({ value: 0.7312 });
    expect(rate.json?.['odata.metadata']).toMatch(/#Edm\.Double$/);
    sim.setLocalCurrency('GBP');
    expect((await call('POST', 'SBOBobService_GetLocalCurrency')).json?.value).toBe('GBP');
    expect(
      (await call('POST', 'SBOBobService_GetCurrencyRate', { Currency: 'GBP', Date: '20240501' })).json
        ?.value,
    ).toBe(1);
    sim.setFaults({ outage: true });
    expect((await call('POST', 'CompanyService_GetAdminInfo')).status).toBe(503);
  });

  it('answers a standing rate, when configured, for the days without one of their own', async () => {
    await sim.close();
    sim = new SapB1Simulator({ standingRates: { CAD: '0.73' } });
    sim.setExchangeRate('CAD', '2024-05-01', '0.7312');
    base = await sim.start();
    const login = await fetch(`${base}/b1s/v1/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: 'manager' }),
    });
    cookie = `B1SESSION=${((await login.json()) as SlBody).SessionId}`;
    const rate = (Date: string) => call('POST', 'SBOBobService_GetCurrencyRate', { Currency: 'CAD', Date });
    expect((await rate('20240501')).json?.value).toBe(0.7312);
    expect((await rate('20240502')).json?.value).toBe(0.73);
    expect((await rate('20240502')).status).toBe(200);
    expect(
      (await call('POST', 'SBOBobService_GetCurrencyRate', { Currency: 'EUR', Date: '20240502' })).status,
    ).toBe(400);
  });

  it('keeps a foreign document at its DocRate, or the table rate of its DocDate, and refuses one without a rate', async () => {
    const noRate = await call('POST', 'Invoices', {
      CardCode: 'C1',
      DocDate: '2024-05-01',
      DocCurrency: 'CAD',
      DocumentLines: [{ ItemCode: 'I01', UnitPrice: 10 }],
    });
    expect(noRate.json?.error.code).toBe(-4006);
    const inv = await invoice({ DocCurrency: 'CAD', DocRate: 0.7312 });
    expect(inv).toMatchObject({ DocCurrency: 'CAD', DocRate: 0.7312, DocTotalFc: 30.6, DocTotal: 22.37 });
    sim.setExchangeRate('CAD', '2024-05-02', '0.75');
    const cn = await credit(inv.DocEntry, [{ BaseLine: 1, Quantity: 1 }], { DocCurrency: 'CAD' });
    expect(cn.json).toMatchObject({ DocRate: 0.75, DocTotalFc: 5, DocTotal: 3.75 });
    const otherCurrency = await credit(inv.DocEntry, [{ BaseLine: 0, Quantity: 1 }]);
    expect(otherCurrency.json?.error.message.value).toMatch(/currency differs/);
  });

  it('takes journals in both currencies balanced in each, converting FC-only lines at the table rate', async () => {
    const line = (AccountCode: string, d: Record<string, number | string>) => ({ AccountCode, ...d });
    const both = await call('POST', 'JournalEntries', {
      ReferenceDate: '2024-05-01',
      JournalEntryLines: [
        line('1000', { FCCurrency: 'CAD', FCDebit: 9.99, Debit: 7.3 }),
        line('4000', { FCCurrency: 'CAD', FCCredit: 9.99, Credit: 7.29 }),
        line('7900', { Credit: 0.01 }),
      ],
    });
    expect(both.status).toBe(201);
    const unbalancedHome = await call('POST', 'JournalEntries', {
      JournalEntryLines: [
        line('1000', { FCCurrency: 'CAD', FCDebit: 9.99, Debit: 7.3 }),
        line('4000', { FCCurrency: 'CAD', FCCredit: 9.99, Credit: 7.29 }),
      ],
    });
    expect(unbalancedHome.json?.error.message.value).toMatch(
      /Unbalanced transaction \(debit 7.3, credit 7.29\)/,
    );
    const unbalancedForeign = await call('POST', 'JournalEntries', {
      JournalEntryLines: [
        line('1000', { FCCurrency: 'CAD', FCDebit: 10, Debit: 7.3 }),
        line('4000', { FCCurrency: 'CAD', FCCredit: 9.99, Credit: 7.3 }),
      ],
    });
    expect(unbalancedForeign.json?.error.message.value).toMatch(/Unbalanced transaction in CAD/);
    const fcOnly = {
      ReferenceDate: '2024-05-01',
      JournalEntryLines: [
        line('1000', { FCCurrency: 'CAD', FCDebit: 100 }),
        line('4000', { FCCurrency: 'CAD', FCCredit: 100 }),
      ],
    };
    expect((await call('POST', 'JournalEntries', fcOnly)).json?.error.code).toBe(-4006);
    sim.setExchangeRate('CAD', '2024-05-01', '0.7312');
    expect((await call('POST', 'JournalEntries', fcOnly)).status).toBe(201);
    expect(sim.documents('JournalEntries')[1].JournalEntryLines).toEqual([
      expect.objectContaining({ FCDebit: '100', Debit: '73.12', Credit: '0' }),
      expect.objectContaining({ FCCredit: '100', Debit: '0', Credit: '73.12' }),
    ]);
  });
});
