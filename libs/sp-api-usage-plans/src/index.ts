/**
 * Amazon's published usage plans (rate and burst per operation), generated from the models in
 * reference/sp-api/models: the client's rate limiter and the SP-API simulator read the same table.
 */
export { USAGE_PLANS, type UsagePlan } from './generated/usage-plans';
