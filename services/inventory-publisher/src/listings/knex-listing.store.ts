import type { Db } from '@connector/db';
import {
  listingId,
  type AcceptedValues,
  type CatalogueEntry,
  type ListingKey,
  type ListingStore,
  type ListingValues,
  type PendingUpdate,
  type SourceRecord,
} from './listing.types';

const CHUNK = 1000;
const chunks = <T>(xs: T[], n = CHUNK): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

interface PendingRow {
  connection_id: string;
  seller_sku: string;
  marketplace_id: string;
  item_code: string;
  quantity: number | null;
  price: string | null;
  currency: string | null;
  source: SourceRecord;
  first_ms: string;
  due_ms: string;
  version: number;
  attempts: number;
}

const toPending = (r: PendingRow): PendingUpdate => ({
  connectionId: r.connection_id,
  sellerSku: r.seller_sku,
  marketplaceId: r.marketplace_id,
  itemCode: r.item_code,
  quantity: r.quantity,
  price: r.price,
  currency: r.currency,
  source: r.source,
  firstMs: Number(r.first_ms),
  dueMs: Number(r.due_ms),
  version: r.version,
  attempts: r.attempts,
});

/** ListingStore on PostgreSQL (migration 20261128000004_listings). */
export class KnexListingStore implements ListingStore {
  constructor(private readonly db: Db) {}

  private async byKeys<R extends { connection_id: string; seller_sku: string; marketplace_id: string }>(
    table: string,
    keys: ListingKey[],
  ): Promise<Map<string, R>> {
    const out = new Map<string, R>();
    for (const part of chunks(keys)) {
      if (part.length === 0) continue;
      const rows = (await this.db(table).whereIn(
        ['connection_id', 'seller_sku', 'marketplace_id'],
        part.map((k) => [k.connectionId, k.sellerSku, k.marketplaceId]),
      )) as R[];
      for (const r of rows)
        out.set(
          listingId({
            connectionId: r.connection_id,
            sellerSku: r.seller_sku,
            marketplaceId: r.marketplace_id,
          }),
          r,
        );
    }
    return out;
  }

  async catalogue(keys: ListingKey[]): Promise<Map<string, CatalogueEntry>> {
    const rows = await this.byKeys<{
      connection_id: string;
      seller_sku: string;
      marketplace_id: string;
      asin: string | null;
      fba: boolean;
      product_type: string | null;
      source: CatalogueEntry['source'];
    }>('listing_catalogue', keys);
    return new Map(
      [...rows].map(([k, r]) => [
        k,
        {
          connectionId: r.connection_id,
          sellerSku: r.seller_sku,
          marketplaceId: r.marketplace_id,
          asin: r.asin,
          fba: r.fba,
          productType: r.product_type,
          source: r.source,
        },
      ]),
    );
  }

  async saveCatalogue(entries: CatalogueEntry[]): Promise<void> {
    for (const part of chunks(entries)) {
      await this.db('listing_catalogue')
        .insert(
          part.map((e) => ({
            connection_id: e.connectionId,
            seller_sku: e.sellerSku,
            marketplace_id: e.marketplaceId,
            asin: e.asin,
            fba: e.fba,
            product_type: e.productType,
            source: e.source,
            refreshed_at: this.db.fn.now(),
          })),
        )
        .onConflict(['connection_id', 'seller_sku', 'marketplace_id'])
        .merge(['asin', 'fba', 'source', 'refreshed_at']);
    }
  }

  async accepted(keys: ListingKey[]): Promise<Map<string, AcceptedValues>> {
    const rows = await this.byKeys<{
      connection_id: string;
      seller_sku: string;
      marketplace_id: string;
      quantity: number | null;
      price: string | null;
      currency: string | null;
      submission_id: string | null;
    }>('listing_accepted', keys);
    return new Map(
      [...rows].map(([k, r]) => [
        k,
        {
          connectionId: r.connection_id,
          sellerSku: r.seller_sku,
          marketplaceId: r.marketplace_id,
          quantity: r.quantity,
          price: r.price,
          currency: r.currency,
          submissionId: r.submission_id,
        },
      ]),
    );
  }

