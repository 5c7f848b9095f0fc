import { textOf } from '@connector/simulator-odata';
import { LosslessNumber, isLosslessNumber } from 'lossless-json';
import { MoneyDecimal } from '@connector/money';
import { notFound } from './errors';
import type { Row } from './odata';

/**
 * What the Service Layer simulator stores: one table per entity set, the numbering of each
 * document series, and the master data it starts with (reference/erp/FACTS.md §1.3, §1.5).
 */

export interface EntityDef {
  key: string;
  keyType: 'int' | 'string';
  kind: 'document' | 'journal' | 'payment' | 'master';
  objectType?: number;
  /** first DocNum of the default series */
  firstNumber?: number;
}

/** The entity sets served (names as in reference/erp/sap-b1/entities-subset.json). */
export const ENTITIES: Record<string, EntityDef> = {
  Orders: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 17, firstNumber: 1 },
  Invoices: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 13, firstNumber: 1 },
  CreditNotes: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 14, firstNumber: 1 },
  DeliveryNotes: { key: 'DocEntry', keyType: 'int', kind: 'document', objectType: 15, firstNumber: 1 },
  JournalEntries: { key: 'JdtNum', keyType: 'int', kind: 'journal', objectType: 30, firstNumber: 1 },
  IncomingPayments: { key: 'DocEntry', keyType: 'int', kind: 'payment', objectType: 24, firstNumber: 1 },
  Items: { key: 'ItemCode', keyType: 'string', kind: 'master' },
  BusinessPartners: { key: 'CardCode', keyType: 'string', kind: 'master' },
  ChartOfAccounts: { key: 'Code', keyType: 'string', kind: 'master' },
  Warehouses: { key: 'WarehouseCode', keyType: 'string', kind: 'master' },
  AdditionalExpenses: { key: 'ExpensCode', keyType: 'int', kind: 'master' },
};

/** An item the simulator starts with: one price (price list 1) and stock in one warehouse. */
export interface SapB1SeedItem {
  ItemCode: string;
  ItemName?: string;
  /** price on price list 1, exact decimal (default "10.00") */
  price?: string;
  currency?: string;
  /** on hand in the item's warehouse (default "100") */
  inStock?: string;
  warehouse?: string;
}

/** A customer the simulator starts with, beyond its code (what a business partner's card holds). */
export interface SapB1SeedCustomer {
  CardCode: string;
  CardName?: string;
  /** receivable (control) account, OCRD.DebPayAcct */
  DebitorAccount?: string;
  /** customer group, OCRD.GroupCode (default 100, SBODEMOUS's "Customers") */
  GroupCode?: number;
  /** payment terms, OCRD.GroupNum (default -1, none) */
  PayTermsGrpCode?: number;
  /** '##' for all currencies (the default), or one currency */
  Currency?: string;
  Valid?: 'tYES' | 'tNO';
  Frozen?: 'tYES' | 'tNO';
}

/** The master data a company starts with. */
export interface SapB1Seed {
  localCurrency: string;
  items: SapB1SeedItem[];
  /** customers (CardType cCustomer): their CardCodes, or their cards */
  customers: Array<string | SapB1SeedCustomer>;
  /** G/L account codes (ChartOfAccounts Code = FormatCode) */
  accounts: string[];
  warehouses: string[];
  /** AdditionalExpenses (freight) codes, ExpensCode */
  expenseCodes: number[];
  /** longest CardCode (OCRD.CardCode: 15 before version 10.0, 50 from 10.0) */
  cardCodeLength?: number;
  /**
   * currency → rate for every day without a dated rate: a simulator convenience standing for a rate
   * table filled every day (demos run on today's date); SAP itself has dated rates only
   */
  standingRates?: Record<string, string>;
}

export const D = (v: unknown): MoneyDecimal => new MoneyDecimal(textOf(v ?? 0));
export const N = (d: MoneyDecimal | string): LosslessNumber =>
  new LosslessNumber(typeof d === 'string' ? d : d.toFixed());
export const round2 = (d: MoneyDecimal) => d.toDecimalPlaces(2, MoneyDecimal.ROUND_HALF_UP);

