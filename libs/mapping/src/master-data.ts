import { GlRules, type JournalCategory, type SettlementOptions } from './gl-rules';
import type { MappingCache } from './mapping-cache';

/** One code the ERP must hold for the connection to work, with what it is for and how to fix it, in an accountant's words. */
export interface MasterDataExpectation {
  kind: 'CUSTOMER' | 'ITEM' | 'GL_ACCOUNT';
  code: string;
  /** what it is used for: "refund commission", "the customer for marketplace ATVPDKIKX0DER" */
  usedFor: string[];
  /** the other way to fix it than adding the code: "map 'Refund ItemFees RefundCommission' to an account that exists" */
  fix: string;
}

interface Gathering {
  kind: MasterDataExpectation['kind'];
  code: string;
  usedFor: string[];
  /** settlement lines mapped to the account ("Refund ItemFees RefundCommission") */
  lines: string[];
  /** other mappings to change ("change the payout account of the GL mapping") */
  changes: string[];
}

const quoteList = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
function fixOf(g: Gathering): string {
  const what = g.kind === 'ITEM' ? 'an item' : g.kind === 'CUSTOMER' ? 'a customer' : 'an account';
  return [...(g.lines.length ? [`map ${quoteList(g.lines)} to ${what} that exists`] : []), ...g.changes].join(
    ', or ',
  );
}

/** What a journal category books, as the chart of accounts calls it. */
const CATEGORY_WORDS: Record<JournalCategory, string> = {
  SALES: 'sales',
  SHIPPING: 'shipping income',
  TAX: 'sales tax',
  MARKETPLACE_FACILITATOR_TAX: 'marketplace facilitator tax',
  PROMOTION: 'promotions',
  FEE: 'Amazon fees',
  REFUND: 'refunds',
  REFUND_COMMISSION: 'refund commission',
  REIMBURSEMENT: 'FBA reimbursements',
  ADVERTISING: 'advertising',
  RESERVE_HELD: 'Amazon reserve',
  RESERVE_RELEASED: 'Amazon reserve',
  PAYOUT: 'the bank account Amazon pays into',
  SUSPENSE: 'suspense: settlement lines no rule maps',
  OTHER: 'other settlement lines',
  UNKNOWN: 'other settlement lines',
};

/**
 * The customers, items and GL accounts a connection relies on, from its mappings: the customer
 * of each marketplace (and its receivable), the item of each SKU, and every GL account a settlement
 * would post to (the connection's GL rules, then the defaults; payout, suspense, the rounding
 * account of foreign-currency journals). `unmapped` lists marketplaces with no customer mapping.
 */
export function masterDataExpectations(
  cache: MappingCache,
  conn: { id: string; marketplaceIds: string[] },
  options: SettlementOptions,
): { expectations: MasterDataExpectation[]; unmapped: string[] } {
  const byKey = new Map<string, Gathering>();
  const expect = (
    kind: MasterDataExpectation['kind'],
    code: string,
    usedFor: string,
    fix: { line: string } | { change: string },
  ) => {
    const k = `${kind}\u0000${code}`;
    const e = byKey.get(k) ?? { kind, code, usedFor: [], lines: [], changes: [] };
    const add = (xs: string[], x: string) => xs.includes(x) || xs.push(x);
    add(e.usedFor, usedFor);
    if ('line' in fix) add(e.lines, fix.line);
    else add(e.changes, fix.change);
    byKey.set(k, e);
  };
  const unmapped: string[] = [];
  let allReceivables = conn.marketplaceIds.length > 0;
  for (const mp of conn.marketplaceIds) {
    const c = cache.findCustomer(conn.id, mp);
    if (!c) {
      unmapped.push(mp);
      allReceivables = false;
      continue;
    }
    expect('CUSTOMER', c.customerCode, `the customer for marketplace ${mp}`, {
      change: `change the customer mapping of marketplace ${mp}`,
    });
    if (c.arAccount)
      expect('GL_ACCOUNT', c.arAccount, `receivable of customer ${c.customerCode}`, {
        change: `change the receivable (arAccount) in the customer mapping of marketplace ${mp}`,
      });
    else allReceivables = false;
  }
  for (const s of cache.skusOf(conn.id))
    expect('ITEM', s.itemCode, `SKU ${s.sellerSku}`, { line: `SKU ${s.sellerSku}` });
  const rules = GlRules.fromMappings(cache.glAccounts(conn.id));
  const skipInvoiced = options.settlementBooking === 'receivable' && allReceivables;
  for (const p of rules.postingAccounts({ marketplaceIds: conn.marketplaceIds, skipInvoiced })) {
    const role = p.category === 'PAYOUT' || p.category === 'SUSPENSE';
    expect(
      'GL_ACCOUNT',
      p.account,
      CATEGORY_WORDS[p.category],
      role ? { change: `change the ${p.usedFor} account of the GL mapping` } : { line: p.usedFor },
    );
  }
  if (options.fx.roundingAccount)
    expect('GL_ACCOUNT', options.fx.roundingAccount, 'exchange rounding', {
      change: "change the connection's rounding account (settings.orderToCash.fx.roundingAccount)",
    });
  return {
    expectations: [...byKey.values()].map((g) => ({
      kind: g.kind,
      code: g.code,
      usedFor: g.usedFor,
      fix: fixOf(g),
    })),
    unmapped,
  };
}
