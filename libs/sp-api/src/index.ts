export * from './errors';
export * from './exact-json';
export * from './http-transport';
export * from './lwa-token.provider';
export * from './regions';
export * from './selling-partner.api';
export * from './sp-api.client';
export * from './token-bucket.limiter';
export { USAGE_PLANS, type UsagePlan } from './generated/usage-plans';
