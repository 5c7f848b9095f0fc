import type { Pipeline } from './pipeline';
import type { ServiceName } from './services';
import type { PrivateStack } from './stack';
import type { TcpProxy } from './tcp-proxy';

export interface FaultContext {
  pipeline: Pipeline;
  stack: PrivateStack;
  dbProxy: TcpProxy;
  /** how long the dependency stays away (ms) */
  windowMs: number;
  random: () => number;
  log: (msg: string) => void;
}

/**
 * A fault: when it starts (`trigger`: a share of the expected order documents written, or at once,
 * before the first read of Amazon), what it breaks (`inject`) and how it ends (`clear`). The window
 * between them is the run's; a crash's clear is the orchestrator restarting the process.
 */
export interface Fault {
  name: string;
  what: string;
  /** share of the order documents in the ERP when the fault starts (0: as soon as the services run) */
  trigger: number;
  /** the default window of the full suite, and of --reduced */
  windowMs: { full: number; reduced: number };
  inject(ctx: FaultContext): Promise<void>;
  clear(ctx: FaultContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const killService = (service: ServiceName): Fault => ({
  name: `kill9-${service}`,
  what: `kill -9 of ${service} at a random point, restarted as an orchestrator would`,
  trigger: 0.2,
  windowMs: { full: 3000, reduced: 2000 },
  async inject(ctx) {
    // a random point: up to 4 s after the trigger
    await sleep(Math.floor(ctx.random() * 4000));
    await ctx.pipeline.service(service).kill9();
    ctx.log(`${service} killed (SIGKILL)`);
  },
  async clear(ctx) {
    ctx.pipeline.service(service).start();
  },
});

export const FAULTS: readonly Fault[] = [
  {
    name: 'none',
    what: 'no fault (the baseline)',
    trigger: 0,
    windowMs: { full: 0, reduced: 0 },
    inject: async () => undefined,
    clear: async () => undefined,
  },
  {
    name: 'kafka-kill9',
    what: 'kill -9 of the Kafka broker, started again after the window',
    trigger: 0.25,
    windowMs: { full: 30_000, reduced: 15_000 },
    inject: (ctx) => ctx.stack.killKafka(),
    async clear(ctx) {
      await ctx.stack.start();
      await ctx.pipeline.reconnectAdmin();
    },
  },
  {
    name: 'postgres-cut',
    what: 'PostgreSQL away: every connection reset and new ones refused (TCP proxy), then back',
    trigger: 0.25,
    windowMs: { full: 30_000, reduced: 15_000 },
    inject: async (ctx) => ctx.dbProxy.cut(),
    clear: async (ctx) => ctx.dbProxy.restore(),
  },
  {
    name: 'registry-stop',
    what: 'the schema registry killed for the window, then started again',
    trigger: 0.25,
    windowMs: { full: 60_000, reduced: 20_000 },
    inject: (ctx) => ctx.stack.killRegistry(),
    clear: (ctx) => ctx.stack.start(),
  },
  {
    name: 'erp-503',
    what: 'the SAP B1 Service Layer answers 503 to every call for the window',
    trigger: 0.25,
    windowMs: { full: 120_000, reduced: 30_000 },
    inject: async (ctx) => void ctx.pipeline.erp.setFaults({ outage: true }),
    clear: async (ctx) => void ctx.pipeline.erp.setFaults({ outage: false }),
  },
  {
    name: 'spapi-429',
    what: 'the SP-API answers 429 to 80 % of calls (on top of its rate limits) for the window',
    trigger: 0,
    windowMs: { full: 60_000, reduced: 20_000 },
    inject: async (ctx) => void ctx.pipeline.amazon.control.setFaults({ throttleRate: 0.8 }),
    clear: async (ctx) => void ctx.pipeline.amazon.control.setFaults({ throttleRate: 0 }),
  },
  killService('amazon-ingest'),
  killService('sage-writer'),
  killService('settlement-reconciler'),
];

/** the faults of `npm run faults -- --reduced` (CI) */
export const REDUCED = ['kill9-sage-writer', 'erp-503', 'kafka-kill9'];
