import { textOf } from '@connector/simulator-odata';
import { LosslessNumber, isLosslessNumber } from 'lossless-json';
import { MoneyDecimal } from '@connector/money';
import { SageError } from './errors';
import { SAGE300_RESOURCES, type Rec } from './resources';

/**
 * What one Sage 300 company holds: a list of records per resource, the counters behind batch,
 * entry, order, shipment and invoice numbers, the codes entries are checked against (locations,
 * banks, distribution codes), and the master data it starts with.
 */

export interface Sage300Seed {
  /** item numbers, or items with a base price (USD, price list `defaultPriceList`) */
  items?: Array<
    string | { itemNumber: string; description?: string; price?: string; currency?: string; onHand?: string }
  >;
  /** quantity on hand of every seeded item at the first location, unless the item says (default "100") */
  onHand?: string;
  /**
   * customers; each gets group, account set (its receivables control account), terms and tax group,
   * `AMZ`/`AMZ`/`N30`/`USTAX` unless it says
   */
  customers?: Array<
    | string
    | {
        customerNumber: string;
        name?: string;
        currency?: string;
        groupCode?: string;
        accountSet?: string;
        terms?: string;
        taxGroup?: string;
      }
  >;
  /** GL accounts as the company writes them, segmented with `-` ("4000-00") or not ("4000") */
  accounts?: string[];
  bankCodes?: string[];
  /** the company's home currency (CSCompanyProfile), default USD */
  homeCurrency?: string;
  locations?: string[];
  distributionCodes?: string[];
  miscChargeCodes?: string[];
}

/** The company's clock and the price list items are priced from. */
export interface CompanySettings {
  now: () => number;
  defaultPriceList: string;
  /** the company's org ID (CSCompanyProfile.OrganizationID) */
  organization?: string;
}

