import { AgentServer } from '@connector/sage100-agent-core';
import { BoiSimulator } from '@connector/sage100-simulator';

/**
 * `npx ts-node --transpile-only -r tsconfig-paths/register tools/demo/src/sage100-agent-simulated.ts`:
 * the Sage 100 agent over the BOI simulator (plain HTTP on 127.0.0.1:$SAGE100_AGENT_PORT, 18104),
 * company ABC, BOI user AGENT / secret, with customer 01-AMZUS, items ITEM-0..ITEM-24 in warehouse
 * 000 and GL accounts 400000, 610000, 102000. `SAGE100_AGENT_SECRET` is required.
 */
async function main() {
  const secret = process.env.SAGE100_AGENT_SECRET;
  if (!secret) throw new Error('SAGE100_AGENT_SECRET is not set');
  const boi = new BoiSimulator();
  const db = boi.db('ABC');
  db.insert('AR_Customer', { ARDivisionNo$: '01', CustomerNo$: 'AMZUS' });
  for (const a of ['400000', '610000', '102000']) db.insert('GL_Account', { AccountKey$: a });
  for (let i = 0; i < 25; i++) {
    db.insert('CI_Item', { ItemCode$: `ITEM-${i}`, StandardUnitPrice: '19.99', InactiveItem$: 'N' });
    db.insert('IM_ItemWarehouse', { ItemCode$: `ITEM-${i}`, WarehouseCode$: '000', QuantityOnHand: '100' });
  }
  const agent = new AgentServer({
    boi,
    secret,
    port: Number(process.env.SAGE100_AGENT_PORT ?? 18104),
    boiConfig: { user: 'AGENT', password: 'secret', company: 'ABC' },
  });
  process.stdout.write(`Sage 100 agent (BOI simulator) on ${await agent.start()}\n`);
}

void main();
