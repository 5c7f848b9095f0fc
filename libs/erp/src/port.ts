/**
 * The one port every ERP adapter implements (SAP Business One, Sage 300; Sage 100 and Sage 500
 * follow). sage-writer and erp-change-poller depend on this file only; each adapter translates it
 * to its ERP's API. Amounts are exact decimal strings ("12.50"), never JavaScript numbers.
 */

/** The ERPs the connector is built for (connections name one; capabilitiesOf says which have an adapter). */
export const ERP_KINDS = ['SAP_B1', 'SAGE300', 'SAGE100', 'SAGE500'] as const;
export type ErpKind = (typeof ERP_KINDS)[number];

/** What the connector writes. The natural key is what finds the document again after a crash. */
export type DocumentKind = 'SALES_ORDER' | 'INVOICE' | 'CREDIT_NOTE' | 'JOURNAL' | 'RECEIPT';

export type DocumentStatus = 'OPEN' | 'CLOSED' | 'CANCELLED';

/** A document as the ERP knows it. */
export interface ErpDocumentRef {
  kind: DocumentKind;
  /**
   * Ours: the Amazon order id (orders, invoices), `<amazonOrderId>/<refundId>` (credit notes), or
   * `<settlementId>/<marketplace>/<currency>` (journals and receipts).
   */
  naturalKey: string;
  /** The ERP's internal key (SAP B1 DocEntry / JdtNum; Sage 300 order uniquifier / batch-entry). */
  internalId: string;
  /** The number people see (SAP B1 DocNum; Sage 300 OrderNumber, "batch-entry"). */
  documentNumber: string;
  status: DocumentStatus;
}

/** Charges that are not items: each ERP books them its own way (a service line, a misc charge, an expense). */
export type ChargeKind = 'SHIPPING' | 'SHIPPING_DISCOUNT' | 'PROMOTION' | 'GIFT_WRAP';

export interface DocumentLine {
  /** ERP item code (already mapped from the seller SKU). */
  itemCode: string;
  description?: string;
  quantity: number;
  /** Unit price before tax, exact decimal. */
  unitPrice: string;
  /** Tax on the whole line, exact decimal; absent where the ERP computes tax itself. */
  taxAmount?: string;
  warehouseCode?: string;
  /** Amazon's order item id, kept on the line for tracing. */
  sourceLineId?: string;
}

export interface DocumentCharge {
  kind: ChargeKind;
  /** Positive for a charge to the customer, negative for a discount. Exact decimal. */
  amount: string;
  taxAmount?: string;
  description?: string;
}

export interface SalesDocumentDraft {
  /** The Amazon order id; stored in the ERP's customer-reference field (SAP B1 NumAtCard, Sage 300 PO number). */
  naturalKey: string;
  customerCode: string;
  currency: string;
  /** YYYY-MM-DD in the company's time zone. */
  documentDate: string;
  dueDate?: string;
  comments?: string;
  lines: DocumentLine[];
  charges: DocumentCharge[];
  /** set when `currency` is not the company's home currency */
  fx?: ForeignCurrency;
  /**
   * Where a merchant-fulfilled order goes, from the buyer PII vault, only for connections that keep
   * buyer PII (settings.buyerPii); adapters that have ship-to fields put it there, cut to their
   * lengths by a documented rule or refused, never cut silently.
   */
  shipTo?: ShipToAddress;
}

/** A delivery address (Amazon's CustomerAddress, without phone or e-mail). */
export interface ShipToAddress {
  name?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  stateOrRegion?: string;
  postalCode?: string;
  countryCode?: string;
}

export interface InvoiceDraft extends SalesDocumentDraft {
  /** The sales order this invoice copies from, when there is one (SAP B1 BaseType 17). */
  baseOrder?: ErpDocumentRef;
}

/**
 * Foreign currency: set by sage-writer on a document or journal whose currency is not the company's
 * home currency. `rate` is home-currency units per one unit of the document's currency (CAD → USD
 * 0.7312 means 1 CAD = 0.7312 USD), from the ERP's own rate table (`ErpPort.exchangeRate`) or implied
 * by the bank deposit. Adapters put it in the ERP's exchange-rate fields; journals are converted by
 * `toHomeCurrency` (fx.ts) and its rounding line goes to `roundingAccount`.
 */
export interface ForeignCurrency {
  homeCurrency: string;
  rate: string;
  rateSource: 'ERP' | 'DEPOSIT';
  /** the GL account that takes the home-currency rounding difference of a journal */
  roundingAccount: string;
}

/** Why a credit note is written. */
export type CreditNoteReason = 'REFUND' | 'CANCELLED_AFTER_INVOICE';

