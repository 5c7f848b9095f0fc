import { createHash } from 'node:crypto';
import { canonicalJson } from '@connector/core';
import type { ErpItemChange } from '@connector/events';
import type { ErpItemSnapshot, ErpKind, ErpWarehouseStock } from '@connector/erp';
import { decimal, toScale } from '@connector/money';

/** The connection's available-to-sell rule (settings.returnPath). */
export interface StockRule {
  /** warehouses whose stock Amazon may sell; empty: all */
  warehouses: readonly string[];
  /** units of each item held back from Amazon */
  safetyStock: number;
}

type WarehouseStock = NonNullable<ErpItemChange['warehouses']>[number];
type ItemPrice = NonNullable<ErpItemChange['prices']>[number];

/** What is published about an item, without the times: two reads with equal states publish once. */
export interface ItemState {
  description: string | null;
  active: boolean;
  prices: ItemPrice[];
  warehouses: WarehouseStock[] | null;
  safetyStock: number;
  available: number | null;
}

/**
 * Stock of the warehouse set in whole units: on hand rounded down and committed rounded up, so a
 * fraction never becomes a unit Amazon could sell.
 */
export function wholeStock(q: readonly ErpWarehouseStock[], rule: StockRule): WarehouseStock[] {
  return q
    .filter((w) => rule.warehouses.length === 0 || rule.warehouses.includes(w.warehouseCode))
    .map((w) => ({
      warehouseCode: w.warehouseCode,
      onHand: decimal(w.onHand).floor().toNumber(),
      committed: decimal(w.committed).ceil().toNumber(),
    }))
    .sort((a, b) => (a.warehouseCode < b.warehouseCode ? -1 : a.warehouseCode > b.warehouseCode ? 1 : 0));
}

/** Available to sell: max(0, Σ (onHand − committed) − safetyStock) over the warehouse set; null without stock. */
export function availableToSell(
  warehouses: readonly WarehouseStock[] | null,
  safetyStock: number,
): number | null {
  if (warehouses === null) return null;
  const free = warehouses.reduce((n, w) => n + w.onHand - w.committed, 0) - safetyStock;
  return Math.max(0, free);
}

/**
 * The state to publish for a snapshot. A change read that carries no stock (the ERP does not bump
 * the change date on stock moves, so the adapter does not read it there) keeps the stock last
 * published; the full scan brings the stock.
 */
export function itemState(s: ErpItemSnapshot, rule: StockRule, previous?: ItemState): ItemState {
  const warehouses = s.quantities === null ? (previous?.warehouses ?? null) : wholeStock(s.quantities, rule);
  return {
    description: s.description ?? null,
    active: s.active,
    prices: s.prices
      .map((p) => ({ priceList: p.priceList, price: { amount: toScale(p.price, 4), currency: p.currency } }))
      .sort((a, b) => key(a).localeCompare(key(b))),
    warehouses,
    safetyStock: rule.safetyStock,
    available: availableToSell(warehouses, rule.safetyStock),
  };
}
const key = (p: ItemPrice) => `${p.priceList}|${p.price.currency}`;

/** sha-256 of the canonical JSON (keys sorted), 16 hex: the identity of a state. */
export function stateHash(state: unknown): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex').slice(0, 16);
}

export function itemEvent(
  connectionId: string,
  erpKind: ErpKind,
  s: ErpItemSnapshot,
  state: ItemState,
  hash: string,
  source: ErpItemChange['source'],
  observedAt: number,
): ErpItemChange {
  return {
    eventId: `${connectionId}/${s.itemCode}@${hash}`,
    connectionId,
    itemCode: s.itemCode,
    erpKind,
    ...state,
    changedAt: new Date(s.changedAt).getTime(),
    source,
    observedAt,
  };
}
