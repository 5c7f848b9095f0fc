import { FetchTransport, type HttpRequest, type HttpResponse, type HttpTransport } from '@connector/core';
import { Sage300Simulator } from '@connector/sage300-simulator';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../../errors';
import type { ChangeCursor, JournalDraft, SalesDocumentDraft } from '../../port';
import { Sage300Adapter, sage300Account, sage300KeyText } from '../sage300.adapter';

/** The real transport, remembering what went out. */
class Recording implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  private readonly inner = new FetchTransport(5_000);
  request(req: HttpRequest): Promise<HttpResponse> {
    this.sent.push(req);
    return this.inner.request(req);
  }
}

const ORDER_ID = '114-3941689-8772232';
const DAY = 86_400_000;

const orderDraft = (naturalKey = ORDER_ID, itemCode = 'ITEM-1'): SalesDocumentDraft => ({
  naturalKey,
  customerCode: 'AMZ-US',
  currency: 'USD',
  documentDate: '2026-10-02',
  comments: `Amazon.com order ${naturalKey} (MFN)`,
  lines: [{ itemCode, quantity: 3, unitPrice: '19.99', taxAmount: '4.20' }],
  charges: [
    { kind: 'SHIPPING', amount: '4.99' },
    { kind: 'PROMOTION', amount: '-1.10' },
  ],
});

const journal = (naturalKey: string, lines: JournalDraft['lines']): JournalDraft => ({
  naturalKey,
  postingDate: '2026-10-15',
  currency: 'USD',
  reference: 'AMZ-SETTLE-11000000001',
  memo: 'Amazon settlement 11000000001 2026-10-01–2026-10-15',
  lines,
});

