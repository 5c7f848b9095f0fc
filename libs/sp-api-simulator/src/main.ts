import { startSpApiSimulator } from './server';

/** `npx ts-node libs/sp-api-simulator/src/main.ts`: the SP-API simulator on 127.0.0.1:$SPAPI_SIM_PORT (18090). */
async function main() {
  const sim = await startSpApiSimulator({
    port: Number(process.env.SPAPI_SIM_PORT ?? 18090),
    seed: Number(process.env.SPAPI_SIM_SEED ?? 42),
    speedFactor: Number(process.env.SPAPI_SIM_SPEED ?? 1),
  });
  console.log(
    `SP-API simulator on ${sim.url} (LWA at ${sim.url}/auth/o2/token; ${sim.orders.length} orders, ${sim.settlements.length} settlements)`,
  );
}

void main();
