import { z } from 'zod';
import type { JournalEntryTypes, TopicValues } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { MappingTopic } from './mapping-cache';

/** What a GL account books (the JournalCategory enum of the schemas, without its UNKNOWN default). */
export const JOURNAL_CATEGORIES = [
  'SALES',
  'SHIPPING',
  'TAX',
  'MARKETPLACE_FACILITATOR_TAX',
  'PROMOTION',
  'FEE',
  'REFUND',
  'REFUND_COMMISSION',
  'REIMBURSEMENT',
  'ADVERTISING',
  'RESERVE_HELD',
  'RESERVE_RELEASED',
  'PAYOUT',
  'SUSPENSE',
  'OTHER',
] as const satisfies readonly JournalEntryTypes.ConnectorLedger.JournalCategory[];

/**
 * A file of mappings for one connection, as people keep them (`npm run mapping -- load --file F`):
 * SKU → ERP item, marketplace → ERP customer, settlement line → GL account, ERP carrier → Amazon
 * carrier. Each entry becomes one
 * record on its compacted topic; `"delete": true` publishes a tombstone.
 */
export const mappingFileSchema = z.object({
  connectionId: z.string().min(1),
  skus: z
    .array(
      z.object({
        sellerSku: z.string().min(1),
        itemCode: z.string().min(1).optional(),
        marketplaceId: z.string().optional(),
        unitOfMeasure: z.string().optional(),
        unitsPerSku: z.number().int().positive().default(1),
        active: z.boolean().default(true),
        delete: z.boolean().default(false),
      }),
    )
    .default([]),
  customers: z
    .array(
      z.object({
        marketplaceId: z.string().min(1),
        customerCode: z.string().min(1).optional(),
        currency: z.string().length(3).optional(),
        arAccount: z.string().optional(),
        delete: z.boolean().default(false),
      }),
    )
    .default([]),
  glAccounts: z
    .array(
      z.object({
        transactionType: z.string().min(1).default('*'),
        amountType: z.string().min(1),
        amountDescription: z.string().min(1).default('*'),
        marketplaceId: z.string().optional(),
        account: z.string().min(1).optional(),
        category: z.enum(JOURNAL_CATEGORIES).optional(),
        delete: z.boolean().default(false),
      }),
    )
    .default([]),
  carriers: z
    .array(
      z
        .object({
          erpCarrierCode: z.string().min(1),
          carrierCode: z.string().min(1).optional(),
          carrierName: z.string().min(1).optional(),
          shippingMethod: z.string().min(1).optional(),
          active: z.boolean().default(true),
          delete: z.boolean().default(false),
        })
        .refine((m) => m.delete || m.carrierCode !== 'Other' || m.carrierName, {
          message: 'carrierName is required when carrierCode is Other (Amazon refuses Other without a name)',
        }),
    )
    .default([]),
});
export type MappingFile = z.input<typeof mappingFileSchema>;

/** A record of one mapping topic: its value, or null (a tombstone) to delete the key. */
export type MappingRecord = {
  [T in MappingTopic]: { topic: T; key: string; value: TopicValues[T] | null };
}[MappingTopic];

/** Publishes mapping records on their compacted topics, one batch per topic, in file order. */
export async function publishMappings(
  publisher: EventPublisher,
  records: readonly MappingRecord[],
): Promise<void> {
  for (const topic of new Set(records.map((r) => r.topic)))
    await publisher.publish(
      topic,
      records.filter((r) => r.topic === topic).map((r) => ({ key: r.key, value: r.value })),
    );
}

/** The records a mapping file stands for, keyed as the topic catalogue says. */
export function mappingRecords(input: unknown, now: number): MappingRecord[] {
  const f = mappingFileSchema.parse(input);
  const c = f.connectionId;
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is required unless "delete": true`);
    return v;
  };
  const out: MappingRecord[] = [];
  for (const s of f.skus) {
    const key = `${c}/${s.sellerSku}${s.marketplaceId ? `@${s.marketplaceId}` : ''}`;
    out.push({
      topic: 'mapping.skus.v1',
      key,
      value: s.delete
        ? null
        : {
            eventId: `${key}@${now}`,
            connectionId: c,
            sellerSku: s.sellerSku,
            marketplaceId: s.marketplaceId ?? null,
            itemCode: need(s.itemCode, `itemCode of SKU ${s.sellerSku}`),
            unitOfMeasure: s.unitOfMeasure ?? null,
            unitsPerSku: s.unitsPerSku,
            active: s.active,
            updatedAt: now,
          },
    });
  }
  for (const m of f.customers) {
    const key = `${c}/${m.marketplaceId}`;
    out.push({
      topic: 'mapping.customers.v1',
      key,
      value: m.delete
        ? null
        : {
            eventId: `${key}@${now}`,
            connectionId: c,
            marketplaceId: m.marketplaceId,
            customerCode: need(m.customerCode, `customerCode of marketplace ${m.marketplaceId}`),
            currency: need(m.currency, `currency of marketplace ${m.marketplaceId}`),
            arAccount: m.arAccount ?? null,
            updatedAt: now,
          },
    });
  }
  for (const g of f.glAccounts) {
    const key = `${c}/${g.transactionType}|${g.amountType}|${g.amountDescription}|${g.marketplaceId ?? '*'}`;
    out.push({
      topic: 'mapping.gl-accounts.v1',
      key,
      value: g.delete
        ? null
        : {
            eventId: `${key}@${now}`,
            connectionId: c,
            transactionType: g.transactionType,
            amountType: g.amountType,
            amountDescription: g.amountDescription,
            marketplaceId: g.marketplaceId ?? null,
            account: need(g.account, `account of ${key}`),
            category: need(g.category, `category of ${key}`),
            updatedAt: now,
          },
    });
  }
  for (const m of f.carriers) {
    const key = `${c}/${m.erpCarrierCode}`;
    out.push({
      topic: 'mapping.carriers.v1',
      key,
      value: m.delete
        ? null
        : {
            eventId: `${key}@${now}`,
            connectionId: c,
            erpCarrierCode: m.erpCarrierCode,
            carrierCode: need(m.carrierCode, `carrierCode of ERP carrier ${m.erpCarrierCode}`),
            carrierName: m.carrierName ?? null,
            shippingMethod: m.shippingMethod ?? null,
            active: m.active,
            updatedAt: now,
          },
    });
  }
  return out;
}
