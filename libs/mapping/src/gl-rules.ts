import { z } from 'zod';
import { NonRetriableError } from '@connector/core';
import type { GlAccountMapping, JournalEntryTypes } from '@connector/events';
import { DEFAULT_GL_MAPPING as defaults } from './default-gl-rules';
import { JOURNAL_CATEGORIES } from './mapping-file';

export type JournalCategory = JournalEntryTypes.ConnectorLedger.JournalCategory;

export const glRuleSchema = z.object({
  transactionType: z.string().min(1).default('*'),
  amountType: z.string().min(1),
  amountDescription: z.string().min(1).default('*'),
  /** a marketplace id, or absent for every marketplace */
  marketplaceId: z.string().optional(),
  category: z.enum(JOURNAL_CATEGORIES),
  account: z.string().min(1),
});
export type GlRule = z.infer<typeof glRuleSchema>;

/** A mapping file: the CLI's --mapping, and the shape of the shipped defaults. */
export const glMappingFileSchema = z.object({
  accounts: z
    .object({
      /** the bank or clearing account the deposit lands on */
      payout: z.string().min(1),
      suspense: z.string().min(1),
      /** per marketplace id: the marketplace's payout account when it differs (e.g. AR control account for receipts) */
      payoutByMarketplace: z.record(z.string(), z.string()).optional(),
    })
    .partial()
    .default({}),
  rules: z.array(glRuleSchema).default([]),
});
export type GlMappingFile = z.infer<typeof glMappingFileSchema>;

/** The shipped defaults (default-gl-mapping.json), parsed. */
export const DEFAULT_GL_MAPPING_FILE = glMappingFileSchema.parse(defaults);

export interface LineKey {
  transactionType: string;
  amountType: string;
  amountDescription: string;
  marketplaceId: string | null;
}

export interface Resolved {
  account: string;
  category: JournalCategory;
  /** no rule matched: booked to suspense, to be looked at */
  unmapped: boolean;
}

const matches = (pattern: string, value: string) =>
  pattern === '*' || pattern.toLowerCase() === value.toLowerCase();

/**
 * (transaction-type, amount-type, amount-description, marketplace) → GL account and category. The
 * connection's own rules (mapping.gl-accounts.v1 or a mapping file) are tried first, most specific
 * first, then the shipped defaults; what matches nothing goes to suspense, flagged, never dropped.
 */
export class GlRules {
  private readonly rules: GlRule[];
  readonly payoutAccount: string;
  readonly suspenseAccount: string;
  private readonly payoutByMarketplace: Record<string, string>;

  constructor(
    overrides: GlMappingFile = { accounts: {}, rules: [] },
    base: GlMappingFile = DEFAULT_GL_MAPPING_FILE,
  ) {
    const specificity = (r: GlRule) =>
      (r.marketplaceId ? 8 : 0) + (r.transactionType !== '*' ? 4 : 0) + (r.amountDescription !== '*' ? 2 : 0);
    // stable: within one specificity, the order given wins
    this.rules = [
      ...[...overrides.rules].sort((a, b) => specificity(b) - specificity(a)),
      ...[...base.rules].sort((a, b) => specificity(b) - specificity(a)),
    ];
    this.payoutAccount = overrides.accounts.payout ?? base.accounts.payout ?? '1010';
    this.suspenseAccount = overrides.accounts.suspense ?? base.accounts.suspense ?? '9999';
    this.payoutByMarketplace = {
      ...base.accounts.payoutByMarketplace,
      ...overrides.accounts.payoutByMarketplace,
    };
  }

  /** From the compacted mapping topic's current values for one connection. */
  static fromMappings(
    mappings: Iterable<GlAccountMapping>,
    accounts: GlMappingFile['accounts'] = {},
  ): GlRules {
    const rules: GlRule[] = [];
    for (const m of mappings) {
      if (m.category === 'PAYOUT') {
        if (m.marketplaceId)
          accounts = {
            ...accounts,
            payoutByMarketplace: { ...accounts.payoutByMarketplace, [m.marketplaceId]: m.account },
          };
        else accounts = { ...accounts, payout: m.account };
        continue;
      }
      if (m.category === 'SUSPENSE') {
        accounts = { ...accounts, suspense: m.account };
        continue;
      }
      rules.push(
        glRuleSchema.parse({
          transactionType: m.transactionType,
          amountType: m.amountType,
          amountDescription: m.amountDescription,
          marketplaceId: m.marketplaceId ?? undefined,
          category: m.category === 'UNKNOWN' ? 'OTHER' : m.category,
          account: m.account,
        }),
      );
    }
    return new GlRules({ accounts, rules });
  }

  resolve(k: LineKey): Resolved {
    for (const r of this.rules)
      if (
        (!r.marketplaceId || r.marketplaceId === k.marketplaceId) &&
        matches(r.transactionType, k.transactionType) &&
        matches(r.amountType, k.amountType) &&
        matches(r.amountDescription, k.amountDescription)
      )
        return { account: r.account, category: r.category, unmapped: false };
    return { account: this.suspenseAccount, category: 'SUSPENSE', unmapped: true };
  }

  payoutFor(marketplaceId: string | null): string {
    return (marketplaceId && this.payoutByMarketplace[marketplaceId]) || this.payoutAccount;
  }

