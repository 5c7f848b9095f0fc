import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sage300Simulator } from '../index';

const AUTH = `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`;
const HEADERS = { Authorization: AUTH, 'Content-Type': 'application/json' };
const PAYLOADS = join(__dirname, '../../../../reference/erp/sage300/payloads');

type Rec = Record<string, unknown>;

describe('Sage 300 Web API simulator: order to cash', () => {
  let sim: Sage300Simulator;
  let api: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: HEADERS,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Rec) : undefined;
    return { status: res.status, json, code: (json?.error as { code?: string } | undefined)?.code };
  };
  const stock = (item: string, location = '1') => {
    const r = sim
      .documents('ICLocationDetails')
      .find((x) => x.ItemNumber === item && x.Location === location);
    return [String(r?.QuantityOnHand), String(r?.QuantityCommitted)];
  };
  const order = (shipped: number, invoice = true) =>
    call('POST', '/OE/OEOrders', {
      CustomerNumber: '1400',
      PurchaseOrderNumber: `PO-${shipped}`,
      ...(invoice ? { InvoiceWillBeProduced: true } : {}),
      OrderDetails: [
        {
          LineType: 'Item',
          Item: 'A1-105/0',
          Location: '1',
          QuantityOrdered: 5,
          QuantityShipped: shipped,
          OrderUnitPrice: 2.5,
        },
        { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'HC', ExtendedAmount: 1.25 },
      ],
    });

  beforeEach(async () => {
    sim = new Sage300Simulator({
      companies: ['SAMLTD'],
      items: ['A1-105/0', 'ITEM-1'],
      customers: ['1400', '1500'],
      accounts: ['1000', '6000', '9999'],
      locations: ['1', '4'],
      distributionCodes: ['CACCSE'],
      miscChargeCodes: ['HC'],
    });
    await sim.start();
    api = `${sim.apiUrl}/v1.0/-/SAMLTD`;
  });
  afterEach(() => sim.close());

  it('when an order is posted shipped in full with InvoiceWillBeProduced, then its OE invoice has the lines and total and the order is complete with nothing committed', async () => {
    const res = await order(5);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ OrderCompleted: 'Complete', LastInvoiceNumber: 'IN0000000000001' });
    expect(stock('A1-105/0')).toEqual(['95', '0']);
    const inv = (await call('GET', `/OE/OEInvoices?$filter=PurchaseOrderNumber eq 'PO-5'`)).json!
      .value as Rec[];
    expect(inv).toHaveLength(1);
    expect(inv[0]).toMatchObject({
      InvoiceNumber: 'IN0000000000001',
      InvoiceTotal: 13.75,
      OrderNumber: 'ORD000000000001',
    });
    expect(
      (inv[0].InvoiceDetails as Rec[]).map((l) => [l.LineType, l.QuantityShipped ?? null, l.ExtendedAmount]),
    ).toEqual([
      ['Item', 5, 12.5],
      ['Miscellaneous', null, 1.25],
    ]);
  });

  it('when an order ships in part, or ships without an invoice, then it stays incomplete with the rest committed', async () => {
    expect((await order(2)).json).toMatchObject({ OrderCompleted: 'Incomplete' });
    expect(stock('A1-105/0')).toEqual(['98', '3']);
    expect((await order(5, false)).json).toMatchObject({
      OrderCompleted: 'Incomplete',
      LastInvoiceNumber: '',
    });
    expect((await order(0)).json).toMatchObject({ OrderCompleted: 'Incomplete', LastInvoiceNumber: '' });
    expect(sim.documents('OEInvoices')).toHaveLength(1);
  });

  it("when Sage's sample OE credit note is posted as it is, then it is numbered, its goods go back to location 4, and verbs outside GET/POST are refused", async () => {
    const sample = readFileSync(join(PAYLOADS, 'OE/OECreditDebitNotes.json'), 'utf8');
    const res = await call('POST', '/OE/OECreditDebitNotes', sample);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      CNUniquifier: 1,
      CreditDebitNoteNumber: 'CN0000000000001',
      CreditDebitNoteTotal: 29.98,
    });
    expect((res.json!.CreditDebitDetails as Rec[]).map((l) => l.LineNumber)).toEqual([32, 64]);
    expect(stock('A1-105/0', '4')).toEqual(['2', '0']);
    expect((await call('PATCH', '/OE/OECreditDebitNotes(1)', { Description: 'x' })).code).toBe(
      'MethodNotAllowed',
    );
    expect((await call('POST', '/OE/OEInvoices', {})).code).toBe('MethodNotAllowed');
    expect((await call('PATCH', '/OE/OEOrders(1)', {})).code).toBe('MethodNotAllowed');
  });

  it('when a credit note names an OE invoice, then it may not return more than shipped nor credit more than invoiced, and an unknown invoice is RecordInvalid', async () => {
    await order(5);
    const note = (
      qty: number,
      misc = 0,
      invoice = 'IN0000000000001',
      returnType = 'ItemsReturnedToInventory',
    ) =>
      call('POST', '/OE/OECreditDebitNotes', {
        CustomerNumber: '1400',
        Reference: `R-${qty}-${misc}`,
        InvoiceNumber: invoice,
        CreditDebitDetails: [
          ...(qty
            ? [{ LineType: 'Item', Item: 'A1-105/0', QuantityReturned: qty, ReturnType: returnType }]
            : []),
          ...(misc
            ? [
                {
                  LineType: 'Miscellaneous',
                  MiscellaneousChargesCode: 'HC',
                  ExtendedAmountMiscellaneousCharge: misc,
                },
              ]
            : []),
        ],
      });
    expect((await note(3, 0, 'IN0000000000001', 'DamagedItems')).json).toMatchObject({
      CreditDebitNoteTotal: 7.5,
    });
    expect(stock('A1-105/0')).toEqual(['95', '0']);
    const over = await note(3);
    expect([over.status, over.code]).toEqual([422, 'RecordInvalid']);
    expect((await note(2)).status).toBe(201);
    expect(stock('A1-105/0')).toEqual(['97', '0']);
    const beyond = await note(0, 1.26);
    expect([beyond.status, beyond.code]).toEqual([422, 'RecordInvalid']);
    expect((await note(0, 1.25)).status).toBe(201);
    expect((await note(1, 0, 'IN0000000000099')).code).toBe('RecordInvalid');
    expect(sim.documents('OECreditDebitNotes')).toHaveLength(3);
  });

  it('when an AR credit note applies to an invoice, then it must exist for the customer and not pass its total', async () => {
    const batch = (type: string, amount: number, applyTo?: string, customer = '1400') =>
      call('POST', '/AR/ARInvoiceBatches', {
        Description: `${type} ${amount}`,
        Invoices: [
          {
            CustomerNumber: customer,
            DocumentType: type,
            ...(applyTo ? { ApplyToDocument: applyTo } : {}),
            InvoiceDetails: [{ DistributionCode: 'CACCSE', ExtendedAmountWithTIP: amount }],
          },
        ],
      });
    const inv = await batch('Invoice', 200);
    const number = ((inv.json!.Invoices as Rec[])[0].DocumentNumber as string) ?? '';
    expect((await batch('CreditNote', 150, number)).status).toBe(201);
    expect((await batch('CreditNote', 50.01, number)).code).toBe('RecordInvalid');
    expect((await batch('CreditNote', 10, number, '1500')).code).toBe('RecordInvalid');
    expect((await batch('CreditNote', 10, 'IN9999')).code).toBe('RecordInvalid');
    expect((await batch('CreditNote', 50, number)).status).toBe(201);
  });

  it('when rates are entered in CS/CSCurrencyRates, then they read back by day, and the company profile names the home currency', async () => {
    expect(((await call('GET', '/CS/CSCompanyProfile')).json!.value as Rec[])[0]).toMatchObject({
      HomeCurrency: 'USD',
    });
    const rate = {
      HomeCurrency: 'USD',
      RateType: 'SP',
      SourceCurrency: 'CAD',
      RateDate: '2026-10-02',
      Rate: 0.7312,
    };
    expect((await call('POST', '/CS/CSCurrencyRates', rate)).status).toBe(201);
    expect((await call('POST', '/CS/CSCurrencyRates', rate)).code).toBe('RecordDuplicate');
    const got = await call(
      'GET',
      `/CS/CSCurrencyRates?$filter=SourceCurrency eq 'CAD' and RateDate eq datetime'2026-10-02T00:00:00'`,
    );
    expect(got.json!.value).toEqual([
      { ...rate, RateDate: '2026-10-02T00:00:00Z', RateOperator: 'Multiply' },
    ]);
    sim.setHomeCurrency('SAMLTD', 'GBP');
    expect(((await call('GET', '/CS/CSCompanyProfile')).json!.value as Rec[])[0]).toMatchObject({
      HomeCurrency: 'GBP',
    });
  });

  it('when a GL detail is in a source currency, then its home amount must be the source amount at its rate and the entry balance in both currencies', async () => {
    const entry = (details: Rec[]) =>
      call('POST', '/GL/GLJournalBatches', {
        Description: 'fx',
        JournalHeaders: [{ Description: 'e', DocumentDate: '2026-10-15', JournalDetails: details }],
      });
    const cad = (account: string, source: number, home: number) => ({
      AccountNumber: account,
      SourceCurrency: 'CAD',
      SourceCurrencyAmount: source,
      Amount: home,
      ConversionRate: 0.5,
    });
    expect((await entry([cad('1000', 10, 5), cad('6000', -10, -5)])).status).toBe(201);
    // home amount not at the rate
    expect((await entry([cad('1000', 10, 6), cad('6000', -10, -6)])).code).toBe('RecordInvalid');
    // balanced at home, not in CAD
    const unbalanced = await entry([
      cad('1000', 10, 5),
      cad('6000', -9.99, -5),
      { AccountNumber: '9999', SourceCurrency: 'USD', SourceCurrencyAmount: 0, Amount: 0 },
    ]);
    expect(unbalanced.code).toBe('RecordInvalid');
    // no rate given and none in the table
    const norate = await entry([
      { AccountNumber: '1000', SourceCurrency: 'EUR', SourceCurrencyAmount: 1, Amount: 1 },
      { AccountNumber: '6000', SourceCurrency: 'EUR', SourceCurrencyAmount: -1, Amount: -1 },
    ]);
    expect(norate.code).toBe('RecordInvalid');
    expect(sim.documents('GLJournalBatches')).toHaveLength(1);
  });

  it('when a customer number is longer than 12 characters, then it is refused; a new customer is active', async () => {
    expect((await call('POST', '/AR/ARCustomers', { CustomerNumber: 'C'.repeat(13) })).code).toBe(
      'RecordInvalid',
    );
    expect((await call('POST', '/AR/ARCustomers', { CustomerNumber: 'C'.repeat(12) })).json).toMatchObject({
      Status: 'Active',
      OnHold: 'No',
    });
  });
});
