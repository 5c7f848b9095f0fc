import { amazonMarketplace } from '../marketplaces';
import type { Answer } from '../http';
import type { Route, RouteContext } from './route';

/** Sellers API v1 getMarketplaceParticipations (reference/sp-api/FACTS.md §11): each marketplace's own language. */
function getMarketplaceParticipations({ state, sellerId }: RouteContext): Answer {
  return [
    200,
    {
      payload: state.seller(sellerId).marketplaces.map((m) => {
        const amazon = amazonMarketplace(m.id)!;
        return {
          marketplace: {
            id: m.id,
            name: m.domain,
            countryCode: amazon.countryCode,
            defaultCurrencyCode: m.currency,
            defaultLanguageCode: amazon.language,
            domainName: m.domain.toLowerCase().replace('amazon', 'www.amazon'),
          },
          participation: { isParticipating: true, hasSuspendedListings: false },
          storeName: 'Simulated Store',
        };
      }),
    },
  ];
}

export const sellersRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/sellers\/v1\/marketplaceParticipations$/,
    model: 'sellers',
    operation: 'getMarketplaceParticipations',
    run: getMarketplaceParticipations,
  },
];
