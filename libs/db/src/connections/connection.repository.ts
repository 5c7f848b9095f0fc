import { NonRetriableError } from '@connector/core';
import { buyerCustomerCode, capabilitiesOf, type ErpKind } from '@connector/erp';
import { z } from 'zod';
import type { Db } from '../knex';
import type { CredentialsCipher } from './credentials-cipher';

const decimalText = z.string().regex(/^\d+(\.\d{1,4})?$/, 'must be a decimal amount such as "12.50"');

/**
 * The ERP → Amazon half of a connection (erp-change-poller and inventory-publisher): how the ERP is
 * read, what Amazon may sell, and which price goes where. README "ERP → Amazon" documents each rule.
 */
export const returnPathSettingsSchema = z.object({
  /** seconds between change reads of the ERP (items and prices, shipments) */
  erpPollIntervalSec: z.number().int().min(5).default(60),
  /** change windows end this many seconds before the ERP's own clock, so a row committed late is not skipped */
  erpSafetyLagSec: z.number().int().min(0).default(120),
  /** seconds between full item scans: stock moves bump no change date in SAP B1 or Sage 300 */
  fullScanIntervalSec: z.number().int().min(60).default(3600),
  /** rows per ERP read */
  erpPageSize: z.number().int().min(1).max(1000).default(200),
  /** warehouses whose stock Amazon may sell; empty: every warehouse */
  warehouses: z.array(z.string().min(1)).default([]),
  /** units of each item held back from Amazon */
  safetyStock: z.number().int().min(0).default(0),
  /** send quantities of merchant-fulfilled SKUs to Amazon */
  syncQuantity: z.boolean().default(true),
  /**
   * per marketplace id: the ERP price list whose price becomes the listing's price, in the
   * marketplace's currency, with guard rails; a marketplace absent here gets no price updates
   */
  prices: z
    .record(
      z.string(),
      z.object({
        priceList: z.string().min(1),
        currency: z.string().length(3),
        floor: decimalText.optional(),
        ceiling: decimalText.optional(),
      }),
    )
    .default({}),
  /** changes to one SKU within this many seconds are sent once, with the last value */
  coalesceSec: z.number().int().min(0).default(30),
  /** above this many SKUs in one flush, a JSON_LISTINGS_FEED is sent instead of single patches */
  feedThreshold: z.number().int().min(1).default(50),
  /** seconds between reads of the listings report (which SKUs Amazon fulfils) */
  listingsRefreshSec: z
    .number()
    .int()
    .min(60)
    .default(6 * 3600),
  /** confirm ERP shipments of merchant-fulfilled orders to Amazon */
  confirmShipments: z.boolean().default(true),
});
export type ReturnPathSettings = z.infer<typeof returnPathSettingsSchema>;

/** What a Sage 100 connection says about its company (Sage100Settings in libs/erp; docs/sage100.md). */
export const sage100SettingsSchema = z.object({
  /** `CustomerPONo` length of this Sage 100 version (15–30) */
  customerPoLength: z.number().int().min(15).max(30).optional(),
  /** a UDF of SO_SalesOrderHeader holding the Amazon order id, for versions whose CustomerPONo is too short */
  amazonOrderIdUdf: z
    .object({
      name: z.string().regex(/^UDF_\w+$/, 'must be a UDF_ column'),
      length: z.number().int().min(19),
    })
    .optional(),
  defaultArDivision: z.string().length(2).optional(),
  defaultWarehouse: z.string().min(1).max(3).optional(),
  /** the A/R deposit number cash receipts are entered under */
  receiptDepositNo: z.string().min(1).max(5).optional(),
  /** the one-character Sage 100 bank code of each payout GL account receipts name */
  bankCodes: z.record(z.string(), z.string().length(1)).optional(),
  currency: z.string().length(3).optional(),
  settlementPosting: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('journal') }),
      z.object({
        mode: z.literal('ap-invoice'),
        apDivisionNo: z.string().length(2),
        vendorNo: z.string().min(1).max(20),
        apControlAccount: z.string().min(1),
        feeAccounts: z.array(z.string().min(1)).min(1),
      }),
    ])
    .optional(),
});

/**
 * Order to cash (issue 14, docs/order-to-cash.md): refunds as credit notes, a customer per buyer, and
 * documents in a currency other than the company's.
 */
