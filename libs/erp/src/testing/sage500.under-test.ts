import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { Sage500Simulator } from '@connector/sage500-simulator';
import { createAdapter } from '../adapters';
import type { DocumentKind, ErpPort } from '../port';
import { SAGE500_DEFAULT_CHARGE_ITEMS } from '../sage500/sage500.adapter';
import type { ErpUnderTest } from './erp-under-test';

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
          return fromCmnt(await db('tarInvoice').where({ CompanyID: COMPANY }).select('TranCmnt'));
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
  };
}
