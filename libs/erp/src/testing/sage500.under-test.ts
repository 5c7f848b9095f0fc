import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { Sage500Simulator } from '@connector/sage500-simulator';
import { decimal } from '@connector/money';
import { createAdapter } from '../adapters';
import type { DocumentKind, ErpPort } from '../port';
import {
  SAGE500_AR_TRAN_TYPE,
  SAGE500_DEFAULT_CHARGE_ITEMS,
  SAGE500_DOC_EXT_TABLE,
  SAGE500_SO_EXT_TABLE,
} from '../sage500/sage500.adapter';
import type { ErpUnderTest, JournalUnderTest, OrderToCashUnderTest } from './erp-under-test';

/**
 * The port, each call of which first waits for the changes made to the simulator so far (the change
 * hooks are synchronous, the simulator is a database): what a person did in Sage 500 has landed
 * before the connector's next read, as it would have on a real server.
 */
function settled(port: ErpPort, pending: () => Promise<unknown>): ErpPort {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      return async (...args: unknown[]) => {
        await pending();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const COMPANY = 'SOA';
const WAREHOUSE = 'WHS';
/** an amount as the harness reports it: the ERP's DECIMAL(15,3) at two places */
const money = (v: string | null) => decimal(v ?? '0').toFixed(2);
const USER = 'connector';
const PASSWORD = 'connector';

/** What the simulator's documents are read back by: the Amazon order id in TranCmnt ("Amazon <id>"). */
const fromCmnt = (rows: Array<{ TranCmnt: string | null }>) =>
  rows.map((r) => (r.TranCmnt ?? '').replace(/^Amazon /, '')).filter((k) => k !== '');

/**
 * Sage 500 (its schema and procedure stand-ins in PostgreSQL, libs/sage500-simulator) behind the
 * sage-writer harness: 25 items and the order-charge items, customer AMZ-US, the GL accounts of the
 * default settlement mapping plus the bank account. Its database is made on the integration
 * PostgreSQL (TEST_DATABASE_URL) with a unique name and dropped at stop. Orders and invoices are
 * read back from their TranCmnt, so a duplicate document shows twice.
 * Locks: a share of procedure runs fail as deadlock victims (1205) or lock timeouts (1222), and of
 * GL postings with post status −6. Expired sessions: every connection to the database is dropped.
 * The change hooks are synchronous and the simulator is a database: each queues its statement, and
 * the port the factory makes waits for the queue before every call (`settled`).
 */
export function sage500UnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  let sim: Sage500Simulator | undefined;
  // the hooks' statements, one after the other in the order they were made (a person's actions)
  let queue: Promise<unknown> = Promise.resolve();
  let failed: unknown;
  const track = (step: () => Promise<unknown>) => {
    queue = queue.then(step).catch((err: unknown) => void (failed ??= err));
  };
  /** waits for the hooks' statements; a hook that failed fails the next call instead of passing unseen */
  const settledQueue = async () => {
    await queue;
    if (failed !== undefined) {
      const err = failed;
      failed = undefined;
      throw err instanceof Error ? err : new Error('a Sage 500 simulator hook failed', { cause: err });
    }
  };
  const the = () => {
    if (!sim) throw new Error('Sage 500 simulator not started');
    return sim;
  };
  return {
    name: 'Sage 500 (SQL stand-in on PostgreSQL)',
    kind: 'SAGE500',
    items,
    customer: 'AMZ-US',
    start: async () => {
      const adminUrl = process.env.TEST_DATABASE_URL;
      if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (integration tests set it)');
      sim = new Sage500Simulator({
        adminUrl,
        company: COMPANY,
        items,
        miscItems: Object.values(SAGE500_DEFAULT_CHARGE_ITEMS),
        customers: ['AMZ-US'],
        accounts: [...new Set([...defaultGlAccounts(), DEFAULT_GL_MAPPING.accounts.payout])],
      });
      await sim.start();
    },
    stop: async () => {
      await settledQueue();
      await sim?.close();
    },
    credentials: () => ({ baseUrl: the().url, user: USER, password: PASSWORD, company: COMPANY }),
    database: true,
    factory() {
      const port = createAdapter('SAGE500', {
        ...this.credentials(),
        company: COMPANY,
        http: undefined as never,
      });
      return settled(port, settledQueue);
    },
    documents: async (kind: DocumentKind) => {
      const db = the().db;
      switch (kind) {
        case 'SALES_ORDER':
          return fromCmnt(
            await db('tsoSalesOrder')
              .where({ CompanyID: COMPANY })
              .whereNot({ Status: 3 })
              .select('TranCmnt'),
          );
        case 'INVOICE':
          return fromCmnt(
            await db('tarInvoice')
              .where({ CompanyID: COMPANY, TranType: SAGE500_AR_TRAN_TYPE.INVOICE })
              .select('TranCmnt'),
          );
        case 'CREDIT_NOTE': {
          // the memos themselves, by the natural key our extension row gives each one
          const rows = await db('tarInvoice as m')
            .join(`${SAGE500_DOC_EXT_TABLE} as x`, 'x.TranKey', 'm.InvcKey')
            .where({
              'm.CompanyID': COMPANY,
              'm.TranType': SAGE500_AR_TRAN_TYPE.CREDIT_MEMO,
              'x.DocKind': 'CREDIT_NOTE',
            })
            .select<Array<{ NaturalKey: string }>>('x.NaturalKey');
          return rows.map((r) => r.NaturalKey);
        }
        default: {
          const rows = await db('tciDocumentExt_CNX')
            .where({ CompanyID: COMPANY, DocKind: kind })
            .select<Array<{ NaturalKey: string }>>('NaturalKey');
          return rows.map((r) => r.NaturalKey);
        }
      }
    },
    setLockRate: (rate) =>
      track(() =>
        the().setFaults({ deadlockRate: rate / 2, lockTimeoutRate: rate / 2, logicalLockRate: rate }),
      ),
    expireSessions: () => track(() => the().dropConnections()),
    changes: {
      setTime: (ms) => track(() => the().setTime(ms)),
      advanceTime: (ms) => track(() => the().advanceTime(ms)),
      warehouse: 'WHS',
      carrier: 'UPS',
      priceList: 'LIST',
      changePrice: (itemCode, price) => track(() => the().setPrice(itemCode, price)),
      receiveStock: (itemCode, quantity) => track(() => the().receiveStock(itemCode, quantity)),
      async ship(order, { trackingNumber }) {
        await settledQueue();
        return String(
          await the().ship(Number(order.internalId), { shipMethId: 'UPS', trackingNo: trackingNumber }),
        );
      },
      async shipOtherOrder(itemCode, quantity) {
        await settledQueue();
        const so = await the().enterOrder('AMZ-US', itemCode, quantity);
        return String(await the().ship(so, { shipMethId: 'UPS', trackingNo: 'OTHER' }));
      },
      cancelShipment: (id) => track(() => the().deleteShipment(Number(id))),
    },
    orderToCash: orderToCash(the, track, settledQueue),
  };
}

/**
 * Order to cash in the Sage 500 simulator: credit memos (tarInvoice TranType 502 [?]) with their
 * lines, the invoice they apply to and whether a customer-return inventory transaction (811) moved
 * the goods back; invoices, customers, the sales order's status, stock in WHS, rates, GL batches in
 * both currencies. In Sage 500 an AR invoice does not close the sales order: its shipment does
 * (`changes.ship`), so `orderStatus` stays OPEN after an invoice until the order ships.
 */
function orderToCash(
  the: () => Sage500Simulator,
  track: (step: () => Promise<unknown>) => void,
  settledQueue: () => Promise<void>,
): OrderToCashUnderTest {
  const db = () => the().db;
  const whse = () =>
    db()('timWarehouse')
      .where({ CompanyID: COMPANY, WhseID: WAREHOUSE })
      .first<{ WhseKey: number }>('WhseKey');
  return {
    async creditNotes() {
      await settledQueue();
      const memos = await db()('tarInvoice as m')
        .join(`${SAGE500_DOC_EXT_TABLE} as x`, 'x.TranKey', 'm.InvcKey')
        .join('tarCustPmtAppl as a', 'a.ApplyFromMemoKey', 'm.InvcKey')
        .join('tarInvoice as inv', 'inv.InvcKey', 'a.ApplyToInvcKey')
        .where({
          'm.CompanyID': COMPANY,
          'm.TranType': SAGE500_AR_TRAN_TYPE.CREDIT_MEMO,
          'x.DocKind': 'CREDIT_NOTE',
        })
        .orderBy('m.InvcKey')
        .select<
          Array<{ InvcKey: number; NaturalKey: string; TranAmt: string; CurrID: string; InvTranNo: string }>
        >('m.InvcKey', 'x.NaturalKey', 'm.TranAmt', 'm.CurrID', 'inv.TranNo as InvTranNo');
      const keys = memos.map((m) => m.InvcKey);
      const lines = await db()('tarInvoiceDetl as d')
        .join('timItem as i', 'i.ItemKey', 'd.ItemKey')
        .whereIn('d.InvcKey', keys)
        // the refunded items: the charges' misc items are amounts, not goods
        .where('i.ItemType', '>=', 5)
        .orderBy(['d.InvcKey', 'd.SeqNo'])
        .select<Array<{ InvcKey: number; ItemID: string; Qty: string }>>('d.InvcKey', 'i.ItemID', 'd.Qty');
      const returned = new Set(
        (
          await db()('timInvtTran')
            .whereIn('SourceInvcKey', keys)
            .where({ TranType: 811 })
            .select<Array<{ SourceInvcKey: number }>>('SourceInvcKey')
        ).map((r) => r.SourceInvcKey),
      );
      return memos.map((m) => ({
        naturalKey: m.NaturalKey,
        total: money(m.TranAmt),
        currency: (m.CurrID ?? '').trim(),
        baseInvoice: m.InvTranNo.trim(),
        lines: lines
          .filter((l) => l.InvcKey === m.InvcKey)
          .map((l) => ({ itemCode: l.ItemID, quantity: Number(decimal(l.Qty).toFixed()) })),
        returnedToStock: returned.has(m.InvcKey),
      }));
    },
    async invoiceTotal(amazonOrderId) {
      await settledQueue();
      const r = await db()('tarInvoice as i')
        .join(`${SAGE500_DOC_EXT_TABLE} as x`, 'x.TranKey', 'i.InvcKey')
        .where({ 'i.CompanyID': COMPANY, 'i.TranType': SAGE500_AR_TRAN_TYPE.INVOICE })
        .where({ 'x.DocKind': 'INVOICE', 'x.NaturalKey': amazonOrderId })
        .first<{ TranAmt: string } | undefined>('i.TranAmt');
      return r ? money(r.TranAmt) : null;
    },
    async customers() {
      await settledQueue();
      const rows = await db()('tarCustomer')
        .where({ CompanyID: COMPANY })
        .orderBy('CustID')
        .select<Array<{ CustID: string }>>('CustID');
      return rows.map((r) => r.CustID);
    },
    async orderStatus(amazonOrderId) {
      await settledQueue();
      const r = await db()(`${SAGE500_SO_EXT_TABLE} as x`)
        .join('tsoSalesOrder as so', 'so.SOKey', 'x.SOKey')
        .where({ 'x.CompanyID': COMPANY, 'x.AmazonOrderId': amazonOrderId })
        .first<{ Status: number } | undefined>('so.Status');
      if (!r) return null;
      return r.Status === 3 ? 'CANCELLED' : r.Status === 4 ? 'CLOSED' : 'OPEN';
    },
    async onHand(itemCode) {
      await settledQueue();
      const w = await whse();
      const r = await db()('timWhseBinInvt as bi')
        .join('timWhseBin as b', 'b.WhseBinKey', 'bi.WhseBinKey')
        .join('timItem as i', 'i.ItemKey', 'bi.ItemKey')
        .where({ 'b.WhseKey': w.WhseKey, 'i.CompanyID': COMPANY, 'i.ItemID': itemCode })
        .sum<{ q: string | null }[]>({ q: 'bi.QtyOnHand' });
      return decimal(r[0]?.q ?? '0').toFixed();
    },
    async committed(itemCode) {
      await settledQueue();
      const w = await whse();
      const r = await db()('timInventory as v')
        .join('timItem as i', 'i.ItemKey', 'v.ItemKey')
        .where({ 'v.WhseKey': w.WhseKey, 'i.CompanyID': COMPANY, 'i.ItemID': itemCode })
        .first<{ QtyOnSO: string } | undefined>('v.QtyOnSO');
      return decimal(r?.QtyOnSO ?? '0').toFixed();
    },
    setHomeCurrency: (currency) => track(() => the().setHomeCurrency(currency)),
    setExchangeRate: (currency, date, rate) => track(() => the().setExchangeRate(currency, date, rate)),
    removeGlAccount: (account) =>
      track(async () => {
        // an account GL postings use cannot be deleted: it is renamed out of the way instead
        const n = await db()('tglAccount')
          .where({ CompanyID: COMPANY, GLAcctNo: account })
          .whereNotExists(
            db()('tglPosting').whereRaw('?? = ??', ['tglPosting.GLAcctKey', 'tglAccount.GLAcctKey']),
          )
          .delete();
        if (!n)
          await db()('tglAccount')
            .where({ CompanyID: COMPANY, GLAcctNo: account })
            .update({ GLAcctNo: `${account}~removed` });
      }),
    async journals() {
      await settledQueue();
      const rows = await db()(`${SAGE500_DOC_EXT_TABLE} as x`)
        .join('tglTransaction as t', 't.BatchKey', 'x.TranKey')
        .where({ 'x.CompanyID': COMPANY, 'x.DocKind': 'JOURNAL' })
        .orderBy(['x.NaturalKey', 't.PostingKey'])
        .select<
          Array<{
            NaturalKey: string;
            CurrID: string | null;
            CurrExchRate: string | null;
            PostAmt: string;
            PostAmtHC: string;
          }>
        >('x.NaturalKey', 'x.CurrID', 'x.CurrExchRate', 't.PostAmt', 't.PostAmtHC');
      const out = new Map<string, JournalUnderTest>();
      for (const r of rows) {
        const j = out.get(r.NaturalKey) ?? {
          naturalKey: r.NaturalKey,
          currency: (r.CurrID ?? '').trim(),
          rate: r.CurrExchRate === null ? '1' : decimal(r.CurrExchRate).toFixed(),
          foreignDebit: '0',
          foreignCredit: '0',
          homeDebit: '0',
          homeCredit: '0',
        };
        const f = decimal(r.PostAmt);
        const h = decimal(r.PostAmtHC);
        if (f.gt(0)) j.foreignDebit = decimal(j.foreignDebit).plus(f).toFixed();
        else j.foreignCredit = decimal(j.foreignCredit).minus(f).toFixed();
        if (h.gt(0)) j.homeDebit = decimal(j.homeDebit).plus(h).toFixed();
        else j.homeCredit = decimal(j.homeCredit).minus(h).toFixed();
        out.set(r.NaturalKey, j);
      }
      return [...out.values()].map((j) => ({
        ...j,
        foreignDebit: money(j.foreignDebit),
        foreignCredit: money(j.foreignCredit),
        homeDebit: money(j.homeDebit),
        homeCredit: money(j.homeCredit),
      }));
    },
  };
}
