import { decimal } from '@connector/money';
import type { ErpItemChange, ListingUpdateResult } from '@connector/events';

/** One listing: a seller SKU in one marketplace of a connection. */
export interface ListingKey {
  connectionId: string;
  sellerSku: string;
  marketplaceId: string;
}

export const listingId = (k: ListingKey) => `${k.connectionId}/${k.sellerSku}/${k.marketplaceId}`;

/** What Amazon says of a listing (listings report or getListingsItem). */
export interface CatalogueEntry extends ListingKey {
  asin: string | null;
  fba: boolean;
  productType: string | null;
  source: 'report' | 'listings-item';
}

/** Price and quantity of a listing; null: not sent (no price list, FBA, no stock figures). */
export interface ListingValues {
  quantity: number | null;
  /** decimal string */
  price: string | null;
  currency: string | null;
}

/** The erp.item-changes.v1 record values came from: what goes to the DLQ when Amazon rejects them. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: ErpItemChange;
}

/** Values waiting for their coalescing window (or their next retry). */
export interface PendingUpdate extends ListingKey, ListingValues {
  itemCode: string;
  source: SourceRecord;
  firstMs: number;
  dueMs: number;
  version: number;
  attempts: number;
}

export interface AcceptedValues extends ListingKey, ListingValues {
  submissionId: string | null;
}

/**
 * The publisher's state (PostgreSQL in the service: KnexListingStore; in memory for unit tests and
 * benchmarks: MemoryListingStore).
 */
export interface ListingStore {
  catalogue(keys: ListingKey[]): Promise<Map<string, CatalogueEntry>>;
  saveCatalogue(entries: CatalogueEntry[]): Promise<void>;
  accepted(keys: ListingKey[]): Promise<Map<string, AcceptedValues>>;
  saveAccepted(values: AcceptedValues[]): Promise<void>;
  pending(keys: ListingKey[]): Promise<Map<string, PendingUpdate>>;
  /**
   * Stores the new values of each listing; a listing already waiting keeps its window (first change
   * + coalesceSec) and takes the newer values, fields the new change leaves null keeping theirs.
   */
  upsertPending(
    updates: Array<ListingKey & ListingValues & { itemCode: string; source: SourceRecord }>,
    nowMs: number,
    windowMs: number,
  ): Promise<void>;
  /** How many rows of a connection wait, how many are due, and when the oldest due one fell due. */
  dueStats(
    connectionId: string,
    nowMs: number,
  ): Promise<{ waiting: number; due: number; oldestDueMs: number | null; newestFirstMs: number | null }>;
  /** Claims up to `limit` due rows of a connection for `leaseMs` (rows another flusher holds are skipped). */
  claimDue(connectionId: string, nowMs: number, limit: number, leaseMs: number): Promise<PendingUpdate[]>;
  /** Removes rows that were sent and settled, unless they changed since they were claimed. */
  settle(rows: PendingUpdate[]): Promise<void>;
  /** Releases rows for another try at `dueMs` (attempts + 1). */
  retryLater(rows: PendingUpdate[], dueMs: number): Promise<void>;
  /** Lists the item as unmapped and keeps its latest change, to plan again when a SKU mapping arrives. */
  noteUnmapped(connectionId: string, itemCode: string, source: SourceRecord): Promise<void>;
  /** The latest change kept for an unmapped item, or null. */
  unmappedSource(connectionId: string, itemCode: string): Promise<SourceRecord | null>;
  clearUnmapped(connectionId: string, itemCode: string): Promise<void>;
  unmapped(connectionId?: string): Promise<Array<{ connectionId: string; itemCode: string; times: number }>>;
}

export type ListingStatus = ListingUpdateResult['status'];

export interface ListingIssue {
  code: string;
  message: string;
  severity: string;
}

/**
 * The values still to send once Amazon's accepted ones are taken away: a quantity or a price equal to
 * what Amazon accepted last is not sent again (null). Both null: nothing to send.
 */
export function withoutAccepted(v: ListingValues, acc: ListingValues | undefined): ListingValues {
  if (!acc) return v;
  const quantity = v.quantity !== null && acc.quantity === v.quantity ? null : v.quantity;
  const samePrice =
    v.price !== null && acc.price !== null && acc.currency === v.currency && decimal(acc.price).eq(v.price);
  return { quantity, price: samePrice ? null : v.price, currency: samePrice ? null : v.currency };
}
