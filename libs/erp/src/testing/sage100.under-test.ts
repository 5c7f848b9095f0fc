import { FetchTransport } from '@connector/core';
import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { AgentServer } from '@connector/sage100-agent-core';
import { invoiceTotal, Sage100Simulator, type Doc, type Row } from '@connector/sage100-simulator';
import { sumDecimals } from '@connector/money';
import { createAdapter } from '../adapters';
import type { DocumentKind } from '../port';
import { InMemorySage100OrderNumbers } from '../sage100/order-numbers';
import { sage100Account } from '../sage100/sage100.adapter';
import type { CreditNoteUnderTest, ErpUnderTest, JournalUnderTest } from './erp-under-test';

const COMPANY = 'ABC';
const AGENT_SECRET = 'sage100-agent-secret-for-the-tests-only';
/** the mapping's payout account, whose Sage 100 bank code is A */
const PAYOUT = DEFAULT_GL_MAPPING.accounts.payout;
/** the adapter's default misc item of credit-memo lines that do not restock */
const RETURN_CODE = '/RETURN';

/** Where each document kind keeps its natural key in the Sage 100 tables. */
const KEY_OF: Record<DocumentKind, { table: string; key: (r: Row) => string | undefined }> = {
  SALES_ORDER: { table: 'SO_SalesOrderHeader', key: (r) => r['CustomerPONo$'] },
  INVOICE: {
    table: 'SO_InvoiceHeader',
    key: (r) => (r['InvoiceType$'] !== 'CM' ? r['CustomerPONo$'] : undefined),
  },
  // a credit memo (InvoiceType CM) keeps its key in CustomerPONo, as the invoice keeps the order id
  // (keys longer than CustomerPONo are cut by Sage100Adapter.creditKeyText; the harness's 30 holds them)
  CREDIT_NOTE: {
    table: 'SO_InvoiceHeader',
    key: (r) => (r['InvoiceType$'] === 'CM' ? r['CustomerPONo$'] : undefined),
  },
  JOURNAL: { table: 'GL_GeneralJournalHeader', key: (r) => r['Reference$'] },
  RECEIPT: { table: 'AR_CashReceiptsHeader', key: (r) => r['CheckNo$'] },
};

/**
 * Sage 100 behind the sage-writer harness: eBusiness Web Services (SOAP simulator) for sales orders
 * and the agent over the BOI simulator of the same installation for invoices, journals, receipts
 * and reads; 25 items in warehouse 000, customer 01-AMZUS, the default mapping's GL accounts.
 *
 * The drawn-number record is one store for every adapter the harness builds, as the PostgreSQL
 * table is for every sage-writer process (a restarted writer must find the numbers it drew).
 */