/** LosslessNumber → decimal string, deep (what tests see). */
export function plain(v: unknown): unknown {
  if (isLosslessNumber(v)) return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export const clone = <T>(v: T): T => {
  if (isLosslessNumber(v)) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
};

/** The company database: tables, numbering, stock and the clock that stamps UpdateDate/UpdateTime. */
export class SapB1State {
  private readonly tables = new Map<string, Row[]>();
  private readonly counters = new Map<string, { entry: number; num: number }>();
  /**
   * The company's exchange rates (ORTT: currency, date, rate), as the client's "Exchange Rates and
   * Indexes" window keeps them: direct quotation, local-currency units per one unit of the currency
   * (AdminInfo DirectIndirectRate tYES, the simulator's only mode).
   */
  private readonly rates = new Map<string, MoneyDecimal>();
  private local: string;

  constructor(
    readonly seed: SapB1Seed,
    private readonly now: () => number,
  ) {
    for (const name of Object.keys(ENTITIES)) this.tables.set(name, []);
    this.local = seed.localCurrency;
    this.load();
  }

  get cardCodeLength(): number {
    return this.seed.cardCodeLength ?? 15;
  }

  /** The company's local currency (OADM.MainCurncy, AdminInfo LocalCurrency). */
  get localCurrency(): string {
    return this.local;
  }

  set localCurrency(currency: string) {
    this.local = currency;
  }

  /** A rate in the table (ORTT) for a currency on a day (YYYY-MM-DD). */
  setRate(currency: string, date: string, rate: MoneyDecimal): void {
    this.rates.set(`${currency}|${date}`, rate);
  }

  /** The rate of a currency on a day: 1 for the local currency, undefined when the table has none. */
  rate(currency: string, date: string): MoneyDecimal | undefined {
    if (currency === this.local) return D(1);
    const standing = this.seed.standingRates?.[currency];
    return this.rates.get(`${currency}|${date.slice(0, 10)}`) ?? (standing ? D(standing) : undefined);
  }

  has(entity: string): boolean {
    return this.tables.has(entity);
  }

  table(entity: string): Row[] {
    const t = this.tables.get(entity);
    if (!t) throw new Error(`no entity set ${entity}`);
    return t;
  }

  find(entity: string, key: string | number): Row {
    const def = ENTITIES[entity];
    const row = this.table(entity).find((r) => r[def.key] === key);
    if (!row) throw notFound();
    return row;
  }

  /** An active G/L account by code. */
  account(code: unknown): Row | undefined {
    return this.table('ChartOfAccounts').find((a) => a.Code === code && a.ActiveAccount !== 'tNO');
  }

  businessPartner(code: unknown): Row | undefined {
    return this.table('BusinessPartners').find((b) => b.CardCode === code);
  }

  /** DocEntry (internal) and DocNum (series) numbering of an entity set. */
  counter(entity: string): { entry: number; num: number } {
    let c = this.counters.get(entity);
    if (!c) this.counters.set(entity, (c = { entry: 0, num: ENTITIES[entity]?.firstNumber ?? 1 }));
    return c;
  }

  /** On-hand and committed per warehouse move with documents; Items.UpdateDate does not (reference/erp/FACTS.md §1.4). */
  moveStock(itemCode: string, warehouse: string, onHand: MoneyDecimal, committed: MoneyDecimal): void {
    const item = this.table('Items').find((i) => i.ItemCode === itemCode);
    if (!item) return;
    const whs = item.ItemWarehouseInfoCollection as Row[];
    let w = whs.find((x) => x.WarehouseCode === warehouse);
    if (!w) whs.push((w = { WarehouseCode: warehouse, InStock: N('0'), Committed: N('0'), Ordered: N('0') }));
    w.InStock = N(D(w.InStock).plus(onHand));
    w.Committed = N(D(w.Committed).plus(committed));
    recomputeItem(item);
  }

  stamp(): { date: string; time: string } {
    const iso = new Date(this.now()).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
  }

  stampFields(): Row {
    const { date, time } = this.stamp();
    return { UpdateDate: date, UpdateTime: time };
  }

  private load(): void {
    const { date, time } = this.stamp();
    const s = this.seed;
    const whs = new Set([...s.warehouses, ...s.items.map((i) => i.warehouse ?? '01')]);
    for (const w of whs) this.table('Warehouses').push({ WarehouseCode: w, WarehouseName: `Warehouse ${w}` });
    for (const c of s.expenseCodes)
      this.table('AdditionalExpenses').push({ ExpensCode: c, Name: `Expense ${c}` });
    for (const a of s.accounts)
      this.table('ChartOfAccounts').push({
        Code: a,
        Name: `Account ${a}`,
        FormatCode: a,
        ActiveAccount: 'tYES',
        AcctCurrency: '##',
      });
    for (const seeded of s.customers) {
      const c = typeof seeded === 'string' ? { CardCode: seeded } : seeded;
      this.table('BusinessPartners').push({
        CardName: `Customer ${c.CardCode}`,
        CardType: 'cCustomer',
        GroupCode: 100,
        PayTermsGrpCode: -1,
        Currency: '##',
        Valid: 'tYES',
        Frozen: 'tNO',
        ...c,
        BPAddresses: [],
        CreateDate: date,
        UpdateDate: date,
        UpdateTime: time,
      });
    }
    for (const i of s.items) {
      const wh = i.warehouse ?? '01';
      this.table('Items').push({
        ItemCode: i.ItemCode,
        ItemName: i.ItemName ?? `Item ${i.ItemCode}`,
        SalesItem: 'tYES',
        InventoryItem: 'tYES',
        Valid: 'tYES',
        Frozen: 'tNO',
        DefaultWarehouse: wh,
        QuantityOnStock: N(i.inStock ?? '100'),
        QuantityOrderedByCustomers: N('0'),
        CreateDate: date,
        UpdateDate: date,
        UpdateTime: time,
        ItemPrices: [{ PriceList: 1, Price: N(i.price ?? '10.00'), Currency: i.currency ?? s.localCurrency }],
        ItemWarehouseInfoCollection: [
          { WarehouseCode: wh, InStock: N(i.inStock ?? '100'), Committed: N('0'), Ordered: N('0') },
        ],
      });
    }
  }
}

/** An item's totals are the sums over its warehouses. */
export function recomputeItem(item: Row): void {
  const whs = item.ItemWarehouseInfoCollection as Row[];
  item.QuantityOnStock = N(whs.reduce((s, w) => s.plus(D(w.InStock)), D(0)));
  item.QuantityOrderedByCustomers = N(whs.reduce((s, w) => s.plus(D(w.Committed)), D(0)));
}
