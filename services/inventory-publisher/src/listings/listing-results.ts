import { recordKey, type ListingUpdateResult } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics } from '@connector/observability';
import type { ListingIssue, ListingKey, ListingStatus } from './listing.types';

export interface ResultArgs extends ListingKey {
  itemCode: string;
  status: ListingStatus;
  quantity: number | null;
  price: { amount: string; currency: string } | null;
  submissionId?: string | null;
  issues?: ListingIssue[];
  submittedAt: number;
  via: 'patch' | 'feed' | 'planner';
}

/** inventory.listing-results.v1: one record per listing and outcome, keyed <connectionId>/<sku>/<marketplace>. */
export async function publishResults(
  publisher: EventPublisher,
  results: ResultArgs[],
  metrics?: ConnectorMetrics,
): Promise<void> {
  if (results.length === 0) return;
  const records = results.map((r) => {
    metrics?.listingUpdates.inc({ status: r.status, via: r.via });
    const value: ListingUpdateResult = {
      eventId: `${r.sellerSku}/${r.marketplaceId}@${r.submittedAt}`,
      connectionId: r.connectionId,
      sellerSku: r.sellerSku,
      marketplaceId: r.marketplaceId,
      itemCode: r.itemCode,
      quantity: r.quantity,
      price: r.price,
      submissionId: r.submissionId ?? null,
      status: r.status,
      issues: r.issues ?? [],
      submittedAt: r.submittedAt,
    };
    return { key: recordKey(r.connectionId, `${r.sellerSku}/${r.marketplaceId}`), value };
  });
  for (let i = 0; i < records.length; i += 5000)
    await publisher.publish('inventory.listing-results.v1', records.slice(i, i + 5000));
}