export function sage100UnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  const numbers = new InMemorySage100OrderNumbers();
  let sim: Sage100Simulator | undefined;
  let agent: AgentServer | undefined;
  // Sage 100 keeps one currency per company (the adapter's `currency` setting): no rate table
  let home = 'USD';
  const tables = () => running().sim.company(COMPANY).db;
  const invoices = (cm: boolean) =>
    tables()
      .rows('SO_InvoiceHeader')
      .filter((d) => (d.header['InvoiceType$'] === 'CM') === cm);
  const creditNoteOf = (d: Doc): CreditNoteUnderTest => ({
    naturalKey: d.header['CustomerPONo$'],
    total: invoiceTotal(d).toFixed(2),
    currency: home,
    baseInvoice: d.header['ApplyToInvoiceNo$'],
    // a misc return line names the item it credits in its comment
    lines: d.lines
      .filter((l) => !l['ItemCode$'].startsWith('/') || l['ItemCode$'] === RETURN_CODE)
      .map((l) => ({
        itemCode: l['ItemCode$'] === RETURN_CODE ? l['CommentText$'] : l['ItemCode$'],
        quantity: Number(l.QuantityShipped),
      })),
    returnedToStock: d.lines.some((l) => !l['ItemCode$'].startsWith('/') && Number(l.QuantityShipped) > 0),
  });
  const stockRow = (itemCode: string) => {
    const iw = tables().find('IM_ItemWarehouse', [itemCode, '000']);
    if (!iw) throw new Error(`no stock row ${itemCode} 000`);
    return iw.header;
  };
  const running = () => {
    if (!sim || !agent) throw new Error('Sage 100 simulator not started');
    return { sim, agent };
  };
  return {
    name: 'Sage 100 (eBusiness Web Services + BOI agent simulators)',
    kind: 'SAGE100',
    items,
    customer: '01-AMZUS',
    async start() {
      sim = new Sage100Simulator({
        companies: [COMPANY],
        items,
        customers: ['01-AMZUS'],
        accounts: defaultGlAccounts(),
        boiUsers: { AGENT: 'agent-pw' },
      });
      await sim.start();
      const clock = sim;
      agent = new AgentServer({
        boi: sim.boi,
        secret: AGENT_SECRET,
        // the agent runs on the Sage 100 server: its clock is the ERP's
        boiConfig: { user: 'AGENT', password: 'agent-pw', company: COMPANY, now: () => clock.now() },
      });
      await agent.start();
    },
    async stop() {
      await agent?.close();
      await sim?.close();
      sim = agent = undefined;
      home = 'USD';
    },
    credentials: () => ({
      baseUrl: running().sim.serviceUrl,
      user: 'WEBUSER',
      password: 'secret',
      company: COMPANY,
      agent: { url: running().agent.url, secret: AGENT_SECRET },
    }),
    factory() {
      return createAdapter('SAGE100', {
        ...this.credentials(),
        company: COMPANY,
        http: new FetchTransport(10_000),
        orderNumbers: numbers,
        sage100: { bankCodes: { [PAYOUT]: 'A' }, currency: home },
      });
    },
    documents: async (kind) => {
      const { table, key } = KEY_OF[kind];
      return running()
        .sim.company(COMPANY)
        .db.rows(table)
        .map((d) => key(d.header))
        .filter((k): k is string => typeof k === 'string' && k !== '');
    },
    setLockRate: (rate) => {
      const { sim } = running();
      sim.setFaults({ recordInUseRate: rate });
      sim.boi.recordInUseRate = rate;
    },
    // no session to expire: every SOAP call carries its logon, and every agent operation logs on
    // (SY_Session nSetUser/nSetCompany) and cleans up (nCleanup) on its own
    expireSessions: () => undefined,
    orderToCash: {
      // tax comes from the customer's tax schedule: the adapter sends none (a read-only field)
      computesTax: true,
      creditNotes: async () => invoices(true).map(creditNoteOf),
      invoiceTotal: async (amazonOrderId) => {
        const inv = invoices(false).find((d) => d.header['CustomerPONo$'] === amazonOrderId);
        return inv ? invoiceTotal(inv).toFixed(2) : null;
      },
      customers: async () =>
        tables()
          .rows('AR_Customer')
          .map((d) => `${d.header['ARDivisionNo$']}-${d.header['CustomerNo$']}`),
      orderStatus: async (amazonOrderId) => {
        const so = tables()
          .rows('SO_SalesOrderHeader')
          .find((d) => d.header['CustomerPONo$'] === amazonOrderId);
        // a cancelled order is deleted (Sage 100 has no cancelled status): it is simply gone
        return so ? (so.header['OrderStatus$'] === 'C' ? 'CLOSED' : 'OPEN') : null;
      },
      onHand: async (itemCode) => stockRow(itemCode).QuantityOnHand,
      committed: async (itemCode) => stockRow(itemCode).QuantityOnSalesOrder,
      setHomeCurrency: (currency) => {
        home = currency;
      },
      // Sage 100 has no exchange-rate table (the adapter's exchangeRate is always null): nothing to set
      setExchangeRate: () => undefined,
      removeGlAccount: (account) => {
        const key = sage100Account(account);
        tables().tables.get('GL_Account')!.delete(key);
      },
      journals: async () =>
        tables()
          .rows('GL_GeneralJournalHeader')
          .map((d): JournalUnderTest => {
            const debit = sumDecimals(d.lines.map((l) => l.DebitAmount || '0')).toFixed(2);
            const credit = sumDecimals(d.lines.map((l) => l.CreditAmount || '0')).toFixed(2);
            // one currency: the journal's amounts are the home amounts
            return {
              naturalKey: d.header['Reference$'],
              currency: home,
              rate: '1',
              foreignDebit: debit,
              foreignCredit: credit,
              homeDebit: debit,
              homeCredit: credit,
            };
          }),
    },
    changes: {
      setTime: (ms) => running().sim.setTime(ms),
      advanceTime: (ms) => running().sim.advanceTime(ms),
      warehouse: '000',
      carrier: 'UPS',
      priceList: 'STANDARD',
      changePrice: (itemCode, price) => running().sim.changePrice(COMPANY, itemCode, price),
      receiveStock: (itemCode, quantity) => running().sim.adjustStock(COMPANY, itemCode, '000', quantity),
      ship: async (order, { trackingNumber }) =>
        running().sim.ship(COMPANY, order.documentNumber, { shipVia: 'UPS', trackingId: trackingNumber }),
      shipOtherOrder: async (itemCode, quantity) =>
        running().sim.shipOtherOrder(COMPANY, itemCode, String(quantity), {
          shipVia: 'UPS',
          trackingId: '1Z-OTHER',
        }),
      cancelShipment: (id) => running().sim.deleteInvoice(COMPANY, id),
    },
  };
}
