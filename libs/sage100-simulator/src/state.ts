import { MoneyDecimal } from '@connector/money';
import type { BoiDatabase, Row } from './boi-simulator';

/** A fault as eBusiness Web Services sends it: `faultcode` `a:<code>`, detail `MasFault {ErrorCode, ErrorMessage}`. */
export class MasFaultError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** reference/erp/FACTS.md §3.1 (text from a third-party client). */
export const SAGE100_LOGON_FAILURE =
  'Logon failure: The user logon or password does not match or the user logon is not enabled for web services.';
/** [?] no public code for a locked record; ours, and configurable (reference/erp/FACTS.md §3.2, §5). */
export const SAGE100_RECORD_IN_USE_CODE = 'SY_RecordInUse';
export const SAGE100_RECORD_IN_USE_MESSAGE = 'The record is in use by another workstation.';
/** [?] the code of a logon failure is not in public material; ours. */
export const SAGE100_LOGON_FAILURE_CODE = 'WS_LogonFailure';

export interface Sage100SalesOrderLine {
  ItemCode: string;
  ItemCodeDesc: string;
  WarehouseCode: string;
  QuantityOrdered: string;
  UnitPrice: string;
  CommentText: string;
}

/** Shaped like SO_SalesOrderHeader (reference/erp/FACTS.md §3.3) with its lines. */
export interface Sage100SalesOrder {
  SalesOrderNo: string;
  ARDivisionNo: string;
  CustomerNo: string;
  OrderDate: string;
  OrderStatus: string;
  CustomerPONo: string;
  Comment: string;
  FreightAmt: string;
  DiscountAmt: string;
  DateCreated: string;
  /** YYYY-MM-DD */
  DateUpdated: string;
  /** decimal hours of the day, as Sage 100 keeps it (reference/erp/FACTS.md §3.3) */
  TimeUpdated: string;
  Lines: Sage100SalesOrderLine[];
  /** UDF_ columns set through `OtherFields` */
  UDFs: Record<string, string>;
}

/** The columns of AR_Customer the web service and the connector use (FACTS §3.1; [3P] data dictionary). */
export const SAGE100_CUSTOMER_FIELDS = [
  'CustomerName',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'City',
  'State',
  'ZipCode',
  'CountryCode',
  'CustomerType',
  'TermsCode',
  'SalespersonDivisionNo',
  'SalespersonNo',
  'TaxSchedule',
  'PriceLevel',
  'CustomerStatus',
] as const;
export type Sage100CustomerField = (typeof SAGE100_CUSTOMER_FIELDS)[number];

/**
 * Column lengths of AR_Customer ([3P] UtahGooner/sage100-ddl `CHI/AR_Customer.sql`, a recent
 * version: CustomerName 50, address lines 40, City 30; older versions are said to hold 30/30/20 [?]).
 */
export const SAGE100_CUSTOMER_LENGTHS: Record<Sage100CustomerField, number> = {
  CustomerName: 50,
  AddressLine1: 40,
  AddressLine2: 40,
  AddressLine3: 40,
  City: 30,
  State: 2,
  ZipCode: 10,
  CountryCode: 3,
  CustomerType: 4,
  TermsCode: 2,
  SalespersonDivisionNo: 2,
  SalespersonNo: 4,
  TaxSchedule: 9,
  PriceLevel: 1,
  CustomerStatus: 1,
};

export type Sage100Customer = {
  ARDivisionNo: string;
  CustomerNo: string;
  DateUpdated: string;
  TimeUpdated: string;
} & Record<Sage100CustomerField, string>;

/** Shaped like IM_ItemWarehouse. */
export interface Sage100ItemWarehouse {
  ItemCode: string;
  WarehouseCode: string;
  QuantityOnHand: string;
  QuantityOnSalesOrder: string;
  DateUpdated: string;
  TimeUpdated: string;
}

export interface Sage100Seed {
  /** `ARDivisionNo-CustomerNo`, e.g. `01-AMZUS` */
  customers?: string[];
  items?: string[];
  warehouses?: string[];
  /** miscellaneous charge codes (`/FREIGHT`-style item codes that carry no stock) */
  miscCodes?: string[];
  /** on hand per item and warehouse at the start (default 100) */
  onHand?: string;
  /** `CI_Item.StandardUnitPrice` of every seeded item (default 19.99) */
  standardPrice?: string;
  /** length of CustomerPONo in this version (15–30; reference/erp/FACTS.md §3.3) */
  customerPoLength?: number;
  /** UDF columns of SO_SalesOrderHeader made in Custom Office, with their lengths (FACTS §3.3) */
  udfs?: Record<string, number>;
  /** GL accounts (`GL_Account.AccountKey`, unformatted) */
  accounts?: string[];
  /** A/P vendors, `APDivisionNo-VendorNo`, e.g. `01-AMAZON` */
  vendors?: string[];
  /**
   * Longest `CustomerNo` the company takes: the column is varchar(20) ([3P] UtahGooner/sage100-ddl
   * `AR_Customer.sql`), and 7 where the company has not expanded its customer numbers ([?] the
   * classic length, and the connector's default customerCodeMaxLength); default 7
   */
  customerNoLength?: number;
}

