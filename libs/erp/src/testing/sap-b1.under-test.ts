import { stringify } from 'lossless-json';
import { FetchTransport } from '@connector/core';
import { decimal, sumDecimals } from '@connector/money';
import { SapB1Simulator, type SapB1Record } from '@connector/sap-b1-simulator';
import { SAP_B1_NATURAL_KEY_FIELDS, type DocumentKind } from '../index';
import { defaultGlAccounts } from '@connector/mapping';
import { createAdapter } from '../adapters';
import type {
  CreditNoteUnderTest,
  ErpUnderTest,
  JournalUnderTest,
  OrderToCashUnderTest,
} from './erp-under-test';

const COMPANY = 'SBODEMOUS';
const USER = 'manager';
const PASSWORD = 'manager';
/** the bank account receipts are booked to, besides the mapping's payout account */
const BANK_ACCOUNT = '1000';
/** the marketplace customer's receivable (DebitorAccount), which customers per buyer copy */
const RECEIVABLE = '1100';
/** the warehouse the items are stocked in */
const WAREHOUSE = '01';

/** Every account the default GL mapping names, plus a bank account and the receivable. */
export function sapB1SeedAccounts(): string[] {
  return [...new Set([BANK_ACCOUNT, RECEIVABLE, ...defaultGlAccounts()])].sort();
}

/** The SAP Business One Service Layer simulator behind the sage-writer ERP harness. */
export function sapB1UnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  const customer = 'AMZ-US';
  let sim: SapB1Simulator | undefined;
  const running = (): SapB1Simulator => {
    if (!sim) throw new Error('SAP B1 simulator not started');
    return sim;
  };
  return {
    name: 'SAP Business One (Service Layer simulator)',
    kind: 'SAP_B1',
    items,
    customer,
    async start() {
      sim = new SapB1Simulator({
        port: 0,
        companyDb: COMPANY,
        users: { [USER]: PASSWORD },
        items: items.map((ItemCode) => ({ ItemCode })),
        customers: [{ CardCode: customer, DebitorAccount: RECEIVABLE }],
        accounts: sapB1SeedAccounts(),
      });
      await sim.start();
    },
    async stop() {
      await sim?.close();
      sim = undefined;
    },
    credentials: () => ({ baseUrl: running().url, user: USER, password: PASSWORD, company: COMPANY }),
    factory() {
      return createAdapter('SAP_B1', { ...this.credentials(), company: COMPANY, http: new FetchTransport() });
    },
    documents: async (kind: DocumentKind) => {
      const { entity, field } = SAP_B1_NATURAL_KEY_FIELDS[kind];
      return running()
        .documents(entity)
        .map((d) => {
          const key = d[field];
          // the simulator keeps numbers as LosslessNumbers: stringify writes them as their digits
          return key === undefined || key === null
            ? ''
            : typeof key === 'string'
              ? key
              : (stringify(key) ?? '');
        });
    },
    setLockRate: (rate) => void running().setFaults({ lockRate: rate }),
    setLoad: (load) => void running().setFaults(load),
    expireSessions: () => running().expireSessions(),
    changes: {
      setTime: (ms) => running().setTime(ms),
      advanceTime: (ms) => running().advanceTime(ms),
      warehouse: '01',
      // TransportationCode is the shipping type's code (OSHP), an Edm.Int32
      carrier: '2',
      priceList: '1',
      changePrice: (itemCode, price) => running().updateItem(itemCode, { prices: { 1: price } }),
      receiveStock: (itemCode, quantity) => running().postStock({ itemCode, warehouse: '01', quantity }),
      async ship(order, { trackingNumber }) {
        const sim = running();
        const o = sim.documents('Orders').find((d) => String(d.DocEntry) === order.internalId);
        if (!o) throw new Error(`no order ${order.internalId}`);
        const delivery = sim.deliver(o, { trackingNumber, transportationCode: 2 });
        return String(delivery.DocEntry);
      },
      async shipOtherOrder(itemCode, quantity) {
        const sim = running();
        const o = sim.create('Orders', {
          CardCode: customer,
          DocDueDate: '2030-01-01',
          DocumentLines: [{ ItemCode: itemCode, Quantity: quantity }],
        });
        const delivery = sim.create('DeliveryNotes', {
          CardCode: customer,
          DocumentLines: [{ BaseType: 17, BaseEntry: Number(o.DocEntry), BaseLine: 0 }],
        });
        return String(delivery.DocEntry);
      },
      cancelShipment: (id) => running().documentAction('DeliveryNotes', Number(id), 'Cancel'),
    },
    orderToCash: sapB1OrderToCash(running),
  };
}

/** A field the simulator returns (decimals as strings) as text. */
const text = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : (stringify(v) ?? '');

/**
 * Order to cash in the Service Layer simulator: credit notes (CreditNotes, BaseEntry of their
 * BaseType 13 lines), documents by NumAtCard, customers (BusinessPartners cCustomer), stock in
 * warehouse 01, the company's local currency and rate table, and journals in both currencies
 * (JournalEntryLines Debit/Credit in the local currency, FCDebit/FCCredit in FCCurrency).
 */
