import { createHash } from 'node:crypto';
import { canonicalJson } from '@connector/core';
import type { FinancialEvent, FinancialEventTypes } from '@connector/events';
import { decimal, sumDecimals } from '@connector/money';
import { MARKETPLACES, type FinancialEvents } from '@connector/sp-api';

type Component = FinancialEventTypes.ConnectorAmazon.FinancialComponent;
type Currency = { CurrencyCode?: string; CurrencyAmount?: number | string };

const isCurrency = (v: unknown): v is Currency =>
  typeof v === 'object' && v !== null && 'CurrencyCode' in v && 'CurrencyAmount' in v;

/**
 * Walks one Finances v0 event of any type (FACTS §5.1) and collects its amounts: ChargeComponent
 * (ChargeType/ChargeAmount) as CHARGE, or TAX_WITHHELD inside TaxesWithheld; FeeComponent as FEE;
 * Promotion as PROMOTION; AdjustmentType/AdjustmentAmount as ADJUSTMENT. Event types the connector
 * has no rule for still give their top-level amounts (as ADJUSTMENT), so nothing is dropped.
 */
function components(ev: Record<string, unknown>): Component[] {
  const out: Component[] = [];
  const money = (c: Currency) => ({
    amount: decimal(String(c.CurrencyAmount ?? '0')).toFixed(),
    currency: c.CurrencyCode ?? '',
  });
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
  ctx: { connectionId: string; groupId: string; observedAt: number; seen: Map<string, number> },
): FinancialEvent[] {
  const out: FinancialEvent[] = [];
  for (const [listName, list] of Object.entries(page as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    const eventType = listName.replace(/List$/, '');
    for (const raw of list as Record<string, unknown>[]) {
      const comps = components(raw);
      const hash = createHash('sha256')
        .update(`${ctx.groupId}|${eventType}|${canonicalJson(raw)}`)
        .digest('base64url')
        .slice(0, 32);
      const n = (ctx.seen.get(hash) ?? 0) + 1;
      ctx.seen.set(hash, n);
      const items = (raw.ShipmentItemList ?? raw.ShipmentItemAdjustmentList) as
        Array<{ SellerSKU?: string }> | undefined;
      const skus = [...new Set((items ?? []).map((i) => i.SellerSKU).filter(Boolean))];
      const currency = comps.find((c) => c.amount.currency)?.amount.currency ?? '';
      const posted = raw.PostedDate ?? raw.postedDate;
      out.push({
        eventId: `${ctx.groupId}/${eventType}/${hash}${n > 1 ? `#${n}` : ''}`,
        connectionId: ctx.connectionId,
        financialEventGroupId: ctx.groupId,
        transactionId: null,
        eventType,
        postedDate: typeof posted === 'string' ? Date.parse(posted) : 0,
        amazonOrderId: (raw.AmazonOrderId ?? raw.OrderId ?? null) as string | null,
        sellerSku: (skus.length === 1 ? skus[0] : (raw.SellerSKU ?? null)) as string | null,
        marketplaceId: marketplaceId(raw.MarketplaceName),
        components: comps,
        total: { amount: sumDecimals(comps.map((c) => c.amount.amount)).toFixed(), currency },
        observedAt: ctx.observedAt,
      });
    }
  }
  return out;
}
