import { createHash } from 'node:crypto';
import { NonRetriableError, canonicalJson } from '@connector/core';
import type { FinancialEvent, FinancialEventTypes } from '@connector/events';
import { InvalidAmountError, decimal, sumDecimals } from '@connector/money';
import { MARKETPLACES, type FinancialEvents } from '@connector/sp-api';

type Component = FinancialEventTypes.ConnectorAmazon.FinancialComponent;
type EventItem = FinancialEventTypes.ConnectorAmazon.FinancialEventItem;
type Currency = { CurrencyCode?: string; CurrencyAmount?: number | string };

const isCurrency = (v: unknown): v is Currency =>
  typeof v === 'object' && v !== null && 'CurrencyCode' in v && 'CurrencyAmount' in v;

/**
 * A Finances event that cannot become a FinancialEvent: not an object, an amount that is not an
 * exact decimal(18,4), a currency or a date of the wrong kind. Final; the sync counts it, keeps the
 * group open so that it is read again, and publishes the group's other events.
 */
export class FinancialEventShapeError extends NonRetriableError {
  constructor(
    readonly eventType: string,
    readonly reason: string,
  ) {
    super('SPAPI_FINANCIAL_EVENT_MALFORMED', `${eventType}: ${reason}`);
  }
}

/** An amount as Finances sends it (a JSON number kept exact, so a string, or a safe integer). */
function exactAmount(v: unknown, where: string): string {
  if (v === undefined || v === null) return '0';
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v)))
    throw new FinancialEventShapeError(where, `amount is ${typeof v}, not a number`);
  let amount: string;
  try {
    amount = decimal(String(v)).toFixed();
  } catch (err) {
    if (err instanceof InvalidAmountError)
      throw new FinancialEventShapeError(where, `amount ${String(v).slice(0, 40)} is not a plain decimal`);
    throw err;
  }
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  if (fraction.length > 4 || whole.length > 14)
    throw new FinancialEventShapeError(where, `amount ${amount.slice(0, 40)} does not fit decimal(18,4)`);
  return amount;
}

/**
 * Walks one Finances v0 event of any type (FACTS §5.1) and collects its amounts: ChargeComponent
 * (ChargeType/ChargeAmount) as CHARGE, or TAX_WITHHELD inside TaxesWithheld; FeeComponent as FEE;
 * Promotion as PROMOTION; AdjustmentType/AdjustmentAmount as ADJUSTMENT. Event types the connector
 * has no rule for still give their top-level amounts (as ADJUSTMENT), so nothing is dropped.
 */
function components(ev: Record<string, unknown>): Component[] {
  const out: Component[] = [];
  const money = (c: Currency) => {
    if (c.CurrencyCode !== undefined && c.CurrencyCode !== null && typeof c.CurrencyCode !== 'string')
      throw new FinancialEventShapeError('Finances', 'CurrencyCode is not a string');
    return { amount: exactAmount(c.CurrencyAmount, 'Finances'), currency: c.CurrencyCode ?? '' };
  };
  const walk = (node: unknown, withheld: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, withheld));
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.ChargeType === 'string' && isCurrency(o.ChargeAmount))
      out.push({
        componentType: o.ChargeType,
        kind: withheld ? 'TAX_WITHHELD' : 'CHARGE',
        amount: money(o.ChargeAmount),
      });
    else if (typeof o.FeeType === 'string' && isCurrency(o.FeeAmount))
      out.push({ componentType: o.FeeType, kind: 'FEE', amount: money(o.FeeAmount) });
    else if (isCurrency(o.PromotionAmount))
      out.push({
        componentType: typeof o.PromotionType === 'string' ? o.PromotionType : 'Promotion',
        kind: 'PROMOTION',
        amount: money(o.PromotionAmount),
      });
    else if (typeof o.AdjustmentType === 'string' && isCurrency(o.AdjustmentAmount))
      out.push({ componentType: o.AdjustmentType, kind: 'ADJUSTMENT', amount: money(o.AdjustmentAmount) });
    for (const [k, v] of Object.entries(o))
      if (typeof v === 'object' && !isCurrency(v)) walk(v, withheld || k === 'TaxesWithheld');
  };
  walk(ev, false);
  if (out.length === 0)
    for (const [k, v] of Object.entries(ev))
      if (isCurrency(v)) out.push({ componentType: k, kind: 'ADJUSTMENT', amount: money(v) });
  return out;
}

const marketplaceId = (name: unknown) =>
  typeof name === 'string'
    ? (MARKETPLACES.find((m) => m.domain.toLowerCase() === name.toLowerCase())?.id ?? null)
    : null;

