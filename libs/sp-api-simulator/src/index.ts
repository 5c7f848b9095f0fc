export * from './dataset';
export * from './render';
export * from './server';
export * from './sandbox';
export { AMAZON_MARKETPLACES, type AmazonMarketplace } from './marketplaces';
