import type { ErpCapabilities, ErpKind } from './port';

/** SAP B1 NumAtCard holds 100 characters (reference/erp/FACTS.md §1.3). */
export const SAP_B1_NATURAL_KEY_MAX = 100;
/** Sage 300 OE `PurchaseOrderNumber` holds 22 characters (reference/erp/FACTS.md §2.5 [?]); an Amazon order id has 19. */
export const SAGE300_PO_NUMBER_LENGTH = 22;
/** Sage 100 `CustomerPONo` holds 15 to 30 characters by version (reference/erp/FACTS.md §3.3); 30 by default. */
export const SAGE100_PO_NUMBER_LENGTH = 30;
/**
 * Sage 500: the Amazon order id lives in our extension table (tsoSalesOrderExt_CNX.AmazonOrderId,
 * VARCHAR(50)); CustPONo and UserFld* hold 15 and an Amazon order id has 19 (docs/sage500.md).
 */
export const SAGE500_NATURAL_KEY_MAX = 50;

/**
 * What each ERP does, in one table: sage-writer reads it to route documents, the connection CLI to
 * refuse a connection whose ERP has no adapter, and each adapter declares it as its own. An ERP that
 * is missing here has no adapter yet.
 */
const CAPABILITIES: Partial<Record<ErpKind, ErpCapabilities>> = {
  SAP_B1: {
    kind: 'SAP_B1',
    shippedOrderInOneCall: false,
    // OCRD.CardCode: 15 characters (reference/erp/FACTS.md §1.3, [SL-SDK] Documents.CardCode); SAP
    // widened it to 50 in version 10.0, which the 2019 metadata does not say: 15 holds on every version
    customerCodeMaxLength: 15,
    // CreditNotes (ORIN) with lines based on the invoice: BaseType 13 / BaseEntry / BaseLine
    creditNotes: 'fromInvoice',
    // BusinessPartners read by CardCode and created with CardType cCustomer
    customers: true,
    // DocCurrency + DocRate on documents, FCCurrency/FCDebit/FCCredit beside Debit/Credit on journals
    multiCurrency: true,
    salesOrders: true,
    invoices: 'copyFromOrder',
    cancelOrder: true,
    journals: true,
    // IncomingPayments from the marketplace customer to the bank account
    receipts: true,
    itemChanges: true,
    shipments: true,
    batchRequests: false,
    naturalKeyMaxLength: SAP_B1_NATURAL_KEY_MAX,
    // UpdateDate + UpdateTime
    changeResolution: 'second',
    // reference/erp/FACTS.md §1.4: not known to bump Items.UpdateDate
    stockMovesChangeDate: false,
  },
  SAGE300: {
    kind: 'SAGE300',
    shippedOrderInOneCall: true,
    // ARCUS.IDCUST (AR/ARCustomers CustomerNumber): 12 characters; reference/erp names no length [?]
    // (docs/sage300.md), the simulator enforces 12
    customerCodeMaxLength: 12,
    // an OE credit note naming the OE invoice (OE/OECreditDebitNotes), or an AR credit note applied
    // to the AR invoice when the invoice was the AR-batch fallback (docs/sage300.md)
    creditNotes: 'applied',
    // AR/ARCustomers GET/POST (all verbs in the 2022 list)
    customers: true,
    // OE documents, AR batches and GL details carry rate fields; CS/CSCurrencyRates is the rate table
    multiCurrency: true,
    salesOrders: true,
    // the OE invoice is produced from the order: one POST OE/OEOrders with QuantityShipped and
    // InvoiceWillBeProduced ships and invoices it. An order already in Sage 300 before it shipped
    // cannot be shipped through the 2022 Web API (OE/OEOrders GET/POST only, no OE/OEShipments,
    // OE/OEInvoices GET only): its invoice falls back to an AR invoice batch (docs/sage300.md)
    invoices: 'copyFromOrder',
    // OE orders take only GET and POST in the 2022 Web API
    cancelOrder: false,
    journals: true,
    // an AR receipt batch (type CA) from the marketplace customer
    receipts: true,
    itemChanges: true,
    shipments: true,
    batchRequests: false,
    naturalKeyMaxLength: SAGE300_PO_NUMBER_LENGTH,
    // DateLastMaintained is a date
    changeResolution: 'day',
    // no audit stamp on quantities (reference/erp/FACTS.md §2.4)
    stockMovesChangeDate: false,
  },
  // with the agent on the Sage 100 server; without one the adapter writes sales orders only
  // (Sage100Adapter.capabilities says which)
  SAGE100: {
    kind: 'SAGE100',
    shippedOrderInOneCall: false,
    // AR_Customer.CustomerNo is varchar(20) ([3P] UtahGooner/sage100-ddl AR_Customer.sql, cited in
    // reference/erp/FACTS.md §3.3), but a company that has not expanded its customer numbers takes 7
    // ([?] no public source gives the rule): 7 fits both; the adapter's customerNoLength says 20
    customerCodeMaxLength: 7,
    creditNotes: 'fromInvoice',
    customers: true,
    multiCurrency: false,
    // eBusiness Web Services
    salesOrders: true,
    // the agent's SO_Invoice_bus sequence copies the order's lines
    invoices: 'copyFromOrder',
    // not in eBusiness Web Services: the agent deletes the order (SO_SalesOrder_bus nDelete)
    cancelOrder: true,
    // GL_GeneralJournal_bus (or AP_Invoice_bus for fees), through the agent
    journals: true,
    // AR_CashReceipts_bus, through the agent
    receipts: true,
    itemChanges: true,
    shipments: true,
    batchRequests: false,
    naturalKeyMaxLength: SAGE100_PO_NUMBER_LENGTH,
    // DateUpdated + TimeUpdated (decimal hours)
    changeResolution: 'second',
    // IM_ItemWarehouse rows are stamped when stock moves, but the item read keys on CI_Item's stamp
    stockMovesChangeDate: false,
  },
  SAGE500: {
    kind: 'SAGE500',
    shippedOrderInOneCall: false,
    // tarCustomer.CustID VARCHAR(12): spARapiCustomerIns declares @CustID VARCHAR(12) and its work
    // tables CustID VARCHAR(12) (Sage's procedure as redistributed in public repositories, docs/sage500.md)
    customerCodeMaxLength: 12,
    // our spARCreditMemoIns_CNX: a credit memo applied to the invoice's InvcKey (docs/sage500.md)
    creditNotes: 'applied',
    // StgCustomer + spARapiCustomerIns (the Data Import Manager's customer import)
    customers: true,
    // CurrID/CurrExchRate on AR documents, PostAmt/PostAmtHC on tglPosting, tmcCurrExchSchdDtl rates
    multiCurrency: true,
    // DIM API: StgSalesOrder/StgSOLine + spSOapiSalesOrdIns
    salesOrders: true,
    // through our spARInvoiceIns_CNX: no public Sage 500 AR invoice procedure (docs/sage500.md)
    invoices: 'standalone',
    // no public procedure cancels a sales order
    cancelOrder: false,
    // tglPosting + spglAPIPostBatchlessGLPosting
    journals: true,
    // through our spARCashRcptIns_CNX (docs/sage500.md)
    receipts: true,
    // timItem.UpdateDate [?]
    itemChanges: true,
    // tsoShipment/tsoShipLine (columns [?]: docs/sage500.md)
    shipments: true,
    batchRequests: false,
    naturalKeyMaxLength: SAGE500_NATURAL_KEY_MAX,
    // datetime columns
    changeResolution: 'second',
    // timInventory/timWhseBinInvt carry no known change date [?]: quantities by full scan
    stockMovesChangeDate: false,
  },
};

/** The capabilities of an ERP kind, or undefined when it has no adapter yet. */
export function capabilitiesOf(kind: ErpKind): ErpCapabilities | undefined {
  const c = CAPABILITIES[kind];
  return c && { ...c };
}
