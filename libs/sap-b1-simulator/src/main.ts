import { defaultGlAccounts } from '@connector/mapping';
import { startSapB1Simulator } from './server';

/** `npx ts-node libs/sap-b1-simulator/src/main.ts`: the SAP B1 Service Layer simulator on 127.0.0.1:$SAPB1_SIM_PORT (18101). */
async function main() {
  const items = Array.from({ length: 25 }, (_, i) => ({ ItemCode: `ITEM-${i}` }));
  const sim = await startSapB1Simulator({
    port: Number(process.env.SAPB1_SIM_PORT ?? 18101),
    items,
    customers: ['AMZ-US'],
    // the default GL mapping's accounts, a bank account and the demo's receivable
    accounts: [...new Set(['1000', '1100', ...defaultGlAccounts()])],
  });
  console.log(
    `SAP B1 Service Layer simulator on ${sim.url}/b1s/v1 (company SBODEMOUS, user manager/manager; ${items.length} items; control at ${sim.url}/__control)`,
  );
}

void main();
