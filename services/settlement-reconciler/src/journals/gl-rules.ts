import { z } from 'zod';
import type { GlAccountMapping, JournalEntryTypes } from '@connector/events';
import { DEFAULT_GL_MAPPING as defaults, JOURNAL_CATEGORIES } from '@connector/mapping';

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

export const DEFAULT_GL_MAPPING = glMappingFileSchema.parse(defaults);

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
    base: GlMappingFile = DEFAULT_GL_MAPPING,
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
}
