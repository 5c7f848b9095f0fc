import { readFileSync } from 'node:fs';
import type { Boi } from './boi/boi';
import { BoiSimulator } from './boi/boi-simulator';
import { ComBoi } from './boi/com-boi';
import { AgentServer } from './agent-server';

/**
 * The Sage 100 agent: `SAGE100_AGENT_SECRET` (≥ 32 characters, shared with the connector),
 * `SAGE100_AGENT_PORT` (8443), `SAGE100_AGENT_TLS_KEY`/`_CERT` (files; `_CA` for mutual TLS),
 * `SAGE100_BOI` = `com` (Windows, with `SAGE100_MAS90_HOME`) or `simulator`, and the BOI logon
 * `SAGE100_USER`, `SAGE100_PASSWORD`, `SAGE100_COMPANY`.
 */
async function main() {
  const env = (n: string, d?: string) => {
    const v = process.env[n] ?? d;
    if (v === undefined) throw new Error(`${n} is not set`);
    return v;
  };
  const boi: Boi =
    env('SAGE100_BOI', 'simulator') === 'com' ? new ComBoi(env('SAGE100_MAS90_HOME')) : new BoiSimulator();
  const key = process.env.SAGE100_AGENT_TLS_KEY;
  const agent = new AgentServer({
    boi,
    secret: env('SAGE100_AGENT_SECRET'),
    port: Number(env('SAGE100_AGENT_PORT', '8443')),
    host: env('SAGE100_AGENT_HOST', '0.0.0.0'),
    boiConfig: {
      user: env('SAGE100_USER', 'AGENT'),
      password: env('SAGE100_PASSWORD', 'secret'),
      company: env('SAGE100_COMPANY', 'ABC'),
    },
    ...(key
      ? {
          tls: {
            key: readFileSync(key),
            cert: readFileSync(env('SAGE100_AGENT_TLS_CERT')),
            ...(process.env.SAGE100_AGENT_TLS_CA
              ? { ca: readFileSync(process.env.SAGE100_AGENT_TLS_CA) }
              : {}),
          },
        }
      : {}),
  });
  process.stdout.write(`Sage 100 agent on ${await agent.start()}\n`);
}

void main();
