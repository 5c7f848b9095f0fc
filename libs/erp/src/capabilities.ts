import type { ErpCapabilities, ErpKind } from './port';

/** SAP B1 NumAtCard holds 100 characters (reference/erp/FACTS.md §1.3). */
export const SAP_B1_NATURAL_KEY_MAX = 100;
/** Sage 300 OE `PurchaseOrderNumber` holds 22 characters (reference/erp/FACTS.md §2.5 [?]); an Amazon order id has 19. */
export const SAGE300_PO_NUMBER_LENGTH = 22;

/**
 * What each ERP does, in one table: sage-writer reads it to route documents, the connection CLI to
 * refuse a connection whose ERP has no adapter, and each adapter declares it as its own. An ERP that
 * is missing here has no adapter yet.
 */
const CAPABILITIES: Partial<Record<ErpKind, ErpCapabilities>> = {
  SAP_B1: {
    kind: 'SAP_B1',
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
    salesOrders: true,
    invoices: 'batch',
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
};

/** The capabilities of an ERP kind, or undefined when it has no adapter yet. */
export function capabilitiesOf(kind: ErpKind): ErpCapabilities | undefined {
  const c = CAPABILITIES[kind];
  return c && { ...c };
}
