import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every service that runs as a process through its production entry point (services/<name>/src/main.ts). */
export const SERVICES = [
  'amazon-ingest',
  'sage-writer',
  'settlement-reconciler',
  'inventory-publisher',
  'erp-change-poller',
  'operator-console',
] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The fault suite's pipeline: Amazon → ERP (the return path and the console are left out). */
export const PIPELINE_SERVICES = ['amazon-ingest', 'sage-writer', 'settlement-reconciler'] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One service as a child process, configured by its environment like production. `kill9()` is a
 * crash; `start()` again plays the orchestrator that restarts a crashed container (no one fixes
 * anything by hand). Logs go to `<logDir>/<name>.log`, appended across restarts.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  restarts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    if (this.child) this.restarts++;
    const log = openSync(path.join(this.logDir, `${this.name}.log`), 'a');
    // the built JavaScript (npm run build) as the production image runs it, or ts-node on the sources
    const built = path.join('dist', 'services', this.name, 'src', 'main.js');
    const args = existsSync(built)
      ? ['-r', 'tsconfig-paths/register', built]
      : [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          `services/${this.name}/src/main.ts`,
        ];
    const child = spawn(process.execPath, args, {
      cwd: process.cwd(),
      env: {
        ...process.env,
        ...this.env,
        HTTP_PORT: String(this.port),
        ...(existsSync(built) ? { TS_NODE_BASEURL: 'dist' } : { TS_NODE_TRANSPILE_ONLY: 'true' }),
      },
      stdio: ['ignore', log, log],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** SIGKILL, as `kill -9 <pid>`: no shutdown hook runs, nothing is flushed or committed */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a graceful stop), SIGKILL after `graceMs` */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const stopped = await Promise.race([this.exited!.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) await this.kill9();
  }

  /** GET /health/ready answers 200 (every dependency up); false when down or not listening */
  async ready(): Promise<boolean> {
    if (!this.running) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`, {
        signal: AbortSignal.timeout(5000),
      });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** resident memory in KiB (VmRSS of /proc/<pid>/status), undefined when not running */
  rssKb(): number | undefined {
    if (!this.running || !this.pid) return undefined;
    return vmRssKb(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
  }
}

/** VmRSS of a /proc/<pid>/status text, in KiB. */
export function vmRssKb(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : undefined;
}
