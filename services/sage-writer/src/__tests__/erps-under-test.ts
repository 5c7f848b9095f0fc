import type { ErpUnderTest } from './erp-under-test';
import { sage300UnderTest } from './erps/sage300.under-test';
import { sapB1UnderTest } from './erps/sap-b1.under-test';

/** The ERP simulators the sage-writer integration tests run against (SAP Business One, Sage 300). */
export const erpsUnderTest: Array<() => ErpUnderTest> = [sapB1UnderTest, sage300UnderTest];