/** `DateUpdated` and `TimeUpdated` of an instant: the day and its decimal hours (4 places). */
export function stamp(ms: number): { DateUpdated: string; TimeUpdated: string } {
  const d = new Date(ms);
  const secs = d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds();
  return {
    DateUpdated: d.toISOString().slice(0, 10),
    TimeUpdated: new MoneyDecimal(secs).div(3600).toDecimalPlaces(4).toFixed(4),
  };
}

/** BOI keeps dates as YYYYMMDD; the web service shows them as xsd:date. */
const wireDate = (ymd: string | undefined) =>
  ymd && /^\d{8}$/.test(ymd) ? `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}` : (ymd ?? '');
const boiDate = (iso: string) => iso.replace(/-/g, '');
const wireStamp = (row: Row) => ({
  DateUpdated: wireDate(row['DateUpdated$']),
  TimeUpdated: new MoneyDecimal(row['TimeUpdated$'] || '0').toDecimalPlaces(4).toFixed(4),
});

/**
 * One company as eBusiness Web Services sees it: a view over the company's BOI tables
 * (BoiDatabase), so a sales order written through SOAP is the `SO_SalesOrderHeader` row the BOI
 * agent invoices, and the stock it commits is the `IM_ItemWarehouse` row the agent reads, as in one
 * Sage 100 installation.
 */
export class Sage100Company {
  readonly warehouses: string[];
  readonly customerNoLength: number;
  readonly customerPoLength: number;
  readonly udfs: Record<string, number>;
  /** the next number GetNextSalesOrderNo gives */
  nextSalesOrderNo = 1;

  constructor(
    seed: Sage100Seed,
    readonly db: BoiDatabase,
  ) {
    this.warehouses = seed.warehouses ?? ['000'];
    this.customerPoLength = seed.customerPoLength ?? 30;
    this.udfs = seed.udfs ?? {};
    this.customerNoLength = seed.customerNoLength ?? 7;
    for (const m of seed.miscCodes ?? ['/FREIGHT', '/GIFTWRAP', '/RETURN']) this.db.miscCodes.add(m);
    for (const c of seed.customers ?? ['01-AMZUS']) {
      const [div, no] = c.split('-', 2);
      this.db.insert('AR_Customer', {
        ARDivisionNo$: div,
        CustomerNo$: no,
        CustomerName$: no,
        CustomerType$: 'WEB',
        TermsCode$: '00',
        SalespersonDivisionNo$: div,
        SalespersonNo$: '0100',
        TaxSchedule$: 'NONTAX',
        CustomerStatus$: 'A',
      });
    }
    for (const v of seed.vendors ?? []) {
      const [div, no] = v.split('-', 2);
      this.db.insert('AP_Vendor', { APDivisionNo$: div, VendorNo$: no, VendorName$: no });
    }
    for (const a of seed.accounts ?? [])
      this.db.insert('GL_Account', { AccountKey$: a, Account$: a, Status$: 'A' });
    for (const i of seed.items ?? []) this.addItem(i, seed.onHand ?? '100', seed.standardPrice ?? '19.99');
  }

  /** An inventory item (CI_Item) stocked in every warehouse (IM_ItemWarehouse). */
  addItem(code: string, onHand = '0', standardPrice = '0'): void {
    this.db.insert('CI_Item', {
      ItemCode$: code,
      ItemCodeDesc$: code,
      StandardUnitPrice: standardPrice,
      InactiveItem$: 'N',
    });
    for (const w of this.warehouses)
      this.db.insert('IM_ItemWarehouse', {
        ItemCode$: code,
        WarehouseCode$: w,
        QuantityOnHand: onHand,
        QuantityOnSalesOrder: '0',
        QuantityOnBackOrder: '0',
      });
  }

  hasItem(code: string): boolean {
    return !!this.db.find('CI_Item', [code]);
  }

  customer(division: string, no: string): Sage100Customer | undefined {
    const row = this.db.find('AR_Customer', [division, no])?.header;
    return row && this.customerOf(row);
  }

  customers(): Sage100Customer[] {
    return this.db.rows('AR_Customer').map((d) => this.customerOf(d.header));
  }

  addCustomer(
    division: string,
    no: string,
    fields: Partial<Record<Sage100CustomerField, string>> = {},
  ): Sage100Customer {
    const row: Row = { ARDivisionNo$: division, CustomerNo$: no, CustomerStatus$: 'A' };
    for (const f of SAGE100_CUSTOMER_FIELDS) if (fields[f]) row[`${f}$`] = fields[f];
    return this.customerOf(this.db.insert('AR_Customer', row).header);
  }

