import type { Clock } from '@connector/core';
import type { Connection, ReturnPathSettings } from '@connector/db';
import type { ErpItemChange } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { ConsumedRecord } from '@connector/kafka';
import { publishResults } from './listing-results';
import type { ListingStore, SourceRecord } from './listing.types';
import { planItemChange, targetsOf, type SkuLookup } from './planner';

export interface ConnectionSource {
  get(
    id: string,
  ): Promise<
    Pick<Connection, 'id' | 'enabled' | 'marketplaceIds'> & { settings: { returnPath: ReturnPathSettings } }
  >;
}

/**
 * An ERP item change → the listings it touches, planned (planner.ts) and held for the coalescing
 * window (listing_pending); outcomes known at once (FBA quantity skipped, price refused by the
 * guard rails) are published. An item with no SKU is counted and listed, never guessed.
 */
export class ItemChangeService {
  /** items listed as unmapped (loaded once from the store), so a mapped item costs no delete */
  private unmappedKnown?: Promise<Set<string>>;

  constructor(
    private readonly deps: {
      connections: ConnectionSource;
      mapping: SkuLookup;
      store: ListingStore;
      publisher: EventPublisher;
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
    },
  ) {}

  /**
   * A SKU mapping of `itemCode` arrived: if the item was listed as unmapped, its latest change is
   * planned now (an item read before its mapping was loaded would otherwise wait for its next change).
   */
  async mappingArrived(connectionId: string, itemCode: string): Promise<boolean> {
    const known = await this.knownUnmapped();
    if (!known.has(`${connectionId}|${itemCode}`)) return false;
    const source = await this.deps.store.unmappedSource(connectionId, itemCode);
    if (!source) return false;
    await this.handle(source);
    return true;
  }

  private knownUnmapped(): Promise<Set<string>> {
    this.unmappedKnown ??= this.deps.store
      .unmapped()
      .then((rows) => new Set(rows.map((r) => `${r.connectionId}|${r.itemCode}`)))
      .catch((err: unknown) => {
        this.unmappedKnown = undefined;
        throw err;
      });
    return this.unmappedKnown;
  }

  async handle(record: ConsumedRecord<ErpItemChange>): Promise<void> {
    const { store, clock, metrics, logger } = this.deps;
    const ev = record.value;
    const conn = await this.deps.connections.get(ev.connectionId);
    if (!conn.enabled) return;
    const targets = targetsOf(ev, conn.marketplaceIds, this.deps.mapping);
    const known = await this.knownUnmapped();
    const itemKey = `${ev.connectionId}|${ev.itemCode}`;
    const source: SourceRecord = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key,
      headers: record.headers,
      value: ev,
    };
    if (targets.length === 0) {
      known.add(itemKey);
      await store.noteUnmapped(ev.connectionId, ev.itemCode, source);
      metrics?.listingUnmappedItems.inc({ connection: ev.connectionId });
      logger.info(
        { connectionId: ev.connectionId, itemCode: ev.itemCode },
        'ERP item has no SKU in mapping.skus.v1; not sent',
      );
      return;
    }
    if (known.delete(itemKey)) await store.clearUnmapped(ev.connectionId, ev.itemCode);
    const [catalogue, accepted, pending] = await Promise.all([
      store.catalogue(targets),
      store.accepted(targets),
      store.pending(targets),
    ]);
    const plan = planItemChange(ev, targets, conn.settings.returnPath, { catalogue, accepted, pending });
    if (plan.noops) metrics?.listingNoops.inc(plan.noops);
    await store.upsertPending(
      plan.updates.map((u) => ({ ...u, source })),
      clock.now(),
      conn.settings.returnPath.coalesceSec * 1000,
    );
    await publishResults(
      this.deps.publisher,
      plan.results.map((r) => ({ ...r, submittedAt: clock.now(), via: 'planner' as const })),
      metrics,
    );
  }
}
