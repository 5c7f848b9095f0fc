import type { ReportRunner } from '@connector/sp-api';
import type { ListingsApi } from './listing-flusher';
import type { CatalogueEntry, ListingStore } from './listing.types';

export type ReportApi = ListingsApi & Parameters<ReportRunner['run']>[0];

/**
 * Reads GET_MERCHANT_LISTINGS_ALL_DATA (tab-separated, one marketplace per report): the SKU, its ASIN
 * and whether Amazon fulfils it (`fulfillment-channel` DEFAULT is the merchant; AMAZON_NA, AMAZON_EU…
 * is FBA). Columns are found by name, as Amazon adds columns over time (FACTS §6).
 */
export function parseListingsReport(
  text: string,
  connectionId: string,
  marketplaceId: string,
): CatalogueEntry[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = lines[0].split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const sku = col('seller-sku');
  const asin = col('asin1');
  const channel = col('fulfillment-channel');
  if (sku < 0 || channel < 0)
    throw new Error('listings report has no seller-sku or fulfillment-channel column');
  return lines.slice(1).flatMap((line) => {
    const cells = line.split('\t');
    const sellerSku = cells[sku]?.trim();
    if (!sellerSku) return [];
    const ch = (cells[channel] ?? '').trim().toUpperCase();
    return [
      {
        connectionId,
        sellerSku,
        marketplaceId,
        asin: asin >= 0 ? cells[asin]?.trim() || null : null,
        fba: ch !== '' && ch !== 'DEFAULT' && ch !== 'MERCHANT',
        productType: null,
        source: 'report' as const,
      },
    ];
  });
}

/** One refresh of a connection's catalogue: the listings report of each of its marketplaces. */
export async function refreshCatalogue(
  conn: { id: string; marketplaceIds: string[] },
  api: ReportApi,
  runner: Pick<ReportRunner, 'run'>,
  store: ListingStore,
): Promise<number> {
  let n = 0;
  for (const marketplaceId of conn.marketplaceIds) {
    const doc = await runner.run(api, {
      reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA',
      marketplaceIds: [marketplaceId],
    });
    if (!doc) continue; // CANCELLED: no listings in that marketplace
    const entries = parseListingsReport(doc.toString('utf8'), conn.id, marketplaceId);
    await store.saveCatalogue(entries);
    n += entries.length;
  }
  return n;
}
