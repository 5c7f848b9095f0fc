import knexFactory, { type Knex } from 'knex';
import { SAGE500_SCHEMA } from './schema';

export interface Sage500SimulatorOptions {
  /** a PostgreSQL server URL with the right to create databases; the simulator makes its own database there */
  adminUrl: string;
  /** the database name (default: sage500_<random>); an existing one of that name is dropped first */
  database?: string;
  /** CompanyID, 3 characters (default SOA, the sample company) */
  company?: string;
  /** stock items (type 5 [?]), 100 each, list price 10 */
  items?: string[];
  /** misc items (type 1 [?]: no stock, not listed), e.g. the order charges */
  miscItems?: string[];
  customers?: string[];
  /** GL account numbers */
  accounts?: string[];
  /** the warehouse items are stocked in (default WHS), 100 each in bin DEFAULT */
  warehouse?: string;
  /** the company's home currency, tsmCompany.CurrID (default USD) */
  homeCurrency?: string;
  /**
   * the receivable account of the customer class the seeded customers belong to (class AMAZON,
   * terms NET30, sales tax schedule AMAZON; default 1100, added to tglAccount when missing)
   */
  receivableAccount?: string;
}

/** The exchange-rate schedule the simulator keeps its rates in (tmcCurrExchSchd.CurrExchSchdID [?]). */
export const SAGE500_SIM_RATE_SCHEDULE = 'DEFAULT';
/** The customer class, payment terms and sales tax schedule of the seeded customers. */
export const SAGE500_SIM_CUSTOMER_CLASS = 'AMAZON';

export interface Sage500Faults {
  /** share of procedure runs that fail as the deadlock victim (SQL Server 1205) */
  deadlockRate?: number;
  /** share of procedure runs that fail with a lock timeout (SQL Server 1222) */
  lockTimeoutRate?: number;
  /** share of GL postings refused with post status −6 (locked by another user) */
  logicalLockRate?: number;
  /** headers each spSOapiSalesOrdIns run takes (the @oContinue loop runs until all are done) */
  batchSize?: number;
  /** GL periods before this date (YYYY-MM-DD) are closed: post status −5 */
  closedBefore?: string | null;
}

/**
 * Sage 500 in PostgreSQL: the schema subset and procedure stand-ins of SAGE500_SCHEMA in a database
 * of its own, seeded with a company, items, customers and GL accounts. The adapter reaches it with
 * a `postgres://` URL; tests read its tables through `db`.
 */
export class Sage500Simulator {
  readonly company: string;
  readonly warehouse: string;
  private admin?: Knex;
  private knex?: Knex;
  private dbUrl?: string;
  private readonly name: string;

