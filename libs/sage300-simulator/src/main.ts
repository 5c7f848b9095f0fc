import { defaultGlAccounts } from '@connector/mapping';
import { startSage300Simulator } from './server';

/**
 * `npx ts-node libs/sage300-simulator/src/main.ts`: the Sage 300 Web API simulator on
 * 127.0.0.1:$SAGE300_SIM_PORT (18102), company SAMLTD, user WEBAPI / password WEBAPI, with 25 items
 * ITEM-0..ITEM-24, customer AMZ-US, the default GL accounts and bank 1010.
 */
async function main() {
  const sim = await startSage300Simulator({
    port: Number(process.env.SAGE300_SIM_PORT ?? 18102),
    companies: (process.env.SAGE300_SIM_COMPANIES ?? 'SAMLTD').split(','),
    items: Array.from({ length: 25 }, (_, i) => `ITEM-${i}`),
    customers: ['AMZ-US'],
    accounts: defaultGlAccounts(),
    bankCodes: ['1010'],
  });
  console.log(`Sage 300 Web API simulator on ${sim.apiUrl} (control: POST ${sim.url}/__control)`);
}

void main();
