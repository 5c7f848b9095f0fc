import type { ConnectionCredentials, ConnectionSettingsInput } from '@connector/db';
import type { ErpKind } from '@connector/erp';
import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { AgentServer } from '@connector/sage100-agent-core';
import { Sage100Simulator } from '@connector/sage100-simulator';
import { Sage500Simulator } from '@connector/sage500-simulator';
import { SAPB1_SIM_LOGIN, SapB1Simulator } from '@connector/sap-b1-simulator';

/** the GL account that takes a CAD journal's rounding in USD (SAP B1 demo) */
const ROUNDING_ACCOUNT = '7990';

/**
 * The ERP the demo writes to, behind what the demo does with it: start its simulator(s), say how the
 * demo connection reaches it, and play the ERP's users for the return path (a price change, a goods
 * receipt, shipping an order).
 */
export interface DemoErp {
  kind: ErpKind;
  label: string;
  company: string;
  /** the customer of a marketplace's currency (mapping) */
  customerOf(currency: string): string;
  /** the receivable account of those customers (mapping) */
  arAccount: string;
  /** the price list the demo's US price comes from, and the warehouse that stocks the items */
  priceList: string;
  warehouse: string;
  /** the ERP's carrier code of UPS */
  upsCarrier: string;
  credentials: NonNullable<ConnectionCredentials['erp']>;
  settings: Pick<ConnectionSettingsInput, 'sage100' | 'orderToCash'>;
  // an ERP whose simulator is a database (Sage 500) answers these asynchronously
  changePrice(sku: string, price: string): void | Promise<void>;
  receiveStock(sku: string, quantity: string): void | Promise<void>;
  /** what Amazon may sell of the item by the connection's rule: on hand − committed in the warehouse */
  available(sku: string): number | Promise<number>;
  /** ships the first of these Amazon orders that has an open sales order; its id, or undefined */
  shipOneOf(orderIds: string[], trackingNumber: string): string | undefined | Promise<string | undefined>;
  close(): Promise<void>;
}

const floorAvailable = (onHand: unknown, committed: unknown) =>
  Math.max(0, Math.floor(Number(onHand)) - Math.ceil(Number(committed)));

/** SAP Business One (Service Layer simulator). */
export async function sapB1Demo(port: number, skus: string[], currencies: string[]): Promise<DemoErp> {
  const customerOf = (currency: string) => `AMZ-${currency.slice(0, 2)}`;
  const arAccount = '1100';
  const erp = new SapB1Simulator({
    port,
    items: skus.map((ItemCode) => ({ ItemCode })),
    customers: currencies.map(customerOf),
    accounts: [...new Set([arAccount, ROUNDING_ACCOUNT, ...defaultGlAccounts()])],
    // the company's rate table holds a CAD rate every day: SAP refuses a CAD document without one
    standingRates: { CAD: '0.7312' },
  });
  await erp.start();
  return {
    kind: 'SAP_B1',
    label: 'SAP B1',
    company: SAPB1_SIM_LOGIN.companyDb,
    customerOf,
    arAccount,
    // price list 1 is the demo's Amazon US price; the simulator stocks each item in warehouse 01
    priceList: '1',
    warehouse: '01',
    // shipping type 2 (OSHP)
    upsCarrier: '2',
    credentials: {
      baseUrl: `${erp.url}/b1s/v1`,
      user: SAPB1_SIM_LOGIN.user,
      password: SAPB1_SIM_LOGIN.password,
      company: SAPB1_SIM_LOGIN.companyDb,
    },
    // a USD company: CAD documents and journals carry the ERP's rate, journals in both currencies
    settings: {
      orderToCash: { homeCurrency: 'USD', fx: { rateSource: 'erp', roundingAccount: ROUNDING_ACCOUNT } },
    },
    changePrice: (sku, price) => erp.updateItem(sku, { prices: { 1: price } }),
    receiveStock: (sku, quantity) => erp.postStock({ itemCode: sku, warehouse: '01', quantity }),
    available: (sku) => {
      const item = erp.documents('Items').find((i) => i.ItemCode === sku);
      const w = (item?.ItemWarehouseInfoCollection as Array<Record<string, unknown>> | undefined)?.find(
        (x) => x.WarehouseCode === '01',
      );
      return w ? floorAvailable(w.InStock, w.Committed) : 0;
    },
    shipOneOf: (orderIds, trackingNumber) => {
      const so = erp
        .documents('Orders')
        .find((d) => orderIds.includes(String(d.NumAtCard)) && d.DocumentStatus === 'bost_Open');
      if (!so) return undefined;
      // shipping type 2 (OSHP) is UPS
      erp.deliver(so, { trackingNumber, transportationCode: 2 });
      return String(so.NumAtCard);
    },
    close: () => erp.close(),
  };
}

/**
 * Sage 100: eBusiness Web Services (SOAP simulator) for sales orders and the agent, over the BOI
 * simulator of the same installation, for invoices, journals, receipts and reads. The agent's
 * shared secret is made per run.
 */