  /** A field sent as null (not part of that update) keeps what Amazon accepted before. */
  async saveAccepted(values: AcceptedValues[]): Promise<void> {
    for (const part of chunks(values)) {
      await this.db.raw(
        `insert into listing_accepted as a (connection_id, seller_sku, marketplace_id, quantity, price, currency, submission_id)
         select * from jsonb_to_recordset(?::jsonb) as x(connection_id text, seller_sku text, marketplace_id text,
           quantity int, price text, currency text, submission_id text)
         on conflict (connection_id, seller_sku, marketplace_id) do update set
           quantity = coalesce(excluded.quantity, a.quantity),
           price = coalesce(excluded.price, a.price),
           currency = case when excluded.price is null then a.currency else excluded.currency end,
           submission_id = excluded.submission_id,
           accepted_at = now()`,
        [
          JSON.stringify(
            part.map((v) => ({
              connection_id: v.connectionId,
              seller_sku: v.sellerSku,
              marketplace_id: v.marketplaceId,
              quantity: v.quantity,
              price: v.price,
              currency: v.currency,
              submission_id: v.submissionId,
            })),
          ),
        ],
      );
    }
  }

  async pending(keys: ListingKey[]): Promise<Map<string, PendingUpdate>> {
    const rows = await this.byKeys<PendingRow>('listing_pending', keys);
    return new Map([...rows].map(([k, r]) => [k, toPending(r)]));
  }

  async upsertPending(
    updates: Array<ListingKey & ListingValues & { itemCode: string; source: SourceRecord }>,
    nowMs: number,
    windowMs: number,
  ): Promise<void> {
    for (const part of chunks(updates)) {
      await this.db.raw(
        `insert into listing_pending as p (connection_id, seller_sku, marketplace_id, item_code, quantity, price, currency,
           source, first_ms, due_ms)
         select x.connection_id, x.seller_sku, x.marketplace_id, x.item_code, x.quantity, x.price, x.currency, x.source,
           ?::bigint, ?::bigint
         from jsonb_to_recordset(?::jsonb) as x(connection_id text, seller_sku text, marketplace_id text, item_code text,
           quantity int, price text, currency text, source jsonb)
         on conflict (connection_id, seller_sku, marketplace_id) do update set
           item_code = excluded.item_code,
           quantity = coalesce(excluded.quantity, p.quantity),
           price = coalesce(excluded.price, p.price),
           currency = case when excluded.price is null then p.currency else excluded.currency end,
           source = excluded.source,
           due_ms = least(p.due_ms, p.first_ms + ?::bigint),
           version = p.version + 1`,
        [
          nowMs,
          nowMs + windowMs,
          JSON.stringify(
            part.map((u) => ({
              connection_id: u.connectionId,
              seller_sku: u.sellerSku,
              marketplace_id: u.marketplaceId,
              item_code: u.itemCode,
              quantity: u.quantity,
              price: u.price,
              currency: u.currency,
              source: u.source,
            })),
          ),
          windowMs,
        ],
      );
    }
  }

  async dueStats(connectionId: string, nowMs: number) {
    const { rows } = await this.db.raw<{
      rows: Array<{ waiting: string; due: string; oldest: string | null; newest: string | null }>;
    }>(
      `select count(*) as waiting,
         count(*) filter (where due_ms <= :now and (claimed_until_ms is null or claimed_until_ms <= :now)) as due,
         min(due_ms) filter (where due_ms <= :now and (claimed_until_ms is null or claimed_until_ms <= :now)) as oldest,
         max(first_ms) as newest
       from listing_pending where connection_id = :connectionId`,
      { now: nowMs, connectionId },
    );
    const r = rows[0];
    return {
      waiting: Number(r.waiting),
      due: Number(r.due),
      oldestDueMs: r.oldest === null ? null : Number(r.oldest),
      newestFirstMs: r.newest === null ? null : Number(r.newest),
    };
  }

