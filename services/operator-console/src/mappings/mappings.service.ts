import { recordKey } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import {
  JOURNAL_CATEGORIES,
  mappingRecords,
  publishMappings,
  type MappingFile,
  type MappingTopic,
} from '@connector/mapping';
import { decimal } from '@connector/money';
import type { Logger } from '@connector/observability';
import { ZodError } from 'zod';
import type { ConsoleUser } from '../auth/auth.store';
import type { ConsoleAudit } from '../auth/console-audit';
import { ConflictError, InvalidRequestError, NotFoundError } from '../auth/errors';
import type { LedgerView } from '../ledger/ledger-view';
import type { SettlementsStore } from '../settlements/settlements.store';
import { parseCsv, toCsv } from './csv';
import type { MappingsView } from './mappings-view';

export interface UnmappedLine {
  connectionId: string;
  transactionType: string;
  amountType: string;
  amountDescription: string;
  /** marketplaces whose journals booked the line to suspense (from the journals on ledger.journals.v1) */
  marketplaces: string[];
  /** per currency, exact */
  amounts: Record<string, string>;
  lines: number;
  settlements: string[];
}

export interface GlMappingInput {
  connectionId: string;
  transactionType: string;
  amountType: string;
  amountDescription: string;
  marketplaceId?: string;
  account: string;
  category: (typeof JOURNAL_CATEGORIES)[number];
}

export const MAPPING_KINDS = {
  skus: {
    topic: 'mapping.skus.v1',
    columns: ['sellerSku', 'itemCode', 'marketplaceId', 'unitOfMeasure', 'unitsPerSku', 'active'],
  },
  customers: {
    topic: 'mapping.customers.v1',
    columns: ['marketplaceId', 'customerCode', 'currency', 'arAccount'],
  },
  glAccounts: {
    topic: 'mapping.gl-accounts.v1',
    columns: ['transactionType', 'amountType', 'amountDescription', 'marketplaceId', 'account', 'category'],
  },
  carriers: {
    topic: 'mapping.carriers.v1',
    columns: ['erpCarrierCode', 'carrierCode', 'carrierName', 'shippingMethod', 'active'],
  },
} as const satisfies Record<string, { topic: MappingTopic; columns: readonly string[] }>;
export type MappingKind = keyof typeof MAPPING_KINDS;
export const isMappingKind = (v: string): v is MappingKind => v in MAPPING_KINDS;

