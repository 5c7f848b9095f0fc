import type { ErpUnderTest } from './erp-under-test';

/** The ERP simulators the sage-writer integration tests run against (SAP Business One, Sage 300). */
export const erpsUnderTest: Array<() => ErpUnderTest> = [];
