/** Test support for the ERP port's callers (`@connector/erp/testing`): fakes and the ERPs under test. */
import type { ErpUnderTest } from './testing/erp-under-test';
import { sage100UnderTest } from './testing/sage100.under-test';
import { sage300UnderTest } from './testing/sage300.under-test';
import { sage500UnderTest } from './testing/sage500.under-test';
import { sapB1UnderTest } from './testing/sap-b1.under-test';

export * from './fake-erp';
export * from './testing/erp-under-test';
export { sage100UnderTest } from './testing/sage100.under-test';
export { sage300UnderTest } from './testing/sage300.under-test';
export { sage500UnderTest } from './testing/sage500.under-test';
export { sapB1SeedAccounts, sapB1UnderTest } from './testing/sap-b1.under-test';

/** The ERP simulators the sage-writer tests and benches run against (SAP Business One, Sage 300, Sage 100, Sage 500). */
export const erpsUnderTest: Array<() => ErpUnderTest> = [
  sapB1UnderTest,
  sage300UnderTest,
  sage100UnderTest,
  sage500UnderTest,
];
