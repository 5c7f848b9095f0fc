import { BoiSimulator, type Row } from '@connector/sage100-simulator';
import type { BoiBusinessObject } from '../boi';
import { AgentServer } from '../agent-server';
import { MAX_SKEW_MS, agentHeaders, signAgentRequest } from '../signing';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const T0 = Date.parse('2026-10-02T13:30:00Z');

function seed(boi: BoiSimulator): void {
  const db = boi.db('ABC');
  db.insert('AR_Customer', { ARDivisionNo$: '01', CustomerNo$: 'AMZUS', CustomerName$: 'Amazon US' });
  for (const a of ['400000', '610000', '102000']) db.insert('GL_Account', { AccountKey$: a });
  db.insert('AP_Vendor', { APDivisionNo$: '00', VendorNo$: 'AMAZON' });
  db.miscCodes.add('/RETURN');
  for (const i of ['ITEM-1', 'ITEM-2']) {
    db.insert('CI_Item', { ItemCode$: i, ItemCodeDesc$: i, StandardUnitPrice: '19.99', InactiveItem$: 'N' });
    db.insert('IM_ItemWarehouse', {
      ItemCode$: i,
      WarehouseCode$: '000',
      QuantityOnHand: '100',
      QuantityOnSalesOrder: '3',
    });
  }
  db.insert(
    'SO_SalesOrderHeader',
    {
      SalesOrderNo$: '0000001',
      ARDivisionNo$: '01',
      CustomerNo$: 'AMZUS',
      CustomerPONo$: '114-1',
      OrderStatus$: 'O',
    },
    [{ ItemCode$: 'ITEM-1', WarehouseCode$: '000', QuantityOrdered: '3', UnitPrice: '19.99' }],
  );
}