  async claimDue(
    connectionId: string,
    nowMs: number,
    limit: number,
    leaseMs: number,
  ): Promise<PendingUpdate[]> {
    const { rows } = await this.db.raw<{ rows: PendingRow[] }>(
      `update listing_pending p set claimed_until_ms = ?::bigint
       from (select connection_id, seller_sku, marketplace_id from listing_pending
             where connection_id = ? and due_ms <= ? and (claimed_until_ms is null or claimed_until_ms <= ?)
             order by due_ms limit ? for update skip locked) d
       where p.connection_id = d.connection_id and p.seller_sku = d.seller_sku and p.marketplace_id = d.marketplace_id
       returning p.*`,
      [nowMs + leaseMs, connectionId, nowMs, nowMs, limit],
    );
    return rows.map(toPending);
  }

  async settle(rows: PendingUpdate[]): Promise<void> {
    for (const part of chunks(rows)) {
      const json = JSON.stringify(
        part.map((r) => ({ c: r.connectionId, s: r.sellerSku, m: r.marketplaceId, v: r.version })),
      );
      await this.db.raw(
        `delete from listing_pending p using jsonb_to_recordset(?::jsonb) as x(c text, s text, m text, v int)
         where p.connection_id = x.c and p.seller_sku = x.s and p.marketplace_id = x.m and p.version = x.v`,
        [json],
      );
      // changed while it was being sent: the newer values go at their own time
      await this.db.raw(
        `update listing_pending p set claimed_until_ms = null from jsonb_to_recordset(?::jsonb) as x(c text, s text, m text)
         where p.connection_id = x.c and p.seller_sku = x.s and p.marketplace_id = x.m`,
        [json],
      );
    }
  }

  async retryLater(rows: PendingUpdate[], dueMs: number): Promise<void> {
    for (const part of chunks(rows)) {
      await this.db.raw(
        `update listing_pending p set attempts = p.attempts + 1, claimed_until_ms = null,
           due_ms = case when p.version = x.v then ?::bigint else least(p.due_ms, ?::bigint) end
         from jsonb_to_recordset(?::jsonb) as x(c text, s text, m text, v int)
         where p.connection_id = x.c and p.seller_sku = x.s and p.marketplace_id = x.m`,
        [
          dueMs,
          dueMs,
          JSON.stringify(
            part.map((r) => ({ c: r.connectionId, s: r.sellerSku, m: r.marketplaceId, v: r.version })),
          ),
        ],
      );
    }
  }

  async noteUnmapped(connectionId: string, itemCode: string, source: SourceRecord): Promise<void> {
    await this.db.raw(
      `insert into listing_unmapped_items as u (connection_id, item_code, source) values (?, ?, ?)
       on conflict (connection_id, item_code)
       do update set times = u.times + 1, last_seen_at = now(), source = excluded.source`,
      [connectionId, itemCode, JSON.stringify(source)],
    );
  }

  async unmappedSource(connectionId: string, itemCode: string): Promise<SourceRecord | null> {
    const row = (await this.db('listing_unmapped_items')
      .select('source')
      .where({ connection_id: connectionId, item_code: itemCode })
      .first()) as { source: SourceRecord | null } | undefined;
    return row?.source ?? null;
  }

  async clearUnmapped(connectionId: string, itemCode: string): Promise<void> {
    await this.db('listing_unmapped_items')
      .where({ connection_id: connectionId, item_code: itemCode })
      .delete();
  }

  async unmapped(connectionId?: string) {
    const q = this.db('listing_unmapped_items')
      .select('connection_id', 'item_code', 'times')
      .orderBy(['connection_id', 'item_code']);
    if (connectionId) q.where({ connection_id: connectionId });
    const rows = (await q) as Array<{ connection_id: string; item_code: string; times: number }>;
    return rows.map((r) => ({ connectionId: r.connection_id, itemCode: r.item_code, times: r.times }));
  }
}
