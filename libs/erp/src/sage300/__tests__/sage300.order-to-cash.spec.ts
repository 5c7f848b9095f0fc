import { FetchTransport, type HttpRequest, type HttpResponse, type HttpTransport } from '@connector/core';
import { Sage300Simulator } from '@connector/sage300-simulator';
import { ErpRecordLockedError, ErpUnavailableError, ErpValidationError } from '../../errors';
import type { CreditNoteDraft, ErpDocumentRef, JournalDraft, SalesDocumentDraft } from '../../port';
import { Sage300Adapter, sage300KeyText } from '../sage300.adapter';

/** The real transport, remembering what went out. */
class Recording implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  private readonly inner = new FetchTransport(5_000);
  request(req: HttpRequest): Promise<HttpResponse> {
    this.sent.push(req);
    return this.inner.request(req);
  }
}

type Rec = Record<string, unknown>;
const ORDER_ID = '114-3941689-8772232';
const num = (v: unknown) => String(v);

/** 3 × ITEM-1 at 19.99, shipping 4.99, a promotion of −1.10: 63.86 before tax. */
const orderDraft = (naturalKey = ORDER_ID): SalesDocumentDraft => ({
  naturalKey,
  customerCode: 'AMZ-US',
  currency: 'USD',
  documentDate: '2026-10-02',
  comments: `Amazon.com order ${naturalKey} (AFN)`,
  lines: [{ itemCode: 'ITEM-1', quantity: 3, unitPrice: '19.99', taxAmount: '4.20' }],
  charges: [
    { kind: 'SHIPPING', amount: '4.99' },
    { kind: 'PROMOTION', amount: '-1.10' },
  ],
});

const credit = (
  baseInvoice: ErpDocumentRef,
  refundId: string,
  over: Partial<CreditNoteDraft> = {},
): CreditNoteDraft => ({
  naturalKey: `${ORDER_ID}/${refundId}`,
  amazonOrderId: ORDER_ID,
  customerCode: 'AMZ-US',
  currency: 'USD',
  documentDate: '2026-10-09',
  baseInvoice,
  lines: [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '19.99' }],
  charges: [],
  returnToStock: true,
  reason: 'REFUND',
  ...over,
});

