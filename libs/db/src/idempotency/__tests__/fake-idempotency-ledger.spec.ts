import { VirtualClock } from '@connector/core';
import { FakeIdempotencyLedger } from '../fake-idempotency-ledger';
import { describeLedgerContract } from './ledger-contract';

describeLedgerContract('in memory (FakeIdempotencyLedger)', async () => {
  const ledger = new FakeIdempotencyLedger({ now: () => clock.now() });
  const clock = new VirtualClock(Date.UTC(2026, 10, 28));
  return { ledger, expire: async (k) => ledger.expire(k) };
});
