import { FetchTransport, type HttpTransport } from '@connector/core';
import { SapB1Simulator } from '@connector/sap-b1-simulator';
import { ErpRecordLockedError, ErpUnavailableError, ErpValidationError } from '../../errors';
import type { CreditNoteDraft, ErpDocumentRef, ForeignCurrency, JournalDraft } from '../../port';
import { LosingAnswers } from '../../testing/erp-under-test';
import { sapB1OrderToCash } from '../../testing/sap-b1.under-test';
import { SapB1Adapter, type SapB1AdapterOptions } from '../sap-b1.adapter';

/**
 * Issue 14 on the SAP B1 adapter, against the Service Layer simulator in process: credit notes
 * based on the invoice, customers per buyer, the company's rates and local currency, journals in
 * two currencies, and the master-data check.
 */
describe('SapB1Adapter order to cash against the Service Layer simulator', () => {
  const ORDER = '111-0000000-0000001';
  let sim: SapB1Simulator;
  const adapters: SapB1Adapter[] = [];
  const o2c = sapB1OrderToCash(() => sim);

  const adapter = (over: Partial<SapB1AdapterOptions> = {}) => {
    const a = new SapB1Adapter({
      baseUrl: sim.url,
      companyDb: 'SBODEMOUS',
      user: 'manager',
      password: 'manager',
      http: new FetchTransport(5_000),
      ...over,
    });
    adapters.push(a);
    return a;
  };

  /** A shipped order invoiced from its order: 2 × ITEM-01 at 19.99 (+3.20 tax), 1 × ITEM-02 at 0.10, 4.99 shipping = 48.27. */
  const invoiced = async (
    erp: SapB1Adapter,
    currency = 'USD',
    fx?: ForeignCurrency,
  ): Promise<ErpDocumentRef> => {
    const doc = {
      naturalKey: ORDER,
      customerCode: 'AMZ-US',
      currency,
      documentDate: '2024-05-01',
      lines: [
        { itemCode: 'ITEM-01', quantity: 2, unitPrice: '19.99', taxAmount: '3.20', sourceLineId: 'oi-1' },
        { itemCode: 'ITEM-02', quantity: 1, unitPrice: '0.10', sourceLineId: 'oi-2' },
      ],
      charges: [{ kind: 'SHIPPING' as const, amount: '4.99' }],
      ...(fx ? { fx } : {}),
    };
    const order = await erp.createSalesOrder(doc);
    return erp.createInvoice({ ...doc, baseOrder: order });
  };
  const creditNote = (invoice: ErpDocumentRef, over: Partial<CreditNoteDraft> = {}): CreditNoteDraft => ({
    naturalKey: `${ORDER}/R1a2b3c4d`,
    amazonOrderId: ORDER,
    customerCode: 'AMZ-US',
    currency: 'USD',
    documentDate: '2024-05-03',
    baseInvoice: invoice,
    lines: [{ itemCode: 'ITEM-02', quantity: 1, unitPrice: '0.10', sourceLineId: 'oi-2' }],
    charges: [],
    returnToStock: true,
    reason: 'REFUND',
    ...over,
  });

  beforeEach(async () => {
    sim = new SapB1Simulator({
      now: () => Date.parse('2024-05-03T10:00:00Z'),
      items: Array.from({ length: 5 }, (_, i) => ({ ItemCode: `ITEM-0${i}`, inStock: '10' })),
      customers: [{ CardCode: 'AMZ-US', DebitorAccount: '1100', GroupCode: 102, PayTermsGrpCode: 3 }],
      accounts: ['1000', '1100', '4000', '6100', '7900'],
    });
    await sim.start();
  });
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    await sim.close();
  });

  it('credits a shipped invoice in part, then the rest to the cent; a third credit is refused by SAP', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    expect(await o2c.invoiceTotal(ORDER)).toBe('48.27');
    expect(await o2c.orderStatus(ORDER)).toBe('CLOSED');

    // ITEM-02 is invoice line 1, not draft line 0: refused, then matched on the invoice read
    const first = await erp.createCreditNote(creditNote(invoice));
    expect(first).toMatchObject({ kind: 'CREDIT_NOTE', naturalKey: `${ORDER}/R1a2b3c4d`, status: 'OPEN' });
    expect(sim.stats.requests['POST CreditNotes']).toBe(2);
    expect(sim.stats.requests['GET Invoices']).toBe(1);

    const rest = await erp.createCreditNote(
      creditNote(invoice, {
        naturalKey: `${ORDER}/R99999999`,
        lines: [
          { itemCode: 'ITEM-01', quantity: 2, unitPrice: '19.99', taxAmount: '3.20', sourceLineId: 'oi-1' },
        ],
        charges: [{ kind: 'SHIPPING', amount: '4.99' }],
      }),
    );
    expect(rest.documentNumber).toBe('2');
    const notes = await o2c.creditNotes();
    expect(notes.map((n) => [n.naturalKey, n.total, n.baseInvoice])).toEqual([
      [`${ORDER}/R1a2b3c4d`, '0.10', invoice.internalId],
      [`${ORDER}/R99999999`, '48.17', invoice.internalId],
    ]);
    expect(sim.documents('Invoices')[0].DocumentStatus).toBe('bost_Close');

    const third = erp.createCreditNote(
      creditNote(invoice, {
        naturalKey: `${ORDER}/R00000003`,
        lines: [{ itemCode: 'ITEM-01', quantity: 1, unitPrice: '19.99' }],
      }),
    );
    await expect(third).rejects.toThrow(ErpValidationError);
    await expect(third).rejects.toMatchObject({ detail: { erpCode: '-5002', httpStatus: 400 } });
    expect(await o2c.creditNotes()).toHaveLength(2);
  });

  it('refuses a credit beyond the amount invoiced even when the quantity fits', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    const tooMuch = erp.createCreditNote(
      creditNote(invoice, { lines: [{ itemCode: 'ITEM-01', quantity: 2, unitPrice: '30.00' }] }),
    );
    await expect(tooMuch).rejects.toThrow(/exceeds the total 48.27/);
    expect(await o2c.creditNotes()).toEqual([]);
  });

  it('credits a cancellation after invoicing in full in one call, without reading the invoice', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    const ref = await erp.createCreditNote(
      creditNote(invoice, {
        naturalKey: `${ORDER}/C`,
        reason: 'CANCELLED_AFTER_INVOICE',
        lines: [
          { itemCode: 'ITEM-01', quantity: 2, unitPrice: '19.99', taxAmount: '3.20', sourceLineId: 'oi-1' },
          { itemCode: 'ITEM-02', quantity: 1, unitPrice: '0.10', sourceLineId: 'oi-2' },
        ],
        charges: [{ kind: 'SHIPPING', amount: '4.99' }],
      }),
    );
    expect(sim.stats.requests['POST CreditNotes']).toBe(1);
    expect(sim.stats.requests['GET Invoices']).toBeUndefined();
    expect(await o2c.creditNotes()).toEqual([
      {
        naturalKey: `${ORDER}/C`,
        total: '48.27',
        currency: 'USD',
        baseInvoice: invoice.internalId,
        lines: [
          { itemCode: 'ITEM-01', quantity: 2 },
          { itemCode: 'ITEM-02', quantity: 1 },
        ],
        returnedToStock: true,
      },
    ]);
    const stored = sim.documents('CreditNotes')[0];
    expect(stored).toMatchObject({ Comments: `Amazon cancelled_after_invoice ${ORDER}/C` });
    expect(stored.DocumentAdditionalExpenses).toEqual([expect.objectContaining({ LineTotal: '4.99' })]);
    await expect(erp.findByNaturalKey('CREDIT_NOTE', `${ORDER}/C`)).resolves.toEqual(ref);
  });

  it('brings the goods back into stock only when returnToStock', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    expect([await o2c.onHand('ITEM-01'), await o2c.onHand('ITEM-02')]).toEqual(['8', '9']);
    expect(await o2c.committed('ITEM-01')).toBe('0');
    await erp.createCreditNote(
      creditNote(invoice, {
        naturalKey: `${ORDER}/RFBA00001`,
        lines: [{ itemCode: 'ITEM-01', quantity: 1, unitPrice: '19.99' }],
        returnToStock: false,
      }),
    );
    expect(await o2c.onHand('ITEM-01')).toBe('8');
    await erp.createCreditNote(creditNote(invoice));
    expect(await o2c.onHand('ITEM-02')).toBe('10');
    expect((await o2c.creditNotes()).map((n) => n.returnedToStock)).toEqual([false, true]);
    expect(
      (sim.documents('CreditNotes')[0].DocumentLines as Array<Record<string, unknown>>)[0],
    ).toMatchObject({
      WithoutInventoryMovement: 'tYES',
      BaseType: 13,
      BaseLine: 0,
    });
  });

  it('finds the credit note by its natural key when the answer was lost after SAP wrote it', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    const crashing = new LosingAnswers(
      erp,
      () => 1,
      () => 0,
    );
    await expect(crashing.createCreditNote(creditNote(invoice))).rejects.toThrow(/process killed/);
    const found = await erp.findByNaturalKey('CREDIT_NOTE', `${ORDER}/R1a2b3c4d`);
    expect(found).toMatchObject({
      kind: 'CREDIT_NOTE',
      internalId: '1',
      documentNumber: '1',
      status: 'OPEN',
    });
    await expect(erp.findByNaturalKey('CREDIT_NOTE', `${ORDER}/R00000000`)).resolves.toBeNull();
  });

  it('types the error paths: unknown invoice, record lock, outage, no item line', async () => {
    const erp = adapter();
    const invoice = await invoiced(erp);
    const unknown = { ...invoice, internalId: '77', documentNumber: '77' };
    const missing = erp.createCreditNote(creditNote(unknown));
    await expect(missing).rejects.toBeInstanceOf(ErpValidationError);
    await expect(missing).rejects.toMatchObject({
      message: `credit note ${ORDER}/R1a2b3c4d: invoice 77 (DocEntry 77) is not in SAP B1`,
      detail: { erp: 'SAP_B1', erpCode: '-2028', httpStatus: 404 },
    });
    sim.setFaults({ lockRate: 1 });
    await expect(erp.createCreditNote(creditNote(invoice))).rejects.toBeInstanceOf(ErpRecordLockedError);
    await expect(erp.createCustomer(customer('AMZB-LOCK'))).rejects.toBeInstanceOf(ErpRecordLockedError);
    sim.setFaults({ lockRate: 0, outage: true });
    await expect(erp.createCreditNote(creditNote(invoice))).rejects.toBeInstanceOf(ErpUnavailableError);
    await expect(erp.exchangeRate('CAD', '2024-05-01')).rejects.toBeInstanceOf(ErpUnavailableError);
    await expect(
      erp.checkMasterData({ customers: ['AMZ-US'], items: [], glAccounts: [] }),
    ).rejects.toBeInstanceOf(ErpUnavailableError);
    sim.setFaults({ outage: false });
    await expect(erp.createCreditNote(creditNote(invoice, { lines: [] }))).rejects.toBeInstanceOf(
      ErpValidationError,
    );
    expect(await o2c.creditNotes()).toEqual([]);
  });

  const customer = (customerCode: string) => ({
    customerCode,
    name: 'Amazon buyer 3f9a',
    currency: 'USD',
    templateCustomerCode: 'AMZ-US',
  });

  it("creates a customer per buyer copying the template's receivable, group and terms, and finds it", async () => {
    const erp = adapter();
    await expect(erp.findCustomer('AMZB-3F9A')).resolves.toBeNull();
    const created = await erp.createCustomer({
      ...customer('AMZB-3F9A'),
      address: {
        name: 'Jane Doe',
        addressLine1: '410 Terry Ave N',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98109',
        countryCode: 'US',
      },
    });
    expect(created).toEqual({ customerCode: 'AMZB-3F9A', name: 'Amazon buyer 3f9a', active: true });
    expect(await o2c.customers()).toEqual(['AMZ-US', 'AMZB-3F9A']);
    const bp = sim.documents('BusinessPartners').find((b) => b.CardCode === 'AMZB-3F9A')!;
    expect(bp).toMatchObject({
      CardType: 'cCustomer',
      DebitorAccount: '1100',
      GroupCode: 102,
      PayTermsGrpCode: 3,
      Currency: '##',
      BilltoDefault: 'Amazon',
    });
    expect(bp.BPAddresses).toEqual([
      expect.objectContaining({
        AddressType: 'bo_BillTo',
        Street: '410 Terry Ave N',
        State: 'WA',
        ZipCode: '98109',
      }),
      expect.objectContaining({ AddressType: 'bo_ShipTo', City: 'Seattle', Country: 'US' }),
    ]);
    await expect(erp.findCustomer('AMZB-3F9A')).resolves.toEqual(created);

    // a code that exists, one too long for OCRD.CardCode, an unknown template
    await expect(erp.createCustomer(customer('AMZB-3F9A'))).rejects.toThrow(
      /customer AMZB-3F9A already exists in SAP B1/,
    );
    await expect(erp.createCustomer(customer('AMZB-0123456789AB'))).rejects.toThrow(/1\.\.15 characters/);
    await expect(
      erp.createCustomer({ ...customer('AMZB-1'), templateCustomerCode: "AMZ-'X" }),
    ).rejects.toThrow(/template customer AMZ-'X is not in SAP B1/);
    // a long region does not fit State (3): it goes to County
    await erp.createCustomer({
      ...customer('AMZB-2'),
      address: { stateOrRegion: 'British Columbia', countryCode: 'CA' },
    });
    expect(
      (sim.documents('BusinessPartners').find((b) => b.CardCode === 'AMZB-2')!.BPAddresses as unknown[])[0],
    ).toMatchObject({ County: 'British Columbia' });
  });

  it("reads the company's rates: 1 for the local currency, null when the table has none", async () => {
    const erp = adapter();
    sim.setExchangeRate('CAD', '2024-05-01', '0.7312');
    await expect(erp.exchangeRate('CAD', '2024-05-01')).resolves.toBe('0.7312');
    await expect(erp.exchangeRate('CAD', '2024-05-02')).resolves.toBeNull();
    await expect(erp.exchangeRate('USD', '2024-05-02')).resolves.toBe('1');
    // the local currency was read once, from the company
    expect(sim.stats.requests['POST CompanyService_GetAdminInfo']).toBe(1);
    expect(sim.stats.requests['POST SBOBobService_GetCurrencyRate']).toBe(2);
    await expect(erp.exchangeRate('CAD', '1 May')).rejects.toBeInstanceOf(ErpValidationError);
  });

  it('inverts the rates of a company that quotes them indirectly (foreign units per local unit)', async () => {
    const fetch = new FetchTransport(5_000);
    // the simulator quotes directly: its AdminInfo is answered as an indirect company's
    const indirect: HttpTransport = {
      request: async (req) => {
        const res = await fetch.request(req);
        if (!req.url.endsWith('/CompanyService_GetAdminInfo')) return res;
        const info = JSON.parse(res.body.toString()) as Record<string, unknown>;
        return { ...res, body: Buffer.from(JSON.stringify({ ...info, DirectIndirectRate: 'tNO' })) };
      },
    };
    const erp = adapter({ http: indirect });
    sim.setExchangeRate('CAD', '2024-05-01', '1.25');
    await expect(erp.exchangeRate('CAD', '2024-05-01')).resolves.toBe('0.8');
    await invoiced(erp, 'CAD', { ...cad, rate: '0.8' });
    expect(sim.documents('Invoices')[0].DocRate).toBe('1.25');
  });

  const cad: ForeignCurrency = {
    homeCurrency: 'USD',
    rate: '0.7312',
    rateSource: 'ERP',
    roundingAccount: '7900',
  };
  /** 3 × 3.33 CAD debits against 9.99 CAD: line by line 3 × 2.43 USD against 7.30, a cent to round. */
  const journal = (over: Partial<JournalDraft> = {}): JournalDraft => ({
    naturalKey: 'S-1/A2EUQ1WTGCTBG2/CAD',
    postingDate: '2024-05-01',
    currency: 'CAD',
    reference: 'S-1',
    memo: 'Amazon settlement S-1',
    lines: [
      { account: '6100', debit: '3.33', credit: '0', description: 'fees' },
      { account: '6100', debit: '3.33', credit: '0', description: 'fees' },
      { account: '6100', debit: '3.33', credit: '0', description: 'fees' },
      { account: '1000', debit: '0', credit: '9.99', description: 'payout' },
    ],
    fx: cad,
    ...over,
  });

  it('posts a CAD journal into a USD company balanced in both currencies, with a rounding line', async () => {
    const erp = adapter();
    const ref = await erp.postJournal(journal());
    expect(await o2c.journals()).toEqual([
      {
        naturalKey: 'S-1/A2EUQ1WTGCTBG2/CAD',
        currency: 'CAD',
        rate: '0.7312',
        foreignDebit: '9.99',
        foreignCredit: '9.99',
        homeDebit: '7.30',
        homeCredit: '7.30',
      },
    ]);
    const lines = sim.documents('JournalEntries')[0].JournalEntryLines as Array<Record<string, unknown>>;
    expect(lines[4]).toMatchObject({ AccountCode: '7900', Debit: '0.01', Credit: '0' });
    expect(lines[4].FCCurrency).toBeUndefined();
    expect(sim.documents('JournalEntries')[0].Reference3).toBe('FX CAD/USD 0.7312');
    await expect(erp.findByNaturalKey('JOURNAL', 'S-1/A2EUQ1WTGCTBG2/CAD')).resolves.toEqual(ref);
  });

  it('posts EUR into a GBP company, and refuses a draft converted into another home currency', async () => {
    sim.setLocalCurrency('GBP');
    const erp = adapter();
    const eur: ForeignCurrency = {
      homeCurrency: 'GBP',
      rate: '0.8567',
      rateSource: 'DEPOSIT',
      roundingAccount: '7900',
    };
    await erp.postJournal(
      journal({
        naturalKey: 'S-2/A1PA6795UKMFR9/EUR',
        currency: 'EUR',
        lines: [
          { account: '1000', debit: '1234.56', credit: '0', description: 'payout' },
          { account: '4000', debit: '0', credit: '1000.01', description: 'sales' },
          { account: '4000', debit: '0', credit: '234.55', description: 'sales' },
        ],
        fx: eur,
      }),
    );
    const [posted] = await o2c.journals();
    expect(posted).toMatchObject({
      currency: 'EUR',
      rate: '0.8567',
      foreignDebit: '1234.56',
      foreignCredit: '1234.56',
    });
    expect(posted.homeDebit).toBe(posted.homeCredit);
    expect(posted.homeDebit).toBe('1057.65');
    await expect(erp.postJournal(journal({ naturalKey: 'S-3/X/CAD' }))).rejects.toThrow(
      /converts into USD, but the company's local currency is GBP/,
    );
    expect(await o2c.journals()).toHaveLength(1);
  });

  it('writes documents in a foreign currency with DocCurrency and DocRate, and credits them in it', async () => {
    sim.setLocalCurrency('USD');
    const erp = adapter();
    const invoice = await invoiced(erp, 'CAD', cad);
    expect(sim.documents('Invoices')[0]).toMatchObject({
      DocCurrency: 'CAD',
      DocRate: '0.7312',
      DocTotalFc: '48.27',
      DocTotal: '35.3',
    });
    await erp.createCreditNote(creditNote(invoice, { currency: 'CAD', fx: cad }));
    expect((await o2c.creditNotes())[0]).toMatchObject({ currency: 'CAD', total: '0.10' });
    expect(sim.documents('CreditNotes')[0]).toMatchObject({ DocRate: '0.7312', DocTotal: '0.07' });
    await erp.createReceipt({
      naturalKey: 'S-1/A2EUQ1WTGCTBG2/CAD',
      customerCode: 'AMZ-US',
      amount: '48.17',
      currency: 'CAD',
      date: '2024-05-03',
      bankAccount: '1000',
      reference: 'S-1',
      fx: cad,
    });
    expect(sim.documents('IncomingPayments')[0]).toMatchObject({ DocCurrency: 'CAD', DocRate: '0.7312' });
  });

  it('names the missing and inactive customers, items and GL accounts, 20 codes per read', async () => {
    const erp = adapter();
    sim.update('Items', 'ITEM-03', { Frozen: 'tYES' });
    sim.removeAccount('6100');
    const items = [
      ...Array.from({ length: 5 }, (_, i) => `ITEM-0${i}`),
      ...Array.from({ length: 40 }, (_, i) => `GONE-${i}`),
    ];
    const problems = await erp.checkMasterData({
      customers: ['AMZ-US', 'AMZ-CA'],
      items,
      glAccounts: ['1000', '6100', '4000'],
    });
    expect(problems).toEqual([
      { kind: 'CUSTOMER', code: 'AMZ-CA', problem: 'MISSING' },
      { kind: 'ITEM', code: 'ITEM-03', problem: 'INACTIVE' },
      ...Array.from({ length: 40 }, (_, i) => ({ kind: 'ITEM', code: `GONE-${i}`, problem: 'MISSING' })),
      { kind: 'GL_ACCOUNT', code: '6100', problem: 'MISSING' },
    ]);
    // 45 items in 3 reads, not 45
    expect(sim.stats.requests['GET Items']).toBe(3);
    expect(sim.stats.requests['GET BusinessPartners']).toBe(1);
    expect(sim.stats.requests['GET ChartOfAccounts']).toBe(1);
  });
});
