import { erpsUnderTest, type ErpChangesUnderTest, type ErpUnderTest } from '../testing';
import type {
  ChangeCursor,
  ChangeWindow,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  SalesDocumentDraft,
} from '../port';

const DAY = 86_400_000;
/** the ERPs' clocks start here: far from the host's, so a read of the host clock shows */
const START = Date.parse('2031-03-04T05:06:07Z');

/**
 * The change-read contract of the ERP port (port.ts: erpClock, readItemChanges, scanItems,
 * readShipments) against each adapter and its simulator: keyset pages that never skip or repeat a
 * row, windows that end at `until` by the ERP's clock, stock found by the full scan, shipments of
 * Amazon orders only.
 */
/** the ERPs whose simulator runs here: one that needs the integration database only when it is set */
const erpsRunnableHere = erpsUnderTest.filter((make) => !make().database || process.env.TEST_DATABASE_URL);

describe.each(erpsRunnableHere.map((make) => [make().name, make] as const))(
  '%s: change reads',
  (_name, make) => {
    let erp: ErpUnderTest;
    let changes: ErpChangesUnderTest;
    let port: ErpPort;

    beforeEach(async () => {
      erp = make();
      await erp.start();
      if (!erp.changes) throw new Error(`${erp.name} has no change hooks`);
      changes = erp.changes;
      changes.setTime(START);
      port = erp.factory();
    });
    afterEach(async () => {
      await port.close();
      await erp.stop();
    });

    /** Every page of a window, in order; each page's `next` is where the following one starts. */
    async function readAll<T>(
      read: (w: ChangeWindow) => Promise<ErpPage<T>>,
      after: ChangeCursor | null,
      until: string,
      pageSize: number,
    ): Promise<{ pages: T[][]; last: ChangeCursor | null }> {
      const pages: T[][] = [];
      let cursor = after;
      for (let i = 0; i < 100; i++) {
        const page = await read({ after: cursor, until, pageSize });
        if (page.items.length === 0) {
          expect(page.next).toBeNull();
          return { pages, last: cursor };
        }
        expect(page.items.length).toBeLessThanOrEqual(pageSize);
        expect(page.next).not.toBeNull();
        pages.push(page.items);
        cursor = page.next;
      }
      throw new Error('no end of the window after 100 pages');
    }
    /**
     * The ERP's time as a poller reads it after time passed: an adapter may answer erpClock() from the
     * Date header of an answer it got within the last second, and the simulators' clocks jump, so a
     * request comes first.
     */
    const erpNow = async () => {
      await port.ping();
      return port.erpClock();
    };
    const items = (w: ChangeWindow) => port.readItemChanges(w);
    const codes = (pages: ErpItemSnapshot[][]) => pages.flat().map((i) => i.itemCode);
    const order = (naturalKey: string, itemCode: string, quantity: number): SalesDocumentDraft => ({
      naturalKey,
      customerCode: erp.customer,
      currency: 'USD',
      documentDate: '2031-03-04',
      lines: [{ itemCode, quantity, unitPrice: '10.00' }],
      charges: [],
    });

    it('erpClock reads the ERP server clock, not the host clock, and follows it when it moves', async () => {
      expect(await port.erpClock()).toBe('2031-03-04T05:06:07.000Z');
      changes.advanceTime(DAY + 1_000);
      // any answer carries the server's time: the next clock reading follows it
      await port.ping();
      expect(await port.erpClock()).toBe('2031-03-05T05:06:08.000Z');
    });

    it('pages through many rows with the same changedAt across page boundaries without skipping or repeating one', async () => {
      const until = await port.erpClock();
      const { pages } = await readAll(items, null, until, 7);
      const all = codes(pages);
      // the 25 seeded items share one change date: every page boundary falls inside it
      expect(new Set(pages.flat().map((i) => i.changedAt)).size).toBe(1);
      expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
      expect([...all].sort()).toEqual([...erp.items].sort());
      expect(new Set(all).size).toBe(all.length);
      const first = pages[0][0];
      expect(first).toMatchObject({ active: true, quantities: null });
      expect(first.prices.length).toBeGreaterThan(0);
      expect(first.prices[0].price).toMatch(/^\d+(\.\d+)?$/);
    });

    it('honours until: a row changed after it is left out and comes in the next window', async () => {
      const until1 = await port.erpClock();
      const first = await readAll(items, null, until1, 10);
      expect(codes(first.pages)).toHaveLength(25);
      changes.advanceTime(DAY);
      changes.changePrice('ITEM-5', '12.34');
      // the same window again: ITEM-5 changed after until1, so nothing more is in it
      expect((await items({ after: first.last, until: until1, pageSize: 10 })).items).toEqual([]);
      const until2 = await erpNow();
      const second = await readAll(items, first.last, until2, 10);
      expect(codes(second.pages)).toEqual(['ITEM-5']);
      const changed = second.pages[0][0];
      expect(Date.parse(changed.changedAt)).toBeGreaterThan(Date.parse(until1));
      expect(Date.parse(changed.changedAt)).toBeLessThanOrEqual(Date.parse(until2));
      expect(changed.prices.find((p) => p.price === '12.34')).toBeDefined();
    });

    it('a row changed while a window is paged shows up in a later window, and no row is lost', async () => {
      const until1 = await port.erpClock();
      const page1 = await items({ after: null, until: until1, pageSize: 10 });
      const read1 = page1.items.map((i) => i.itemCode);
      const notYetRead = erp.items.find((c) => !read1.includes(c))!;
      changes.advanceTime(DAY);
      changes.changePrice(read1[0], '20.00');
      changes.changePrice(notYetRead, '21.00');
      const rest = await readAll(items, page1.next, until1, 10);
      const inWindow1 = [...read1, ...codes(rest.pages)];
      expect(new Set(inWindow1).size).toBe(inWindow1.length);
      const until2 = await erpNow();
      const later = await readAll(items, rest.last, until2, 10);
      expect(codes(later.pages).sort()).toEqual([read1[0], notYetRead].sort());
      expect(new Set([...inWindow1, ...codes(later.pages)])).toEqual(new Set(erp.items));
    });

    it('scanItems returns every item in key order with stock per warehouse that moved without a change-date bump', async () => {
      const until = await port.erpClock();
      const before = await readAll(items, null, until, 50);
      changes.advanceTime(DAY);
      changes.receiveStock('ITEM-3', '7.5');
      const ref = await port.createSalesOrder(order('111-0000000-0000101', 'ITEM-4', 2));
      // no change date moved: the change read has nothing new
      const until2 = await erpNow();
      expect((await items({ after: before.last, until: until2, pageSize: 50 })).items).toEqual([]);

      const scanned: ErpItemSnapshot[] = [];
      let after: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page = await port.scanItems(after, 10);
        expect(page.items.length).toBeLessThanOrEqual(10);
        scanned.push(...page.items);
        if (page.nextKey === null) break;
        expect(page.nextKey).toBe(page.items[page.items.length - 1].itemCode);
        after = page.nextKey;
      }
      const keys = scanned.map((i) => i.itemCode);
      expect(keys).toEqual([...erp.items].sort());
      const stock = (code: string) => scanned.find((i) => i.itemCode === code)?.quantities;
      expect(stock('ITEM-3')).toEqual([
        { warehouseCode: changes.warehouse, onHand: '107.5', committed: '0' },
      ]);
      expect(stock('ITEM-4')).toEqual([{ warehouseCode: changes.warehouse, onHand: '100', committed: '2' }]);
      expect(stock('ITEM-2')).toEqual([{ warehouseCode: changes.warehouse, onHand: '100', committed: '0' }]);

      await changes.ship(ref, { trackingNumber: '1Z0000000000000001' });
      const after4 = await port.scanItems('ITEM-39', 1);
      expect(after4.items.map((i) => [i.itemCode, i.quantities])).toEqual([
        ['ITEM-4', [{ warehouseCode: changes.warehouse, onHand: '98', committed: '0' }]],
      ]);
    });

    it('reads shipments of Amazon orders with tracking and carrier, leaving out cancelled ones and orders without an Amazon reference', async () => {
      const start = await port.erpClock();
      changes.advanceTime(DAY);
      const a = await port.createSalesOrder(order('111-0000000-0000201', 'ITEM-1', 3));
      const b = await port.createSalesOrder(order('111-0000000-0000202', 'ITEM-2', 1));
      const c = await port.createSalesOrder(order('111-0000000-0000203', 'ITEM-6', 1));
      const shipA = await changes.ship(a, { trackingNumber: '1Z-A' });
      const shipB = await changes.ship(b, { trackingNumber: '1Z-B' });
      await changes.shipOtherOrder('ITEM-7', 1);
      changes.advanceTime(DAY);
      const shipC = await changes.ship(c, { trackingNumber: '1Z-C' });
      changes.cancelShipment(shipB);
      const until = await erpNow();

      const { pages } = await readAll((w) => port.readShipments(w), null, until, 1);
      const all = pages.flat();
      expect(all.map((s) => s.shipmentId)).toEqual([shipA, shipC]);
      expect(all[0]).toMatchObject({
        naturalKey: '111-0000000-0000201',
        shipmentId: shipA,
        erpOrderNumber: a.documentNumber,
        carrier: changes.carrier,
        trackingNumber: '1Z-A',
        lines: [{ itemCode: 'ITEM-1', quantity: 3 }],
      });
      expect(all[0].shipmentNumber).not.toBe('');
      expect(Date.parse(all[0].changedAt)).toBeGreaterThan(Date.parse(start));
      expect(Date.parse(all[1].changedAt)).toBeGreaterThan(Date.parse(all[0].changedAt));
      expect(Date.parse(all[1].changedAt)).toBeLessThanOrEqual(Date.parse(until));

      // a window that ended before C was shipped does not hold it
      const early = await readAll(
        (w) => port.readShipments(w),
        null,
        new Date(Date.parse(until) - DAY).toISOString(),
        5,
      );
      expect(early.pages.flat().map((s) => s.shipmentId)).toEqual([shipA]);
    });
  },
);