  private customerOf(row: Row): Sage100Customer {
    const c = { ARDivisionNo: row['ARDivisionNo$'], CustomerNo: row['CustomerNo$'], ...wireStamp(row) };
    for (const f of SAGE100_CUSTOMER_FIELDS) (c as Record<string, string>)[f] = row[`${f}$`] ?? '';
    return c as Sage100Customer;
  }

  itemWarehouses(): Sage100ItemWarehouse[] {
    return this.db.rows('IM_ItemWarehouse').map(({ header: r }) => ({
      ItemCode: r['ItemCode$'],
      WarehouseCode: r['WarehouseCode$'],
      QuantityOnHand: new MoneyDecimal(r.QuantityOnHand || '0').toFixed(),
      QuantityOnSalesOrder: new MoneyDecimal(r.QuantityOnSalesOrder || '0').toFixed(),
      ...wireStamp(r),
    }));
  }

  salesOrder(no: string): Sage100SalesOrder | undefined {
    const d = this.db.find('SO_SalesOrderHeader', [no]);
    return d && this.orderOf(d.header, d.lines);
  }

  salesOrders(): Sage100SalesOrder[] {
    return this.db.rows('SO_SalesOrderHeader').map((d) => this.orderOf(d.header, d.lines));
  }

  /** Writes the order (header and lines at once) as `SO_SalesOrderHeader` and its detail rows. */
  saveSalesOrder(
    so: Omit<Sage100SalesOrder, 'DateCreated' | 'DateUpdated' | 'TimeUpdated'>,
  ): Sage100SalesOrder {
    const header: Row = {
      SalesOrderNo$: so.SalesOrderNo,
      ARDivisionNo$: so.ARDivisionNo,
      CustomerNo$: so.CustomerNo,
      OrderDate$: boiDate(so.OrderDate),
      OrderStatus$: so.OrderStatus,
      CustomerPONo$: so.CustomerPONo,
      Comment$: so.Comment,
      FreightAmt: so.FreightAmt,
      DiscountAmt: so.DiscountAmt,
    };
    for (const [name, value] of Object.entries(so.UDFs)) header[`${name}$`] = value;
    const existing = this.db.find('SO_SalesOrderHeader', [so.SalesOrderNo]);
    header['DateCreated$'] = existing?.header['DateCreated$'] ?? boiDate(stamp(this.db.now()).DateUpdated);
    const d = this.db.insert(
      'SO_SalesOrderHeader',
      header,
      so.Lines.map((l) => ({
        ItemCode$: l.ItemCode,
        ItemCodeDesc$: l.ItemCodeDesc,
        WarehouseCode$: l.WarehouseCode,
        QuantityOrdered: l.QuantityOrdered,
        UnitPrice: l.UnitPrice,
        CommentText$: l.CommentText,
      })),
    );
    return this.orderOf(d.header, d.lines);
  }

  private orderOf(h: Row, lines: Row[]): Sage100SalesOrder {
    const udfs: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (k.startsWith('UDF_')) udfs[k.replace(/\$$/, '')] = v;
    return {
      SalesOrderNo: h['SalesOrderNo$'],
      ARDivisionNo: h['ARDivisionNo$'],
      CustomerNo: h['CustomerNo$'],
      OrderDate: wireDate(h['OrderDate$']),
      OrderStatus: h['OrderStatus$'] || 'O',
      CustomerPONo: h['CustomerPONo$'] ?? '',
      Comment: h['Comment$'] ?? '',
      FreightAmt: new MoneyDecimal(h.FreightAmt || '0').toFixed(),
      DiscountAmt: new MoneyDecimal(h.DiscountAmt || '0').toFixed(),
      DateCreated: wireDate(h['DateCreated$']),
      ...wireStamp(h),
      Lines: lines.map((l) => ({
        ItemCode: l['ItemCode$'],
        ItemCodeDesc: l['ItemCodeDesc$'] ?? '',
        WarehouseCode: l['WarehouseCode$'] ?? '',
        QuantityOrdered: new MoneyDecimal(l.QuantityOrdered || '0').toFixed(),
        UnitPrice: new MoneyDecimal(l.UnitPrice || '0').toFixed(),
        CommentText: l['CommentText$'] ?? '',
      })),
      UDFs: udfs,
    };
  }

  /** GetNextSalesOrderNo: a 7-digit number, and the counter moves on (reference/erp/FACTS.md §3.1). */
  drawSalesOrderNo(): string {
    let no: string;
    do {
      no = String(this.nextSalesOrderNo++).padStart(7, '0');
    } while (this.db.find('SO_SalesOrderHeader', [no]));
    return no;
  }

  /** Moves committed stock (QuantityOnSalesOrder) of a line; stamps the item-warehouse row. */
  commit(itemCode: string, warehouse: string, quantity: MoneyDecimal): void {
    const iw = this.db.find('IM_ItemWarehouse', [itemCode, warehouse]);
    if (!iw) return;
    iw.header.QuantityOnSalesOrder = new MoneyDecimal(iw.header.QuantityOnSalesOrder || '0')
      .plus(quantity)
      .toFixed();
    this.db.stamp(iw.header);
  }
}
