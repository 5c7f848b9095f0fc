/**
 * In-memory stand-ins for tests (`@connector/db/testing`), kept out of the production entry point.
 */
export { FakeIdempotencyLedger } from './idempotency/fake-idempotency-ledger';