describe('Sage300Adapter order to cash against the Sage 300 simulator', () => {
  let sim: Sage300Simulator;
  let http: Recording;
  const adapter = (over: Partial<ConstructorParameters<typeof Sage300Adapter>[0]> = {}) =>
    new Sage300Adapter({
      baseUrl: sim.apiUrl,
      company: 'SAMLTD',
      user: 'webapi',
      password: 'webapi',
      http,
      ...over,
    });
  const stock = (item = 'ITEM-1') => {
    const r = sim.documents('ICLocationDetails').find((x) => x.ItemNumber === item && x.Location === '1')!;
    return { onHand: num(r.QuantityOnHand), committed: num(r.QuantityCommitted) };
  };

  beforeEach(async () => {
    const clock = Date.UTC(2026, 9, 1, 12);
    sim = new Sage300Simulator({
      now: () => clock,
      items: Array.from({ length: 5 }, (_, i) => `ITEM-${i}`),
      customers: ['AMZ-US', { customerNumber: 'AMZ-CA', currency: 'CAD', accountSet: 'AMZCA' }],
      accounts: ['1010-00', '4000-00', '6100-00', '7900-00', '9999-00'],
      bankCodes: ['1010'],
    });
    await sim.start();
    http = new Recording();
  });
  afterEach(() => sim.close());

  describe('invoices that close the order', () => {
    it('when a shipped order is invoiced before any order was written, then one POST ships and invoices it: the order completes and nothing stays committed', async () => {
      const erp = adapter();
      const inv = await erp.createInvoice(orderDraft());
      expect(inv).toEqual({
        kind: 'INVOICE',
        naturalKey: ORDER_ID,
        internalId: 'OE/IN0000000000001',
        documentNumber: 'IN0000000000001',
        status: 'OPEN',
      });
      expect(http.sent.filter((r) => r.method === 'POST').map((r) => r.url.replace(/^.*SAMLTD/, ''))).toEqual(
        ['/OE/OEOrders'],
      );
      const body = JSON.parse(http.sent.find((r) => r.method === 'POST')!.body as string) as Rec;
      expect(body.InvoiceWillBeProduced).toBe(true);
      expect((body.OrderDetails as Rec[])[0]).toMatchObject({ QuantityOrdered: 3, QuantityShipped: 3 });
      expect(stock()).toEqual({ onHand: '97', committed: '0' });
      const [invoice] = sim.documents('OEInvoices');
      expect(num(invoice.InvoiceTotal)).toBe('63.86');
      expect(
        (invoice.InvoiceDetails as Rec[]).map((l) => [
          l.Item ?? l.MiscellaneousChargesCode,
          num(l.ExtendedAmount),
        ]),
      ).toEqual([
        ['ITEM-1', '59.97'],
        ['FRT', '4.99'],
        ['PROMO', '-1.1'],
      ]);
      expect(await erp.findByNaturalKey('INVOICE', ORDER_ID)).toEqual(inv);
      expect(await erp.findByNaturalKey('SALES_ORDER', ORDER_ID)).toMatchObject({ status: 'CLOSED' });
      expect(sim.documents('ARInvoiceBatches')).toHaveLength(0);
    });

    it('when the order was written open before it shipped, then the invoice falls back to an AR batch and the order stays open with its stock committed', async () => {
      const erp = adapter();
      const order = await erp.createSalesOrder(orderDraft());
      expect(stock()).toEqual({ onHand: '100', committed: '3' });
      const inv = await erp.createInvoice({ ...orderDraft(), baseOrder: order });
      expect(inv).toMatchObject({ kind: 'INVOICE', internalId: '1-1', documentNumber: '1-1' });
      expect(sim.documents('OEInvoices')).toHaveLength(0);
      const [batch] = sim.documents('ARInvoiceBatches');
      expect(batch.Description).toBe(ORDER_ID);
      expect(await erp.findByNaturalKey('INVOICE', ORDER_ID)).toEqual(inv);
      expect(await erp.findByNaturalKey('SALES_ORDER', ORDER_ID)).toMatchObject({ status: 'OPEN' });
      expect(stock()).toEqual({ onHand: '100', committed: '3' });
    });
  });

  describe('credit notes', () => {
    it('when a shipped invoice is credited in part and then in full, then the totals are exact and a third credit beyond the invoice is refused', async () => {
      const erp = adapter();
      const inv = await erp.createInvoice(orderDraft());
      const first = await erp.createCreditNote(credit(inv, 'R0000aaaa'));
      expect(first).toEqual({
        kind: 'CREDIT_NOTE',
        naturalKey: `${ORDER_ID}/R0000aaaa`,
        internalId: 'OE/CN0000000000001',
        documentNumber: 'CN0000000000001',
        status: 'OPEN',
      });
      await erp.createCreditNote(
        credit(inv, 'R0000bbbb', {
          lines: [{ itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.99' }],
          charges: [
            { kind: 'SHIPPING', amount: '4.99' },
            { kind: 'PROMOTION', amount: '-1.10' },
          ],
        }),
      );
      const notes = sim.documents('OECreditDebitNotes');
      expect(notes.map((n) => [n.Reference, n.InvoiceNumber, num(n.CreditDebitNoteTotal)])).toEqual([
        [`${ORDER_ID}/R0000aaaa`, 'IN0000000000001', '19.99'],
        [`${ORDER_ID}/R0000bbbb`, 'IN0000000000001', '43.87'],
      ]);
      // 19.99 + 43.87 = 63.86, the invoice to the cent: nothing more can be credited
      const third = erp.createCreditNote(
        credit(inv, 'R0000cccc', { lines: [], charges: [{ kind: 'SHIPPING', amount: '0.01' }] }),
      );
      await expect(third).rejects.toBeInstanceOf(ErpValidationError);
      await expect(third).rejects.toMatchObject({ detail: { erpCode: 'RecordInvalid' } });
      // and no more units than were shipped
      await expect(erp.createCreditNote(credit(inv, 'R0000dddd'))).rejects.toThrow(
        /exceeds the quantity shipped/,
      );
      expect(sim.documents('OECreditDebitNotes')).toHaveLength(2);
    });

    it('when an order is cancelled after it was invoiced, then the whole invoice is credited', async () => {
      const erp = adapter();
      const inv = await erp.createInvoice(orderDraft());
      const d = orderDraft();
      await erp.createCreditNote(
        credit(inv, 'C', { lines: d.lines, charges: d.charges, reason: 'CANCELLED_AFTER_INVOICE' }),
      );
      const [note] = sim.documents('OECreditDebitNotes');
      expect(num(note.CreditDebitNoteTotal)).toBe(num(sim.documents('OEInvoices')[0].InvoiceTotal));
      expect(note.Reference).toBe(`${ORDER_ID}/C`);
      expect(stock()).toEqual({ onHand: '100', committed: '0' });
    });

    it('when goods come back only with returnToStock, then on hand moves for a return and not for an FBA refund', async () => {
      const erp = adapter();
      const inv = await erp.createInvoice(orderDraft());
      expect(stock().onHand).toBe('97');
      await erp.createCreditNote(credit(inv, 'R1111aaaa', { returnToStock: false }));
      expect(stock().onHand).toBe('97');
      expect((sim.documents('OECreditDebitNotes')[0].CreditDebitDetails as Rec[])[0].ReturnType).toBe(
        'DamagedItems',
      );
      await erp.createCreditNote(credit(inv, 'R1111bbbb', { returnToStock: true }));
      expect(stock().onHand).toBe('98');
      expect((sim.documents('OECreditDebitNotes')[1].CreditDebitDetails as Rec[])[0].ReturnType).toBe(
        'ItemsReturnedToInventory',
      );
    });

    it('when the process dies after Sage 300 wrote the credit note, then findByNaturalKey finds it, a long key by its hashed form', async () => {
      const erp = adapter();
      const inv = await erp.createInvoice(orderDraft());
      const key = `${ORDER_ID}/R2222aaaa`;
      expect(await erp.findByNaturalKey('CREDIT_NOTE', key)).toBeNull();
      const ref = await erp.createCreditNote(credit(inv, 'R2222aaaa'));
      expect(await erp.findByNaturalKey('CREDIT_NOTE', key)).toEqual(ref);
      // a key longer than the 60-character Reference is stored by the prefix + SHA-256 rule
      const long = `${ORDER_ID}/${'R'.repeat(50)}`;
      const longRef = await erp.createCreditNote({ ...credit(inv, 'x'), naturalKey: long });
      expect(sim.documents('OECreditDebitNotes')[1].Reference).toBe(sage300KeyText(long));
      expect(sage300KeyText(long)).toHaveLength(60);
      expect(await erp.findByNaturalKey('CREDIT_NOTE', long)).toEqual(longRef);
      // the invoice's own key is not taken for a credit note
      expect(await erp.findByNaturalKey('CREDIT_NOTE', ORDER_ID)).toBeNull();
    });

    it('when the invoice was the AR-batch fallback, then the credit note is an AR credit note applied to its document, refused beyond it, moving no stock', async () => {
      const erp = adapter();
      const order = await erp.createSalesOrder(orderDraft());
      const inv = await erp.createInvoice({ ...orderDraft(), baseOrder: order });
      const ref = await erp.createCreditNote(credit(inv, 'R3333aaaa'));
      expect(ref).toMatchObject({ kind: 'CREDIT_NOTE', internalId: '2-1' });
      const batch = sim.documents('ARInvoiceBatches')[1];
      const entry = (batch.Invoices as Rec[])[0];
      expect(entry).toMatchObject({ DocumentType: 'CreditNote', ApplyToDocument: 'IN0000000000001' });
      expect(batch.Description).toBe(`${ORDER_ID}/R3333aaaa`);
      expect(await erp.findByNaturalKey('CREDIT_NOTE', `${ORDER_ID}/R3333aaaa`)).toEqual(ref);
      expect(await erp.findByNaturalKey('INVOICE', ORDER_ID)).toEqual(inv);
      expect(stock()).toEqual({ onHand: '100', committed: '3' });
      await expect(
        erp.createCreditNote(
          credit(inv, 'R3333bbbb', { lines: [{ itemCode: 'ITEM-1', quantity: 3, unitPrice: '19.99' }] }),
        ),
      ).rejects.toThrow(/more than the document/);
    });

    it('when the invoice is unknown, a write meets a lock, or the server is down, then the errors are typed', async () => {
      const erp = adapter();
      const ghost: ErpDocumentRef = {
        kind: 'INVOICE',
        naturalKey: ORDER_ID,
        internalId: 'OE/IN0000000000099',
        documentNumber: 'IN0000000000099',
        status: 'OPEN',
      };
      await expect(erp.createCreditNote(credit(ghost, 'R4444aaaa'))).rejects.toMatchObject({
        constructor: ErpValidationError,
        detail: { erp: 'SAGE300', erpCode: 'RecordInvalid' },
      });
      await expect(
        erp.createCreditNote(credit({ ...ghost, internalId: '77-1', documentNumber: '77-1' }, 'R4444aaab')),
      ).rejects.toMatchObject({ constructor: ErpValidationError, detail: { erpCode: 'RecordNotFound' } });
      const inv = await erp.createInvoice(orderDraft());
      sim.setFaults({ lockRate: 1 });
      await expect(erp.createCreditNote(credit(inv, 'R4444aaac'))).rejects.toBeInstanceOf(
        ErpRecordLockedError,
      );
      await expect(
        erp.createCustomer({
          customerCode: 'AMZB1',
          name: 'x',
          currency: 'USD',
          templateCustomerCode: 'AMZ-US',
        }),
      ).rejects.toBeInstanceOf(ErpRecordLockedError);
      sim.setFaults({ lockRate: 0, outage: true });
      await expect(erp.createCreditNote(credit(inv, 'R4444aaac'))).rejects.toBeInstanceOf(
        ErpUnavailableError,
      );
      await expect(erp.findCustomer('AMZ-US')).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(erp.exchangeRate('CAD', '2026-10-02')).rejects.toBeInstanceOf(ErpUnavailableError);
      await expect(
        erp.checkMasterData({ customers: ['AMZ-US'], items: [], glAccounts: [] }),
      ).rejects.toBeInstanceOf(ErpUnavailableError);
      sim.clearFaults();
      expect(sim.documents('OECreditDebitNotes')).toHaveLength(0);
    });
  });

  describe('customers', () => {
    it('when a buyer customer is created, then it copies the template account set, terms and tax group, and is found again', async () => {
      const erp = adapter();
      expect(await erp.findCustomer('AMZB7F3A9C01')).toBeNull();
      const created = await erp.createCustomer({
        customerCode: 'AMZB7F3A9C01',
        name: 'Amazon buyer 7f3a9c01',
        currency: 'CAD',
        templateCustomerCode: 'AMZ-CA',
        address: {
          addressLine1: '1 Main St',
          city: 'Toronto',
          stateOrRegion: 'ON',
          postalCode: 'M5V 2T6',
          countryCode: 'CA',
        },
      });
      expect(created).toEqual({
        customerCode: 'AMZB7F3A9C01',
        name: 'Amazon buyer 7f3a9c01',
        currency: 'CAD',
        active: true,
      });
      const rec = sim.documents('ARCustomers').find((c) => c.CustomerNumber === 'AMZB7F3A9C01')!;
      expect(rec).toMatchObject({
        AccountSet: 'AMZCA',
        GroupCode: 'AMZ',
        Terms: 'N30',
        TaxGroup: 'USTAX',
        ShortName: 'Amazon buy',
        City: 'Toronto',
        ZipPostalCode: 'M5V 2T6',
      });
      expect(await erp.findCustomer('AMZB7F3A9C01')).toEqual(created);
    });

    it('when the code exists, is too long, or the template is missing, then a clear ErpValidationError', async () => {
      const erp = adapter();
      const draft = { customerCode: 'AMZ-US', name: 'x', currency: 'USD', templateCustomerCode: 'AMZ-US' };
      await expect(erp.createCustomer(draft)).rejects.toMatchObject({
        constructor: ErpValidationError,
        message: 'customer AMZ-US exists already in Sage 300',
        detail: { erpCode: 'RecordDuplicate' },
      });
      await expect(erp.createCustomer({ ...draft, customerCode: 'AMZB123456789' })).rejects.toThrow(
        /longer than 12 characters/,
      );
      await expect(
        erp.createCustomer({ ...draft, customerCode: 'AMZB1', templateCustomerCode: 'NOPE' }),
      ).rejects.toThrow('template customer NOPE does not exist in Sage 300');
    });
  });

  describe('currencies', () => {
    const cadJournal = (): JournalDraft => ({
      naturalKey: '11000000001/A2EUQ1WTGCTBG2/CAD',
      postingDate: '2026-10-15',
      currency: 'CAD',
      reference: 'AMZ-SETTLE-11000000001',
      memo: 'Amazon settlement 11000000001',
      lines: [
        { account: '1010-00', debit: '100.01', credit: '0', description: 'deposit' },
        { account: '6100-00', debit: '0.01', credit: '0', description: 'fee' },
        { account: '4000-00', debit: '0', credit: '100.02', description: 'sales' },
      ],
      fx: { homeCurrency: 'USD', rate: '0.7312', rateSource: 'ERP', roundingAccount: '7900-00' },
    });

    it('when a CAD journal goes into a USD company, then each detail carries both amounts and the rate, and a rounding line balances home', async () => {
      const erp = adapter();
      const ref = await erp.postJournal(cadJournal());
      expect(await erp.findByNaturalKey('JOURNAL', cadJournal().naturalKey)).toEqual(ref);
      const details = (
        (sim.documents('GLJournalBatches')[0].JournalHeaders as Rec[])[0].JournalDetails as Rec[]
      ).map((d) => [
        d.AccountNumber,
        num(d.SourceCurrencyAmount),
        d.SourceCurrency,
        num(d.Amount),
        d.HomeCurrency,
      ]);
      // 100.01 × 0.7312 = 73.127312 → 73.13; 0.01 → 0.01; −100.02 → −73.13; home is off by 0.01
      expect(details).toEqual([
        ['101000', '100.01', 'CAD', '73.13', 'USD'],
        ['610000', '0.01', 'CAD', '0.01', 'USD'],
        ['400000', '-100.02', 'CAD', '-73.13', 'USD'],
        ['790000', '-0.01', 'USD', '-0.01', 'USD'],
      ]);
    });

    it('when a EUR journal goes into a GBP company, then it balances in EUR and in GBP; a wrong home currency is refused', async () => {
      sim.setHomeCurrency('SAMLTD', 'GBP');
      const erp = adapter();
      const draft: JournalDraft = {
        ...cadJournal(),
        naturalKey: '11000000002/A1PA6795UKMFR9/EUR',
        currency: 'EUR',
        lines: [
          { account: '1010-00', debit: '33.33', credit: '0', description: 'deposit' },
          { account: '6100-00', debit: '33.33', credit: '0', description: 'fee' },
          { account: '4000-00', debit: '0', credit: '66.66', description: 'sales' },
        ],
        fx: { homeCurrency: 'GBP', rate: '0.8555', rateSource: 'DEPOSIT', roundingAccount: '7900-00' },
      };
      await erp.postJournal(draft);
      const details = (sim.documents('GLJournalBatches')[0].JournalHeaders as Rec[])[0]
        .JournalDetails as Rec[];
      const total = (f: string, cur?: string) =>
        details
          .filter((d) => !cur || d.SourceCurrency === cur)
          .reduce((s, d) => s + Math.round(Number(num(d[f])) * 100), 0);
      expect(total('Amount')).toBe(0);
      expect(total('SourceCurrencyAmount', 'EUR')).toBe(0);
      expect(details.every((d) => d.HomeCurrency === 'GBP')).toBe(true);
      await expect(
        erp.postJournal({ ...draft, naturalKey: 'k2', fx: { ...draft.fx!, homeCurrency: 'USD' } }),
      ).rejects.toThrow(/home currency of the company is GBP/);
    });

    it('when the rate table has a rate that day, then exchangeRate reads it; none that day or none at all gives null; the home currency is 1', async () => {
      sim.setExchangeRate('SAMLTD', 'CAD', '2026-10-02', '0.7312');
      const erp = adapter();
      expect(await erp.exchangeRate('CAD', '2026-10-02')).toBe('0.7312');
      expect(await erp.exchangeRate('CAD', '2026-10-03')).toBeNull();
      expect(await erp.exchangeRate('EUR', '2026-10-02')).toBeNull();
      expect(await erp.exchangeRate('USD', '2026-10-02')).toBe('1');
    });

    it('when a CAD order goes to a CAD customer in a USD company, then the OE documents carry the rate; without one the rate table decides or Sage refuses', async () => {
      const erp = adapter();
      const cad = {
        ...orderDraft(),
        customerCode: 'AMZ-CA',
        currency: 'CAD',
        fx: { homeCurrency: 'USD', rate: '0.7312', rateSource: 'ERP' as const, roundingAccount: '7900-00' },
      };
      const inv = await erp.createInvoice(cad);
      expect(sim.documents('OEInvoices')[0]).toMatchObject({ CustomerCurrency: 'CAD', RateType: 'SP' });
      expect(num(sim.documents('OEInvoices')[0].ExchangeRate)).toBe('0.7312');
      await erp.createCreditNote({
        ...credit(inv, 'R5555aaaa'),
        customerCode: 'AMZ-CA',
        currency: 'CAD',
        fx: cad.fx,
      });
      expect(num(sim.documents('OECreditDebitNotes')[0].ExchangeRate)).toBe('0.7312');
      const { fx: _fx, ...noRate } = cad;
      await expect(erp.createInvoice({ ...noRate, naturalKey: '114-0000000-0000001' })).rejects.toThrow(
        /No exchange rate for CAD to USD on 2026-10-02/,
      );
      sim.setExchangeRate('SAMLTD', 'CAD', '2026-10-02', '0.7400');
      await erp.createInvoice({ ...noRate, naturalKey: '114-0000000-0000002' });
      expect(num(sim.documents('OEInvoices')[1].ExchangeRate)).toBe('0.74');
    });
  });

  describe('master data', () => {
    it('when an account does not fit the account structure, then it is named missing without a request for it', async () => {
      const erp = adapter({ accountSegments: [4, 2] });
      expect(
        await erp.checkMasterData({ customers: [], items: [], glAccounts: ['1010-00', '4000-000'] }),
      ).toEqual([{ kind: 'GL_ACCOUNT', code: '4000-000', problem: 'MISSING' }]);
      expect(http.sent).toHaveLength(1);
      expect(decodeURIComponent(http.sent[0].url)).toContain("UnformattedAccount eq '101000'&");
    });

    it('when some customers, items and accounts are missing or inactive, then checkMasterData names each, a chunk of codes per request', async () => {
      sim.removeGlAccount('SAMLTD', '9999-00');
      sim.removeGlAccount('SAMLTD', '6100-00', true);
      sim.touchItem('SAMLTD', 'ITEM-2', { Inactive: true });
      const erp = adapter();
      const items = [
        ...Array.from({ length: 5 }, (_, i) => `ITEM-${i}`),
        ...Array.from({ length: 40 }, (_, i) => `GONE-${i}`),
      ];
      const problems = await erp.checkMasterData({
        customers: ['AMZ-US', 'AMZ-MX'],
        items,
        glAccounts: ['1010-00', '6100-00', '9999-00'],
      });
      expect(problems.filter((p) => !p.code.startsWith('GONE-'))).toEqual([
        { kind: 'CUSTOMER', code: 'AMZ-MX', problem: 'MISSING' },
        { kind: 'ITEM', code: 'ITEM-2', problem: 'INACTIVE' },
        { kind: 'GL_ACCOUNT', code: '6100-00', problem: 'INACTIVE' },
        { kind: 'GL_ACCOUNT', code: '9999-00', problem: 'MISSING' },
      ]);
      expect(problems.filter((p) => p.code.startsWith('GONE-'))).toHaveLength(40);
      // 45 items in two requests, one each for customers and accounts
      expect(http.sent.map((r) => r.url.replace(/^.*SAMLTD\/\w+\/(\w+).*$/, '$1'))).toEqual([
        'ARCustomers',
        'ICItems',
        'ICItems',
        'GLAccounts',
      ]);
    });
  });
});
