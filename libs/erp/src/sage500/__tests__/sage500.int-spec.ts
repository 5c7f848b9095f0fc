import { Sage500Simulator } from '@connector/sage500-simulator';
import { infraEnv } from '@connector/testing';
import { ErpRecordLockedError, ErpValidationError } from '../../errors';
import type { JournalDraft, SalesDocumentDraft } from '../../port';
import { Sage500Adapter } from '../sage500.adapter';

/** The adapter against the simulator: the DIM import, the extension table, GL post statuses and faults. */
describe('Sage 500 adapter ↔ simulator (PostgreSQL stand-in)', () => {
  const sim = new Sage500Simulator({
    adminUrl: infraEnv('TEST_DATABASE_URL'),
    items: ['ITEM-1', 'ITEM-2', 'ITEM-3'],
    miscItems: ['AMZ-FREIGHT'],
    customers: ['AMZ-US'],
    accounts: ['1010', '4000', '6100'],
  });
  let erp: Sage500Adapter;
  const order = (key: string, over: Partial<SalesDocumentDraft> = {}): SalesDocumentDraft => ({
    naturalKey: key,
    customerCode: 'AMZ-US',
    currency: 'USD',
    documentDate: '2026-11-27',
    lines: [
      { itemCode: 'ITEM-1', quantity: 3, unitPrice: '19.99', description: 'A thing' },
      { itemCode: 'ITEM-2', quantity: 1, unitPrice: '0.10' },
    ],
    charges: [{ kind: 'SHIPPING', amount: '4.99' }],
    ...over,
  });
  const journal = (key: string, over: Partial<JournalDraft> = {}): JournalDraft => ({
    naturalKey: key,
    postingDate: '2026-11-27',
    currency: 'USD',
    reference: 'AMZ-SETTLE-1',
    memo: 'Amazon settlement 1',
    lines: [
      { account: '1010', debit: '100.01', credit: '0', description: 'payout' },
      { account: '6100', debit: '0.99', credit: '0', description: 'fees' },
      { account: '4000', debit: '0', credit: '101.00', description: 'sales' },
    ],
    ...over,
  });
  const staged = async () =>
    Number((await sim.db('StgSalesOrder').count<{ n: string }[]>({ n: '*' }))[0].n) +
    Number((await sim.db('StgSOLine').count<{ n: string }[]>({ n: '*' }))[0].n) +
    Number((await sim.db('tdmMigrationLogWrk').count<{ n: string }[]>({ n: '*' }))[0].n);

  beforeAll(async () => {
    await sim.start();
    erp = new Sage500Adapter({ url: sim.url, company: sim.company, user: 'u', password: 'p' });
  });
  afterAll(async () => {
    await erp.close();
    await sim.close();
  });
  afterEach(() =>
    sim.setFaults({ deadlockRate: 0, lockTimeoutRate: 0, logicalLockRate: 0, closedBefore: null }),
  );

  it('when an order is written, then it is one tsoSalesOrder with its lines, found by its Amazon order id, and no staging rows remain', async () => {
    const ref = await erp.createSalesOrder(order('111-0000001-0000001'));
    expect(ref).toMatchObject({
      kind: 'SALES_ORDER',
      status: 'OPEN',
      documentNumber: expect.stringMatching(/-SO$/) as unknown,
    });
    expect(await erp.findByNaturalKey('SALES_ORDER', '111-0000001-0000001')).toEqual(ref);
    const so = await sim
      .db('tsoSalesOrder')
      .where({ SOKey: Number(ref.internalId) })
      .first<{ SOKey: number; TranCmnt: string; TranAmt: string; Status: number }>();
    expect(so).toMatchObject({ TranCmnt: 'Amazon 111-0000001-0000001', TranAmt: '65.060', Status: 1 });
    expect(await sim.db('tsoSOLine').where({ SOKey: so.SOKey }).count<{ n: string }[]>({ n: '*' })).toEqual([
      { n: '3' },
    ]);
    expect(await staged()).toBe(0);
    // the second write finds the extension row and writes nothing
    expect(await erp.createSalesOrder(order('111-0000001-0000001'))).toEqual(ref);
    expect(await sim.db('tsoSalesOrder').where({ TranCmnt: 'Amazon 111-0000001-0000001' })).toHaveLength(1);
  });

  it('when an order carries a ship-to address, then the sales order holds it in its columns; one that cannot fit is refused and nothing is staged', async () => {
    const shipTo = {
      name: 'Jane Doe',
      addressLine1: '410 Terry Ave N',
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98109',
      countryCode: 'US',
    };
    const ref = await erp.createSalesOrder(order('111-0000001-0000009', { shipTo }));
    const so = await sim
      .db('tsoSalesOrder')
      .where({ SOKey: Number(ref.internalId) })
      .first<Record<string, unknown>>();
    expect(so).toMatchObject({
      ShipToName: 'Jane Doe',
      ShipToAddrLine1: '410 Terry Ave N',
      ShipToCity: 'Seattle',
      ShipToStateID: 'WA',
      ShipToPostalCode: '98109',
      ShipToCountryID: 'US',
    });
    const long = { ...shipTo, city: 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch' };
    await expect(erp.createSalesOrder(order('111-0000001-0000010', { shipTo: long }))).rejects.toBeInstanceOf(
      ErpValidationError,
    );
    expect(await staged()).toBe(0);
  });

  it('when an item is unknown, then the log row becomes a validation error naming it, and nothing is left behind', async () => {
    const err = await erp
      .createSalesOrder(
        order('111-0000002-0000002', { lines: [{ itemCode: 'NOPE', quantity: 1, unitPrice: '1' }] }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as Error).message).toContain('ItemID = NOPE');
    expect(await erp.findByNaturalKey('SALES_ORDER', '111-0000002-0000002')).toBeNull();
    expect(await staged()).toBe(0);
  });

  it('when the import is the deadlock victim (1205) or times out on a lock (1222), then the error is a retriable lock and a retry writes it once', async () => {
    await sim.setFaults({ deadlockRate: 1 });
    const dead = await erp.createSalesOrder(order('111-0000003-0000003')).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(ErpRecordLockedError);
    expect((dead as ErpRecordLockedError).detail.erpCode).toBe('1205');
    await sim.setFaults({ deadlockRate: 0, lockTimeoutRate: 1 });
    const timeout = await erp.createSalesOrder(order('111-0000003-0000003')).catch((e: unknown) => e);
    expect((timeout as ErpRecordLockedError).detail.erpCode).toBe('1222');
    expect(await staged()).toBe(0);
    await sim.setFaults({ lockTimeoutRate: 0 });
    await erp.createSalesOrder(order('111-0000003-0000003'));
    expect(await sim.db('tsoSalesOrder').where({ TranCmnt: 'Amazon 111-0000003-0000003' })).toHaveLength(1);
  });

  it('when several staged headers share a session, then spSOapiSalesOrdIns loops on @oContinue and logs one row each', async () => {
    await sim.setFaults({ batchSize: 1 });
    const db = sim.db;
    for (const no of ['S1', 'S2', 'S3']) {
      await db('StgSalesOrder').insert({ SessionKey: 9001, Action: 1, TranNo: no, CustID: 'AMZ-US' });
      await db('StgSOLine').insert({
        SessionKey: 9001,
        TranNo: no,
        ItemID: 'ITEM-1',
        QtyOrd: '1',
        UnitPrice: '2',
      });
    }
    const runs: Array<Record<string, unknown>> = [];
    let out: Record<string, unknown> = { oContinue: 0, oRecsProcessed: 0, oFailedRecs: 0, oTotalRecs: 0 };
    do {
      const res = await db.raw<{ rows: Array<Record<string, unknown>> }>(
        'call "spSOapiSalesOrdIns"(?, 0, 9001, ?, 1, 0, 1, ?, ?, ?, null)',
        [
          out.oContinue as number,
          sim.company,
          out.oRecsProcessed as number,
          out.oFailedRecs as number,
          out.oTotalRecs as number,
        ],
      );
      out = res.rows[0];
      runs.push(out);
    } while (out.oContinue === 1);
    expect(runs.map((r) => r.oContinue)).toEqual([1, 1, 0]);
    expect(out).toMatchObject({ oRecsProcessed: 3, oFailedRecs: 0, oTotalRecs: 3, oRetVal: 1 });
    expect(await db('tdmMigrationLogWrk').where({ SessionKey: 9001, Status: 3 })).toHaveLength(3);
    await db('tdmMigrationLogWrk').where({ SessionKey: 9001 }).delete();
    await db('StgSOLine').where({ SessionKey: 9001 }).delete();
    await db('StgSalesOrder').where({ SessionKey: 9001 }).delete();
  });

  it('when a journal is posted, then its batch is in tglTransaction once; −5, −6, −7 and unknown accounts are typed', async () => {
    const ref = await erp.postJournal(journal('1/ATVPDKIKX0DER/USD'));
    expect(ref.status).toBe('CLOSED');
    expect(await sim.db('tglTransaction').where({ BatchKey: Number(ref.internalId) })).toHaveLength(3);
    expect(await erp.postJournal(journal('1/ATVPDKIKX0DER/USD'))).toEqual(ref);

    const unbalanced = await erp
      .postJournal(
        journal('2/X/USD', { lines: [{ account: '1010', debit: '1', credit: '0', description: 'x' }] }),
      )
      .catch((e: unknown) => e);
    expect(unbalanced).toBeInstanceOf(ErpValidationError);
    expect((unbalanced as ErpValidationError).detail.erpCode).toBe('-7');

    await sim.setFaults({ closedBefore: '2027-01-01' });
    const closed = await erp.postJournal(journal('3/X/USD')).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ErpValidationError);
    expect((closed as ErpValidationError).detail.erpCode).toBe('-5');
    await sim.setFaults({ closedBefore: null, logicalLockRate: 1 });
    const locked = await erp.postJournal(journal('3/X/USD')).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(ErpRecordLockedError);
    expect((locked as ErpRecordLockedError).detail.erpCode).toBe('-6');
    await sim.setFaults({ logicalLockRate: 0 });
    const badAccount = await erp
      .postJournal(
        journal('4/X/USD', {
          lines: [
            { account: '9999', debit: '1', credit: '0', description: 'x' },
            { account: '4000', debit: '0', credit: '1', description: 'y' },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(badAccount).toBeInstanceOf(ErpValidationError);
    expect(await sim.db('tglPosting').whereNot({ BatchKey: Number(ref.internalId) })).toHaveLength(0);
    await erp.postJournal(journal('3/X/USD'));
    expect(await sim.db('tciDocumentExt_CNX').where({ DocKind: 'JOURNAL' })).toHaveLength(2);
  });

  it('when an invoice and a receipt are written twice, then each exists once; an unknown customer is refused', async () => {
    const inv = await erp.createInvoice(order('111-0000004-0000004'));
    expect(await erp.createInvoice(order('111-0000004-0000004'))).toEqual(inv);
    expect(
      await sim
        .db('tarInvoice')
        .where({ InvcKey: Number(inv.internalId) })
        .first(),
    ).toMatchObject({ TranAmt: '65.060' });
    const rc = {
      naturalKey: '5/X/USD',
      customerCode: 'AMZ-US',
      amount: '12.34',
      currency: 'USD',
      date: '2026-11-27',
      bankAccount: '1010',
      reference: 'R',
    };
    const r = await erp.createReceipt(rc);
    expect(await erp.findByNaturalKey('RECEIPT', '5/X/USD')).toEqual(r);
    const bad = await erp
      .createReceipt({ ...rc, naturalKey: '6/X/USD', customerCode: 'NOBODY' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ErpValidationError);
  });

  it('when items are read, then the full scan pages in ItemID order with stock, and changes follow timItem.UpdateDate on the server clock', async () => {
    const first = await erp.scanItems(null, 2);
    // stock items only: the misc charge item is not listed
    expect(first.items.map((i) => i.itemCode)).toEqual(['ITEM-1', 'ITEM-2']);
    expect(first.nextKey).toBe('ITEM-2');
    const rest = await erp.scanItems(first.nextKey, 2);
    expect(rest.items.map((i) => i.itemCode)).toEqual(['ITEM-3']);
    expect(rest.nextKey).toBeNull();
    expect(first.items[0].prices).toEqual([{ priceList: 'LIST', price: '10', currency: 'USD' }]);
    expect(first.items[1].quantities).toEqual([
      { warehouseCode: 'WHS', onHand: '100', committed: expect.any(String) as unknown },
    ]);

    await sim.setTime(Date.parse('2030-01-01T10:00:00Z'));
    expect(await erp.erpClock()).toBe('2030-01-01T10:00:00.000Z');
    await sim.db('timItem').where({ ItemID: 'ITEM-2' }).update({ UpdateDate: '2030-01-01 09:00:00' });
    const page = await erp.readItemChanges({
      after: { changedAt: '2029-12-31T00:00:00.000Z', key: '' },
      until: '2030-01-01T10:00:00.000Z',
      pageSize: 10,
    });
    expect(page.items.map((i) => [i.itemCode, i.changedAt])).toEqual([
      ['ITEM-2', '2030-01-01T09:00:00.000Z'],
    ]);
    await sim.setTime(null);
  });

  it('when an order with a freight charge ships, then the shipment read back has its stock lines only', async () => {
    const ref = await erp.createSalesOrder(order('111-0000009-0000009'));
    const shipKey = await sim.ship(Number(ref.internalId), { shipMethId: 'UPS', trackingNo: '1Z-9' });
    // a Sage 500 that lists the freight line on the shipment too [?]: the adapter leaves it out
    const freight = await sim
      .db('tsoSOLine as l')
      .join('timItem as i', 'i.ItemKey', 'l.ItemKey')
      .where({ 'l.SOKey': Number(ref.internalId), 'i.ItemID': 'AMZ-FREIGHT' })
      .first<{ SOLineKey: number; ItemKey: number }>('l.SOLineKey', 'l.ItemKey');
    await sim.db('tsoShipLine').insert({ ShipKey: shipKey, ...freight, QtyShipped: '1' });
    const page = await erp.readShipments({ after: null, until: '2100-01-01T00:00:00.000Z', pageSize: 10 });
    const s = page.items.find((x) => x.naturalKey === '111-0000009-0000009');
    expect(s?.lines).toEqual([
      { itemCode: 'ITEM-1', quantity: 3 },
      { itemCode: 'ITEM-2', quantity: 1 },
    ]);
    expect(s).toMatchObject({ carrier: 'UPS', trackingNumber: '1Z-9', erpOrderNumber: ref.documentNumber });
  });
});
