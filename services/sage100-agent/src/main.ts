import { readFileSync } from 'node:fs';
import { AgentServer } from '@connector/sage100-agent-core';
import { ComBoi } from './com-boi';

/**
 * The Sage 100 agent on the Sage 100 Windows server, over the real BOI (COM; see com-boi.ts: not
 * run yet). `SAGE100_AGENT_SECRET` (≥ 32 characters, shared with the connector),
 * `SAGE100_AGENT_PORT` (8443), `SAGE100_AGENT_TLS_KEY`/`_CERT` (files; `_CA` for mutual TLS),
 * `SAGE100_MAS90_HOME`, and the BOI logon `SAGE100_USER`, `SAGE100_PASSWORD`, `SAGE100_COMPANY`.
 * The same agent over the BOI simulator: tools/demo/src/sage100-agent-simulated.ts.
 */
async function main() {
  const env = (n: string, d?: string) => {
    const v = process.env[n] ?? d;
    if (v === undefined) throw new Error(`${n} is not set`);
    return v;
  };
  const agent = new AgentServer({
    boi: new ComBoi(env('SAGE100_MAS90_HOME')),
    secret: env('SAGE100_AGENT_SECRET'),
    port: Number(env('SAGE100_AGENT_PORT', '8443')),
    host: env('SAGE100_AGENT_HOST', '0.0.0.0'),
    boiConfig: {
      user: env('SAGE100_USER'),
      password: env('SAGE100_PASSWORD'),
      company: env('SAGE100_COMPANY'),
    },
    tls: {
      key: readFileSync(env('SAGE100_AGENT_TLS_KEY')),
      cert: readFileSync(env('SAGE100_AGENT_TLS_CERT')),
      ...(process.env.SAGE100_AGENT_TLS_CA ? { ca: readFileSync(process.env.SAGE100_AGENT_TLS_CA) } : {}),
    },
  });
  process.stdout.write(`Sage 100 agent on ${await agent.start()}\n`);
}

void main();