  constructor(private readonly opts: Sage500SimulatorOptions) {
    this.company = opts.company ?? 'SOA';
    this.warehouse = opts.warehouse ?? 'WHS';
    this.name =
      opts.database ?? `sage500_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  }

  /** The simulator's database (for the adapter's `baseUrl`). */
  get url(): string {
    if (!this.dbUrl) throw new Error('Sage 500 simulator not started');
    return this.dbUrl;
  }

  get db(): Knex {
    if (!this.knex) throw new Error('Sage 500 simulator not started');
    return this.knex;
  }

  async start(): Promise<void> {
    this.admin = knexFactory({ client: 'pg', connection: this.opts.adminUrl, pool: { min: 0, max: 1 } });
    if (this.opts.database) await this.admin.raw('drop database if exists ?? with (force)', [this.name]);
    await this.admin.raw('create database ??', [this.name]);
    const url = new URL(this.opts.adminUrl);
    url.pathname = `/${this.name}`;
    this.dbUrl = url.toString();
    this.knex = knexFactory({ client: 'pg', connection: this.dbUrl, pool: { min: 0, max: 1 } });
    await this.knex.raw(SAGE500_SCHEMA);
    await this.seed();
  }

  private async seed(): Promise<void> {
    const db = this.db;
    const c = this.company;
    const [{ WhseKey }] = await db('timWarehouse')
      .insert({ CompanyID: c, WhseID: this.warehouse })
      .returning<{ WhseKey: number }[]>('WhseKey');
    const [{ WhseBinKey }] = await db('timWhseBin')
      .insert({ WhseKey, WhseBinID: 'DEFAULT' })
      .returning<{ WhseBinKey: number }[]>('WhseBinKey');
    for (const id of this.opts.items ?? []) await this.addItem(id, { WhseKey, WhseBinKey });
    for (const id of this.opts.miscItems ?? [])
      await db('timItem').insert({ CompanyID: c, ItemID: id, ShortDesc: id, ItemType: 1 });
    // the seeded items share one change date (a data load)
    await db('timItem').update({ UpdateDate: db.raw('"simNow"()') });
    await db('tsmCompany').insert({ CompanyID: c, CurrID: this.opts.homeCurrency ?? 'USD' });
    await db('tmcCurrExchSchd').insert({ CompanyID: c, CurrExchSchdID: SAGE500_SIM_RATE_SCHEDULE });
    const receivable = this.opts.receivableAccount ?? '1100';
    for (const no of new Set([...(this.opts.accounts ?? []), receivable]))
      await db('tglAccount').insert({ CompanyID: c, GLAcctNo: no });
    await this.addCustomerClass(SAGE500_SIM_CUSTOMER_CLASS, receivable);
    for (const id of this.opts.customers ?? []) await this.addCustomer(id);
  }

  /**
   * A customer class with its receivable account, and payment terms and a sales tax schedule of the
   * same id (made when missing). Returns its CustClassKey.
   */
  async addCustomerClass(classId: string, receivableAccount: string): Promise<number> {
    const db = this.db;
    const c = this.company;
    const acct = await db('tglAccount')
      .where({ CompanyID: c, GLAcctNo: receivableAccount })
      .first<{ GLAcctKey: number } | undefined>('GLAcctKey');
    if (!acct) throw new Error(`no GL account ${receivableAccount}`);
    const key = async (table: string, idCol: string, keyCol: string, id: string): Promise<number> => {
      const found = await db(table)
        .where({ CompanyID: c, [idCol]: id })
        .first<Record<string, number> | undefined>(keyCol);
      if (found) return found[keyCol];
      const [row] = await db(table)
        .insert({ CompanyID: c, [idCol]: id })
        .returning<Record<string, number>[]>(keyCol);
      return row[keyCol];
    };
    const terms = await key(
      'tciPaymentTerms',
      'PmtTermsID',
      'PmtTermsKey',
      classId === SAGE500_SIM_CUSTOMER_CLASS ? 'NET30' : classId,
    );
    const stax = await key('tciSTaxSchedule', 'STaxSchdID', 'STaxSchdKey', classId);
    const [{ CustClassKey }] = await db('tarCustClass')
      .insert({
        CompanyID: c,
        CustClassID: classId,
        CustClassName: classId,
        ARAcctKey: acct.GLAcctKey,
        PmtTermsKey: terms,
        STaxSchdKey: stax,
        CurrID: this.opts.homeCurrency ?? 'USD',
      })
      .returning<{ CustClassKey: number }[]>('CustClassKey');
    return CustClassKey;
  }

  /** A customer of a class (default AMAZON), active, with a primary address carrying the class's terms and tax schedule. */
  async addCustomer(custId: string, classId = SAGE500_SIM_CUSTOMER_CLASS): Promise<void> {
    await this.db.transaction(async (trx) => {
      const cls = await trx('tarCustClass')
        .where({ CompanyID: this.company, CustClassID: classId })
        .first<
          { CustClassKey: number; PmtTermsKey: number; STaxSchdKey: number; CurrID: string } | undefined
        >();
      if (!cls) throw new Error(`no customer class ${classId}`);
      const [{ AddrKey }] = await trx('tciAddress')
        .insert({ AddrName: custId })
        .returning<{ AddrKey: number }[]>('AddrKey');
      const [{ CustKey }] = await trx('tarCustomer')
        .insert({
          CompanyID: this.company,
          CustID: custId,
          CustName: custId,
          CustClassKey: cls.CustClassKey,
          PrimaryAddrKey: AddrKey,
        })
        .returning<{ CustKey: number }[]>('CustKey');
      await trx('tarCustAddr').insert({
        AddrKey,
        CustKey,
        CustAddrID: custId,
        CurrID: cls.CurrID,
        PmtTermsKey: cls.PmtTermsKey,
        STaxSchdKey: cls.STaxSchdKey,
      });
    });
  }

  /** tarCustomer.Status: 1 active, 2 inactive, 3 temporary, 4 deleted. */
  async setCustomerStatus(custId: string, status: 1 | 2 | 3 | 4): Promise<void> {
    await this.db('tarCustomer')
      .where({ CompanyID: this.company, CustID: custId })
      .update({ Status: status });
  }

  /** The company's home currency (tsmCompany.CurrID). */
  async setHomeCurrency(currency: string): Promise<void> {
    await this.db('tsmCompany').where({ CompanyID: this.company }).update({ CurrID: currency });
  }

  /**
   * A rate in the DEFAULT schedule: `rate` home-currency units per unit of `currency` from `date`
   * (YYYY-MM-DD) on, until a later row takes over (or until `expires`, when given).
   */
  async setExchangeRate(currency: string, date: string, rate: string, expires?: string): Promise<void> {
    const db = this.db;
    const schd = await db('tmcCurrExchSchd')
      .where({ CompanyID: this.company, CurrExchSchdID: SAGE500_SIM_RATE_SCHEDULE })
      .first<{ CurrExchSchdKey: number }>('CurrExchSchdKey');
    const home = await db('tsmCompany')
      .where({ CompanyID: this.company })
      .first<{ CurrID: string }>('CurrID');
    await db('tmcCurrExchSchdDtl')
      .insert({
        CurrExchSchdKey: schd.CurrExchSchdKey,
        EffectiveDate: date,
        SourceCurrID: currency,
        TargetCurrID: home.CurrID,
        CurrExchRate: rate,
        ExpirationDate: expires ?? null,
      })
      .onConflict(['CurrExchSchdKey', 'SourceCurrID', 'TargetCurrID', 'EffectiveDate'])
      .merge(['CurrExchRate', 'ExpirationDate']);
  }

  /** An item (type 5, finished good [?]) stocked 100 in the default bin, list price 10 USD. */
  async addItem(itemId: string, at?: { WhseKey: number; WhseBinKey: number }): Promise<void> {
    const db = this.db;
    const where =
      at ??
      (await db('timWhseBin as b')
        .join('timWarehouse as w', 'w.WhseKey', 'b.WhseKey')
        .where({ 'w.CompanyID': this.company, 'w.WhseID': this.warehouse })
        .first<{ WhseKey: number; WhseBinKey: number }>('b.WhseKey', 'b.WhseBinKey'));
    const [{ ItemKey }] = await db('timItem')
      .insert({ CompanyID: this.company, ItemID: itemId, ShortDesc: itemId })
      .returning<{ ItemKey: number }[]>('ItemKey');
    await db('timInventory').insert({ WhseKey: where.WhseKey, ItemKey });
    await db('timWhseBinInvt').insert({ WhseBinKey: where.WhseBinKey, ItemKey, QtyOnHand: '100' });
    await db('timItemUnitPrice').insert({ ItemKey, UnitPrice: '10' });
  }

  private async itemKey(itemId: string): Promise<number> {
    const r = await this.db('timItem')
      .where({ CompanyID: this.company, ItemID: itemId })
      .first<{ ItemKey: number } | undefined>('ItemKey');
    if (!r) throw new Error(`no item ${itemId}`);
    return r.ItemKey;
  }

  /** A user changes the item's list price: the item's UpdateDate moves. */
  async setPrice(itemId: string, price: string): Promise<void> {
    const ItemKey = await this.itemKey(itemId);
    await this.db.transaction(async (trx) => {
      await trx('timItemUnitPrice').where({ ItemKey, PriceListID: 'LIST' }).update({ UnitPrice: price });
      await trx('timItem')
        .where({ ItemKey })
        .update({ UpdateDate: trx.raw('"simNow"()') });
    });
  }

  /** A receipt or adjustment in the default bin: on hand moves, the item's UpdateDate does not [?]. */
  async receiveStock(itemId: string, quantity: string): Promise<void> {
    const ItemKey = await this.itemKey(itemId);
    await this.db('timWhseBinInvt')
      .where({ ItemKey })
      .update({ QtyOnHand: this.db.raw('?? + ?', ['QtyOnHand', quantity]) });
  }

  /**
   * The whole of a sales order ships in one package: a tsoShipment with a line per order line, stock
   * and quantity on SO down. Returns the ShipKey.
   */
  async ship(soKey: number, opts: { shipMethId: string; trackingNo: string }): Promise<number> {
    return this.db.transaction(async (trx) => {
      const so = await trx('tsoSalesOrder')
        .where({ SOKey: soKey })
        .first<{ TranNo: string } | undefined>('TranNo');
      if (!so) throw new Error(`no sales order ${soKey}`);
      const [{ ShipKey }] = await trx('tsoShipment')
        .insert({
          CompanyID: this.company,
          TranID: `${so.TranNo}-SH`,
          ShipDate: trx.raw('"simNow"()'),
          UpdateDate: trx.raw('"simNow"()'),
          ShipMethID: opts.shipMethId,
          TrackingNo: opts.trackingNo,
        })
        .returning<{ ShipKey: number }[]>('ShipKey');
      // stock items ship; misc items (the order's charges) do not
      const lines = await trx('tsoSOLine as l')
        .join('tsoSOLineDist as d', 'd.SOLineKey', 'l.SOLineKey')
        .join('timItem as i', 'i.ItemKey', 'l.ItemKey')
        .where({ 'l.SOKey': soKey })
        .where('i.ItemType', '>=', 5)
        .select<Array<{ SOLineKey: number; ItemKey: number; QtyOrd: string; WhseKey: number | null }>>(
          'l.SOLineKey',
          'l.ItemKey',
          'd.QtyOrd',
          'd.WhseKey',
        );
      for (const l of lines) {
        await trx('tsoShipLine').insert({
          ShipKey,
          SOLineKey: l.SOLineKey,
          ItemKey: l.ItemKey,
          QtyShipped: l.QtyOrd,
        });
        if (l.WhseKey === null) continue;
        await trx('timInventory')
          .where({ WhseKey: l.WhseKey, ItemKey: l.ItemKey })
          .update({ QtyOnSO: trx.raw('?? - ?', ['QtyOnSO', l.QtyOrd]) });
        await trx('timWhseBinInvt')
          .whereIn('WhseBinKey', trx('timWhseBin').where({ WhseKey: l.WhseKey }).select('WhseBinKey'))
          .where({ ItemKey: l.ItemKey })
          .update({ QtyOnHand: trx.raw('?? - ?', ['QtyOnHand', l.QtyOrd]) });
      }
      await trx('tsoSalesOrder')
        .where({ SOKey: soKey })
        .update({
          Status: 4,
          UpdateDate: trx.raw('"simNow"()'),
          UpdateCounter: trx.raw('?? + 1', ['UpdateCounter']),
        });
      return ShipKey;
    });
  }

  /** An order entered in Sage 500 by a person (through the same import, with no Amazon reference). Returns its SOKey. */
  async enterOrder(custId: string, itemId: string, quantity: number): Promise<number> {
    return this.db.transaction(async (trx) => {
      const [{ oNewKey }] = (
        await trx.raw<{ rows: Array<{ oNewKey: number }> }>('call "spGetNextSurrogateKey"(?, null)', [
          'tsmMigrateSession',
        ])
      ).rows;
      const tranNo = `M${String(oNewKey).padStart(9, '0')}`;
      await trx('StgSalesOrder').insert({
        SessionKey: oNewKey,
        Action: 1,
        TranNo: tranNo,
        CustID: custId,
        DfltWarehouseID: this.warehouse,
      });
      await trx('StgSOLine').insert({
        SessionKey: oNewKey,
        TranNo: tranNo,
        ItemID: itemId,
        QtyOrd: String(quantity),
        UnitPrice: '10',
      });
      await trx.raw('call "spSOapiSalesOrdIns"(0, 0, ?, ?, 1, 0, 1, 0, 0, 0, 0)', [oNewKey, this.company]);
      const so = await trx('tsoSalesOrder')
        .where({ CompanyID: this.company, TranNo: tranNo })
        .first<{ SOKey: number } | undefined>('SOKey');
      if (!so) throw new Error('the order was not imported');
      return so.SOKey;
    });
  }

  /** The shipment is deleted (with its lines). */
  async deleteShipment(shipKey: number): Promise<void> {
    await this.db('tsoShipment').where({ ShipKey: shipKey }).delete();
  }

  async setFaults(f: Sage500Faults): Promise<void> {
    const set: Record<string, unknown> = {};
    if (f.deadlockRate !== undefined) set.DeadlockRate = f.deadlockRate;
    if (f.lockTimeoutRate !== undefined) set.LockTimeoutRate = f.lockTimeoutRate;
    if (f.logicalLockRate !== undefined) set.LogicalLockRate = f.logicalLockRate;
    if (f.batchSize !== undefined) set.BatchSize = f.batchSize;
    if (f.closedBefore !== undefined) set.ClosedBefore = f.closedBefore;
    if (Object.keys(set).length) await this.db('simSettings').update(set);
  }

  /** The server clock stands at `ms` (epoch), or runs again (null). */
  async setTime(ms: number | null): Promise<void> {
    await this.db('simSettings').update({
      FixedTime: ms === null ? null : new Date(ms).toISOString().replace('T', ' ').replace('Z', ''),
    });
  }

  /** The server clock moves on by `ms` (from where it stands, or from now). */
  async advanceTime(ms: number): Promise<void> {
    await this.db('simSettings').update({
      FixedTime: this.db.raw(`"simNow"() + (? || ' milliseconds')::interval`, [String(ms)]),
    });
  }

  /** Drops every connection to the simulator's database but its own (a server restart, a failover). */
  async dropConnections(): Promise<void> {
    await this.db.raw(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
  }

  async close(): Promise<void> {
    await this.knex?.destroy();
    this.knex = undefined;
    if (this.admin) {
      await this.admin.raw('drop database if exists ?? with (force)', [this.name]);
      await this.admin.destroy();
      this.admin = undefined;
    }
  }
}