describe('Sage 100 agent', () => {
  let boi: BoiSimulator;
  let agent: AgentServer;
  let now = T0;

  const call = async (
    op: string,
    params: unknown,
    opts: { secret?: string; at?: number; path?: string } = {},
  ) => {
    const body = JSON.stringify(params);
    const path = opts.path ?? `/v1/operations/${op}`;
    const res = await fetch(`${agent.url}${path}`, {
      method: 'POST',
      // a new millisecond per request: two identical requests are two signatures, not a replay
      headers: agentHeaders(opts.secret ?? SECRET, 'POST', path, body, opts.at ?? ++now),
      body,
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        ok: boolean;
        result?: Row;
        error?: { code: string; message: string; retriable: boolean };
      },
    };
  };
  const written = () => ({
    invoices: boi.db().rows('SO_InvoiceHeader').length,
    journals: boi.db().rows('GL_GeneralJournalHeader').length,
    ap: boi.db().rows('AP_InvoiceHeader').length,
    receipts: boi.db().rows('AR_CashReceiptsHeader').length,
  });
  const none = { invoices: 0, journals: 0, ap: 0, receipts: 0 };
  const journal = (naturalKey = 'S1/ATVPDKIKX0DER/USD') => ({
    naturalKey,
    postingDate: '2026-10-02',
    comment: 'Amazon settlement',
    lines: [
      { accountKey: '610000', debit: '12.34', credit: '0' },
      { accountKey: '102000', debit: '0', credit: '12.34' },
    ],
  });

  beforeEach(async () => {
    now = T0;
    boi = new BoiSimulator({ users: { AGENT: 'boi-pw' }, now: () => now, random: () => 0.5 });
    seed(boi);
    agent = new AgentServer({
      boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'boi-pw', company: 'ABC' },
      now: () => now,
    });
    await agent.start();
  });
  afterEach(() => agent.close());

  it('signs HMAC-SHA256 over method, path, timestamp and body (a fixed vector: changing it breaks installed agents)', () => {
    expect(signAgentRequest('k'.repeat(32), 'POST', '/v1/operations/ping', '1791000000000', '{}')).toBe(
      '5786311e9336b8181d354e01305d10a3d8a0eb65eaea2be41e4b656ab747d53c',
    );
  });

  it('runs a signed operation on the list', async () => {
    const r = await call('ping', {});
    expect(r).toEqual({
      status: 200,
      body: { ok: true, result: { serverTime: new Date(T0 + 1).toISOString() } },
    });
  });

  it('refuses a bad signature and writes nothing, touching no BOI object', async () => {
    const r = await call('postJournal', journal(), { secret: 'another-secret-of-at-least-32-characters!' });
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toBe('bad signature');
    expect(written()).toEqual(none);
    expect(boi.calls).toEqual([]);
  });

  it('refuses a body changed after signing', async () => {
    const body = JSON.stringify(journal());
    const path = '/v1/operations/postJournal';
    const res = await fetch(`${agent.url}${path}`, {
      method: 'POST',
      headers: agentHeaders(SECRET, 'POST', path, body, now),
      body: body.replace('12.34', '99.99'),
    });
    expect(res.status).toBe(401);
    expect(written()).toEqual(none);
  });

  it('refuses a timestamp older than 5 minutes (and one from the future), and a replay', async () => {
    const old = await call('postJournal', journal(), { at: T0 - MAX_SKEW_MS - 1 });
    expect(old.status).toBe(401);
    expect(old.body.error?.message).toMatch(/5-minute/);
    const future = await call('postJournal', journal(), { at: T0 + MAX_SKEW_MS + 1 });
    expect(future.status).toBe(401);
    expect(written()).toEqual(none);
    // the same signed request twice: the second is refused
    const body = JSON.stringify(journal());
    const path = '/v1/operations/postJournal';
    const headers = agentHeaders(SECRET, 'POST', path, body, now);
    expect((await fetch(`${agent.url}${path}`, { method: 'POST', headers, body })).status).toBe(200);
    expect((await fetch(`${agent.url}${path}`, { method: 'POST', headers, body })).status).toBe(409);
    expect(written().journals).toBe(1);
  });

  it('refuses an operation not on the list, however well signed', async () => {
    for (const op of ['nDelete', 'SO_SalesOrder_bus', 'constructor', 'toString', '__proto__']) {
      const r = await call(op, {});
      expect(r.status).toBe(404);
    }
    const raw = await call('x', { object: 'SO_SalesOrder_bus', method: 'nDelete' }, { path: '/v1/boi' });
    expect(raw.status).toBe(404);
    expect(written()).toEqual(none);
    expect(boi.calls).toEqual([]);
  });

  it('invoices a sales order from its lines: stock shipped, order closed, once', async () => {
    const r = await call('createInvoiceFromSalesOrder', {
      salesOrderNo: '0000001',
      invoiceDate: '2026-10-02',
      trackingId: '1Z999',
    });
    expect(r.body).toMatchObject({ ok: true, result: { created: true, invoiceNo: '0000001' } });
    const [inv] = boi.db().rows('SO_InvoiceHeader');
    expect(inv.header).toMatchObject({
      CustomerPONo$: '114-1',
      CustomerNo$: 'AMZUS',
      DateUpdated$: '20261002',
      TimeUpdated$: '13.50000',
    });
    expect(inv.lines[0]).toMatchObject({ ItemCode$: 'ITEM-1', QuantityShipped: '3' });
    expect(boi.db().find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header).toMatchObject({
      QuantityOnHand: '97',
      QuantityOnSalesOrder: '0',
    });
    expect(boi.db().find('SO_SalesOrderHeader', ['0000001'])!.header['OrderStatus$']).toBe('C');
    const again = await call('createInvoiceFromSalesOrder', {
      salesOrderNo: '0000001',
      invoiceDate: '2026-10-02',
    });
    expect(again.body.result).toEqual({ created: false, invoiceNo: '0000001' });
    expect(written().invoices).toBe(1);
    const ships = await call('readShipments', {});
    expect((ships.body.result as unknown as { shipments: Row[] }).shipments).toEqual([
      expect.objectContaining({ SalesOrderNo$: '0000001', TrackingID$: '1Z999', CustomerPONo$: '114-1' }),
    ]);
  });

  it('posts a journal once per natural key; an unknown account is refused, not retriable', async () => {
    expect((await call('postJournal', journal())).body.result).toEqual({ created: true, entryNo: '000001' });
    expect((await call('postJournal', journal())).body.result).toEqual({ created: false, entryNo: '000001' });
    const bad = journal('S2/X/USD');
    bad.lines[0].accountKey = '999999';
    const r = await call('postJournal', bad);
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'BOI_ERROR', retriable: false });
    expect(r.body.error!.message).toMatch(/AccountKey 999999 is invalid/);
    expect(written().journals).toBe(1);
  });

  it('an unbalanced journal fails at nWrite and leaves nothing', async () => {
    const j = journal('S3/X/USD');
    j.lines[1].credit = '12.33';
    const r = await call('postJournal', j);
    expect(r.body.error!.message).toMatch(/nWrite: The journal entry is out of balance/);
    expect(written().journals).toBe(0);
  });

  it('the BOI failing mid-sequence leaves no half-written document', async () => {
    // the second line's nWrite fails, then (another try) the header's nWrite
    boi.failOn({
      object: 'GL_GeneralJournal_bus',
      method: 'oLines.nWrite',
      nth: 2,
      message: 'Line could not be written.',
    });
    const r = await call('postJournal', journal());
    expect(r.body.error?.message).toMatch(/Line could not be written/);
    expect(written().journals).toBe(0);
    boi.failOn({ object: 'SO_Invoice_bus', method: 'nWrite', message: 'Error #88: file in use?' });
    const inv = await call('createInvoiceFromSalesOrder', {
      salesOrderNo: '0000001',
      invoiceDate: '2026-10-02',
    });
    expect(inv.body.ok).toBe(false);
    expect(written().invoices).toBe(0);
    // no stock moved, order still open
    expect(boi.db().find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header.QuantityOnHand).toBe('100');
    expect(boi.db().find('SO_SalesOrderHeader', ['0000001'])!.header['OrderStatus$']).toBe('O');
    // and the next try goes through whole
    expect((await call('postJournal', journal())).body.result).toMatchObject({ created: true });
    expect(boi.db().rows('GL_GeneralJournalHeader')[0].lines).toHaveLength(2);
  });

  it('record in use is retriable and writes nothing', async () => {
    boi.recordInUseRate = 1;
    const r = await call('createApInvoice', {
      apDivisionNo: '00',
      vendorNo: 'AMAZON',
      invoiceNo: 'S1',
      invoiceDate: '2026-10-02',
      amount: '12.34',
      lines: [{ accountKey: '610000', amount: '12.34' }],
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'RECORD_IN_USE', retriable: true });
    expect(written()).toEqual(none);
  });

  it('AP invoice keyed by vendor + settlement id, and a cash receipt, each written once', async () => {
    const ap = {
      apDivisionNo: '00',
      vendorNo: 'AMAZON',
      invoiceNo: 'S1',
      invoiceDate: '2026-10-02',
      amount: '12.34',
      lines: [{ accountKey: '610000', amount: '12.34' }],
    };
    expect((await call('createApInvoice', ap)).body.result).toEqual({ created: true, invoiceNo: 'S1' });
    expect((await call('createApInvoice', ap)).body.result).toEqual({ created: false, invoiceNo: 'S1' });
    const cr = {
      depositNo: '00001',
      arDivisionNo: '01',
      customerNo: 'AMZUS',
      checkNo: 'S1',
      amount: '100.05',
      date: '2026-10-02',
      bankCode: 'A',
    };
    expect((await call('createCashReceipt', cr)).body.result).toEqual({ created: true, checkNo: 'S1' });
    expect((await call('createCashReceipt', cr)).body.result).toEqual({ created: false, checkNo: 'S1' });
    expect(written()).toEqual({ invoices: 0, journals: 0, ap: 1, receipts: 1 });
    expect(boi.db().rows('AR_CashReceiptsHeader')[0].header.PostingAmt).toBe('100.05');
  });

  it('reads items a page at a time, changed since a day, and the stock of a range of items', async () => {
    const items = (await call('readItems', {})).body.result as unknown as { items: Row[]; nextKey: null };
    expect(items.items.map((i) => i['ItemCode$'])).toEqual(['ITEM-1', 'ITEM-2']);
    expect(items.nextKey).toBeNull();
    const first = (await call('readItems', { limit: 1 })).body.result as unknown as {
      items: Row[];
      nextKey: string;
    };
    expect(first).toMatchObject({ items: [{ ItemCode$: 'ITEM-1' }], nextKey: 'ITEM-1' });
    const second = (await call('readItems', { limit: 1, afterKey: 'ITEM-1' })).body.result as unknown as {
      items: Row[];
      nextKey: string | null;
    };
    expect(second).toMatchObject({ items: [{ ItemCode$: 'ITEM-2' }], nextKey: null });
    // nothing was stamped after the day the test stands in
    const later = (await call('readItems', { changedSince: '2100-01-01' })).body.result as unknown as {
      items: Row[];
    };
    expect(later.items).toEqual([]);
    expect((await call('readItems', { limit: 0 })).status).toBe(400);
    const stock = (await call('readItemWarehouses', { itemFrom: 'ITEM-1', itemTo: 'ITEM-1' })).body
      .result as unknown as { rows: Row[] };
    expect(stock.rows).toHaveLength(1);
    expect(stock.rows[0]).toMatchObject({
      ItemCode$: 'ITEM-1',
      QuantityOnHand: '100',
      QuantityOnSalesOrder: '3',
    });
  });

  it('writes a credit memo applied to the invoice once; regular lines restock, misc lines do not', async () => {
    await call('createInvoiceFromSalesOrder', { salesOrderNo: '0000001', invoiceDate: '2026-10-02' });
    const memo = (customerPoNo: string, lines: unknown[], freightAmt = '0') => ({
      customerPoNo,
      applyToInvoiceNo: '0000001',
      invoiceDate: '2026-10-09',
      arDivisionNo: '01',
      customerNo: 'AMZUS',
      freightAmt,
      discountAmt: '0',
      comment: 'Amazon refund',
      lines,
    });
    const r = await call(
      'createCreditMemo',
      memo('114-1/R1', [
        { itemCode: 'ITEM-1', warehouseCode: '000', quantity: '1', unitPrice: '19.99' },
        {
          itemCode: '/RETURN',
          description: 'ITEM-1 not restocked',
          quantity: '1',
          unitPrice: '19.99',
          comment: 'ITEM-1',
        },
      ]),
    );
    expect(r.body).toMatchObject({ ok: true, result: { created: true, invoiceNo: '0000002' } });
    const cm = boi.db().find('SO_InvoiceHeader', ['0000002'])!;
    expect(cm.header).toMatchObject({
      InvoiceType$: 'CM',
      ApplyToInvoiceNo$: '0000001',
      CustomerPONo$: '114-1/R1',
      InvoiceDate$: '20261009',
    });
    // 97 after the invoice, one back from the regular line, none from the misc one
    expect(boi.db().find('IM_ItemWarehouse', ['ITEM-1', '000'])!.header.QuantityOnHand).toBe('98');
    const again = await call('createCreditMemo', memo('114-1/R1', []));
    expect(again.body.result).toEqual({ created: false, invoiceNo: '0000002' });
    expect((await call('findCreditMemo', { customerPoNo: '114-1/R1' })).body.result).toEqual({
      invoiceNo: '0000002',
    });
    expect((await call('findCreditMemo', { customerPoNo: '114-1/R2' })).body.result).toEqual({
      invoiceNo: null,
    });
    // the invoice (3 × 19.99 = 59.97) has 39.98 credited: 20.00 more is refused, not retriable, nothing written
    const over = await call('createCreditMemo', memo('114-1/R2', [], '20.00'));
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'BOI_ERROR', retriable: false });
    expect(over.body.error!.message).toMatch(/would exceed its total \(59\.97\)/);
    expect(written().invoices).toBe(2);
    // the invoice's own number is not a credit memo's key: findInvoice still finds the invoice
    expect((await call('findInvoice', { salesOrderNo: '0000001' })).body.result).toEqual({
      invoiceNo: '0000001',
    });
  });

  it('checks master data in one browse per kind and answers only the problems', async () => {
    boi.db().find('CI_Item', ['ITEM-2'])!.header['InactiveItem$'] = 'Y';
    const before = boi.calls.length;
    const r = await call('checkMasterData', {
      customers: ['01-AMZUS', '01-NOBODY'],
      items: ['ITEM-1', 'ITEM-2', 'ITEM-9'],
      glAccounts: ['610000', '700000'],
    });
    expect(r.body.result).toEqual({
      problems: [
        { kind: 'CUSTOMER', code: '01-NOBODY', problem: 'MISSING' },
        { kind: 'ITEM', code: 'ITEM-2', problem: 'INACTIVE' },
        { kind: 'ITEM', code: 'ITEM-9', problem: 'MISSING' },
        { kind: 'GL_ACCOUNT', code: '700000', problem: 'MISSING' },
      ],
    });
    expect(boi.calls.slice(before).filter((c) => c.endsWith('.nMoveFirst'))).toEqual([
      'AR_Customer_svc.nMoveFirst',
      'CI_ItemCode_svc.nMoveFirst',
      'GL_Account_svc.nMoveFirst',
    ]);
    const bad = await call('checkMasterData', { items: 'ITEM-1' });
    expect(bad.status).toBe(400);
  });

  it('a wrong BOI logon is refused as such', async () => {
    await agent.close();
    agent = new AgentServer({
      boi,
      secret: SECRET,
      boiConfig: { user: 'AGENT', password: 'nope', company: 'ABC' },
      now: () => now,
    });
    await agent.start();
    const r = await call('ping', {});
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('LOGON');
    expect(r.body.error?.message).not.toContain('nope');
  });
});

