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
  module: 'AR' | 'CS' | 'GL' | 'IC' | 'OE';
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
        // address fields: names [?] (not in the sample payloads; the ARCUS view has ADDR1..4, CODESTTE, CODEPSTL, CODECTRY)
        'AddressLine1',
        'AddressLine2',
        'AddressLine3',
        'AddressLine4',
        'City',
        'StateProvince',
        'ZipPostalCode',
        'Country',
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
            // a credit note's applied-to invoice, and the currency fields: names [?] (the ARIBH view's
            // apply-to document, currency code, rate type, rate date and exchange rate)
            'ApplyToDocument',
            'CurrencyCode',
            'RateType',
            'RateDate',
            'ExchangeRate',
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
            // rate fields: names [?] (the ARTCR view's rate type and bank-to-customer rate)
            'RateType',
            'ExchangeRate',
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
                // rate fields: names [?] (the GLJED view's rate type, rate date and conversion rate)
                'RateType',
                'RateDate',
                'ConversionRate',
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
        // currency and completion: names [?] (the OEORDH view's customer currency, rate type, rate
        // date, exchange rate and "order completed" fields); the 2022 samples show none of them
        'CustomerCurrency',
        'RateType',
        'RateDate',
        'ExchangeRate',
        'OrderCompleted',
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
  /**
   * OE invoices: GET only in 2022 (reference/erp/sage300/endpoints-2022.json), made by an order
   * posted with `QuantityShipped` and `InvoiceWillBeProduced`. Header names from a [3P] sample
   * response; the detail, total and currency names are [?] (the OEINVH/OEINVD views).
   */
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
        'ShipmentNumber',
        'PurchaseOrderNumber',
        'CustomerCurrency',
        'RateType',
        'ExchangeRate',
        'InvoiceTotal',
        'InvoiceDetails',
      ],
      details: {
        InvoiceDetails: {
          props: [
            'LineNumber',
            'LineType',
            'Item',
            'Location',
            'MiscellaneousChargesCode',
            'QuantityShipped',
            'UnitPrice',
            'ExtendedAmount',
          ],
        },
      },
    },
  },
  /**
   * OE credit/debit notes: GET and POST in 2022 (reference/erp/sage300/endpoints-2022.json, view
   * OE0240 OECRDH). Properties of reference/erp/sage300/payloads/OE/OECreditDebitNotes.json; the
   * invoice credited (`InvoiceNumber`), the note's number, total, currency fields and each line's
   * credit type (`ReturnType`: `ItemsReturnedToInventory`, `DamagedItems`, `PriceAdjustment`, the
   * three credit types of O/E Credit/Debit Note Entry) are named here [?]: the sample shows none.
   */
  OECreditDebitNotes: {
    module: 'OE',
    verbs: ['GET', 'POST'],
    keys: ['CNUniquifier'],
    model: 'CreditDebitNote',
    shape: {
      props: [
        'CNUniquifier',
        'CreditDebitNoteNumber',
        'CustomerNumber',
        'Reference',
        'Description',
        'CreditDebitNoteDate',
        'CreditDebitNoteType',
        'InvoiceNumber',
        'OrderNumber',
        'PurchaseOrderNumber',
        'CustomerCurrency',
        'RateType',
        'RateDate',
        'ExchangeRate',
        'CreditDebitNoteTotal',
        'CreditDebitDetails',
      ],
      details: {
        CreditDebitDetails: {
          props: [
            'CNUniquifier',
            'LineNumber',
            'LineType',
            'Item',
            'MiscellaneousChargesCode',
            'Location',
            'QuantityReturned',
            'CreditDebitNoteUOM',
            'UnitPrice',
            'ExtendedAmount',
            'ExtendedAmountMiscellaneousCharge',
            'ReturnType',
          ],
        },
      },
    },
  },
  /**
   * The company profile (GET PUT DELETE PATCH in 2022, view CS0001 CSCOM): one record per company.
   * Property names [?] (the CSCOM view's organization ID, name, home currency and multicurrency switch).
   */
  CSCompanyProfile: {
    module: 'CS',
    verbs: ['GET', 'PUT', 'DELETE', 'PATCH'],
    keys: ['OrganizationID'],
    model: 'CompanyProfile',
    shape: { props: ['OrganizationID', 'CompanyName', 'HomeCurrency', 'Multicurrency'] },
  },
  /**
   * The currency rate table (all verbs in 2022, view CS0005 CSCRH): one rate per home currency, rate
   * type, source currency and date. Property names [?] (the CSCRH/CSCRD views: HOMECUR, RATETYPE,
   * SOURCECUR, RATEDATE, RATE, DATEMATCH, RATEOPER); `RateOperator` `Multiply` means home = source ×
   * rate, `Divide` home = source ÷ rate.
   */
  CSCurrencyRates: {
    module: 'CS',
    verbs: ALL,
    keys: ['HomeCurrency', 'RateType', 'SourceCurrency', 'RateDate'],
    model: 'CurrencyRate',
    shape: {
      props: ['HomeCurrency', 'RateType', 'SourceCurrency', 'RateDate', 'Rate', 'RateOperator'],
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
export const SAGE300_FIELD_LENGTHS = {
  PurchaseOrderNumber: 22,
  Description: 60,
  // ARCUS.IDCUST: 12 characters [?] (not in reference/erp; the Sage 300 customer number field)
  CustomerNumber: 12,
  // ARCUS.NAMECUST: 60 characters [?]
  CustomerName: 60,
  ShortName: 10,
} as const;

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