export const isoDay = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`;
export const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const dec = (v: unknown, field: string): MoneyDecimal => {
  const text = isLosslessNumber(v) ? v.toString() : typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text.trim()))
    throw new SageError('InvalidPayload', `The value of property '${field}' is not a valid number.`);
  return new MoneyDecimal(text.trim());
};
export const num = (d: MoneyDecimal) => new LosslessNumber(d.toFixed());
/** A GL account without its segment separators, as `UnformattedAccount` holds it. */
export const unformat = (account: string) => account.replace(/[-./ ]/g, '');

export class Company {
  readonly data = new Map<string, Rec[]>();
  readonly codes: { locations: Set<string>; banks: Set<string>; distribution: Set<string> };
  private readonly seq = new Map<string, number>();

  constructor(
    seed: Sage300Seed,
    readonly settings: CompanySettings,
  ) {
    this.codes = {
      locations: new Set(seed.locations ?? ['1']),
      banks: new Set(seed.bankCodes ?? []),
      distribution: new Set(seed.distributionCodes ?? ['SALES', 'FRT', 'PROMO', 'GIFTWR']),
    };
    for (const name of Object.keys(SAGE300_RESOURCES)) this.data.set(name, []);
    this.list('CSCompanyProfile').push({
      OrganizationID: settings.organization ?? 'SAMLTD',
      CompanyName: settings.organization ?? 'SAMLTD',
      HomeCurrency: seed.homeCurrency ?? 'USD',
      Multicurrency: true,
    });
    this.load(seed);
  }

  /** The home currency of the company profile. */
  homeCurrency(): string {
    return String(this.list('CSCompanyProfile')[0].HomeCurrency);
  }

  /**
   * Home units per unit of `currency` on `day` (YYYY-MM-DD) of rate type `rateType` in
   * CS/CSCurrencyRates, or undefined. The simulator matches the day exactly (Sage lets each rate
   * type choose how dates match; the port asks for the rate of the day).
   */
  rate(currency: string, day: string, rateType = 'SP'): MoneyDecimal | undefined {
    const home = this.homeCurrency();
    if (currency === home) return new MoneyDecimal(1);
    const r = this.list('CSCurrencyRates').find(
      (x) =>
        x.HomeCurrency === home &&
        x.SourceCurrency === currency &&
        x.RateType === rateType &&
        String(x.RateDate).slice(0, 10) === day.slice(0, 10),
    );
    if (!r) return undefined;
    const v = dec(r.Rate, 'Rate');
    return r.RateOperator === 'Divide' ? new MoneyDecimal(1).div(v) : v;
  }

  /**
   * The rate a document in `currency` goes at: the one it names (`ExchangeRate`, over 0), else the
   * rate table's for its date and rate type; a foreign document without either is refused as
   * Sage 300 refuses a document with no rate (message text [?]).
   */
  documentRate(currency: string, body: Rec, dateField: string): MoneyDecimal {
    if (currency === this.homeCurrency()) return new MoneyDecimal(1);
    if (body.ExchangeRate !== undefined && body.ExchangeRate !== null) {
      const r = dec(body.ExchangeRate, 'ExchangeRate');
      if (r.lte(0)) throw new SageError('RecordInvalid', 'Exchange rate must be greater than zero.');
      return r;
    }
    const day = textOf(body.RateDate ?? body[dateField] ?? this.today()).slice(0, 10);
    const r = this.rate(currency, day, textOf(body.RateType ?? 'SP'));
    if (!r)
      throw new SageError(
        'RecordInvalid',
        `No exchange rate for ${currency} to ${this.homeCurrency()} on ${day} (rate type ${textOf(body.RateType ?? 'SP')}).`,
      );
    return r;
  }

  /** The records of a served resource. */
  list(resource: string): Rec[] {
    return this.data.get(resource)!;
  }

  /** The next number of a counter, from 1. */
  next(counter: string): number {
    const n = (this.seq.get(counter) ?? 0) + 1;
    this.seq.set(counter, n);
    return n;
  }

  /** Today at midnight UTC, as Sage 300 dates read. */
  today(): string {
    return isoDay(this.settings.now());
  }

  /** An active customer, or RecordInvalid. */
  customer(id: unknown): Rec {
    const cu = this.list('ARCustomers').find((r) => r.CustomerNumber === id);
    if (!cu) throw new SageError('RecordInvalid', `Customer Number ${String(id)} does not exist.`);
    if (cu.Status === 'Inactive') throw new SageError('RecordInvalid', `Customer ${String(id)} is inactive.`);
    return cu;
  }

  /**
   * Moves stock of an item at a location (`IC/ICLocationDetails`): on hand and committed change by
   * the deltas, available to ship follows. Stock moves leave the item's DateLastMaintained alone
   * (reference/erp/FACTS.md §2.4: no audit stamp on quantities).
   */
  moveStock(itemNumber: string, location: string, onHand: MoneyDecimal, committed: MoneyDecimal): void {
    const list = this.list('ICLocationDetails');
    let d = list.find((r) => r.ItemNumber === itemNumber && r.Location === location);
    if (!d) {
      d = { ItemNumber: itemNumber, Location: location, QuantityOnHand: num(new MoneyDecimal(0)) };
      d.QuantityCommitted = d.QuantityOnHand;
      list.push(d);
    }
    const h = dec(d.QuantityOnHand, 'QuantityOnHand').plus(onHand);
    const c = dec(d.QuantityCommitted, 'QuantityCommitted').plus(committed);
    d.QuantityOnHand = num(h);
    d.QuantityCommitted = num(c);
    d.QuantityAvailableToShip = num(h.minus(c));
  }

  /** An item's base price on the default price list (0 when it has none). */
  basePrice(item: string): MoneyDecimal {
    const p = this.list('ICItemPricing').find(
      (r) => r.UnformattedItemNumber === item && r.PriceListCode === this.settings.defaultPriceList,
    );
    const d = (p?.ItemPricingDetails as Rec[] | undefined)?.find(
      (x) => x.PriceDetailType === 'BasePriceQuantity',
    );
    return d ? dec(d.UnitPrice, 'UnitPrice') : new MoneyDecimal(0);
  }

  private load(seed: Sage300Seed): void {
    const today = this.today();
    const priceList = this.settings.defaultPriceList;
    const put = (resource: string, rec: Rec) => this.list(resource).push(rec);
    for (const it of seed.items ?? []) {
      const i = typeof it === 'string' ? { itemNumber: it } : it;
      put('ICItems', {
        ItemNumber: i.itemNumber,
        UnformattedItemNumber: i.itemNumber,
        Description: i.description ?? i.itemNumber,
        StockItem: true,
        StockingUnitOfMeasure: 'Ea',
        DefaultPriceListCode: priceList,
        Inactive: false,
        DateLastMaintained: today,
      });
      this.moveStock(
        i.itemNumber,
        [...this.codes.locations][0] ?? '1',
        dec(('onHand' in i ? i.onHand : undefined) ?? seed.onHand ?? '100', 'QuantityOnHand'),
        new MoneyDecimal(0),
      );
      put('ICItemPricing', {
        CurrencyCode: i.currency ?? 'USD',
        UnformattedItemNumber: i.itemNumber,
        PriceListCode: priceList,
        PriceBy: 'Quantity',
        ItemPricingDetails: [
          {
            CurrencyCode: i.currency ?? 'USD',
            UnformattedItemNumber: i.itemNumber,
            PriceListCode: priceList,
            PriceDetailType: 'BasePriceQuantity',
            QuantityUnit: 'Ea',
            UnitPrice: new LosslessNumber(i.price ?? '10.00'),
          },
        ],
      });
    }
    for (const cu of seed.customers ?? []) {
      const c = typeof cu === 'string' ? { customerNumber: cu } : cu;
      put('ARCustomers', {
        CustomerNumber: c.customerNumber,
        ShortName: c.customerNumber.slice(0, 10),
        CustomerName: c.name ?? c.customerNumber,
        Status: 'Active',
        OnHold: 'No',
        CurrencyCode: c.currency ?? 'USD',
        AccountType: 'OpenItem',
        GroupCode: ('groupCode' in c ? c.groupCode : undefined) ?? 'AMZ',
        AccountSet: ('accountSet' in c ? c.accountSet : undefined) ?? 'AMZ',
        Terms: ('terms' in c ? c.terms : undefined) ?? 'N30',
        TaxGroup: ('taxGroup' in c ? c.taxGroup : undefined) ?? 'USTAX',
        DateLastMaintained: today,
      });
    }
    for (const a of seed.accounts ?? [])
      put('GLAccounts', {
        UnformattedAccount: unformat(a),
        FormattedAccount: a,
        Description: a,
        Status: 'Active',
      });
    for (const code of seed.miscChargeCodes ?? ['FRT', 'FRTDSC', 'PROMO', 'GIFTWR'])
      put('OEMiscellaneousCharges', { MiscellaneousChargeCode: code, Description: code, Currency: 'USD' });
  }
}
