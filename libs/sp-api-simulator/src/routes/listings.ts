import { exactJson } from '../finances';
import { RawJson, errorBody, list, type Answer } from '../http';
import { applyPatches, renderListingsItem, submissionId, type SimListing } from '../listings';
import { checkMarketplaces } from '../marketplaces';
import type { Route, RouteContext } from './route';

/**
 * Listings Items API 2021-08-01 (reference/sp-api/FACTS.md §9). Version 2020-09-01 is not served: the
 * reference notes list it as superseded (reference/sp-api/SOURCE.md) and no client here uses it.
 */

/** The caller's own listing, or the 403/404 Amazon answers instead. */
function ownListing(
  ctx: RouteContext,
  owner: string,
  sku: string,
  marketplaceIds: string[],
): SimListing | Answer {
  if (owner !== ctx.sellerId)
    return [403, errorBody('Unauthorized', 'Access to requested resource is denied.')];
  const refused = checkMarketplaces(ctx.state.seller(ctx.sellerId), marketplaceIds, 'BAD_REQUEST');
  if (refused) return refused;
  const listing = ctx.state.listing(ctx.sellerId, sku, marketplaceIds[0]);
  if (!listing)
    return [404, errorBody('NOT_FOUND', `SKU '${sku}' not found in marketplace ${marketplaceIds[0]}.`)];
  return listing;
}

function getListingsItem(ctx: RouteContext): Answer {
  const [owner, sku] = ctx.params;
  const l = ownListing(ctx, owner, sku, list(ctx.query, 'marketplaceIds')!);
  if (Array.isArray(l)) return l;
  return [200, new RawJson(exactJson(renderListingsItem(l, list(ctx.query, 'includedData') ?? [])))];
}

interface ListingsItemPatchRequest {
  productType: string;
  patches: Array<{ op: string; path: string; value?: unknown[] }>;
}

function patchListingsItem(ctx: RouteContext): Answer {
  const [owner, sku] = ctx.params;
  const marketplaceIds = list(ctx.query, 'marketplaceIds')!;
  const b = ctx.body as ListingsItemPatchRequest;
  const l = ownListing(ctx, owner, sku, marketplaceIds);
  if (Array.isArray(l)) return l;
  const preview = ctx.query.get('mode') === 'VALIDATION_PREVIEW';
  const issues = applyPatches(l, b.patches, !preview, ctx.state.now());
  const status = issues.length > 0 ? 'INVALID' : preview ? 'VALID' : 'ACCEPTED';
  return [200, { sku, status, submissionId: submissionId(), issues }];
}

export const listingsRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/,
    model: 'listingsItems_2021-08-01',
    operation: 'getListingsItem',
    run: getListingsItem,
  },
  {
    method: 'PATCH',
    path: /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/,
    model: 'listingsItems_2021-08-01',
    operation: 'patchListingsItem',
    run: patchListingsItem,
  },
];