export const orderToCashSettingsSchema = z
  .object({
    /** refunded goods of merchant-fulfilled orders come back into the ERP's stock (FBA returns never do) */
    returnsToStock: z.boolean().default(false),
    /**
     * `receivable`: the settlement clears what the invoices and credit notes booked against the
     * marketplace customer's receivable; `income`: every settlement line on its own account, for a
     * company that keeps no invoices in the ERP (docs/settlement-accounting.md; the reconciler reads
     * it with settlementOptionsOf in libs/mapping)
     */
    settlementBooking: z.enum(['receivable', 'income']).default('receivable'),
    /** false where the ERP's invoices carry no sales tax (it works tax out for a tax-exempt Amazon customer) */
    invoicesCarryTax: z.boolean().default(true),
    /** `per-marketplace`: the marketplace's mapped customer; `per-buyer`: a customer per hashed buyer key */
    customers: z.enum(['per-marketplace', 'per-buyer']).default('per-marketplace'),
    /** what per-buyer customer codes start with (buyerCustomerCode in libs/erp) */
    customerPrefix: z
      .string()
      .regex(/^[A-Z0-9-]{0,6}$/, 'must be up to 6 capital letters, digits or dashes')
      .default('AMZ'),
    /** the ERP company's home currency; absent: every document is written in its own currency, without rates */
    homeCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
      .optional(),
    fx: z
      .object({
        /** `erp`: the ERP's own rate table on the document date; `deposit`: the rate the settlement's journal carries (journals and receipts only) */
        rateSource: z.enum(['erp', 'deposit']).default('erp'),
        /** the GL account that takes a journal's home-currency rounding difference */
        roundingAccount: z.string().min(1),
      })
      .optional(),
  })
  .refine((s) => !s.homeCurrency || s.fx, {
    message: 'a home currency needs fx.roundingAccount (where rounding differences go)',
    path: ['fx'],
  });
export type OrderToCashSettings = z.infer<typeof orderToCashSettingsSchema>;

/** How often each stream of a connection is read, and how. Stored as JSON, validated on every read. */
export const connectionSettingsSchema = z.object({
  /** seconds between order reads */
  ordersIntervalSec: z.number().int().min(30).default(300),
  /** api: searchOrders; report: the all-orders report; auto: the report for backfills and busy windows */
  ordersMode: z.enum(['auto', 'api', 'report']).default('auto'),
  /** auto mode switches to the report when the window is longer than this many hours (backfill) */
  ordersReportAfterHours: z.number().positive().default(24),
  /** re-read this many seconds before the watermark: Amazon's lastUpdatedTime can lag (FACTS §3) */
  ordersOverlapSec: z.number().int().min(0).default(600),
  /** first read of a new connection starts this many days back */
  backfillDays: z.number().int().min(0).max(730).default(7),
  financesIntervalSec: z.number().int().min(60).default(3600),
  settlementsIntervalSec: z
    .number()
    .int()
    .min(300)
    .default(3600 * 6),
  /** the target ERP needs buyer name and address (only then is PII requested) */
  buyerPii: z.boolean().default(false),
  /** days buyer PII is kept after the order's last update (Amazon DPP: at most 30 after delivery) */
  piiRetentionDays: z.number().int().min(1).max(30).default(30),
  /** the ERP company's GL account structure as segment lengths, e.g. [4, 2] for "4000-00" (Sage 300) */
  glAccountSegments: z.array(z.number().int().min(1).max(15)).min(1).max(10).optional(),
  /**
   * the ERP server's offset from UTC in minutes (e.g. -300 for New York in winter), for ERPs that
   * stamp changes in local time (SAP B1 UpdateDate/UpdateTime); change windows use it
   */
  erpUtcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
  returnPath: returnPathSettingsSchema.prefault({}),
  orderToCash: orderToCashSettingsSchema.prefault({}),
  /** Sage 100 only (docs/sage100.md) */
  sage100: sage100SettingsSchema.optional(),
});
export type ConnectionSettings = z.infer<typeof connectionSettingsSchema>;
/** Settings as a caller writes them: every field has a default. */
export type ConnectionSettingsInput = z.input<typeof connectionSettingsSchema>;

export interface AmazonCredentials {
  lwaClientId: string;
  lwaClientSecret: string;
  refreshToken: string;
}
export interface ErpCredentials {
  baseUrl: string;
  user: string;
  password: string;
  /** SAP B1 CompanyDB, Sage 300 company id, Sage 100 company code */
  company?: string;
  /** Sage 100: the agent on the Sage 100 server and the shared secret its requests are signed with */
  agent?: { url: string; secret: string };
}
export interface ConnectionCredentials {
  amazon: AmazonCredentials;
  erp?: ErpCredentials;
}

export interface Connection {
  id: string;
  name: string;
  sellerId: string;
  region: 'na' | 'eu' | 'fe';
  marketplaceIds: string[];
  erpKind: ErpKind;
  erpCompany: string;
  enabled: boolean;
  settings: ConnectionSettings;
}

export class ConnectionNotFoundError extends NonRetriableError {
  constructor(id: string) {
    super('CONNECTION_NOT_FOUND', `no connection "${id}"`);
  }
}

