import { FetchTransport } from '@connector/core';
import { AgentServer } from '@connector/sage100-agent-core';
import { type BoiSimulator, Sage100Simulator, startSage100Simulator } from '@connector/sage100-simulator';
import { ErpAuthError, ErpRecordLockedError, ErpUnavailableError, ErpValidationError } from '../../errors';
import type { JournalDraft, SalesDocumentDraft } from '../../port';
import { InMemorySage100OrderNumbers } from '../order-numbers';
import { Sage100Adapter, sage100Stamp } from '../sage100.adapter';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ORDER_ID = '114-3941689-8772232';

const order: SalesDocumentDraft = {
  naturalKey: ORDER_ID,
  customerCode: '01-AMZUS',
  currency: 'USD',
  documentDate: '2026-10-02',
  lines: [{ itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.99' }],
  charges: [],
};

const journal: JournalDraft = {
  naturalKey: 'S1/ATVPDKIKX0DER/USD',
  postingDate: '2026-10-02',
  currency: 'USD',
  reference: 'S1',
  memo: 'Amazon settlement S1',
  lines: [
    { account: '610-000', debit: '12.34', credit: '0', description: 'fees' },
    { account: '102-000', debit: '0', credit: '12.34', description: 'payout' },
  ],
};

/**
 * A Sage 100 installation of its own (SOAP simulator and the agent over its BOI) and an adapter for
 * it, for a test that needs another seed or other adapter options; stopped after `fn`.
 */
async function withInstallation(
  seed: Parameters<typeof startSage100Simulator>[0],
  options: Partial<ConstructorParameters<typeof Sage100Adapter>[0]>,
  fn: (a: Sage100Adapter, sim: Sage100Simulator) => Promise<void>,
): Promise<void> {
  const sim = await startSage100Simulator({ ...seed, boiUsers: { AGENT: 'boi-pw' } });
  const agent = new AgentServer({
    boi: sim.boi,
    secret: SECRET,
    boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
  });
  await agent.start();
  try {
    await fn(
      new Sage100Adapter({
        serviceUrl: sim.serviceUrl,
        company: 'ABC',
        user: 'WEBUSER',
        password: 'secret',
        http: new FetchTransport(5_000),
        agent: { url: agent.url, secret: SECRET },
        ...options,
      }),
      sim,
    );
  } finally {
    await agent.close();
    await sim.close();
  }
}

describe('Sage100Adapter through the agent (BOI simulator)', () => {
  let soapSim: Sage100Simulator;
  let boi: BoiSimulator;
  let agent: AgentServer;
  let adapter: Sage100Adapter;

  beforeEach(async () => {
    // one installation: the web service and the BOI work on the same tables
    soapSim = await startSage100Simulator({
      items: ['ITEM-1'],
      onHand: '10',
      accounts: ['610000', '102000'],
      boiUsers: { AGENT: 'boi-pw' },
    });
    boi = soapSim.boi;
    agent = new AgentServer({
      boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
    });
    await agent.start();
    adapter = new Sage100Adapter({
      serviceUrl: soapSim.serviceUrl,
      company: 'ABC',
      user: 'WEBUSER',
      password: 'secret',
      http: new FetchTransport(5_000),
      orderNumbers: new InMemorySage100OrderNumbers(),
      agent: { url: agent.url, secret: SECRET },
      accountSegments: [3, 3],
      sleep: () => Promise.resolve(),
    });
  });
  afterEach(async () => {
    await agent.close();
    await soapSim.close();
  });

  it('declares invoices, journals and receipts only with an agent', () => {
    expect(adapter.capabilities).toMatchObject({
      invoices: 'copyFromOrder',
      journals: true,
      receipts: true,
      itemChanges: true,
      shipments: true,
    });
  });

  it('invoices an order written over SOAP, once, and finds the invoice by the Amazon order id', async () => {
    const so = await adapter.createSalesOrder(order);
    expect(await adapter.findByNaturalKey('INVOICE', ORDER_ID)).toBeNull();
    const inv = await adapter.createInvoice({ ...order, baseOrder: so });
    expect(inv).toMatchObject({ kind: 'INVOICE', naturalKey: ORDER_ID, documentNumber: '0000001' });
    expect(await adapter.findByNaturalKey('INVOICE', ORDER_ID)).toEqual(inv);
    expect(await adapter.createInvoice({ ...order })).toEqual(inv);
    expect(boi.db().rows('SO_InvoiceHeader')).toHaveLength(1);
    expect(boi.db().find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header.QuantityOnHand).toBe('8');
  });

  it('reads a shipped invoice with tracking as a shipment of the Amazon order', async () => {
    const so = await adapter.createSalesOrder(order);
    await adapter.createInvoice({ ...order, baseOrder: so });
    const window = { after: null, until: '2100-01-01T00:00:00Z', pageSize: 10 };
    // no tracking yet: not a shipment
    expect((await adapter.readShipments(window)).items).toEqual([]);
    const inv = boi.db().rows('SO_InvoiceHeader')[0];
    Object.assign(inv.header, { TrackingID$: '1Z999', ShipVia$: 'UPS GROUND' });
    const page = await adapter.readShipments(window);
    expect(page.items).toEqual([
      {
        naturalKey: ORDER_ID,
        shipmentId: '0000001',
        shipmentNumber: '0000001',
        erpOrderNumber: so.documentNumber,
        shippedAt: '2026-10-02T00:00:00.000Z',
        changedAt: expect.any(String) as string,
        carrier: 'UPS GROUND',
        trackingNumber: '1Z999',
        lines: [{ itemCode: 'ITEM-1', quantity: 2 }],
      },
    ]);
    expect(await adapter.readShipments({ ...window, after: page.next })).toEqual({ items: [], next: null });
  });

  it('posts a settlement journal once, accounts parsed against the format', async () => {
    expect(await adapter.findByNaturalKey('JOURNAL', journal.naturalKey)).toBeNull();
    const ref = await adapter.postJournal(journal);
    expect(ref).toMatchObject({ kind: 'JOURNAL', documentNumber: '000001' });
    expect(await adapter.postJournal(journal)).toEqual(ref);
    expect(await adapter.findByNaturalKey('JOURNAL', journal.naturalKey)).toEqual(ref);
    const [je] = boi.db().rows('GL_GeneralJournalHeader');
    expect(je.lines.map((l) => [l.AccountKey$, l.DebitAmount, l.CreditAmount])).toEqual([
      ['610000', '12.34', '0'],
      ['102000', '0', '12.34'],
    ]);
  });

  it('an unknown GL account is a validation error; nothing written', async () => {
    const bad = {
      ...journal,
      naturalKey: 'S2/X/USD',
      lines: [{ ...journal.lines[0], account: '999-999' }, journal.lines[1]],
    };
    await expect(adapter.postJournal(bad)).rejects.toBeInstanceOf(ErpValidationError);
    expect(boi.db().rows('GL_GeneralJournalHeader')).toHaveLength(0);
  });

  it('posts a receipt once', async () => {
    const draft = {
      naturalKey: 'S1/ATVPDKIKX0DER',
      customerCode: '01-AMZUS',
      amount: '100.05',
      currency: 'USD',
      date: '2026-10-02',
      bankAccount: 'A',
      reference: 'S1',
    };
    expect(await adapter.findByNaturalKey('RECEIPT', draft.naturalKey)).toBeNull();
    const ref = await adapter.createReceipt(draft);
    await adapter.createReceipt(draft);
    expect(await adapter.findByNaturalKey('RECEIPT', draft.naturalKey)).toEqual(ref);
    expect(
      boi
        .db()
        .rows('AR_CashReceiptsHeader')
        .map((r) => r.header.PostingAmt),
    ).toEqual(['100.05']);
  });

  it('reads items with stock and prices, in change order and as a full scan', async () => {
    const db = boi.db();
    db.insert('CI_Item', {
      ItemCode$: 'ITEM-2',
      ItemCodeDesc$: 'Two',
      StandardUnitPrice: '5.10',
      InactiveItem$: 'Y',
    });
    db.find('CI_Item', ['ITEM-2'])!.header['DateUpdated$'] = '20261003';
    db.find('CI_Item', ['ITEM-2'])!.header['TimeUpdated$'] = '6.26';
    db.find('CI_Item', ['ITEM-1'])!.header['DateUpdated$'] = '20261002';
    db.find('CI_Item', ['ITEM-1'])!.header['TimeUpdated$'] = '0';
    db.find('CI_Item', ['ITEM-1'])!.header.StandardUnitPrice = '19.99';
    const scan = await adapter.scanItems(null, 1);
    expect(scan.nextKey).toBe('ITEM-1');
    expect(scan.items[0]).toEqual({
      itemCode: 'ITEM-1',
      description: 'ITEM-1',
      active: true,
      changedAt: '2026-10-02T00:00:00.000Z',
      prices: [{ priceList: 'STANDARD', price: '19.99', currency: 'USD' }],
      quantities: [{ warehouseCode: '000', onHand: '10', committed: '0' }],
    });
    const rest = await adapter.scanItems('ITEM-1', 10);
    expect(rest).toMatchObject({
      nextKey: null,
      items: [{ itemCode: 'ITEM-2', active: false, description: 'Two' }],
    });
    const changes = await adapter.readItemChanges({
      after: { changedAt: '2026-10-02T00:00:00.000Z', key: 'ITEM-1' },
      until: '2026-10-04T00:00:00Z',
      pageSize: 10,
    });
    expect(changes.items.map((i) => [i.itemCode, i.changedAt])).toEqual([
      ['ITEM-2', '2026-10-03T06:15:36.000Z'],
    ]);
  });

  it('record in use at the BOI is retried, then retriable', async () => {
    boi.recordInUseRate = 1;
    await expect(adapter.postJournal(journal)).rejects.toBeInstanceOf(ErpRecordLockedError);
    expect(boi.db().rows('GL_GeneralJournalHeader')).toHaveLength(0);
  });

  it('a wrong shared secret is an auth error; an unreachable agent is an outage', async () => {
    const wrong = new Sage100Adapter({
      serviceUrl: soapSim.serviceUrl,
      company: 'ABC',
      user: 'WEBUSER',
      password: 'secret',
      http: new FetchTransport(5_000),
      agent: { url: agent.url, secret: 'x'.repeat(40) },
    });
    const err = await wrong.postJournal(journal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpAuthError);
    // ping checks both halves: the web service logon passes, the agent refuses the secret
    await expect(adapter.ping()).resolves.toBeUndefined();
    await expect(wrong.ping()).rejects.toBeInstanceOf(ErpAuthError);
    expect((err as Error).message).not.toContain('x'.repeat(40));
    const url = agent.url;
    await agent.close();
    const gone = new Sage100Adapter({
      serviceUrl: soapSim.serviceUrl,
      company: 'ABC',
      user: 'WEBUSER',
      password: 'secret',
      http: new FetchTransport(5_000),
      agent: { url, secret: SECRET },
    });
    await expect(gone.postJournal(journal)).rejects.toBeInstanceOf(ErpUnavailableError);
    agent = new AgentServer({
      boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
    });
    await agent.start();
  });

  it('cancels an open order once, releasing its committed stock; an invoiced order is refused', async () => {
    const iw = () => boi.db().find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header;
    const so = await adapter.createSalesOrder(order);
    expect(iw().QuantityOnSalesOrder).toBe('2');
    const cancelled = await adapter.cancelOrder(so);
    expect(cancelled).toEqual({ ...so, status: 'CANCELLED' });
    expect(boi.db().find('SO_SalesOrderHeader', [so.documentNumber])).toBeUndefined();
    expect(iw().QuantityOnSalesOrder).toBe('0');
    // a retry after a lost answer: gone already, cancelled all the same
    expect(await adapter.cancelOrder(so)).toEqual(cancelled);

    const other = await adapter.createSalesOrder({ ...order, naturalKey: '114-0000000-0000002' });
    await adapter.createInvoice({ ...order, naturalKey: other.naturalKey, baseOrder: other });
    await expect(adapter.cancelOrder(other)).rejects.toBeInstanceOf(ErpValidationError);
    expect(boi.db().find('SO_SalesOrderHeader', [other.documentNumber])).toBeDefined();
  });

  it('with settlementPosting ap-invoice, fees are an A/P invoice of the Amazon vendor and the journal debits A/P control', async () => {
    const seed = { accounts: ['400000', '610000', '611000', '102000', '200000'], vendors: ['01-AMAZON'] };
    const options = {
      accountSegments: [3, 3],
      settlementPosting: {
        mode: 'ap-invoice' as const,
        apDivisionNo: '01',
        vendorNo: 'AMAZON',
        apControlAccount: '200-000',
        feeAccounts: ['610-000', '611-000'],
      },
    };
    await withInstallation(seed, options, async (a, sim) => {
      const settlement: JournalDraft = {
        ...journal,
        naturalKey: '12345678901/ATVPDKIKX0DER/USD',
        lines: [
          { account: '400-000', debit: '0', credit: '100.00', description: 'sales' },
          { account: '610-000', debit: '15.00', credit: '0', description: 'referral fees' },
          { account: '611-000', debit: '3.50', credit: '0', description: 'FBA fees' },
          { account: '611-000', debit: '0', credit: '0.50', description: 'FBA fee refund' },
          { account: '102-000', debit: '82.00', credit: '0', description: 'payout' },
        ],
      };
      const ref = await a.postJournal(settlement);
      // twice: each document once
      expect(await a.postJournal(settlement)).toEqual(ref);
      const db = sim.boi.db();
      const [inv] = db.rows('AP_InvoiceHeader');
      expect(db.rows('AP_InvoiceHeader')).toHaveLength(1);
      expect(inv.header).toMatchObject({
        APDivisionNo$: '01',
        VendorNo$: 'AMAZON',
        InvoiceNo$: '12345678901',
        InvoiceAmt: '18',
      });
      expect(inv.lines.map((l) => [l.AccountKey$, l.DistributionAmt])).toEqual([
        ['610000', '15'],
        ['611000', '3'],
      ]);
      const [je] = db.rows('GL_GeneralJournalHeader');
      expect(db.rows('GL_GeneralJournalHeader')).toHaveLength(1);
      expect(je.lines.map((l) => [l.AccountKey$, l.DebitAmount, l.CreditAmount])).toEqual([
        ['400000', '0', '100'],
        ['102000', '82', '0'],
        ['200000', '18', '0'],
      ]);
    });
  });

  it("reads change stamps as the server's local time, turned into UTC by the connection's offset", async () => {
    expect(sage100Stamp('20261128', '1.5', -300)).toBe('2026-11-28T06:30:00.000Z');
    expect(sage100Stamp('2026-11-28', '23.75', 60)).toBe('2026-11-28T22:45:00.000Z');
    const t = Date.parse('2026-11-28T03:15:00Z');
    // a New York server: 22:15 local on the 27th
    const seed = { items: ['ITEM-1'], now: () => t, utcOffsetMinutes: -300 };
    await withInstallation(seed, { serverUtcOffsetMinutes: -300 }, async (a, ny) => {
      expect(ny.boi.db().find('CI_Item', ['ITEM-1'])!.header['DateUpdated$']).toBe('20261127');
      const { items } = await a.scanItems(null, 10);
      expect(items[0].changedAt).toBe(new Date(t).toISOString());
    });
  });

  it('with the Amazon order id in a UDF (a short CustomerPONo), shipments carry the whole id', async () => {
    const seed = { items: ['ITEM-1'], customerPoLength: 15, udfs: { UDF_AMAZON_ORDER_ID: 30 } };
    const options = { customerPoLength: 15, amazonOrderIdUdf: { name: 'UDF_AMAZON_ORDER_ID', length: 30 } };
    await withInstallation(seed, options, async (a, sim) => {
      const so = await a.createSalesOrder(order);
      expect(sim.salesOrders()[0].CustomerPONo).toBe(ORDER_ID.slice(0, 15));
      sim.ship('ABC', so.documentNumber, { shipVia: 'UPS', trackingId: '1Z-UDF' });
      const { items } = await a.readShipments({ after: null, until: '2100-01-01T00:00:00Z', pageSize: 10 });
      expect(items.map((x) => [x.naturalKey, x.trackingNumber])).toEqual([[ORDER_ID, '1Z-UDF']]);
    });
  });
});
