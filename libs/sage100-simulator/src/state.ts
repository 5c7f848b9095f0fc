import { MoneyDecimal } from '@connector/money';

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

export interface Sage100Customer {
  ARDivisionNo: string;
  CustomerNo: string;
  CustomerName: string;
  DateUpdated: string;
  TimeUpdated: string;
}

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
  /** length of CustomerPONo in this version (15–30; reference/erp/FACTS.md §3.3) */
  customerPoLength?: number;
  /** UDF columns of SO_SalesOrderHeader made in Custom Office, with their lengths (FACTS §3.3) */
  udfs?: Record<string, number>;
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

/** One company's data (its code, e.g. ABC). */
export class Sage100Company {
  readonly salesOrders = new Map<string, Sage100SalesOrder>();
  readonly customers = new Map<string, Sage100Customer>();
  readonly itemWarehouses = new Map<string, Sage100ItemWarehouse>();
  readonly items = new Set<string>();
  readonly miscCodes = new Set<string>();
  readonly warehouses: string[];
  readonly customerPoLength: number;
  readonly udfs: Record<string, number>;
  /** the next number GetNextSalesOrderNo gives */
  nextSalesOrderNo = 1;

  constructor(
    seed: Sage100Seed,
    private readonly now: () => number,
  ) {
    this.warehouses = seed.warehouses ?? ['000'];
    this.customerPoLength = seed.customerPoLength ?? 30;
    this.udfs = seed.udfs ?? {};
    for (const m of seed.miscCodes ?? ['/FREIGHT', '/GIFTWRAP']) this.miscCodes.add(m);
    for (const c of seed.customers ?? ['01-AMZUS']) {
      const [div, no] = c.split('-', 2);
      this.customers.set(c, { ARDivisionNo: div, CustomerNo: no, CustomerName: no, ...stamp(now()) });
    }
    for (const i of seed.items ?? []) {
      this.items.add(i);
      for (const w of this.warehouses)
        this.itemWarehouses.set(`${i}|${w}`, {
          ItemCode: i,
          WarehouseCode: w,
          QuantityOnHand: seed.onHand ?? '100',
          QuantityOnSalesOrder: '0',
          ...stamp(now()),
        });
    }
  }

  stampNow(): { DateUpdated: string; TimeUpdated: string } {
    return stamp(this.now());
  }

  /** GetNextSalesOrderNo: a 7-digit number, and the counter moves on (reference/erp/FACTS.md §3.1). */
  drawSalesOrderNo(): string {
    let no: string;
    do {
      no = String(this.nextSalesOrderNo++).padStart(7, '0');
    } while (this.salesOrders.has(no));
    return no;
  }

  /** Moves committed stock (QuantityOnSalesOrder) of a line; stamps the item-warehouse row. */
  commit(itemCode: string, warehouse: string, quantity: MoneyDecimal): void {
    const iw = this.itemWarehouses.get(`${itemCode}|${warehouse}`);
    if (!iw) return;
    iw.QuantityOnSalesOrder = new MoneyDecimal(iw.QuantityOnSalesOrder).plus(quantity).toFixed();
    Object.assign(iw, this.stampNow());
  }
}