/**
 * A credit note reversing all or part of an invoice: an Amazon refund (from the financial events'
 * RefundEvent, per item), a return, or an order cancelled after it was invoiced (the whole invoice).
 * Lines and charges carry the amounts credited as positive numbers (a refunded shipping charge is
 * SHIPPING "5.00"; a promotion given back by the seller stays negative, as on the invoice).
 */
export interface CreditNoteDraft {
  /** `<amazonOrderId>/<refundId>`; refundId is `C` for a cancellation after invoicing, `R` + 8 hash characters for a refund. */
  naturalKey: string;
  amazonOrderId: string;
  customerCode: string;
  currency: string;
  /** YYYY-MM-DD in the company's time zone: the refund's posting date */
  documentDate: string;
  /** The invoice this credit note reverses (SAP B1 BaseType 13; others keep its number as the applied-to document). */
  baseInvoice: ErpDocumentRef;
  lines: DocumentLine[];
  charges: DocumentCharge[];
  /** The goods come back into stock: the connection's `returnsToStock`, never for FBA orders. */
  returnToStock: boolean;
  reason: CreditNoteReason;
  comments?: string;
  fx?: ForeignCurrency;
}

/** A customer as the ERP knows it (per-buyer customers are matched by code, which carries a hashed buyer key). */
export interface ErpCustomer {
  customerCode: string;
  name: string;
  currency?: string;
  active: boolean;
}

/** A customer the connector creates: one per buyer, copying its terms and accounts from the marketplace's customer. */
export interface CustomerDraft {
  /** `<prefix><hashed buyer key>`, cut to the ERP's customer-code length by `buyerCustomerCode` */
  customerCode: string;
  /** the buyer's name from the PII vault, or "Amazon buyer <key>" when PII is not kept or purged */
  name: string;
  currency: string;
  /** the marketplace's customer: class, terms, tax group and receivable account are copied from it */
  templateCustomerCode: string;
  /** bill-to / ship-to address, only when the connection keeps buyer PII */
  address?: ShipToAddress;
}

/** Master data a connection relies on, checked by `ping` before any data moves. */
export interface MasterDataRefs {
  customers: string[];
  items: string[];
  glAccounts: string[];
}

export interface MasterDataProblem {
  kind: 'CUSTOMER' | 'ITEM' | 'GL_ACCOUNT';
  code: string;
  problem: 'MISSING' | 'INACTIVE';
}

export interface JournalLineDraft {
  /** The account as the company writes it, e.g. "4000-00-US" (segmented) or "40000". */
  account: string;
  /** Exactly one of debit / credit is non-zero. Exact decimals. */
  debit: string;
  credit: string;
  description: string;
  /**
   * the customer whose receivable the line moves (the settlement clearing invoices and credit notes):
   * SAP B1 books such a line through the business partner (ShortName), as a control account must be
   */
  customerCode?: string | null;
}

export interface JournalDraft {
  /** `<settlementId>/<marketplaceId>/<currency>`. */
  naturalKey: string;
  postingDate: string;
  currency: string;
  reference: string;
  memo: string;
  lines: JournalLineDraft[];
  /** set when `currency` is not the company's home currency */
  fx?: ForeignCurrency;
}

export interface ReceiptDraft {
  naturalKey: string;
  customerCode: string;
  amount: string;
  currency: string;
  date: string;
  bankAccount: string;
  reference: string;
  fx?: ForeignCurrency;
}

/**
 * A position in a change stream: rows are read in (changedAt, key) order, strictly after the cursor.
 * `changedAt` is the ERP's own time (ISO-8601, at the ERP's resolution); `key` breaks ties.
 */
export interface ChangeCursor {
  changedAt: string;
  key: string;
}

/** One read of a change stream: rows strictly after `after` (from the start when null) and changed at or before `until`. */
export interface ChangeWindow {
  after: ChangeCursor | null;
  /** ISO-8601; the poller sets it from `erpClock()` minus a safety lag, never from its own clock. */
  until: string;
  pageSize: number;
}

export interface ErpPage<T> {
  /** Oldest first, in (changedAt, key) order. */
  items: T[];
  /** Where the next page starts (the last row's position), or null when this page is empty. */
  next: ChangeCursor | null;
}

export interface ErpWarehouseStock {
  warehouseCode: string;
  /** Exact decimals as the ERP holds them. */
  onHand: string;
  committed: string;
}

export interface ErpItemSnapshot {
  itemCode: string;
  description?: string;
  /** False when the item is inactive or frozen for sale. */
  active: boolean;
  /** When the ERP last changed the item master or its prices (ISO-8601): the change cursor. */
  changedAt: string;
  prices: { priceList: string; price: string; currency: string }[];
  /** Stock per warehouse; null when this ERP (or this server version) exposes no quantities. */
  quantities: ErpWarehouseStock[] | null;
}

