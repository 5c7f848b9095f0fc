import { textOf } from '@connector/simulator-odata';
import { SlError, invalidPayload, notSupported, validation } from '../errors';
import type { Row } from '../odata';
import { BPA_W, BP_RO, BP_W, NONE, checkProps, listOf } from '../properties';
import { D, ENTITIES, N, clone, recomputeItem, type SapB1State } from '../state';

/**
 * Master data, reference/erp/FACTS.md §1.3: `Items` (prices per price list, stock per warehouse),
 * `BusinessPartners`, `ChartOfAccounts`, `Warehouses` and `AdditionalExpenses`. `POST` refuses a
 * key already taken; `PATCH` stamps UpdateDate/UpdateTime and merges `ItemPrices` by price list.
 */
export function createMasterRecord(state: SapB1State, entity: string, body: unknown): Row {
  const def = ENTITIES[entity];
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidPayload();
  const rec = entity === 'BusinessPartners' ? businessPartner(state, body) : (clone(body) as Row);
  const key = rec[def.key];
  if (key === undefined) throw validation(`Enter ${def.key}`);
  if (state.table(entity).some((r) => r[def.key] === key)) {
    if (entity === 'BusinessPartners')
      throw new SlError(
        400,
        -10,
        `1320000140 - Business partner code '${textOf(key)}' already assigned to a business partner; enter a unique business partner code`,
      );
    throw new SlError(400, -2035, 'This entry already exists in the following tables (ODBC -2035)');
  }
  Object.assign(rec, { CreateDate: state.stamp().date, ...state.stampFields() });
  if (entity === 'Items') {
    rec.ItemPrices ??= [];
    rec.ItemWarehouseInfoCollection ??= [];
    rec.SalesItem ??= 'tYES';
    rec.Valid ??= 'tYES';
    rec.DefaultWarehouse ??= '01';
    recomputeItem(rec);
  }
  state.table(entity).push(rec);
  return rec;
}

const CARD_TYPES: Record<string, string> = { C: 'cCustomer', S: 'cSupplier', L: 'cLid' };
const ADDRESS_TYPES: Record<string, string> = { B: 'bo_BillTo', S: 'bo_ShipTo' };
/** Column lengths of OCRD / CRD1 in the simulator (OCRD.CardCode: 15 before 10.0, 50 from 10.0; CardName 100; CRD1 State and Country 3, ZipCode 20, Address 50, the rest 100) [SL-SDK tables; ?] */
const LENGTHS: Record<string, number> = {
  CardName: 100,
  AddressName: 50,
  Street: 100,
  Block: 100,
  City: 100,
  County: 100,
  ZipCode: 20,
  State: 3,
  Country: 3,
  BuildingFloorRoom: 100,
};

/**
 * A business partner as `POST /BusinessPartners` takes it (reference/erp/FACTS.md §1.3, §1.5): the
 * properties of entities-subset.json's BusinessPartner and BPAddress the connector writes, CardType
 * by name or value, an active receivable (DebitorAccount), codes and texts within their columns.
 * Unset: group 100, no payment terms (-1), all currencies, active.
 */
function businessPartner(state: SapB1State, body: unknown): Row {
  const bp = checkProps(body, BP_W, BP_RO, 'BusinessPartner');
  const code = bp.CardCode;
  if (typeof code !== 'string' || code === '') throw validation('Enter CardCode');
  if (code.length > state.cardCodeLength)
    throw new SlError(400, -1000, `Value too long in property 'CardCode' of 'BusinessPartner'`);
  const type = textOf(bp.CardType ?? 'cCustomer');
  bp.CardType = CARD_TYPES[type] ?? type;
  if (!Object.values(CARD_TYPES).includes(bp.CardType as string))
    throw new SlError(400, -1000, `Value of property 'CardType' is invalid`);
  if (bp.DebitorAccount !== undefined && !state.account(bp.DebitorAccount))
    throw validation(`Invalid account code (${textOf(bp.DebitorAccount)})`);
  const addresses = listOf(bp.BPAddresses, 'BPAddresses').map((a, i) => {
    const row = checkProps(a, BPA_W, NONE, 'BPAddress');
    if (typeof row.AddressName !== 'string' || row.AddressName === '')
      throw validation(`Address ${i}: enter an address name`);
    const t = textOf(row.AddressType ?? 'bo_ShipTo');
    row.AddressType = ADDRESS_TYPES[t] ?? t;
    if (!Object.values(ADDRESS_TYPES).includes(row.AddressType as string))
      throw new SlError(400, -1000, `Value of property 'AddressType' is invalid`);
    row.BPCode = code;
    row.RowNum = i;
    checkLengths(row, 'BPAddress');
    return row;
  });
  checkLengths(bp, 'BusinessPartner');
  return {
    CardName: code,
    GroupCode: 100,
    PayTermsGrpCode: -1,
    Currency: '##',
    Valid: 'tYES',
    Frozen: 'tNO',
    ...bp,
    BPAddresses: addresses,
  };
}

function checkLengths(row: Row, type: string): void {
  for (const [k, max] of Object.entries(LENGTHS))
    if (typeof row[k] === 'string' && row[k].length > max)
      throw new SlError(400, -1000, `Value too long in property '${k}' of '${type}'`);
}

export function patchMasterRecord(state: SapB1State, entity: string, row: Row, body: Row): void {
  const def = ENTITIES[entity];
  if (def.kind !== 'master') throw notSupported();
  for (const [k, v] of Object.entries(body)) {
    if (k === def.key || k === 'UpdateDate' || k === 'UpdateTime')
      throw new SlError(400, -1000, `Property '${k}' is read-only`);
    if (entity === 'Items' && k === 'ItemPrices') {
      const prices = row.ItemPrices as Row[];
      for (const p of listOf(v, k) as Row[]) {
        const pl = Number(String(p.PriceList));
        const existing = prices.find((x) => x.PriceList === pl);
        const price = N(D(p.Price));
        if (existing) existing.Price = price;
        else prices.push({ PriceList: pl, Price: price, Currency: p.Currency ?? state.localCurrency });
      }
    } else row[k] = clone(v);
  }
  Object.assign(row, state.stampFields());
}

/** What a user changes on an item in the client: name, prices per price list, on-hand per warehouse. */
export interface ItemChange {
  ItemName?: string;
  prices?: Record<number, string>;
  inStock?: Record<string, string>;
}

export function updateItem(state: SapB1State, itemCode: string, change: ItemChange): void {
  const item = state.table('Items').find((i) => i.ItemCode === itemCode);
  if (!item) throw new Error(`no item ${itemCode}`);
  if (change.ItemName !== undefined) item.ItemName = change.ItemName;
  const prices = item.ItemPrices as Row[];
  for (const [pl, price] of Object.entries(change.prices ?? {})) {
    const p = prices.find((x) => x.PriceList === Number(pl));
    if (p) p.Price = N(D(price));
    else prices.push({ PriceList: Number(pl), Price: N(D(price)), Currency: state.localCurrency });
  }
  const whs = item.ItemWarehouseInfoCollection as Row[];
  for (const [wh, qty] of Object.entries(change.inStock ?? {})) {
    const w = whs.find((x) => x.WarehouseCode === wh);
    if (w) w.InStock = N(D(qty));
    else whs.push({ WarehouseCode: wh, InStock: N(D(qty)), Committed: N('0'), Ordered: N('0') });
  }
  recomputeItem(item);
  Object.assign(item, state.stampFields());
}
