/** SP-API regions and marketplaces (reference/sp-api/FACTS.md §1.1–1.2). */
export type Region = 'na' | 'eu' | 'fe';

export const REGION_ENDPOINTS: Record<Region, { production: string; sandbox: string }> = {
  na: {
    production: 'https://sellingpartnerapi-na.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-na.amazon.com',
  },
  eu: {
    production: 'https://sellingpartnerapi-eu.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-eu.amazon.com',
  },
  fe: {
    production: 'https://sellingpartnerapi-fe.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-fe.amazon.com',
  },
};

/** One LWA host serves every region. */
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

export interface Marketplace {
  id: string;
  country: string;
  region: Region;
  currency: string;
  /** marketplace-name as settlement reports write it */
  domain: string;
}

export const MARKETPLACES: readonly Marketplace[] = [
  { id: 'ATVPDKIKX0DER', country: 'US', region: 'na', currency: 'USD', domain: 'Amazon.com' },
  { id: 'A2EUQ1WTGCTBG2', country: 'CA', region: 'na', currency: 'CAD', domain: 'Amazon.ca' },
  { id: 'A1AM78C64UM0Y8', country: 'MX', region: 'na', currency: 'MXN', domain: 'Amazon.com.mx' },
  { id: 'A2Q3Y263D00KWC', country: 'BR', region: 'na', currency: 'BRL', domain: 'Amazon.com.br' },
  { id: 'A1F83G8C2ARO7P', country: 'GB', region: 'eu', currency: 'GBP', domain: 'Amazon.co.uk' },
  { id: 'A1PA6795UKMFR9', country: 'DE', region: 'eu', currency: 'EUR', domain: 'Amazon.de' },
  { id: 'A13V1IB3VIYZZH', country: 'FR', region: 'eu', currency: 'EUR', domain: 'Amazon.fr' },
  { id: 'APJ6JRA9NG5V4', country: 'IT', region: 'eu', currency: 'EUR', domain: 'Amazon.it' },
  { id: 'A1RKKUPIHCS9HS', country: 'ES', region: 'eu', currency: 'EUR', domain: 'Amazon.es' },
  { id: 'A1805IZSGTT6HS', country: 'NL', region: 'eu', currency: 'EUR', domain: 'Amazon.nl' },
  { id: 'A2NODRKZP88ZB9', country: 'SE', region: 'eu', currency: 'SEK', domain: 'Amazon.se' },
  { id: 'A1C3SOZRARQ6R3', country: 'PL', region: 'eu', currency: 'PLN', domain: 'Amazon.pl' },
  { id: 'A1VC38T7YXB528', country: 'JP', region: 'fe', currency: 'JPY', domain: 'Amazon.co.jp' },
  { id: 'A39IBJ37TRP1C6', country: 'AU', region: 'fe', currency: 'AUD', domain: 'Amazon.com.au' },
  { id: 'A19VAU5U5O7RUS', country: 'SG', region: 'fe', currency: 'SGD', domain: 'Amazon.sg' },
];

export function marketplace(id: string): Marketplace {
  const m = MARKETPLACES.find((x) => x.id === id);
  if (!m) throw new Error(`unknown marketplace id ${id}`);
  return m;
}