const credentialsSchema = z.object({
  amazon: z.object({
    lwaClientId: z.string().min(1),
    lwaClientSecret: z.string().min(1),
    refreshToken: z.string().min(1),
  }),
  erp: z
    .object({
      baseUrl: z.string().min(1),
      user: z.string().min(1),
      password: z.string(),
      company: z.string().optional(),
      agent: z.object({ url: z.string().url(), secret: z.string().min(32) }).optional(),
    })
    .optional(),
});

interface Row {
  id: string;
  name: string;
  seller_id: string;
  region: Connection['region'];
  marketplace_ids: string[];
  erp_kind: Connection['erpKind'];
  erp_company: string;
  enabled: boolean;
  settings: unknown;
  credentials_ciphertext: Buffer | null;
  credentials_key_id: string | null;
}

const TABLE = 'connections';

/**
 * Connections (seller account ↔ ERP company) and their credentials, encrypted with AES-256-GCM
 * bound to the connection id. Credentials leave this class only through `credentials(id)`.
 */
export class ConnectionRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: CredentialsCipher,
  ) {}

  async upsert(
    c: Omit<Connection, 'settings'> & { settings?: ConnectionSettingsInput },
    credentials: ConnectionCredentials,
  ): Promise<Connection> {
    if (!capabilitiesOf(c.erpKind))
      throw new NonRetriableError(
        'ERP_NOT_SUPPORTED',
        `connection ${c.id}: ${c.erpKind} has no adapter yet, so nothing could be written to it; the connection was not saved`,
      );
    const creds = credentialsSchema.parse(credentials);
    const settings = connectionSettingsSchema.parse(c.settings ?? {});
    checkOrderToCash(c.id, c.erpKind, settings);
    const sealed = this.cipher.seal(JSON.stringify(creds), c.id);
    await this.db(TABLE)
      .insert({
        id: c.id,
        name: c.name,
        seller_id: c.sellerId,
        region: c.region,
        marketplace_ids: c.marketplaceIds,
        erp_kind: c.erpKind,
        erp_company: c.erpCompany,
        enabled: c.enabled,
        settings: JSON.stringify(settings),
        credentials_ciphertext: sealed.ciphertext,
        credentials_key_id: sealed.keyId,
        updated_at: this.db.fn.now(),
      })
      .onConflict('id')
      .merge();
    return { ...c, settings };
  }

  async list(enabledOnly = true): Promise<Connection[]> {
    const q = this.db<Row>(TABLE).select().orderBy('id');
    if (enabledOnly) q.where({ enabled: true });
    return (await q).map(toConnection);
  }

  async get(id: string): Promise<Connection> {
    const row = await this.db<Row>(TABLE).where({ id }).first();
    if (!row) throw new ConnectionNotFoundError(id);
    return toConnection(row);
  }

  async credentials(id: string): Promise<ConnectionCredentials> {
    const row = await this.db<Row>(TABLE).where({ id }).first();
    if (!row) throw new ConnectionNotFoundError(id);
    if (!row.credentials_ciphertext || !row.credentials_key_id)
      throw new NonRetriableError('CONNECTION_NO_CREDENTIALS', `connection "${id}" has no credentials`);
    const plain = this.cipher.open(
      { ciphertext: row.credentials_ciphertext, keyId: row.credentials_key_id },
      id,
    );
    return credentialsSchema.parse(JSON.parse(plain));
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const n = await this.db(TABLE).where({ id }).update({ enabled, updated_at: this.db.fn.now() });
    if (!n) throw new ConnectionNotFoundError(id);
  }
}

/**
 * What the connection's ERP must be able to do for its order-to-cash settings, checked when it is
 * saved (and by sage-writer before it writes): a customer per buyer needs customers through the API
 * and codes long enough for the hashed buyer key.
 */
export function checkOrderToCash(id: string, erpKind: ErpKind, settings: ConnectionSettings): void {
  const caps = capabilitiesOf(erpKind);
  const o2c = settings.orderToCash;
  if (!caps) return;
  if (o2c.customers === 'per-buyer') {
    if (!caps.customers)
      throw new NonRetriableError(
        'SETTINGS_INVALID',
        `connection ${id}: ${erpKind} cannot create customers through its API; keep one customer per marketplace`,
      );
    try {
      buyerCustomerCode(o2c.customerPrefix, '', caps.customerCodeMaxLength);
    } catch (err) {
      throw new NonRetriableError(
        'SETTINGS_INVALID',
        `connection ${id}: ${(err as Error).message}; the connection was not saved`,
      );
    }
  }
}

function toConnection(row: Row): Connection {
  return {
    id: row.id,
    name: row.name,
    sellerId: row.seller_id,
    region: row.region,
    marketplaceIds: row.marketplace_ids,
    erpKind: row.erp_kind,
    erpCompany: row.erp_company,
    enabled: row.enabled,
    settings: connectionSettingsSchema.parse(row.settings ?? {}),
  };
}
