import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StackPorts {
  kafka: number;
  controller: number;
  registry: number;
  /** Quarkus' management interface (default 9000, taken by a registry already running) */
  registryManagement: number;
}

/**
 * A Kafka broker and a schema registry of the fault suite's own (deploy/local/stack.sh with its own
 * STACK_DIR and ports), so that killing them touches no one else's. PostgreSQL stays the machine's:
 * stack.sh only creates this stack's databases on it.
 */
export class PrivateStack {
  constructor(
    readonly dir: string,
    readonly ports: StackPorts,
    /** a STACK_DIR whose downloaded Kafka and Apicurio distributions are reused (linked), if any */
    private readonly distributionsFrom?: string,
    /** names this stack's databases on the shared PostgreSQL (connector_<name>, apicurio_<name>) */
    private readonly name = 'faults',
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.ports.kafka}`;
  }

  get registryUrl(): string {
    return `http://127.0.0.1:${this.ports.registry}/apis/ccompat/v7`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      STACK_DIR: this.dir,
      KAFKA_PORT: String(this.ports.kafka),
      KAFKA_CONTROLLER_PORT: String(this.ports.controller),
      REGISTRY_PORT: String(this.ports.registry),
      QUARKUS_MANAGEMENT_PORT: String(this.ports.registryManagement),
      PG_APP_DB: `connector_${this.name}`,
      PG_REGISTRY_DB: `apicurio_${this.name}`,
    };
  }

  /** starts what is not running (stack.sh start is idempotent) */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (this.distributionsFrom) {
      for (const name of ['kafka', 'apicurio']) {
        const from = readdirPrefixed(this.distributionsFrom, name);
        if (from && !existsSync(path.join(this.dir, path.basename(from))))
          symlinkSync(from, path.join(this.dir, path.basename(from)));
      }
    }
    await run('bash', ['deploy/local/stack.sh', 'start'], { env: this.env(), maxBuffer: 10 << 20 });
  }

  async stop(): Promise<void> {
    await run('bash', ['deploy/local/stack.sh', 'stop'], { env: this.env() });
  }

  pidOf(part: 'kafka' | 'registry'): number | undefined {
    const file = path.join(this.dir, 'run', `${part}.pid`);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** `kill -9` of this stack's broker (never another one: the pid is this STACK_DIR's) */
  async killKafka(): Promise<void> {
    await this.signal('kafka', 'SIGKILL');
  }

  /** stops this stack's registry (SIGKILL: it is away at once, as a crashed registry would be) */
  async killRegistry(): Promise<void> {
    await this.signal('registry', 'SIGKILL');
  }

  private async signal(part: 'kafka' | 'registry', sig: NodeJS.Signals): Promise<void> {
    const pid = this.pidOf(part);
    if (!pid) throw new Error(`${part} of ${this.dir} is not running`);
    process.kill(pid, sig);
    for (let i = 0; i < 100 && this.alive(pid); i++) await sleep(100);
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function readdirPrefixed(dir: string, prefix: string): string | undefined {
  try {
    const names = readdirSync(dir);
    const hit = names.find((n) => n.startsWith(`${prefix}-`));
    return hit ? path.join(dir, hit) : undefined;
  } catch {
    return undefined;
  }
}
