import { startSage100Simulator } from './server';

/**
 * `npx ts-node libs/sage100-simulator/src/main.ts`: Sage 100 eBusiness Web Services (SOAP, our WSDL)
 * on 127.0.0.1:$SAGE100_SIM_PORT (18103), company ABC, user WEBUSER / password secret, items
 * ITEM-0..ITEM-24 in warehouse 000, customer 01-AMZUS.
 */
async function main() {
  const sim = await startSage100Simulator({
    port: Number(process.env.SAGE100_SIM_PORT ?? 18103),
    companies: (process.env.SAGE100_SIM_COMPANIES ?? 'ABC').split(','),
    items: Array.from({ length: 25 }, (_, i) => `ITEM-${i}`),
    customers: ['01-AMZUS'],
  });
  console.log(
    `Sage 100 eBusiness Web Services simulator on ${sim.serviceUrl} (WSDL: ?wsdl; control: POST ${sim.url}/__control)`,
  );
}

void main();