describe('Sage300Adapter against the Sage 300 simulator', () => {
  let sim: Sage300Simulator;
  let http: Recording;
  let clock: number;
  const adapter = (over: Partial<ConstructorParameters<typeof Sage300Adapter>[0]> = {}) =>
    new Sage300Adapter({
      baseUrl: sim.apiUrl,
      company: 'samltd',
      user: 'webapi',
      password: 'webapi',
      http,
      ...over,
    });

  beforeEach(async () => {
    clock = Date.UTC(2026, 9, 1, 12);
    sim = new Sage300Simulator({
      now: () => clock,
      items: Array.from({ length: 25 }, (_, i) => ({ itemNumber: `ITEM-${i}`, price: `${i}.50` })),
      customers: ['AMZ-US'],
      accounts: ['1010-00', '4000-00', '6100-00', '9999-00'],
      bankCodes: ['1010'],
      pageSize: 7,
    });
    await sim.start();
    http = new Recording();
  });
  afterEach(() => sim.close());

  it('when the user and password are given in lower case, then they are sent upper-cased with Basic auth on every request', async () => {
    await adapter().ping();
    expect(http.sent[0].headers!.Authorization).toBe(
      `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`,
    );
    expect(http.sent[0].headers!['Content-Type']).toBe('application/json');
    expect(http.sent[0].url).toContain('/Sage300WebApi/v1.0/-/SAMLTD/AR/ARCustomers');
  });

  it('when the password or company is wrong, then ErpAuthError', async () => {
    await expect(adapter({ password: 'nope' }).ping()).rejects.toBeInstanceOf(ErpAuthError);
    await expect(adapter({ company: 'OTHER' }).ping()).rejects.toMatchObject({
      detail: { erp: 'SAGE300', erpCode: 'Unauthorized', httpStatus: 401 },
    });
  });

  it('when a sales order is written, then it is found again by its PO number and charges become misc-charge lines', async () => {
    const erp = adapter();
    expect(await erp.findByNaturalKey('SALES_ORDER', ORDER_ID)).toBeNull();
    const ref = await erp.createSalesOrder(orderDraft());
    expect(ref).toEqual({
      kind: 'SALES_ORDER',
      naturalKey: ORDER_ID,
      internalId: '1',
      documentNumber: 'ORD000000000001',
      status: 'OPEN',
    });
    expect(await erp.findByNaturalKey('SALES_ORDER', ORDER_ID)).toEqual(ref);
    const [order] = sim.documents('OEOrders');
    expect(order.PurchaseOrderNumber).toBe(ORDER_ID);
    const lines = order.OrderDetails as Array<Record<string, unknown>>;
    expect(lines.map((l) => [l.LineNumber, l.LineType, l.MiscellaneousChargesCode ?? l.Item])).toEqual([
      [32, 'Item', 'ITEM-1'],
      [64, 'Miscellaneous', 'FRT'],
      [96, 'Miscellaneous', 'PROMO'],
    ]);
    expect(String(lines[0].ExtendedAmount)).toBe('59.97');
    expect(String(lines[2].ExtendedAmount)).toBe('-1.1');
    expect(erp.capabilities).toMatchObject({
      kind: 'SAGE300',
      invoices: 'copyFromOrder',
      cancelOrder: false,
      naturalKeyMaxLength: 22,
    });
  });

  it('when an order is followed by its invoice, then an AR invoice batch with one invoice carries the key and exact amounts', async () => {
    const erp = adapter();
    const order = await erp.createSalesOrder(orderDraft());
    const inv = await erp.createInvoice({ ...orderDraft(), baseOrder: order });
    expect(inv).toMatchObject({ kind: 'INVOICE', internalId: '1-1', documentNumber: '1-1', status: 'OPEN' });
    expect(await erp.findByNaturalKey('INVOICE', ORDER_ID)).toEqual(inv);
    const [batch] = sim.documents('ARInvoiceBatches');
    expect(batch.Description).toBe(ORDER_ID);
    const [invoice] = batch.Invoices as Array<Record<string, unknown>>;
    expect(invoice).toMatchObject({
      CustomerNumber: 'AMZ-US',
      DocumentType: 'Invoice',
      InvoiceType: 'Summary',
    });
    const details = invoice.InvoiceDetails as Array<Record<string, unknown>>;
    expect(details.map((d) => [d.LineNumber, d.DistributionCode, String(d.ExtendedAmountWithTIP)])).toEqual([
      [20, 'SALES', '59.97'],
      [40, 'FRT', '4.99'],
      [60, 'PROMO', '-1.1'],
    ]);
  });

  it('when a line names an unknown item, then ErpValidationError with the Sage code', async () => {
    await expect(adapter().createSalesOrder(orderDraft(ORDER_ID, 'NOPE'))).rejects.toMatchObject({
      constructor: ErpValidationError,
      detail: { erp: 'SAGE300', erpCode: 'RecordInvalid', httpStatus: 422 },
    });
  });

  it('when a journal does not balance, then it is refused before any request', async () => {
    const erp = adapter();
    await expect(
      erp.postJournal(
        journal('11000000001/ATVPDKIKX0DER/USD', [
          { account: '4000-00', debit: '0', credit: '0.30', description: 'sales' },
          { account: '1010-00', debit: '0.1', credit: '0', description: 'payout' },
          { account: '6100-00', debit: '0.1', credit: '0', description: 'fees' },
        ]),
      ),
    ).rejects.toBeInstanceOf(ErpValidationError);
    expect(http.sent).toHaveLength(0);
  });

  it('when a balanced journal is posted, then segmented accounts go unformatted, amounts signed, and the key finds it', async () => {
    const erp = adapter();
    const key = '11000000001/ATVPDKIKX0DER/USD';
    const ref = await erp.postJournal(
      journal(key, [
        { account: '4000-00', debit: '0', credit: '100.10', description: 'sales' },
        { account: '6100-00', debit: '15.02', credit: '0', description: 'fees' },
        { account: '1010-00', debit: '85.08', credit: '0', description: 'payout' },
      ]),
    );
    expect(ref).toMatchObject({ kind: 'JOURNAL', internalId: '000001-00001' });
    expect(await erp.findByNaturalKey('JOURNAL', key)).toEqual(ref);
    const [batch] = sim.documents('GLJournalBatches');
    const details = (batch.JournalHeaders as Array<{ JournalDetails: Array<Record<string, unknown>> }>)[0]
      .JournalDetails;
    expect(details.map((d) => [d.AccountNumber, String(d.Amount)])).toEqual([
      ['400000', '-100.1'],
      ['610000', '15.02'],
      ['101000', '85.08'],
    ]);
  });

  it('when the company has an account structure, then accounts are parsed against it and one that does not fit is refused before any request', async () => {
    const erp = adapter({ accountSegments: [4, 2] });
    const lines = (sales: string): JournalDraft['lines'] => [
      { account: sales, debit: '0', credit: '10.00', description: 'sales' },
      { account: '1010-00', debit: '10.00', credit: '0', description: 'payout' },
    ];
    for (const bad of ['4000-0', '40000-00', '4000-00-US', '4000']) {
      const err = await erp.postJournal(journal(`K/${bad}`, lines(bad))).catch((e: Error) => e);
      expect(err).toBeInstanceOf(ErpValidationError);
      expect(err).toMatchObject({ detail: { erpCode: 'AccountFormat' } });
    }
    expect(http.sent).toHaveLength(0);
    await erp.postJournal(journal('K/ok', lines('400000'))); // unsegmented, full length
    expect(sage300Account('4000-00', [4, 2])).toBe('400000');
  });

  it('when a natural key is longer than the 60-character description, then it is stored hashed and still found', async () => {
    const erp = adapter();
    const long = `${'9'.repeat(40)}/A1F83G8C2ARO7P/GBP/with-a-suffix-that-makes-it-long`;
    const other = `${long}-2`;
    const lines = [
      { account: '4000-00', debit: '0', credit: '1', description: 'x' },
      { account: '1010-00', debit: '1', credit: '0', description: 'y' },
    ];
    const ref = await erp.postJournal(journal(long, lines));
    await erp.postJournal(journal(other, lines));
    expect(sage300KeyText(long)).toHaveLength(60);
    expect(sage300KeyText(long)).not.toBe(sage300KeyText(other));
    expect(await erp.findByNaturalKey('JOURNAL', long)).toEqual(ref);
  });

  it('when a journal names an account missing from the chart, then ErpValidationError RecordInvalid', async () => {
    await expect(
      adapter().postJournal(
        journal('k', [
          { account: '4000', debit: '0', credit: '1', description: 'x' },
          { account: '1010-00', debit: '1', credit: '0', description: 'y' },
        ]),
      ),
    ).rejects.toMatchObject({ constructor: ErpValidationError, detail: { erpCode: 'RecordInvalid' } });
  });

  it('when a receipt is written, then it is an AR receipt batch (CA) found by its key; cancelling an order is unsupported', async () => {
    const erp = adapter();
    const ref = await erp.createReceipt({
      naturalKey: '11000000001/ATVPDKIKX0DER/USD',
      customerCode: 'AMZ-US',
      amount: '85.08',
      currency: 'USD',
      date: '2026-10-15',
      bankAccount: '1010',
      reference: 'AMZ-SETTLE-11000000001',
    });
    expect(ref).toMatchObject({ kind: 'RECEIPT', internalId: 'CA-1-1' });
    expect(await erp.findByNaturalKey('RECEIPT', '11000000001/ATVPDKIKX0DER/USD')).toEqual(ref);
    await expect(erp.cancelOrder(ref)).rejects.toBeInstanceOf(ErpUnsupportedError);
  });

  it('when writes meet a record lock, then ErpRecordLockedError; an outage or a dead server gives ErpUnavailableError', async () => {
    const erp = adapter();
    sim.setFaults({ lockRate: 1 });
    await expect(erp.createSalesOrder(orderDraft())).rejects.toMatchObject({
      constructor: ErpRecordLockedError,
      detail: { erpCode: 'General', httpStatus: 409 },
    });
    sim.setFaults({ lockRate: 0, outage: true });
    await expect(erp.findByNaturalKey('SALES_ORDER', ORDER_ID)).rejects.toMatchObject({
      constructor: ErpUnavailableError,
      detail: { httpStatus: 503 },
    });
    sim.clearFaults();
    await sim.close();
    await expect(erp.ping()).rejects.toBeInstanceOf(ErpUnavailableError);
    await sim.start();
  });

  it('when items change, then readItemChanges pages through them in (date, item) order without repeats, with their base prices', async () => {
    const erp = adapter();
    const until = '2026-10-01T12:00:00.000Z';
    const seen: string[] = [];
    let after: ChangeCursor | null = null;
    const sizes: number[] = [];
    let lastNext: ChangeCursor | null = null;
    for (;;) {
      const page = await erp.readItemChanges({ after, until, pageSize: 10 });
      sizes.push(page.items.length);
      seen.push(...page.items.map((i) => i.itemCode));
      lastNext = page.next;
      if (page.items.length === 0) break;
      after = page.next;
    }
    expect(sizes).toEqual([10, 10, 5, 0]);
    // an empty page has no next position
    expect(lastNext).toBeNull();
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `ITEM-${i}`).sort());
    clock += DAY;
    sim.touchItem('SAMLTD', 'ITEM-7', { Description: 'renamed', Inactive: true });
    // a window ending before the change does not hold it
    expect((await erp.readItemChanges({ after, until, pageSize: 10 })).items).toEqual([]);
    const next = await erp.readItemChanges({ after, until: '2026-10-02T12:00:00.000Z', pageSize: 10 });
    expect(next.items).toEqual([
      {
        itemCode: 'ITEM-7',
        description: 'renamed',
        active: false,
        changedAt: '2026-10-02T00:00:00.000Z',
        prices: [{ priceList: 'STD', price: '7.5', currency: 'USD' }],
        quantities: null,
      },
    ]);
    expect(next.next).toEqual({ changedAt: '2026-10-02T00:00:00.000Z', key: 'ITEM-7' });
    // Sage 300 has no $orderby: the read filters on the cursor's day and sorts here
    const reads = http.sent
      .filter((r) => r.url.includes('/IC/ICItems?'))
      .map((r) => decodeURIComponent(r.url).replace(/\+/g, ' '));
    expect(reads.every((u) => !u.includes('$orderby'))).toBe(true);
    expect(reads[reads.length - 1]).toContain("DateLastMaintained ge datetime'2026-10-01T00:00:00'");
  });

  it('when the server serves IC/ICLocationDetails, then scanItems returns stock per location in item order', async () => {
    const erp = adapter();
    sim.adjustStock('SAMLTD', 'ITEM-3', '1', '-4.25');
    const scanned: Array<[string, unknown]> = [];
    let afterKey: string | null = null;
    for (;;) {
      const page = await erp.scanItems(afterKey, 10);
      scanned.push(...page.items.map((i): [string, unknown] => [i.itemCode, i.quantities]));
      if (page.nextKey === null) break;
      afterKey = page.nextKey;
    }
    expect(scanned.map(([k]) => k)).toEqual(Array.from({ length: 25 }, (_, i) => `ITEM-${i}`).sort());
    expect(scanned.find(([k]) => k === 'ITEM-3')?.[1]).toEqual([
      { warehouseCode: '1', onHand: '95.75', committed: '0' },
    ]);
    // the item list is read once per scan, not once per page (no $orderby to page by key)
    const listReads = http.sent.filter((r) => /\/IC\/ICItems\?/.test(r.url));
    expect(listReads.filter((r) => !r.url.includes('%24skip=')).length).toBe(1); // one read, its server pages followed
    expect(listReads.some((r) => decodeURIComponent(r.url).includes('ItemNumber gt'))).toBe(false);
  });

  it('when the server answers 404 for IC/ICLocationDetails (a 2022 Web API), then quantities are null and it is not asked again', async () => {
    sim.setLocationDetails(false);
    const erp = adapter();
    const first = await erp.scanItems(null, 5);
    expect(first.items.map((i) => i.quantities)).toEqual([null, null, null, null, null]);
    expect(first.items[0].prices).toEqual([{ priceList: 'STD', price: '0.5', currency: 'USD' }]);
    expect(first.nextKey).toBe(first.items[4].itemCode);
    const second = await erp.scanItems(first.nextKey, 5);
    expect(second.items[0].quantities).toBeNull();
    expect(http.sent.filter((r) => r.url.includes('/ICLocationDetails')).length).toBe(1);
  });

  it('when an order ships, then readShipments returns it under the Amazon order id with carrier and tracking', async () => {
    // every erpClock() asks the server, whose clock jumps here
    const erp = adapter({ clockMaxAgeMs: 0 });
    const ref = await erp.createSalesOrder(orderDraft());
    clock += DAY;
    sim.ship('SAMLTD', ref.documentNumber, { shipViaCode: 'UPS', trackingNumber: '1Z999' });
    const until = await erp.erpClock();
    expect(until).toBe('2026-10-02T12:00:00.000Z');
    const page = await erp.readShipments({ after: null, until, pageSize: 10 });
    expect(page.items).toEqual([
      {
        naturalKey: ORDER_ID,
        shipmentId: 'SH0000000000001',
        shipmentNumber: 'SH0000000000001',
        erpOrderNumber: ref.documentNumber,
        shippedAt: '2026-10-02T00:00:00.000Z',
        changedAt: '2026-10-02T00:00:00.000Z',
        carrier: 'UPS',
        trackingNumber: '1Z999',
        lines: [{ itemCode: 'ITEM-1', quantity: 3 }],
      },
    ]);
    expect((await erp.readShipments({ after: page.next, until, pageSize: 10 })).items).toEqual([]);
  });
});
