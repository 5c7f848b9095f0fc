import type { TestInfra } from './infra';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __TEST_INFRA__?: TestInfra }).__TEST_INFRA__?.stop();
}