  /**
   * Every account a settlement of these marketplaces can post to, once per (account, use): each
   * rule some line can still reach (a rule is unreachable when an earlier one matches all it
   * matches), the payout accounts and suspense. `skipInvoiced` leaves out the rules of lines that
   * clear the receivable instead (isInvoicedLine).
   */
  postingAccounts(opts: { marketplaceIds?: string[]; skipInvoiced?: boolean } = {}): PostingAccount[] {
    const out: PostingAccount[] = [];
    const seen = new Set<string>();
    const push = (p: PostingAccount) => {
      const k = `${p.account}\u0000${p.usedFor}`;
      if (seen.has(k)) return;
      seen.add(k);
      out.push(p);
    };
    const covers = (e: GlRule, r: GlRule) =>
      (!e.marketplaceId || e.marketplaceId === r.marketplaceId) &&
      matches(e.transactionType, r.transactionType) &&
      matches(e.amountType, r.amountType) &&
      matches(e.amountDescription, r.amountDescription);
    this.rules.forEach((r, i) => {
      if (r.marketplaceId && opts.marketplaceIds && !opts.marketplaceIds.includes(r.marketplaceId)) return;
      if (this.rules.slice(0, i).some((e) => covers(e, r))) return;
      if (opts.skipInvoiced && r.transactionType !== '*' && isInvoicedLine(r)) return;
      const what = [r.transactionType, r.amountType, r.amountDescription].filter((x) => x !== '*');
      push({
        account: r.account,
        category: r.category,
        usedFor: `${what.join(' ')}${r.marketplaceId ? ` in ${r.marketplaceId}` : ''}`,
      });
    });
    for (const mp of opts.marketplaceIds ?? [])
      if (this.payoutByMarketplace[mp])
        push({ account: this.payoutByMarketplace[mp], category: 'PAYOUT', usedFor: `payout in ${mp}` });
    push({ account: this.payoutAccount, category: 'PAYOUT', usedFor: 'payout' });
    push({ account: this.suspenseAccount, category: 'SUSPENSE', usedFor: 'suspense' });
    return out;
  }
}

/**
 * The settlement lines the ERP's own documents already booked: the invoice of each order (item
 * price, shipping, gift wrap and their taxes, promotions) and the credit note of each refund.
 * Where the marketplace's customer names a receivable (sage-writer then writes those documents),
 * the settlement journal posts these lines to that receivable instead of their income and refund
 * accounts, so they clear it rather than book the sale a second time (docs/settlement-accounting.md).
 */
export function isInvoicedLine(
  k: Pick<LineKey, 'transactionType' | 'amountType'> & { amountDescription?: string },
  opts: { invoicesCarryTax?: boolean } = {},
): boolean {
  const t = k.transactionType.toLowerCase();
  const a = k.amountType.toLowerCase();
  // an ERP that works tax out itself with Amazon's customer tax-exempt (marketplace facilitator)
  // writes invoices without tax: the tax lines then stay on the tax account, against the withheld tax
  if (opts.invoicesCarryTax === false && a === 'itemprice' && /tax/i.test(k.amountDescription ?? ''))
    return false;
  return (t === 'order' || t === 'refund') && (a === 'itemprice' || a === 'promotion');
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

/**
 * What the reconciler reads of a connection's `settings.orderToCash` (libs/db's connection
 * settings; unknown keys there are left alone):
 * - `settlementBooking`: `receivable` (the default) clears the invoiced lines against the
 *   marketplace customer's receivable when one is mapped; `income` books every line on its own
 *   account, for a company that does not let the connector write invoices and credit notes.
 * - `fx.rateSource`: `erp` (the default: exchangeRate null, the ERP's own rate table) or `deposit`
 *   (the rate implied by the recorded bank deposit, `npm run settlement -- deposit`).
 * - `fx.roundingAccount`: the account taking home-currency rounding (checked by `connection ping`).
 */
export const settlementOptionsSchema = z
  .object({
    settlementBooking: z.preprocess(lower, z.enum(['receivable', 'income'])).default('receivable'),
    /**
     * false where the ERP's invoices carry no sales tax (Sage 100 or Sage 300 working tax out from a
     * tax-exempt Amazon customer): the settlement's tax lines then stay on the tax account
     */
    invoicesCarryTax: z.boolean().default(true),
    fx: z
      .object({
        rateSource: z.preprocess(lower, z.enum(['erp', 'deposit'])).default('erp'),
        roundingAccount: z.string().min(1).optional(),
      })
      .loose()
      .prefault({}),
  })
  .loose();
export type SettlementOptions = z.infer<typeof settlementOptionsSchema>;

/**
 * The settlement options of a connection's settings (`settings.orderToCash`), defaults where
 * absent; a value it cannot read is a NonRetriableError naming it (fix the settings, then replay).
 */
export function settlementOptionsOf(settings: unknown): SettlementOptions {
  const o = (settings as { orderToCash?: unknown } | null | undefined)?.orderToCash;
  const r = settlementOptionsSchema.safeParse(o ?? {});
  if (r.success) return r.data;
  throw new NonRetriableError(
    'SETTINGS_INVALID',
    `settings.orderToCash: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
}

/** One account a settlement can post to and what for (`connection ping` names it in a problem). */
export interface PostingAccount {
  account: string;
  category: JournalCategory;
  /** the settlement line the account is mapped for ("Refund ItemFees RefundCommission"), or a role ("payout") */
  usedFor: string;
}