const POSTED = new Set(['written', 'confirmed']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Mappings from the page: published exactly as `npm run mapping -- load` publishes them
 * (mappingRecords + publishMappings of libs/mapping), audited with the user; a GL mapping re-runs
 * the settlements it affects that the ERP has not taken yet.
 */
export class MappingsService {
  constructor(
    private readonly deps: {
      store: SettlementsStore;
      ledger: LedgerView;
      mappings: MappingsView;
      publisher: EventPublisher;
      audit: ConsoleAudit;
      logger: Logger;
      /** after the console's own follower has read a new mapping back, how long to give the reconciler's */
      settleMs?: number;
      /** how long to wait for the new mapping to be read back from its topic */
      readBackMs?: number;
    },
  ) {}

  async unmapped(connectionId?: string): Promise<UnmappedLine[]> {
    const byKey = new Map<string, UnmappedLine>();
    for (const r of await this.deps.store.results(connectionId))
      for (const u of r.unmapped) {
        const [transactionType, amountType, amountDescription] = u.key.split('|');
        const k = `${r.connectionId}|${u.key}`;
        const line = byKey.get(k) ?? {
          connectionId: r.connectionId,
          transactionType,
          amountType,
          amountDescription,
          marketplaces: [],
          amounts: {},
          lines: 0,
          settlements: [],
        };
        line.amounts[r.currency] = decimal(line.amounts[r.currency] ?? '0')
          .plus(u.amount)
          .toFixed();
        line.lines += u.lines;
        line.settlements.push(r.settlementId);
        for (const j of this.deps.ledger.journals(r.connectionId, r.settlementId))
          if (j.marketplaceId && !line.marketplaces.includes(j.marketplaceId))
            if (j.lines.some((l) => l.category === 'SUSPENSE' && (l.sourceKeys ?? []).includes(u.key)))
              line.marketplaces.push(j.marketplaceId);
        byKey.set(k, line);
      }
    return [...byKey.values()];
  }

  async mapGlLine(user: ConsoleUser, input: GlMappingInput) {
    if (!(JOURNAL_CATEGORIES as readonly string[]).includes(input.category))
      throw new InvalidRequestError(`category must be one of ${JOURNAL_CATEGORIES.join(', ')}`);
    const affected = (await this.unmapped(input.connectionId)).find(
      (u) =>
        u.transactionType === input.transactionType &&
        u.amountType === input.amountType &&
        u.amountDescription === input.amountDescription,
    );
    const [key] = await this.publish(
      user,
      { connectionId: input.connectionId, glAccounts: [{ ...input }] },
      'map-gl-account',
    );
    const rerun: string[] = [];
    const skipped: Array<{ settlementId: string; reason: string }> = [];
    if (affected) {
      // the reconciler follows the mapping topic as this console does: once ours has read the new
      // mapping back from the broker, the reconciler's is as far, give or take its poll interval
      const until = Date.now() + (this.deps.readBackMs ?? 10_000);
      while (!this.deps.mappings.has('mapping.gl-accounts.v1', key) && Date.now() < until) await sleep(100);
      await sleep(this.deps.settleMs ?? 1000);
      for (const sid of affected.settlements) {
        try {
          await this.rerun(user, input.connectionId, sid);
          rerun.push(sid);
        } catch (err) {
          if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
          skipped.push({ settlementId: sid, reason: err.message });
        }
      }
    }
    return { published: 1, rerun, skipped };
  }

  /** Sends the settlement's closing record again: the reconciler books it anew with today's mappings. */
  async rerun(user: ConsoleUser, connectionId: string, settlementId: string): Promise<void> {
    const posted = (await this.deps.store.ledgerForSettlement(connectionId, settlementId)).filter(
      (l) => l.documentKind === 'JOURNAL' && POSTED.has(l.state),
    );
    if (posted.length)
      throw new ConflictError(
        `settlement ${settlementId} is already posted to the ERP (${posted.map((p) => p.erpDocumentNumber ?? p.naturalKey).join(', ')}); correct it there`,
      );
    const closing = this.deps.ledger.closing(connectionId, settlementId);
    if (!closing) throw new NotFoundError(`the closing record of settlement ${settlementId}`);
    await this.deps.publisher.publish('amazon.settlements.v1', [
      { key: recordKey(connectionId, settlementId), value: closing },
    ]);
    await this.deps.audit.record(user, 'rerun-settlement', {
      connectionId,
      recordKey: recordKey(connectionId, settlementId),
      details: { settlementId },
    });
  }

  async mapSku(
    user: ConsoleUser,
    input: { connectionId: string; sellerSku: string; itemCode: string; marketplaceId?: string },
  ) {
    await this.publish(user, { connectionId: input.connectionId, skus: [{ ...input }] }, 'map-sku');
    return { published: 1 };
  }

  list(kind: MappingKind, connectionId: string): Array<Record<string, unknown>> {
    const { topic, columns } = MAPPING_KINDS[kind];
    return this.deps.mappings
      .list(topic, connectionId)
      .map((m) => Object.fromEntries(columns.map((c) => [c, m[c] ?? null])));
  }

  exportCsv(kind: MappingKind, connectionId: string): string {
    const { topic, columns } = MAPPING_KINDS[kind];
    return toCsv(columns, this.deps.mappings.list(topic, connectionId));
  }

  async importCsv(user: ConsoleUser, kind: MappingKind, connectionId: string, text: string) {
    const rows = parseCsv(text).map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (v === '') continue;
        out[k] = k === 'unitsPerSku' ? Number(v) : k === 'active' || k === 'delete' ? v === 'true' : v;
      }
      return out;
    });
    if (rows.length === 0) throw new InvalidRequestError('the file has no rows');
    const keys = await this.publish(user, { connectionId, [kind]: rows }, `import-${kind}`);
    return { published: keys.length };
  }

  /** Publishes a mapping file's records and audits each; returns their keys. */
  private async publish(user: ConsoleUser, file: MappingFile, action: string): Promise<string[]> {
    let records;
    try {
      records = mappingRecords(file, Date.now());
    } catch (err) {
      if (err instanceof ZodError)
        throw new InvalidRequestError(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      if (err instanceof Error) throw new InvalidRequestError(err.message);
      throw err;
    }
    await publishMappings(this.deps.publisher, records);
    for (const r of records)
      await this.deps.audit.record(user, action, {
        connectionId: file.connectionId,
        recordKey: r.key,
        stage: 'mapped',
        details: { topic: r.topic, value: r.value },
      });
    this.deps.logger.info(
      { userId: user.id, action, records: records.length },
      'mappings published from the console',
    );
    return records.map((r) => r.key);
  }
}