export async function sage100Demo(
  port: number,
  agentPort: number,
  skus: string[],
  currencies: string[],
  secret: string,
): Promise<DemoErp> {
  const company = 'ABC';
  const customerOf = (currency: string) => `01-AMZ${currency.slice(0, 2)}`;
  const arAccount = '1100';
  const sim = new Sage100Simulator({
    port,
    companies: [company],
    items: skus,
    customers: currencies.map(customerOf),
    accounts: [...new Set([arAccount, ...defaultGlAccounts()])],
    standardPrice: '10.00',
    boiUsers: { AGENT: 'agent-pw' },
  });
  await sim.start();
  const agent = new AgentServer({
    boi: sim.boi,
    secret,
    port: agentPort,
    boiConfig: { user: 'AGENT', password: 'agent-pw', company, now: () => sim.now() },
  });
  await agent.start();
  const db = sim.company(company).db;
  return {
    kind: 'SAGE100',
    label: 'Sage 100',
    company,
    customerOf,
    arAccount,
    priceList: 'STANDARD',
    warehouse: '000',
    upsCarrier: 'UPS',
    credentials: {
      baseUrl: sim.serviceUrl,
      user: 'WEBUSER',
      password: 'secret',
      company,
      agent: { url: agent.url, secret },
    },
    // receipts name the payout account; its Sage 100 bank code is A
    settings: { sage100: { bankCodes: { [DEFAULT_GL_MAPPING.accounts.payout]: 'A' } } },
    changePrice: (sku, price) => sim.changePrice(company, sku, price),
    receiveStock: (sku, quantity) => sim.adjustStock(company, sku, '000', quantity),
    available: (sku) => {
      const iw = db.find('IM_ItemWarehouse', [sku, '000'])?.header;
      return iw ? floorAvailable(iw.QuantityOnHand, iw.QuantityOnSalesOrder) : 0;
    },
    shipOneOf: (orderIds, trackingNumber) => {
      const so = db
        .rows('SO_SalesOrderHeader')
        .find((d) => orderIds.includes(d.header['CustomerPONo$']) && d.header['OrderStatus$'] !== 'C');
      if (!so) return undefined;
      sim.ship(company, so.header['SalesOrderNo$'], { shipVia: 'UPS', trackingId: trackingNumber });
      return so.header['CustomerPONo$'];
    },
    close: async () => {
      await agent.close();
      await sim.close();
    },
  };
}

/**
 * Sage 500: its SQL Server schema and procedures stood in by PostgreSQL (libs/sage500-simulator), in
 * a database `sage500_demo` (a fixed name, so `npm run demo` can count its documents; each run makes
 * it afresh) on the server of `databaseUrl`.
 */
export async function sage500Demo(
  skus: string[],
  currencies: string[],
  databaseUrl: string,
): Promise<DemoErp> {
  const customerOf = (currency: string) => `AMZ-${currency.slice(0, 2)}`;
  const arAccount = '1100';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const sim = new Sage500Simulator({
    adminUrl: admin.toString(),
    database: 'sage500_demo',
    company: 'SOA',
    items: skus,
    // the order charges' misc items (the adapter's defaults)
    miscItems: ['AMZ-FREIGHT', 'AMZ-FRTDISC', 'AMZ-PROMO', 'AMZ-GIFTWRAP'],
    customers: currencies.map(customerOf),
    accounts: [...new Set([arAccount, ...defaultGlAccounts()])],
  });
  await sim.start();
  const itemKey = async (sku: string) =>
    (await sim.db('timItem').where({ ItemID: sku }).first<{ ItemKey: number }>('ItemKey')).ItemKey;
  return {
    kind: 'SAGE500',
    label: 'Sage 500',
    company: sim.company,
    customerOf,
    arAccount,
    priceList: 'LIST',
    warehouse: sim.warehouse,
    upsCarrier: 'UPS',
    credentials: { baseUrl: sim.url, user: 'connector', password: 'connector', company: sim.company },
    settings: {},
    changePrice: (sku, price) => sim.setPrice(sku, price),
    receiveStock: (sku, quantity) => sim.receiveStock(sku, quantity),
    available: async (sku) => {
      const key = await itemKey(sku);
      const [onHand] = await sim
        .db('timWhseBinInvt')
        .where({ ItemKey: key })
        .sum<{ q: string }[]>({ q: 'QtyOnHand' });
      const [onSo] = await sim
        .db('timInventory')
        .where({ ItemKey: key })
        .sum<{ q: string }[]>({ q: 'QtyOnSO' });
      return floorAvailable(onHand.q ?? 0, onSo.q ?? 0);
    },
    shipOneOf: async (orderIds, trackingNumber) => {
      const so = await sim
        .db('tsoSalesOrderExt_CNX as x')
        .join('tsoSalesOrder as so', 'so.SOKey', 'x.SOKey')
        .whereIn('x.AmazonOrderId', orderIds)
        .where('so.Status', 1)
        .first<{ SOKey: number; AmazonOrderId: string } | undefined>('so.SOKey', 'x.AmazonOrderId');
      if (!so) return undefined;
      await sim.ship(so.SOKey, { shipMethId: 'UPS', trackingNo: trackingNumber });
      return so.AmazonOrderId;
    },
    close: () => sim.close(),
  };
}
