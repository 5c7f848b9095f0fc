import { SageError } from './errors';

/**
 * The resources the simulator serves: module, verbs of the 2022 endpoint list
 * (reference/erp/sage300/endpoints-2022.json), key properties, and the properties a body may carry
 * (reference/erp/FACTS.md §2.3 and the sample payloads in reference/erp/sage300/payloads/).
 */

export type Rec = Record<string, unknown>;

export interface Shape {
  props: string[];
  details?: Record<string, Shape>;
}

export interface ResourceDef {
  module: 'AR' | 'GL' | 'IC' | 'OE';
  verbs: string[];
  /** key properties in metadata order */
  keys: string[];
  shape: Shape;
  /** the OData model type named in InvalidPayload messages */
  model: string;
}

const ALL = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const OPT = { props: ['OptionalField', 'Value'] };

/** Served resources with their 2022 verbs (reference/erp/sage300/endpoints-2022.json) and the fields of reference/erp/FACTS.md §2.3 / payloads. */
export const SAGE300_RESOURCES: Record<string, ResourceDef> = {
  ARCustomers: {
    module: 'AR',
    verbs: ALL,
    keys: ['CustomerNumber'],
    model: 'Customer',
    shape: {
      props: [
        'CustomerNumber',
        'ShortName',
        'GroupCode',
        'NationalAccount',
        'Status',
        'OnHold',
        'CustomerName',
        'AccountSet',
        'BillingCycle',
        'InterestProfile',
        'CurrencyCode',
        'PrintStatements',
        'AccountType',
        'Terms',
        'TaxGroup',
        'CreditLimitCustomerCurrency',
        'CustomerPriceList',
        'City',
        'BalanceDueInCustomerCurrency',
        'DateOfLastInvoice',
        'DateLastMaintained',
        'CustomerOptionalFieldValues',
      ],
      details: { CustomerOptionalFieldValues: OPT },
    },
  },
  ARInvoiceBatches: {
    module: 'AR',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchNumber'],
    model: 'InvoiceBatch',
    shape: {
      props: ['BatchNumber', 'BatchDate', 'BatchStatus', 'Description', 'NumberOfEntries', 'Invoices'],
      details: {
        Invoices: {
          props: [
            'BatchNumber',
            'EntryNumber',
            'CustomerNumber',
            'DocumentType',
            'TransactionType',
            'DocumentNumber',
            'DocumentDate',
            'AsOfDate',
            'DueDate',
            'PostingDate',
            'InvoiceType',
            'InvoiceDetails',
            'InvoicePaymentSchedules',
          ],
          details: {
            InvoiceDetails: {
              props: [
                'BatchNumber',
                'EntryNumber',
                'LineNumber',
                'ItemNumber',
                'DistributionCode',
                'ExtendedAmountWithTIP',
              ],
            },
            InvoicePaymentSchedules: {
              props: ['BatchNumber', 'EntryNumber', 'PaymentNumber', 'AmountDue', 'DueDate'],
            },
          },
        },
      },
    },
  },
  ARReceiptAndAdjustmentBatches: {
    module: 'AR',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchRecordType', 'BatchNumber'],
    model: 'ReceiptAndAdjustmentBatch',
    shape: {
      props: [
        'BatchRecordType',
        'BatchNumber',
        'BatchDate',
        'Description',
        'NumberOfEntries',
        'BankCode',
        'DefaultBankCurrency',
        'BatchStatus',
        'ReceiptsAdjustments',
      ],
      details: {
        ReceiptsAdjustments: {
          props: [
            'BatchType',
            'BatchNumber',
            'EntryNumber',
            'CustomerNumber',
            'ReceiptDateAdjustmentDate',
            'EntryDescription',
            'EntryReference',
            'BankReceiptAmount',
            'CustomerReceiptAmount',
            'TotalCustomerAmountApplied',
            'ReceiptTransactionType',
            'CustomerUnappliedAmount',
            'AppliedReceiptsAdjustments',
          ],
          details: {
            AppliedReceiptsAdjustments: {
              props: [
                'BatchType',
                'BatchNumber',
                'EntryNumber',
                'LineNumber',
                'CustomerNumber',
                'DocumentNumber',
                'PaymentNumber',
                'CustomerReceiptAmount',
                'Description',
                'Reference',
                'AdjustmentGLDistributions',
              ],
              details: {
                AdjustmentGLDistributions: {
                  props: [
                    'BatchType',
                    'BatchNumber',
                    'EntryNumber',
                    'LineNumber',
                    'SequenceNumber',
                    'TransactionType',
                    'DistributionAmount',
                    'DistributionCode',
                    'DistributionGLAccount',
                  ],
                },
              },
            },
          },
        },
      },
    },
  },
  GLAccounts: {
    module: 'GL',
    verbs: ALL,
    keys: ['UnformattedAccount'],
    model: 'Account',
    shape: {
      props: [
        'UnformattedAccount',
        'FormattedAccount',
        'Description',
        'AccountType',
        'NormalBalanceDRCR',
        'Status',
        'StructureCode',
        'AccountGroupCode',
      ],
    },
  },
  GLJournalBatches: {
    module: 'GL',
    verbs: ['GET', 'POST', 'PATCH'],
    keys: ['BatchNumber'],
    model: 'JournalBatch',
    shape: {
      props: [
        'BatchNumber',
        'Description',
        'Status',
        'SourceLedger',
        'DateLastEdited',
        'ReadyToPost',
        'JournalHeaders',
      ],
      details: {
        JournalHeaders: {
          props: [
            'BatchNumber',
            'EntryNumber',
            'SourceLedger',
            'SourceType',
            'Description',
            'DocumentDate',
            'PostingDate',
            'FiscalYear',
            'FiscalPeriod',
            'JournalDetails',
          ],
          details: {
            JournalDetails: {
              props: [
                'BatchNumber',
                'EntryNumber',
                'TransactionNumber',
                'AccountNumber',
                'Amount',
                'SourceCurrencyAmount',
                'HomeCurrency',
                'SourceCurrency',
                'Description',
                'Reference',
                'Comment',
                'JournalDate',
              ],
            },
          },
        },
      },
    },
  },
  ICItems: {
    module: 'IC',
    verbs: ALL,
    // key property name [?] in reference/erp/FACTS.md; POST takes UnformattedItemNumber
    keys: ['ItemNumber'],
    model: 'Item',
    shape: {
      props: [
        'ItemNumber',
        'UnformattedItemNumber',
        'Description',
        'StructureCode',
        'Category',
        'AccountSetCode',
        'StockItem',
        'StockingUnitOfMeasure',
        'DefaultPriceListCode',
        'UnitWeight',
        'KittingItem',
        'WeightUnitOfMeasure',
        'Inactive',
        'DateLastMaintained',
        'ItemUnitsOfMeasure',
      ],
      details: {
        ItemUnitsOfMeasure: { props: ['ItemNumber', 'UnitOfMeasure', 'ConversionFactor', 'FACTOR'] },
      },
    },
  },
  ICItemPricing: {
    module: 'IC',
    verbs: ALL,
    keys: ['CurrencyCode', 'UnformattedItemNumber', 'PriceListCode'],
    model: 'ItemPricing',
    shape: {
      props: [
        'CurrencyCode',
        'UnformattedItemNumber',
        'PriceListCode',
        'Description',
        'PriceBy',
        'SellingPriceBasedon',
        'ItemPricingDetails',
        'UpdateOperation',
      ],
      details: {
        ItemPricingDetails: {
          props: [
            'CurrencyCode',
            'UnformattedItemNumber',
            'PriceListCode',
            'PriceDetailType',
            'QuantityUnit',
            'UnitPrice',
            'UpdateOperation',
          ],
        },
      },
    },
  },
  /**
   * Quantities per item and location. Not in the 2022 endpoint list (reference/erp/FACTS.md §2.3);
   * newer servers are reported to serve it with these fields [3P, ?]. Read only; the simulator can
   * answer 404 for it as a 2022 server does (`Sage300SimulatorOptions.locationDetails`).
   */
  ICLocationDetails: {
    module: 'IC',
    verbs: ['GET'],
    keys: ['ItemNumber', 'Location'],
    model: 'LocationDetail',
    shape: {
      props: ['ItemNumber', 'Location', 'QuantityOnHand', 'QuantityCommitted', 'QuantityAvailableToShip'],
    },
  },
  OEOrders: {
    module: 'OE',
    verbs: ['GET', 'POST'],
    keys: ['OrderUniquifier'],
    model: 'Order',
    shape: {
      props: [
        'OrderUniquifier',
        'OrderNumber',
        'CustomerNumber',
        'OrderDate',
        'OrderDescription',
        'OrderReference',
        'PurchaseOrderNumber',
        'OrderComment',
        'ShipToLocationCode',
        'ShipViaCode',
        'OrderType',
        'ExpectedShipDate',
        'DefaultLocationCode',
        'DefaultPriceListCode',
        'TermsCode',
        'TaxGroup',
        'OnHold',
        'InvoiceWillBeProduced',
        'LastShipmentNumber',
        'LastInvoiceNumber',
        'OrderOptionalFields',
        'OrderDetails',
      ],
      details: {
        OrderOptionalFields: OPT,
        OrderDetails: {
          props: [
            'LineNumber',
            'LineType',
            'Item',
            'Description',
            'Location',
            'QuantityOrdered',
            'QuantityShipped',
            'QuantityBackordered',
            'QuantityCommitted',
            'OrderUnitOfMeasure',
            'OrderUnitPrice',
            'PriceOverride',
            'PricingUnitPrice',
            'MiscellaneousChargesCode',
            'ExtendedAmount',
            'OrderDetailOptionalFields',
            'UpdateOperation',
          ],
          details: { OrderDetailOptionalFields: OPT },
        },
      },
    },
  },
  OEInvoices: {
    module: 'OE',
    verbs: ['GET'],
    keys: ['InvoiceUniquifier'],
    model: 'Invoice',
    shape: {
      props: [
        'InvoiceUniquifier',
        'InvoiceNumber',
        'InvoiceDate',
        'CustomerNumber',
        'OrderNumber',
        'PurchaseOrderNumber',
      ],
    },
  },
  /**
   * Not in the 2022 endpoint list (reference/erp/FACTS.md §2.2 lists no OE shipment endpoint): modelled on the OE
   * shipment view for reads only, fed by orders posted with `QuantityShipped` or by `ship()`.
   */
  OEShipments: {
    module: 'OE',
    verbs: ['GET'],
    keys: ['ShipmentUniquifier'],
    model: 'Shipment',
    shape: {
      props: [
        'ShipmentUniquifier',
        'ShipmentNumber',
        'ShipmentDate',
        'CustomerNumber',
        'OrderNumber',
        'PurchaseOrderNumber',
        'ShipViaCode',
        'TrackingNumber',
        'ShipmentDetails',
      ],
      details: {
        ShipmentDetails: { props: ['LineNumber', 'LineType', 'Item', 'Location', 'QuantityShipped'] },
      },
    },
  },
  OEMiscellaneousCharges: {
    module: 'OE',
    verbs: ALL,
    keys: ['MiscellaneousChargeCode'],
    model: 'MiscellaneousCharge',
    shape: {
      props: [
        'Currency',
        'MiscellaneousChargeCode',
        'Description',
        'MiscellaneousChargeRevenueAccount',
        'Amount',
      ],
    },
  },
};