export interface ErpShipmentRecord {
  /** The Amazon order id the shipment belongs to (read from the document's reference field). */
  naturalKey: string;
  /** The ERP's stable id of the shipment (SAP B1 delivery DocEntry, Sage 300 shipment number): one package. */
  shipmentId: string;
  /** The number people see (SAP B1 DocNum). */
  shipmentNumber: string;
  /** The ERP sales order it ships, when the ERP says. */
  erpOrderNumber?: string;
  /** When the goods left (ISO-8601). */
  shippedAt: string;
  /** When the ERP last changed the shipment (ISO-8601): the change cursor. */
  changedAt: string;
  /** The ERP's ship-via / transportation code, mapped to Amazon's carrier through mapping.carriers.v1. */
  carrier?: string;
  shippingMethod?: string;
  trackingNumber?: string;
  lines: { itemCode: string; quantity: number }[];
}

/** What each ERP can do; sage-writer consults it before choosing a write path. */
export interface ErpCapabilities {
  kind: ErpKind;
  salesOrders: boolean;
  /** `copyFromOrder`: the invoice is created from the order (SAP B1); `batch`: posted in an AR invoice batch (Sage 300). */
  invoices: 'copyFromOrder' | 'standalone' | 'batch' | 'none';
  cancelOrder: boolean;
  journals: boolean;
  /**
   * How a refund or a cancellation after invoicing is credited: `fromInvoice`, a credit note based on
   * the invoice (SAP B1 CreditNotes with BaseType 13, Sage 100 SO_Invoice_bus type CM); `applied`,
   * a credit note that names the invoice it applies to (Sage 300, Sage 500); `none`.
   */
  creditNotes: 'fromInvoice' | 'applied' | 'none';
  /**
   * A shipped order never written before can be written as one document, shipped and invoiced at
   * once (Sage 300: an OE order posted with its shipment and invoice, which completes it): the
   * writer then skips the separate sales order, which the API could not ship or invoice later.
   */
  shippedOrderInOneCall: boolean;
  /** Customers can be found and created through the API (a customer per buyer). */
  customers: boolean;
  /** Longest customer code (SAP B1 CardCode, Sage 300 IDCUST, Sage 100 CustomerNo, Sage 500 CustID). */
  customerCodeMaxLength: number;
  /** Documents and journals in a currency other than the home currency, with the ERP's rate fields. */
  multiCurrency: boolean;
  /** Whether the payout is modelled as a customer receipt (SAP B1 IncomingPayments, Sage 300 AR receipt batch). */
  receipts: boolean;
  itemChanges: boolean;
  shipments: boolean;
  /** Several writes in one round-trip (SAP B1 `$batch`). */
  batchRequests: boolean;
  /** Longest natural key the reference field holds. */
  naturalKeyMaxLength: number;
  /**
   * The resolution of the ERP's change dates: `second` (SAP B1 UpdateDate + UpdateTime) or `day`
   * (Sage 300 DateLastMaintained). At `day`, the poller re-reads the ERP's current day on every poll.
   */
  changeResolution: 'second' | 'day';
  /**
   * Whether stock movements bump the item's change date. Where they do not (SAP B1 and Sage 300,
   * reference/erp/FACTS.md §1.4, §2.4), quantities are found by a periodic full scan diffed against
   * the last published snapshot.
   */
  stockMovesChangeDate: boolean;
}

export interface ErpPort {
  readonly capabilities: ErpCapabilities;
  /** Log in and read one thing; throws a typed error saying what is wrong. */
  ping(): Promise<void>;
  /** The document already written under this natural key, or null. Checked before every insert. */
  findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null>;
  createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef>;
  createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef>;
  /** A credit note against an invoice; stock comes back only when `returnToStock`. */
  createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef>;
  /** The customer with this code, or null. */
  findCustomer(customerCode: string): Promise<ErpCustomer | null>;
  createCustomer(draft: CustomerDraft): Promise<ErpCustomer>;
  /**
   * The ERP's own rate for `currency` on `date` (home-currency units per unit, exact decimal), or
   * null when its rate table has none for that day.
   */
  exchangeRate(currency: string, date: string): Promise<string | null>;
  /** What of the given customers, items and GL accounts the ERP lacks or holds inactive (connection ping). */
  checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]>;
  cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef>;
  postJournal(draft: JournalDraft): Promise<ErpDocumentRef>;
  createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef>;
  /** The ERP server's current time (ISO-8601): change windows end at this clock, never the connector's. */
  erpClock(): Promise<string>;
  /** One page of items (master data and prices) changed in the window, in (changedAt, key) order. */
  readItemChanges(window: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>>;
  /** Every item in key order, a page at a time, with its stock: the full scan. `nextKey` is null at the end. */
  scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }>;
  /** One page of shipments (deliveries of Amazon orders, cancelled ones left out) changed in the window. */
  readShipments(window: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>>;
  close(): Promise<void>;
}
