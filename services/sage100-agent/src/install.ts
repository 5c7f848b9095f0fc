import path from 'node:path';

/** The part of `node-windows` used here (it wraps WinSW, which runs a Node script as a service). */
interface NodeWindows {
  Service: new (opts: {
    name: string;
    description: string;
    script: string;
    nodeOptions?: string[];
    workingDirectory?: string;
    env?: Array<{ name: string; value: string }>;
  }) => {
    on(event: string, fn: (...args: unknown[]) => void): void;
    install(): void;
    uninstall(): void;
    start(): void;
  };
}

/** What the agent reads at start (main.ts), kept in the service's configuration. */
const SETTINGS = [
  'SAGE100_AGENT_SECRET',
  'SAGE100_AGENT_PORT',
  'SAGE100_AGENT_HOST',
  'SAGE100_AGENT_TLS_KEY',
  'SAGE100_AGENT_TLS_CERT',
  'SAGE100_AGENT_TLS_CA',
  'SAGE100_MAS90_HOME',
  'SAGE100_USER',
  'SAGE100_PASSWORD',
  'SAGE100_COMPANY',
] as const;

/**
 * `install.ps1` runs this on the Sage 100 server: `install` registers the agent as the Windows
 * service "Sage 100 Connector Agent" (through node-windows / WinSW, installed there by install.ps1)
 * with the settings of the environment, and starts it; `uninstall` removes it. NOT RUN: this
 * project has no Windows machine.
 */
function main(): void {
  if (process.platform !== 'win32') throw new Error('the agent is installed on the Sage 100 Windows server');
  const action = process.argv[2];
  if (action !== 'install' && action !== 'uninstall') throw new Error('usage: install.js install|uninstall');
  const missing = SETTINGS.filter(
    (n) =>
      !process.env[n] && !['SAGE100_AGENT_PORT', 'SAGE100_AGENT_HOST', 'SAGE100_AGENT_TLS_CA'].includes(n),
  );
  if (action === 'install' && missing.length) throw new Error(`not set: ${missing.join(', ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Service } = require('node-windows') as NodeWindows;
  const svc = new Service({
    name: 'Sage 100 Connector Agent',
    description:
      "Runs the Amazon connector's fixed list of Sage 100 operations over the Business Object Interface",
    script: path.join(__dirname, 'main.js'),
    // as the container runs the services: path aliases resolved in dist by tsconfig-paths
    nodeOptions: ['-r', 'tsconfig-paths/register'],
    workingDirectory: process.cwd(),
    env: [
      { name: 'TS_NODE_BASEURL', value: 'dist' },
      ...SETTINGS.filter((n) => process.env[n]).map((name) => ({ name, value: process.env[name]! })),
    ],
  });
  svc.on('install', () => {
    svc.start();
    process.stdout.write('installed and started: Sage 100 Connector Agent\n');
  });
  svc.on('uninstall', () => process.stdout.write('removed: Sage 100 Connector Agent\n'));
  svc.on('error', (err) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
  if (action === 'install') svc.install();
  else svc.uninstall();
}

main();
