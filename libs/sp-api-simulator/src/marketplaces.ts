import { errorBody, type Answer } from './http';
import type { SimSeller } from './dataset';

/** Amazon's marketplaces and their regions (reference/sp-api/FACTS.md §1.1–1.2), as the simulator knows them. */
export interface AmazonMarketplace {
  id: string;
  region: 'na' | 'eu' | 'fe';
  countryCode: string;
  currency: string;
  language: string;
  name: string;
}

export const AMAZON_MARKETPLACES: readonly AmazonMarketplace[] = [
  {
    id: 'ATVPDKIKX0DER',
    region: 'na',
    countryCode: 'US',
    currency: 'USD',
    language: 'en_US',
    name: 'Amazon.com',
  },
  {
    id: 'A2EUQ1WTGCTBG2',
    region: 'na',
    countryCode: 'CA',
    currency: 'CAD',
    language: 'en_CA',
    name: 'Amazon.ca',
  },
  {
    id: 'A1AM78C64UM0Y8',
    region: 'na',
    countryCode: 'MX',
    currency: 'MXN',
    language: 'es_MX',
    name: 'Amazon.com.mx',
  },
  {
    id: 'A2Q3Y263D00KWC',
    region: 'na',
    countryCode: 'BR',
    currency: 'BRL',
    language: 'pt_BR',
    name: 'Amazon.com.br',
  },
  {
    id: 'A1F83G8C2ARO7P',
    region: 'eu',
    countryCode: 'GB',
    currency: 'GBP',
    language: 'en_GB',
    name: 'Amazon.co.uk',
  },
  {
    id: 'A1PA6795UKMFR9',
    region: 'eu',
    countryCode: 'DE',
    currency: 'EUR',
    language: 'de_DE',
    name: 'Amazon.de',
  },
  {
    id: 'A13V1IB3VIYZZH',
    region: 'eu',
    countryCode: 'FR',
    currency: 'EUR',
    language: 'fr_FR',
    name: 'Amazon.fr',
  },
  {
    id: 'APJ6JRA9NG5V4',
    region: 'eu',
    countryCode: 'IT',
    currency: 'EUR',
    language: 'it_IT',
    name: 'Amazon.it',
  },
  {
    id: 'A1RKKUPIHCS9HS',
    region: 'eu',
    countryCode: 'ES',
    currency: 'EUR',
    language: 'es_ES',
    name: 'Amazon.es',
  },
  {
    id: 'A1805IZSGTT6HS',
    region: 'eu',
    countryCode: 'NL',
    currency: 'EUR',
    language: 'nl_NL',
    name: 'Amazon.nl',
  },
  {
    id: 'A2NODRKZP88ZB9',
    region: 'eu',
    countryCode: 'SE',
    currency: 'SEK',
    language: 'sv_SE',
    name: 'Amazon.se',
  },
  {
    id: 'A1C3SOZRARQ6R3',
    region: 'eu',
    countryCode: 'PL',
    currency: 'PLN',
    language: 'pl_PL',
    name: 'Amazon.pl',
  },
  {
    id: 'A1VC38T7YXB528',
    region: 'fe',
    countryCode: 'JP',
    currency: 'JPY',
    language: 'ja_JP',
    name: 'Amazon.co.jp',
  },
  {
    id: 'A39IBJ37TRP1C6',
    region: 'fe',
    countryCode: 'AU',
    currency: 'AUD',
    language: 'en_AU',
    name: 'Amazon.com.au',
  },
  {
    id: 'A19VAU5U5O7RUS',
    region: 'fe',
    countryCode: 'SG',
    currency: 'SGD',
    language: 'en_SG',
    name: 'Amazon.sg',
  },
];

export const amazonMarketplace = (id: string) => AMAZON_MARKETPLACES.find((m) => m.id === id);

/**
 * What Amazon answers when a request names marketplaces that do not exist (400) or that belong to
 * another region than the seller's endpoint (403, reference/sp-api/FACTS.md §1.5:
 * "The marketplaces you provided are not valid for region."). Undefined when every id is fine.
 */
export function checkMarketplaces(
  seller: SimSeller,
  ids: readonly string[],
  code = 'InvalidInput',
): Answer | undefined {
  for (const id of ids) {
    const m = amazonMarketplace(id);
    if (!m) return [400, errorBody(code, `Invalid marketplace id: ${id}.`)];
    if (m.region !== seller.region)
      return [
        403,
        errorBody(
          'Unauthorized',
          'Access to requested resource is denied.',
          'The marketplaces you provided are not valid for region.',
        ),
      ];
  }
  return undefined;
}