/** Field lengths the simulator enforces ([?] in reference/erp/FACTS.md §2.5: PO number 22; descriptions 60). */
export const SAGE300_FIELD_LENGTHS = { PurchaseOrderNumber: 22, Description: 60 } as const;

/** A text property: a string no longer than its field (RecordInvalid when longer). */
export function text(
  v: unknown,
  field: string,
  max: number = SAGE300_FIELD_LENGTHS.Description,
): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SageError('InvalidPayload', `${field} must be a string`);
  if (v.length > max) throw new SageError('RecordInvalid', `${field} is longer than ${max} characters.`);
  return v;
}

/**
 * Unknown properties → InvalidPayload, as the Web API does (the "Dealing with Errors" request of
 * reference/erp/sage300/postman/summit-demo.postman_collection.json).
 */
export function checkShape(body: Rec, shape: Shape, model: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata.')) continue;
    if (!shape.props.includes(k))
      throw new SageError('InvalidPayload', `The property '${k}' does not exist on type '${model}'.`);
    const sub = shape.details?.[k];
    if (sub) {
      if (!Array.isArray(v))
        throw new SageError('InvalidPayload', `The property '${k}' must be a collection.`);
      for (const row of v as Rec[]) checkShape(row, sub, `${model}.${k}`);
    }
  }
}
