import { FetchTransport } from '@connector/core';
import { sumDecimals } from '@connector/money';
import { AgentServer } from '@connector/sage100-agent-core';
import { invoiceTotal, type Sage100Simulator, startSage100Simulator } from '@connector/sage100-simulator';
import {
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../../errors';
import type { CreditNoteDraft, ErpDocumentRef, JournalDraft, SalesDocumentDraft } from '../../port';
import { InMemorySage100OrderNumbers } from '../order-numbers';
import { Sage100Adapter, type Sage100AdapterOptions } from '../sage100.adapter';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ID = '114-3941689-8772232';

const order: SalesDocumentDraft = {
  naturalKey: ID,
  customerCode: '01-AMZUS',
  currency: 'USD',
  documentDate: '2026-10-02',
  lines: [
    { itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.99' },
    { itemCode: 'ITEM-2', quantity: 1, unitPrice: '5.00' },
  ],
  charges: [{ kind: 'SHIPPING', amount: '4.99' }],
};

const credit = (
  refundId: string,
  invoice: ErpDocumentRef,
  lines: CreditNoteDraft['lines'],
  more: Partial<CreditNoteDraft> = {},
): CreditNoteDraft => ({
  naturalKey: `${ID}/${refundId}`,
  amazonOrderId: ID,
  customerCode: '01-AMZUS',
  currency: 'USD',
  documentDate: '2026-10-09',
  baseInvoice: invoice,
  lines,
  charges: [],
  returnToStock: true,
  reason: 'REFUND',
  ...more,
});

const journal = (currency: string): JournalDraft => ({
  naturalKey: `S9/A2EUQ1WTGCTBG2/${currency}`,
  postingDate: '2026-10-02',
  currency,
  reference: 'S9',
  memo: 'Amazon settlement S9',
  lines: [
    { account: '610-000', debit: '10.01', credit: '0', description: 'fees' },
    { account: '102-000', debit: '0', credit: '10.01', description: 'payout' },
  ],
});

describe('Sage100Adapter: credit notes, customers, currencies, master data (simulators)', () => {
  let sim: Sage100Simulator;
  let agent: AgentServer;
  let adapter: Sage100Adapter;

  const db = () => sim.company('ABC').db;
  const onHand = (item: string) => db().find('IM_ItemWarehouse', [item, '000'])!.header.QuantityOnHand;
  const memos = () =>
    db()
      .rows('SO_InvoiceHeader')
      .filter((d) => d.header['InvoiceType$'] === 'CM');
  const build = (options: Partial<Sage100AdapterOptions> = {}) =>
    new Sage100Adapter({
      serviceUrl: sim.serviceUrl,
      company: 'ABC',
      user: 'WEBUSER',
      password: 'secret',
      http: new FetchTransport(5_000),
      orderNumbers: new InMemorySage100OrderNumbers(),
      agent: { url: agent.url, secret: SECRET },
      accountSegments: [3, 3],
      sleep: () => Promise.resolve(),
      ...options,
    });
  /** a shipped order: sales order over SOAP, invoiced in full by the agent (stock relieved) */
  const invoiced = async () => {
    const so = await adapter.createSalesOrder(order);
    return adapter.createInvoice({ ...order, baseOrder: so });
  };

  beforeEach(async () => {
    sim = await startSage100Simulator({
      items: ['ITEM-1', 'ITEM-2'],
      onHand: '10',
      customers: ['01-AMZUS', '02-AMZCA'],
      accounts: ['610000', '102000'],
      boiUsers: { AGENT: 'boi-pw' },
    });
    agent = new AgentServer({
      boi: sim.boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
    });
    await agent.start();
    adapter = build();
  });
  afterEach(async () => {
    await agent.close();
    await sim.close();
  });

  it('declares credit notes from the invoice, customers, and one currency', () => {
    expect(adapter.capabilities).toMatchObject({
      creditNotes: 'fromInvoice',
      customers: true,
      customerCodeMaxLength: 7,
      multiCurrency: false,
    });
    // a company with expanded customer numbers
    expect(build({ customerNoLength: 20 }).capabilities.customerCodeMaxLength).toBe(20);
  });

  it('credits an invoice in part, then in full to the cent; a third credit beyond it is refused', async () => {
    const inv = await invoiced();
    expect(invoiceTotal(db().find('SO_InvoiceHeader', [inv.documentNumber])!).toFixed(2)).toBe('49.97');
    expect(onHand('ITEM-1')).toBe('8');

    const first = await adapter.createCreditNote(
      credit('Rabcdefgh', inv, [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '19.99' }]),
    );
    expect(first).toMatchObject({ kind: 'CREDIT_NOTE', naturalKey: `${ID}/Rabcdefgh` });
    expect(first.documentNumber).not.toBe(inv.documentNumber);
    const cm1 = db().find('SO_InvoiceHeader', [first.documentNumber])!;
    expect(cm1.header).toMatchObject({
      InvoiceType$: 'CM',
      ApplyToInvoiceNo$: inv.documentNumber,
      CustomerPONo$: `${ID}/Rabcdefgh`,
      ARDivisionNo$: '01',
      CustomerNo$: 'AMZUS',
    });
    expect(invoiceTotal(cm1).toFixed(2)).toBe('19.99');
    expect(onHand('ITEM-1')).toBe('9');

    const second = await adapter.createCreditNote(
      credit(
        'Rijklmnop',
        inv,
        [
          { itemCode: 'ITEM-1', quantity: 1, unitPrice: '19.99' },
          { itemCode: 'ITEM-2', quantity: 1, unitPrice: '5.00' },
        ],
        { charges: [{ kind: 'SHIPPING', amount: '4.99' }] },
      ),
    );
    expect(invoiceTotal(db().find('SO_InvoiceHeader', [second.documentNumber])!).toFixed(2)).toBe('29.98');
    expect(sumDecimals(memos().map((d) => invoiceTotal(d).toFixed(2))).toFixed(2)).toBe('49.97');

    // more of an item than was shipped: refused by the quantity rule
    const third = adapter.createCreditNote(
      credit('Rqrstuvwx', inv, [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '0.01' }]),
    );
    await expect(third).rejects.toBeInstanceOf(ErpValidationError);
    await expect(third).rejects.toThrow(/quantity credited for ITEM-1 \(3\) is more than invoice/);
    // one cent more without stock: refused by the amount rule
    await expect(
      adapter.createCreditNote(
        credit('Ryzabcdef', inv, [{ itemCode: 'ITEM-2', quantity: 1, unitPrice: '0.01' }], {
          returnToStock: false,
        }),
      ),
    ).rejects.toThrow(/would exceed its total \(49\.97\)/);
    expect(memos()).toHaveLength(2);
    expect(onHand('ITEM-1')).toBe('10');
    expect(onHand('ITEM-2')).toBe('10');
  });

  it('credits a cancellation after invoicing in full', async () => {
    const inv = await invoiced();
    const cm = await adapter.createCreditNote(
      credit('C', inv, order.lines, { reason: 'CANCELLED_AFTER_INVOICE', charges: order.charges }),
    );
    const doc = db().find('SO_InvoiceHeader', [cm.documentNumber])!;
    expect(invoiceTotal(doc).toFixed(2)).toBe('49.97');
    expect(doc.header['Comment$']).toBe('Amazon order cancelled');
    expect(doc.header['CustomerPONo$']).toBe(`${ID}/C`);
    expect([onHand('ITEM-1'), onHand('ITEM-2')]).toEqual(['10', '10']);
  });

  it('moves stock back only when asked: without returnToStock the lines are the misc return item', async () => {
    const inv = await invoiced();
    const cm = await adapter.createCreditNote(
      credit('Rfba00001', inv, [{ itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.99' }], {
        returnToStock: false,
      }),
    );
    const doc = db().find('SO_InvoiceHeader', [cm.documentNumber])!;
    expect(doc.lines).toEqual([
      expect.objectContaining({
        ItemCode$: '/RETURN',
        CommentText$: 'ITEM-1',
        QuantityShipped: '2',
        UnitPrice: '19.99',
      }),
    ]);
    expect(invoiceTotal(doc).toFixed(2)).toBe('39.98');
    expect(onHand('ITEM-1')).toBe('8');
  });

  it('finds a credit memo written before a crash, and a retry writes it once', async () => {
    const inv = await invoiced();
    const draft = credit('Rcrash123', inv, [{ itemCode: 'ITEM-2', quantity: 1, unitPrice: '5.00' }]);
    expect(await adapter.findByNaturalKey('CREDIT_NOTE', draft.naturalKey)).toBeNull();
    const written = await adapter.createCreditNote(draft);
    // the writer crashed before recording it: it looks the key up first
    const found = await adapter.findByNaturalKey('CREDIT_NOTE', draft.naturalKey);
    expect(found).toEqual(written);
    expect(await adapter.createCreditNote(draft)).toEqual(written);
    expect(memos()).toHaveLength(1);
    expect(onHand('ITEM-2')).toBe('10');
  });

  it('cuts a key longer than CustomerPONo by the prefix + SHA-256 rule, and still finds it', async () => {
    await agent.close();
    await sim.close();
    sim = await startSage100Simulator({
      items: ['ITEM-1', 'ITEM-2'],
      customerPoLength: 20,
      boiUsers: { AGENT: 'boi-pw' },
    });
    agent = new AgentServer({
      boi: sim.boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
    });
    await agent.start();
    adapter = build({ customerPoLength: 20 });
    const inv = await invoiced();
    const a = await adapter.createCreditNote(
      credit('R11111111', inv, [{ itemCode: 'ITEM-2', quantity: 1, unitPrice: '1.00' }]),
    );
    const b = await adapter.createCreditNote(
      credit('R11111112', inv, [{ itemCode: 'ITEM-2', quantity: 1, unitPrice: '1.00' }], {
        returnToStock: false,
      }),
    );
    const keys = memos().map((d) => d.header['CustomerPONo$']);
    expect(keys).toEqual([adapter.creditKeyText(a.naturalKey), adapter.creditKeyText(b.naturalKey)]);
    expect(keys.every((k) => k.length === 20 && k.startsWith('114~'))).toBe(true);
    expect(keys[0]).not.toBe(keys[1]);
    expect(await adapter.findByNaturalKey('CREDIT_NOTE', b.naturalKey)).toEqual(b);
    // a PO field too short for the rule: refused, not cut silently
    expect(() => build({ customerPoLength: 15 }).creditKeyText(`${ID}/C`)).toThrow(ErpUnsupportedError);
  });

  it('refuses a credit memo against an unknown invoice, typed and not retriable', async () => {
    await invoiced();
    const ghost = {
      kind: 'INVOICE',
      naturalKey: ID,
      internalId: '9999999',
      documentNumber: '9999999',
      status: 'OPEN',
    };
    const err = await adapter
      .createCreditNote(
        credit('Rghost000', ghost as ErpDocumentRef, [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '1' }]),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as Error).message).toMatch(/ApplyToInvoiceNo 9999999 is invalid/);
    expect((err as ErpValidationError).retriable).toBe(false);
    expect(memos()).toHaveLength(0);
  });

  it('a record in use is retried, then retriable, and writes nothing; a silent agent is unavailable', async () => {
    const inv = await invoiced();
    sim.boi.recordInUseRate = 1;
    const draft = credit('Rlocked00', inv, [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '19.99' }]);
    const err = await adapter.createCreditNote(draft).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpRecordLockedError);
    expect((err as ErpRecordLockedError).retriable).toBe(true);
    expect(memos()).toHaveLength(0);
    expect(onHand('ITEM-1')).toBe('8');
    sim.boi.recordInUseRate = 0;
    await agent.close();
    await expect(adapter.createCreditNote(draft)).rejects.toBeInstanceOf(ErpUnavailableError);
  });

  it('the BOI failing mid-sequence leaves no half-written credit memo and no stock moved', async () => {
    const inv = await invoiced();
    sim.boi.failOn({
      object: 'SO_Invoice_bus',
      method: 'oLines.nWrite',
      nth: 2,
      message: 'Line write failed.',
    });
    const draft = credit('Rhalf0000', inv, order.lines);
    await expect(adapter.createCreditNote(draft)).rejects.toThrow(/Line write failed/);
    expect(memos()).toHaveLength(0);
    expect([onHand('ITEM-1'), onHand('ITEM-2')]).toEqual(['8', '9']);
    await adapter.createCreditNote(draft);
    expect(memos()[0].lines).toHaveLength(2);
    expect([onHand('ITEM-1'), onHand('ITEM-2')]).toEqual(['10', '10']);
  });

  it("creates a buyer's customer in the template's division with its terms, and finds it", async () => {
    // the CA marketplace's customer, in division 02 (its A/R account is the division's)
    Object.assign(db().find('AR_Customer', ['02', 'AMZCA'])!.header, {
      TermsCode$: '30',
      TaxSchedule$: 'CANADA',
      SalespersonNo$: '0200',
      CustomerType$: 'AMZN',
    });
    expect(await adapter.findCustomer('B7K2Q9X')).toBeNull();
    const made = await adapter.createCustomer({
      customerCode: 'B7K2Q9X',
      name: 'Amazon buyer with a name longer than thirty characters',
      currency: 'USD',
      templateCustomerCode: '02-AMZCA',
      address: {
        addressLine1: '1 Main St',
        city: 'Toronto',
        stateOrRegion: 'ON',
        postalCode: 'M5V 2T6',
        countryCode: 'CA',
      },
    });
    expect(made).toEqual({
      customerCode: '02-B7K2Q9X',
      name: 'Amazon buyer with a name longe',
      currency: 'USD',
      active: true,
    });
    expect(db().find('AR_Customer', ['02', 'B7K2Q9X'])!.header).toMatchObject({
      ARDivisionNo$: '02',
      TermsCode$: '30',
      TaxSchedule$: 'CANADA',
      SalespersonNo$: '0200',
      CustomerType$: 'AMZN',
      City$: 'Toronto',
      ZipCode$: 'M5V 2T6',
      CustomerStatus$: 'A',
    });
    expect(await adapter.findCustomer(made.customerCode)).toEqual(made);
    // the same code again: a clear typed refusal
    const again = await adapter
      .createCustomer({
        customerCode: '02-B7K2Q9X',
        name: 'x',
        currency: 'USD',
        templateCustomerCode: '02-AMZCA',
      })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ErpValidationError);
    expect((again as Error).message).toMatch(/customer 02-B7K2Q9X exists already/);
    // a code longer than CustomerNo, and an unknown template
    await expect(
      adapter.createCustomer({
        customerCode: 'B7K2Q9XY',
        name: 'x',
        currency: 'USD',
        templateCustomerCode: '01-AMZUS',
      }),
    ).rejects.toThrow(/hold 7 characters/);
    await expect(
      adapter.createCustomer({
        customerCode: 'B1',
        name: 'x',
        currency: 'USD',
        templateCustomerCode: '01-NOPE',
      }),
    ).rejects.toThrow(/no customer 01-NOPE/);
  });

  it('customers through IIS: record in use retried then retriable, an outage unavailable', async () => {
    sim.setFaults({ recordInUseRate: 1 });
    await expect(
      adapter.createCustomer({
        customerCode: 'B1',
        name: 'x',
        currency: 'USD',
        templateCustomerCode: '01-AMZUS',
      }),
    ).rejects.toBeInstanceOf(ErpRecordLockedError);
    sim.setFaults({ recordInUseRate: 0, outage: true });
    await expect(adapter.findCustomer('01-AMZUS')).rejects.toBeInstanceOf(ErpUnavailableError);
    expect(sim.customers().map((c) => c.CustomerNo)).toEqual(['AMZUS', 'AMZCA']);
  });

  it('refuses documents and journals in another currency, saying what to do; no rate table', async () => {
    const cad = adapter.postJournal(journal('CAD'));
    await expect(cad).rejects.toBeInstanceOf(ErpUnsupportedError);
    await expect(cad).rejects.toThrow(
      /keeps one currency \(USD\) and cannot hold a journal entry in CAD: connect the CAD marketplace to a Sage 100 company kept in CAD/,
    );
    await expect(adapter.createSalesOrder({ ...order, currency: 'CAD' })).rejects.toBeInstanceOf(
      ErpUnsupportedError,
    );
    // a GBP company: EUR refused, GBP posted as it is
    const gbp = build({ currency: 'GBP' });
    await expect(gbp.postJournal(journal('EUR'))).rejects.toThrow(/one currency \(GBP\).*in EUR/);
    await expect(gbp.postJournal(journal('GBP'))).resolves.toMatchObject({ kind: 'JOURNAL' });
    expect(
      db()
        .rows('GL_GeneralJournalHeader')
        .map((d) => d.header['Reference$']),
    ).toEqual(['S9/A2EUQ1WTGCTBG2/GBP']);
    expect(sim.salesOrders()).toHaveLength(0);
    expect(await adapter.exchangeRate('CAD', '2026-10-02')).toBeNull();
  });

  it('names a missing GL account, item and customer, and inactive ones, in one agent call', async () => {
    db().find('CI_Item', ['ITEM-2'])!.header['InactiveItem$'] = 'Y';
    db().find('AR_Customer', ['02', 'AMZCA'])!.header['CustomerStatus$'] = 'I';
    const before = agent.stats.ran;
    const items = ['ITEM-1', 'ITEM-2', 'ITEM-404', ...Array.from({ length: 3000 }, () => 'ITEM-1')];
    const problems = await adapter.checkMasterData({
      customers: ['AMZUS', '02-AMZCA', '01-GONE'],
      items,
      glAccounts: ['610-000', '999-000'],
    });
    expect(agent.stats.ran - before).toBe(1);
    expect(problems).toEqual([
      { kind: 'CUSTOMER', code: '02-AMZCA', problem: 'INACTIVE' },
      { kind: 'CUSTOMER', code: '01-GONE', problem: 'MISSING' },
      { kind: 'ITEM', code: 'ITEM-2', problem: 'INACTIVE' },
      { kind: 'ITEM', code: 'ITEM-404', problem: 'MISSING' },
      { kind: 'GL_ACCOUNT', code: '999-000', problem: 'MISSING' },
    ]);
  });

  it('without the agent: customers checked over SOAP, credit notes and item checks need the agent', async () => {
    const soapOnly = build({ agent: undefined });
    expect(
      await soapOnly.checkMasterData({ customers: ['AMZUS', 'NOPE'], items: [], glAccounts: [] }),
    ).toEqual([{ kind: 'CUSTOMER', code: 'NOPE', problem: 'MISSING' }]);
    await expect(
      soapOnly.checkMasterData({ customers: [], items: ['ITEM-1'], glAccounts: [] }),
    ).rejects.toThrow(/agent/);
    const inv = {
      kind: 'INVOICE',
      naturalKey: ID,
      internalId: '1',
      documentNumber: '1',
      status: 'OPEN',
    } as const;
    await expect(soapOnly.createCreditNote(credit('C', inv, []))).rejects.toBeInstanceOf(ErpUnsupportedError);
  });
});