describe('BOI simulator semantics (FACTS §3.2)', () => {
  const open = (
    boi: BoiSimulator,
    module = 'G/L',
    task = 'GL_GeneralJournal_ui',
    object = 'GL_GeneralJournal_bus',
  ) => {
    const s = boi.newSession();
    expect(s.nSetUser('AGENT', 'secret')).toBe(1);
    expect(s.nSetCompany('ABC')).toBe(1);
    expect(s.nSetModule(module)).toBe(1);
    expect(s.nSetProgram(s.nLookupTask(task))).toBe(1);
    return boi.newObject(object, s) as BoiBusinessObject;
  };

  it('nSetKey answers 2 for a new record, 1 for an existing one, 0 without a key', () => {
    const boi = new BoiSimulator();
    boi.db().insert('GL_Account', { AccountKey$: '400000' });
    const je = open(boi);
    expect(je.nSetKey()).toBe(0);
    expect(je.sLastErrorMsg).toBe('Key is required.');
    expect(je.nSetKey('000001')).toBe(2);
    expect(je.nSetValue('Reference$', 'R')).toBe(1);
    je.oLines!.nAddLine();
    je.oLines!.nSetValue('AccountKey$', '400000');
    je.oLines!.nSetValue('DebitAmount', '0');
    je.oLines!.nSetValue('CreditAmount', '0');
    je.oLines!.nWrite();
    expect(je.nWrite()).toBe(1);
    expect(je.nSetKey('000001')).toBe(1);
  });

  it('string fields need the $ suffix, numeric ones must not have it', () => {
    const je = open(new BoiSimulator());
    je.nSetKey('000001');
    expect(je.nSetValue('Reference', 'x')).toBe(0);
    expect(je.sLastErrorMsg).toMatch(/Column Reference not found/);
    expect(je.nSetValue('Reference$', 'x')).toBe(1);
    je.oLines!.nAddLine();
    expect(je.oLines!.nSetValue('DebitAmount$', '1')).toBe(0);
    expect(je.oLines!.nSetValue('DebitAmount', 'abc')).toBe(0);
  });

  it('refuses objects of another module than the session, and sessions without a program', () => {
    const boi = new BoiSimulator();
    const s = boi.newSession();
    s.nSetUser('AGENT', 'secret');
    s.nSetCompany('ABC');
    s.nSetModule('S/O');
    expect(() => boi.newObject('SO_Invoice_bus', s)).toThrow(/program/);
    s.nSetProgram(s.nLookupTask('SO_Invoice_ui'));
    expect(() => boi.newObject('GL_GeneralJournal_bus', s)).toThrow(/module/);
    expect(s.nSetProgram(s.nLookupTask('nonsense'))).toBe(0);
  });
});