export function sapB1OrderToCash(running: () => SapB1Simulator): OrderToCashUnderTest {
  const byKey = (entity: string, key: string): SapB1Record | undefined => {
    const docs = running()
      .documents(entity)
      .filter((d) => d.NumAtCard === key);
    return docs.find((d) => d.Cancelled !== 'tYES') ?? docs[0];
  };
  const total = (d: SapB1Record): string => {
    const foreign = d.DocCurrency !== running().localCurrency;
    return decimal(text(foreign ? d.DocTotalFc : d.DocTotal)).toFixed(2);
  };
  const stock = (itemCode: string, field: 'InStock' | 'Committed'): string => {
    const item = running()
      .documents('Items')
      .find((i) => i.ItemCode === itemCode);
    const w = ((item?.ItemWarehouseInfoCollection as SapB1Record[] | undefined) ?? []).find(
      (x) => x.WarehouseCode === WAREHOUSE,
    );
    return decimal(text(w?.[field] ?? '0')).toFixed();
  };
  return {
    async creditNotes(): Promise<CreditNoteUnderTest[]> {
      return running()
        .documents('CreditNotes')
        .map((d) => {
          const lines = d.DocumentLines as SapB1Record[];
          const base = lines.find((l) => text(l.BaseType) === '13');
          return {
            naturalKey: text(d.NumAtCard),
            total: total(d),
            currency: text(d.DocCurrency),
            baseInvoice: base ? text(base.BaseEntry) : '',
            lines: lines.map((l) => ({ itemCode: text(l.ItemCode), quantity: Number(text(l.Quantity)) })),
            returnedToStock: lines.every((l) => l.WithoutInventoryMovement !== 'tYES'),
          };
        });
    },
    async invoiceTotal(amazonOrderId) {
      const inv = byKey('Invoices', amazonOrderId);
      return inv ? total(inv) : null;
    },
    async customers() {
      return running()
        .documents('BusinessPartners')
        .filter((b) => b.CardType === 'cCustomer')
        .map((b) => text(b.CardCode));
    },
    async orderStatus(amazonOrderId) {
      const o = byKey('Orders', amazonOrderId);
      if (!o) return null;
      if (o.Cancelled === 'tYES') return 'CANCELLED';
      return o.DocumentStatus === 'bost_Close' ? 'CLOSED' : 'OPEN';
    },
    onHand: async (itemCode) => stock(itemCode, 'InStock'),
    committed: async (itemCode) => stock(itemCode, 'Committed'),
    setHomeCurrency: (currency) => running().setLocalCurrency(currency),
    setExchangeRate: (currency, date, rate) => running().setExchangeRate(currency, date, rate),
    removeGlAccount: (account) => running().removeAccount(account),
    async journals(): Promise<JournalUnderTest[]> {
      return running()
        .documents('JournalEntries')
        .map((je) => journalOf(je, running().localCurrency));
    },
  };
}

/**
 * A journal entry in both currencies. SAP keeps no rate on a journal entry: the adapter writes the
 * one it converted at in Reference3 (`FX CAD/USD 0.7312`); without it the rate shown is the local
 * amount of the largest foreign line over its foreign amount, to 6 decimals.
 */
function journalOf(je: SapB1Record, localCurrency: string): JournalUnderTest {
  const lines = je.JournalEntryLines as SapB1Record[];
  const sum = (ls: SapB1Record[], f: string) =>
    sumDecimals(ls.map((l) => text(l[f] ?? '0') || '0')).toFixed(2);
  const fc = lines.filter((l) => l.FCCurrency !== undefined && l.FCCurrency !== null);
  const homeDebit = sum(lines, 'Debit');
  const homeCredit = sum(lines, 'Credit');
  if (fc.length === 0)
    return {
      naturalKey: text(je.Reference),
      currency: localCurrency,
      rate: '1',
      foreignDebit: homeDebit,
      foreignCredit: homeCredit,
      homeDebit,
      homeCredit,
    };
  const size = (l: SapB1Record) =>
    decimal(text(l.FCDebit ?? '0') || '0').plus(decimal(text(l.FCCredit ?? '0') || '0'));
  const largest = fc.reduce((a, b) => (size(b).gt(size(a)) ? b : a));
  const home = decimal(text(largest.Debit ?? '0') || '0').plus(decimal(text(largest.Credit ?? '0') || '0'));
  const said = /^FX [A-Z]{3}\/[A-Z]{3} (\d+(?:\.\d+)?)$/.exec(text(je.Reference3));
  return {
    naturalKey: text(je.Reference),
    currency: text(largest.FCCurrency),
    rate: said ? said[1] : home.div(size(largest)).toDecimalPlaces(6).toFixed(),
    foreignDebit: sum(fc, 'FCDebit'),
    foreignCredit: sum(fc, 'FCCredit'),
    homeDebit,
    homeCredit,
  };
}