/**
 * Every event of one page of listFinancialEventsByGroupId as FinancialEvent records. The event id
 * is a hash of the group, the event type and the event's content, plus an occurrence number for
 * identical twins, so reading an open group again yields the same ids and replays are harmless.
 */
export function mapFinancialEvents(
  page: FinancialEvents,
  ctx: {
    connectionId: string;
    groupId: string;
    observedAt: number;
    seen: Map<string, number>;
    /** an event that cannot be mapped; without it, the error is thrown */
    onRejected?: (err: FinancialEventShapeError) => void;
  },
): FinancialEvent[] {
  const out: FinancialEvent[] = [];
  for (const [listName, list] of Object.entries(page as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    const eventType = listName.replace(/List$/, '');
    for (const raw of list as unknown[]) {
      let event: FinancialEvent;
      try {
        event = mapOne(raw, eventType, ctx);
      } catch (err) {
        if (!(err instanceof FinancialEventShapeError) || !ctx.onRejected) throw err;
        ctx.onRejected(err);
        continue;
      }
      out.push(event);
    }
  }
  return out;
}

function mapOne(
  value: unknown,
  eventType: string,
  ctx: { connectionId: string; groupId: string; observedAt: number; seen: Map<string, number> },
): FinancialEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FinancialEventShapeError(eventType, 'is not an object');
  const raw = value as Record<string, unknown>;
  const str = (v: unknown, field: string): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new FinancialEventShapeError(eventType, `${field} is not a string`);
    return v;
  };
  let comps: Component[];
  try {
    comps = components(raw);
  } catch (err) {
    throw err instanceof FinancialEventShapeError ? new FinancialEventShapeError(eventType, err.reason) : err;
  }
  const items: unknown = raw.ShipmentItemList ?? raw.ShipmentItemAdjustmentList ?? [];
  if (!Array.isArray(items)) throw new FinancialEventShapeError(eventType, 'its item list is not a list');
  const skus = [
    ...new Set(
      items
        .map((i: unknown) =>
          i && typeof i === 'object' ? str((i as Record<string, unknown>).SellerSKU, 'SellerSKU') : null,
        )
        .filter(Boolean),
    ),
  ];
  // Array.from: a hole in Amazon's list is an item that is not an object, not one skipped silently
  const eventItems = Array.from(items as unknown[]).map((i: unknown, k: number): EventItem => {
    if (!i || typeof i !== 'object' || Array.isArray(i))
      throw new FinancialEventShapeError(eventType, `item ${k} is not an object`);
    const it = i as Record<string, unknown>;
    const quantity = it.QuantityShipped ?? 0;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 0)
      throw new FinancialEventShapeError(eventType, `item ${k} QuantityShipped is not a count`);
    let itemComponents: Component[];
    try {
      itemComponents = components(it);
    } catch (err) {
      throw err instanceof FinancialEventShapeError
        ? new FinancialEventShapeError(eventType, err.reason)
        : err;
    }
    return {
      sellerSku: str(it.SellerSKU, 'SellerSKU'),
      orderItemId: str(it.OrderItemId, 'OrderItemId'),
      orderAdjustmentItemId: str(it.OrderAdjustmentItemId, 'OrderAdjustmentItemId'),
      quantity,
      components: itemComponents,
    };
  });
  const posted = raw.PostedDate ?? raw.postedDate;
  const postedDate = posted === undefined || posted === null ? 0 : Date.parse(str(posted, 'PostedDate')!);
  if (Number.isNaN(postedDate)) throw new FinancialEventShapeError(eventType, 'PostedDate is not a date');
  const amazonOrderId = str(raw.AmazonOrderId ?? raw.OrderId, 'AmazonOrderId');
  const sellerSku = skus.length === 1 ? skus[0] : str(raw.SellerSKU, 'SellerSKU');
  // counted only once the event is known good, so a rejected twin does not shift the numbering
  const hash = createHash('sha256')
    .update(`${ctx.groupId}|${eventType}|${canonicalJson(raw)}`)
    .digest('base64url')
    .slice(0, 32);
  const n = (ctx.seen.get(hash) ?? 0) + 1;
  ctx.seen.set(hash, n);
  const currency = comps.find((c) => c.amount.currency)?.amount.currency ?? '';
  return {
    eventId: `${ctx.groupId}/${eventType}/${hash}${n > 1 ? `#${n}` : ''}`,
    connectionId: ctx.connectionId,
    financialEventGroupId: ctx.groupId,
    transactionId: null,
    eventType,
    postedDate,
    amazonOrderId,
    sellerSku,
    marketplaceId: marketplaceId(raw.MarketplaceName),
    components: comps,
    total: { amount: sumDecimals(comps.map((c) => c.amount.amount)).toFixed(), currency },
    observedAt: ctx.observedAt,
    items: eventItems,
  };
}
