import { FetchTransport, type HttpRequest, type HttpTransport } from '@connector/core';
import { SapB1Simulator } from '@connector/sap-b1-simulator';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpSessionExpiredError,
  ErpUnavailableError,
  ErpValidationError,
} from '../../errors';
import type { ErpItemSnapshot, SalesDocumentDraft } from '../../port';
import { SapB1Adapter, type SapB1AdapterOptions } from '../sap-b1.adapter';

describe('SapB1Adapter against the Service Layer simulator', () => {
  let clock: number;
  let sim: SapB1Simulator;
  const adapters: SapB1Adapter[] = [];

  const adapter = (over: Partial<SapB1AdapterOptions> = {}) => {
    const a = new SapB1Adapter({
      baseUrl: over.baseUrl ?? sim.url,
      companyDb: 'SBODEMOUS',
      user: 'manager',
      password: 'secret',
      http: new FetchTransport(5_000),
      ...over,
    });
    adapters.push(a);
    return a;
  };
  const draft = (naturalKey: string, over: Partial<SalesDocumentDraft> = {}): SalesDocumentDraft => ({
    naturalKey,
    customerCode: 'AMZ-US',
    currency: 'USD',
    documentDate: '2024-05-01',
    lines: [
      { itemCode: 'ITEM-01', quantity: 2, unitPrice: '19.99', taxAmount: '3.20', sourceLineId: 'oi-1' },
      { itemCode: 'ITEM-02', quantity: 1, unitPrice: '0.10' },
    ],
    charges: [{ kind: 'SHIPPING', amount: '4.99' }],
    ...over,
  });

  beforeEach(async () => {
    clock = Date.parse('2024-05-01T10:00:00Z');
    sim = new SapB1Simulator({
      now: () => clock,
      users: { manager: 'secret' },
      items: Array.from({ length: 45 }, (_, i) => ({ ItemCode: `ITEM-${String(i).padStart(2, '0')}` })),
      customers: ['AMZ-US'],
      accounts: ['1000', '1010', '2200', '4000', '6100'],
    });
    await sim.start();
  });
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    await sim.close();
  });

  it('logs in lazily once and reuses the session across calls', async () => {
    const erp = adapter();
    expect(sim.stats.logins).toBe(0);
    await erp.ping();
    await erp.createSalesOrder(draft('111-0000000-0000001'));
    await erp.findByNaturalKey('SALES_ORDER', '111-0000000-0000001');
    expect(sim.stats.logins).toBe(1);
    expect(erp.logins).toBe(1);
    await erp.close();
    expect(sim.stats.logouts).toBe(1);
  });

  it('logs in again once when the session expired and repeats the call', async () => {
    const erp = adapter();
    await erp.ping();
    sim.expireSessions();
    await expect(erp.createSalesOrder(draft('111-0000000-0000002'))).resolves.toMatchObject({
      status: 'OPEN',
    });
    expect(sim.stats.logins).toBe(2);
    expect(sim.documents('Orders')).toHaveLength(1);
    clock += 31 * 60_000; // idle timeout
    await erp.ping();
    expect(sim.stats.logins).toBe(3);
  });

  it('throws ErpSessionExpiredError when a fresh session is refused too, ErpAuthError on bad credentials', async () => {
    // a transport that loses the cookie: every call after login is 401 / 301
    const inner = new FetchTransport(5_000);
    const cookieless: HttpTransport = {
      request: (req: HttpRequest) => inner.request({ ...req, headers: { ...req.headers, cookie: '' } }),
    };
    const err = await adapter({ http: cookieless })
      .ping()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpSessionExpiredError);
    expect(sim.stats.logins).toBe(2);

    const bad = await adapter({ password: 'wrong' })
      .ping()
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ErpAuthError);
    expect((bad as ErpAuthError).detail).toMatchObject({
      erp: 'SAP_B1',
      erpCode: '100000027',
      httpStatus: 401,
    });
  });

  it('finds documents by NumAtCard (quotes escaped) and does not stop duplicates itself', async () => {
    const erp = adapter();
    const key = "O'Brien-111-2223334";
    expect(await erp.findByNaturalKey('SALES_ORDER', key)).toBeNull();
    const created = await erp.createSalesOrder(draft(key));
    expect(created).toEqual({
      kind: 'SALES_ORDER',
      naturalKey: key,
      internalId: '1',
      documentNumber: '1',
      status: 'OPEN',
    });
    expect(await erp.findByNaturalKey('SALES_ORDER', key)).toEqual(created);
    expect(await erp.findByNaturalKey('INVOICE', key)).toBeNull();
    await erp.createSalesOrder(draft(key));
    expect(sim.documents('Orders').map((o) => o.NumAtCard)).toEqual([key, key]);
    // exact amounts and the shipping charge as a freight (DocumentAdditionalExpenses) line
    const order = sim.documents('Orders')[0];
    expect(order).toMatchObject({ DocTotal: '48.27', VatSum: '3.2', CardCode: 'AMZ-US' });
    expect(order.DocumentAdditionalExpenses).toEqual([
      expect.objectContaining({ ExpenseCode: 1, LineTotal: '4.99' }),
    ]);
    expect(order.DocumentLines).toEqual([
      expect.objectContaining({
        ItemCode: 'ITEM-01',
        UnitPrice: '19.99',
        LineTotal: '39.98',
        FreeText: 'oi-1',
      }),
      expect.objectContaining({ ItemCode: 'ITEM-02', UnitPrice: '0.1', LineTotal: '0.1' }),
    ]);
    await expect(erp.createSalesOrder(draft('x'.repeat(101)))).rejects.toBeInstanceOf(ErpValidationError);
  });

  it('creates the invoice by copying the order (BaseType 17), which closes the order', async () => {
    const erp = adapter();
    const order = await erp.createSalesOrder(draft('111-0000000-0000003'));
    const invoice = await erp.createInvoice({ ...draft('111-0000000-0000003'), baseOrder: order });
    expect(invoice).toMatchObject({ kind: 'INVOICE', internalId: '1', status: 'OPEN' });
    expect(sim.documents('Invoices')[0].DocumentLines).toEqual([
      expect.objectContaining({ BaseType: 17, BaseEntry: 1, BaseLine: 0, ItemCode: 'ITEM-01' }),
      expect.objectContaining({ BaseType: 17, BaseEntry: 1, BaseLine: 1, ItemCode: 'ITEM-02' }),
    ]);
    expect(await erp.findByNaturalKey('SALES_ORDER', '111-0000000-0000003')).toMatchObject({
      status: 'CLOSED',
    });
    expect(await erp.findByNaturalKey('INVOICE', '111-0000000-0000003')).toEqual(invoice);
    // a closed order cannot be cancelled
    await expect(erp.cancelOrder(order)).rejects.toBeInstanceOf(ErpValidationError);
  });

  it('copies the invoice from the lines the order was written with, without reading the order; an order closed meanwhile is read, and the invoice stands alone', async () => {
    const erp = adapter();
    const reads = () =>
      Object.entries(sim.stats.requests)
        .filter(([k]) => k.startsWith('GET Orders'))
        .reduce((n, [, v]) => n + v, 0);
    const order = await erp.createSalesOrder(draft('111-0000000-0000004'));
    const before = reads();
    await erp.createInvoice({ ...draft('111-0000000-0000004'), baseOrder: order });
    expect(reads()).toBe(before);

    // someone closes the order in SAP: the first try is refused, the order read, and the invoice
    // stands alone
    const changed = await erp.createSalesOrder(draft('111-0000000-0000005'));
    sim.documentAction('Orders', Number(changed.internalId), 'Close');
    const invoice = await erp.createInvoice({ ...draft('111-0000000-0000005'), baseOrder: changed });
    expect(reads()).toBe(before + 1);
    const lines = sim.documents('Invoices').find((i) => String(i.DocEntry) === invoice.internalId)!
      .DocumentLines as Array<Record<string, unknown>>;
    expect(lines.map((l) => [l.ItemCode, l.BaseEntry])).toEqual([
      ['ITEM-01', undefined],
      ['ITEM-02', undefined],
    ]);
    expect(sim.documents('Invoices')).toHaveLength(2);
  });

  it('cancels an order (and again, idempotently)', async () => {
    const erp = adapter();
    const order = await erp.createSalesOrder(draft('111-0000000-0000004'));
    await expect(erp.cancelOrder(order)).resolves.toMatchObject({ status: 'CANCELLED', internalId: '1' });
    await expect(erp.cancelOrder(order)).resolves.toMatchObject({ status: 'CANCELLED' });
    expect(sim.stats.requests['POST Orders/Cancel']).toBe(1);
  });

  it('refuses an unbalanced journal before sending it; posts a balanced one with Reference = natural key', async () => {
    const erp = adapter();
    const journal = {
      naturalKey: '12345678/ATVPDKIKX0DER/USD',
      postingDate: '2024-05-14',
      currency: 'USD',
      reference: '12345678',
      memo: 'Amazon settlement 12345678',
      lines: [
        { account: '1010', debit: '0.20', credit: '0', description: 'payout' },
        { account: '6100', debit: '0.10', credit: '0', description: 'fees' },
        { account: '4000', debit: '0', credit: '0.10', description: 'sales' },
        { account: '2200', debit: '0', credit: '0.20', description: 'tax' },
      ],
    };
    const unbalanced = { ...journal, lines: journal.lines.slice(0, 3) };
    await expect(erp.postJournal(unbalanced)).rejects.toBeInstanceOf(ErpValidationError);
    expect(sim.stats.requests['POST JournalEntries']).toBeUndefined();

    const ref = await erp.postJournal(journal);
    expect(ref).toMatchObject({ kind: 'JOURNAL', internalId: '1', documentNumber: '1' });
    expect(await erp.findByNaturalKey('JOURNAL', journal.naturalKey)).toEqual(ref);
    expect(sim.documents('JournalEntries')[0]).toMatchObject({
      Reference: journal.naturalKey,
      Reference2: '12345678',
    });

    // an account the chart does not have: the Service Layer's own refusal, with its code
    const badAccount = {
      ...journal,
      naturalKey: 'k2',
      lines: [journal.lines[0], { ...journal.lines[3], account: '7777' }],
    };
    const err = await erp.postJournal(badAccount).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).detail.erpCode).toBe('-5002');

    // a line clearing the marketplace customer's receivable goes through the business partner
    await erp.postJournal({
      ...journal,
      naturalKey: 'k3',
      lines: [{ ...journal.lines[0], customerCode: 'AMZ-US' }, ...journal.lines.slice(1)],
    });
    const lines = sim.documents('JournalEntries').at(-1)?.JournalEntryLines as Array<Record<string, unknown>>;
    expect(lines[0]).toMatchObject({ ShortName: 'AMZ-US' });
    expect(lines[1].ShortName).not.toBe('AMZ-US');
  });

  it('maps an unknown item to ErpValidationError with the SAP code', async () => {
    const erp = adapter();
    const err = await erp
      .createSalesOrder(
        draft('111-0000000-0000005', { lines: [{ itemCode: 'NOPE', quantity: 1, unitPrice: '1.00' }] }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).detail).toEqual({ erp: 'SAP_B1', erpCode: '-5002', httpStatus: 400 });
    expect((err as ErpValidationError).retriable).toBe(false);
  });

  it('maps record locks to ErpRecordLockedError and outages / network errors to ErpUnavailableError', async () => {
    const erp = adapter();
    await erp.ping();
    sim.setFaults({ lockRate: 1 });
    const locked = await erp.createSalesOrder(draft('111-0000000-0000006')).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(ErpRecordLockedError);
    expect((locked as ErpRecordLockedError).detail).toMatchObject({ erpCode: '-2039', httpStatus: 412 });
    expect((locked as ErpRecordLockedError).retriable).toBe(true);

    sim.setFaults({ lockRate: 0, outage: true });
    await expect(erp.ping()).rejects.toBeInstanceOf(ErpUnavailableError);
    sim.clearFaults();

    const url = sim.url;
    await sim.close();
    await expect(adapter({ baseUrl: url }).ping()).rejects.toBeInstanceOf(ErpUnavailableError);
    await sim.start();
  });

  it('records a receipt as an incoming payment by bank transfer, found again by Reference2', async () => {
    const erp = adapter();
    const receipt = {
      naturalKey: '12345678/ATVPDKIKX0DER',
      customerCode: 'AMZ-US',
      amount: '1234.56',
      currency: 'USD',
      date: '2024-05-16',
      bankAccount: '1000',
      reference: '12345678',
    };
    const ref = await erp.createReceipt(receipt);
    expect(ref).toMatchObject({ kind: 'RECEIPT', internalId: '1', status: 'OPEN' });
    expect(await erp.findByNaturalKey('RECEIPT', receipt.naturalKey)).toEqual(ref);
    expect(sim.documents('IncomingPayments')[0]).toMatchObject({
      DocType: 'rCustomer',
      TransferAccount: '1000',
      TransferSum: '1234.56',
      TransferDate: '2024-05-16',
      TransferReference: '12345678',
    });
    await expect(erp.createReceipt({ ...receipt, amount: '0.00' })).rejects.toBeInstanceOf(
      ErpValidationError,
    );
  });

  it('reads item changes in keyset pages across odata.nextLink, resuming after the cursor without repeats', async () => {
    const erp = adapter({ serverPageSize: 20 });
    const until = '2024-05-01T10:00:00.000Z';
    const first = await erp.readItemChanges({ after: null, until, pageSize: 30 });
    expect(first.items).toHaveLength(30);
    expect(first.items[0]).toEqual({
      itemCode: 'ITEM-00',
      description: 'Item ITEM-00',
      active: true,
      changedAt: '2024-05-01T10:00:00.000Z',
      prices: [{ priceList: '1', price: '10', currency: 'USD' }],
      quantities: null,
    });
    expect(first.next).toEqual({ changedAt: '2024-05-01T10:00:00.000Z', key: 'ITEM-29' });
    const second = await erp.readItemChanges({ after: first.next, until, pageSize: 30 });
    expect(second.items.map((i) => i.itemCode)).toEqual(
      Array.from({ length: 15 }, (_, i) => `ITEM-${String(30 + i).padStart(2, '0')}`),
    );
    const empty = await erp.readItemChanges({ after: second.next, until, pageSize: 30 });
    expect(empty).toEqual({ items: [], next: null });

    clock += 60_000;
    sim.updateItem('ITEM-07', { prices: { 1: '12.345' } });
    // the window still ends at 10:00:00: the change at 10:01:00 is not in it
    expect((await erp.readItemChanges({ after: second.next, until, pageSize: 30 })).items).toEqual([]);
    const third = await erp.readItemChanges({
      after: second.next,
      until: '2024-05-01T10:01:00.999Z',
      pageSize: 30,
    });
    expect(third.items.map((i) => [i.itemCode, i.prices[0].price])).toEqual([['ITEM-07', '12.345']]);
    expect(third.next).toEqual({ changedAt: '2024-05-01T10:01:00.000Z', key: 'ITEM-07' });
    // 45 items read with server pages of 20: the first read followed a nextLink
    expect(sim.stats.requests['GET Items']).toBeGreaterThanOrEqual(5);
  });

  it("turns UpdateDate/UpdateTime, the server's local time, into UTC with the configured offset", async () => {
    // the simulator stamps 10:00:00; a server on UTC+2 means 08:00:00Z
    const erp = adapter({ serverUtcOffsetMinutes: 120 });
    const before = await erp.readItemChanges({ after: null, until: '2024-05-01T07:59:59.999Z', pageSize: 5 });
    expect(before.items).toEqual([]);
    const page = await erp.readItemChanges({ after: null, until: '2024-05-01T08:00:00.000Z', pageSize: 5 });
    expect(page.items.map((i) => i.changedAt)).toEqual(Array(5).fill('2024-05-01T08:00:00.000Z'));
    expect(page.next).toEqual({ changedAt: '2024-05-01T08:00:00.000Z', key: 'ITEM-04' });
    const next = await erp.readItemChanges({
      after: page.next,
      until: '2024-05-01T08:00:00.000Z',
      pageSize: 5,
    });
    expect(next.items[0].itemCode).toBe('ITEM-05');
  });

  it('reads an item frozen or not valid for sale as inactive', async () => {
    const erp = adapter();
    // PATCHes as a user's changes in the client would make them
    const login = await fetch(`${sim.url}/b1s/v1/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: 'secret' }),
    });
    const cookie = `B1SESSION=${((await login.json()) as { SessionId: string }).SessionId}`;
    const patch = (code: string, body: unknown) =>
      fetch(`${sim.url}/b1s/v1/Items('${code}')`, {
        method: 'PATCH',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    clock += 1_000;
    expect((await patch('ITEM-01', { Frozen: 'tYES' })).status).toBe(204);
    expect((await patch('ITEM-02', { Valid: 'tNO' })).status).toBe(204);
    expect((await patch('ITEM-03', { ItemName: 'renamed' })).status).toBe(204);
    const page = await erp.readItemChanges({
      after: { changedAt: '2024-05-01T10:00:00.000Z', key: 'ITEM-44' },
      until: '2024-05-01T10:00:01.000Z',
      pageSize: 10,
    });
    expect(page.items.map((i) => [i.itemCode, i.active])).toEqual([
      ['ITEM-01', false],
      ['ITEM-02', false],
      ['ITEM-03', true],
    ]);
  });

  it('scans every item in ItemCode order with InStock and Committed per warehouse', async () => {
    const erp = adapter({ serverPageSize: 20 });
    sim.postStock({ itemCode: 'ITEM-03', warehouse: '01', quantity: '-2.5' });
    await erp.createSalesOrder(draft('111-0000000-0000003'));
    const scanned: ErpItemSnapshot[] = [];
    let afterKey: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await erp.scanItems(afterKey, 25);
      pages++;
      scanned.push(...page.items);
      if (page.nextKey === null) break;
      afterKey = page.nextKey;
    }
    expect(scanned.find((i) => i.itemCode === 'ITEM-01')?.quantities).toEqual([
      { warehouseCode: '01', onHand: '100', committed: '2' },
    ]);
    expect(scanned.find((i) => i.itemCode === 'ITEM-03')?.quantities).toEqual([
      { warehouseCode: '01', onHand: '97.5', committed: '0' },
    ]);
    expect(pages).toBe(2);
    const codes = scanned.map((i) => i.itemCode);
    expect(codes).toEqual(Array.from({ length: 45 }, (_, i) => `ITEM-${String(i).padStart(2, '0')}`));
  });

  it('reads shipments from delivery notes by NumAtCard with tracking, carrier and the base order', async () => {
    // every erpClock() asks the server, whose clock jumps here
    const erp = adapter({ clockMaxAgeMs: 0 });
    const order = await erp.createSalesOrder(draft('111-0000000-0000009'));
    clock += 86_400_000;
    sim.create('DeliveryNotes', {
      CardCode: 'AMZ-US',
      NumAtCard: '111-0000000-0000009',
      TrackingNumber: '1Z999',
      TransportationCode: 3,
      DocumentLines: [{ BaseType: 17, BaseEntry: Number(order.internalId), BaseLine: 1 }],
    });
    sim.create('DeliveryNotes', {
      CardCode: 'AMZ-US',
      DocumentLines: [{ ItemCode: 'ITEM-04', Quantity: 1 }],
    });
    const until = await erp.erpClock();
    expect(until).toBe('2024-05-02T10:00:00.000Z');
    const page = await erp.readShipments({ after: null, until, pageSize: 10 });
    expect(page.items).toEqual([
      {
        naturalKey: '111-0000000-0000009',
        shipmentId: '1',
        shipmentNumber: '1',
        erpOrderNumber: order.documentNumber,
        shippedAt: '2024-05-02T00:00:00.000Z',
        changedAt: '2024-05-02T10:00:00.000Z',
        carrier: '3',
        trackingNumber: '1Z999',
        lines: [{ itemCode: 'ITEM-02', quantity: 1 }],
      },
    ]);
    expect(page.next).toEqual({ changedAt: '2024-05-02T10:00:00.000Z', key: '1' });
    expect(await erp.readShipments({ after: page.next, until, pageSize: 10 })).toEqual({
      items: [],
      next: null,
    });
  });
});
