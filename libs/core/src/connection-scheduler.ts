import type { Clock } from './clock';
import { errorCode, errorMessage, isRetriable } from './errors';

/** One stream a scheduler runs for every connection (Amazon orders, ERP item changes, a full scan...). */
export interface ScheduledStream<C, Client> {
  stream: string;
  intervalSec(conn: C): number;
  run(conn: C, client: Client): Promise<unknown>;
}

export interface SchedulerLogger {
  error(obj: object, msg: string): void;
}

interface Slot {
  nextAt: number;
  running: boolean;
  failures: number;
}

/**
 * Runs every stream of every enabled connection on that connection's schedule. Each (connection,
 * stream) runs alone, one run at a time; a failure is logged, counted and retried with backoff
 * (capped at the stream's interval) without touching any other connection. `tick()` does one round
 * and is what tests call; `start()` ticks every second. amazon-ingest runs its Amazon reads with it,
 * erp-change-poller its ERP reads.
 */
export class ConnectionScheduler<C extends { id: string }, Client> {
  private readonly slots = new Map<string, Slot>();
  private readonly inflight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      connections: { list(): Promise<C[]> };
      /** the client a run talks to (an SP-API client, an ERP adapter), built or cached per connection */
      client: (conn: C) => Promise<Client>;
      runners: ScheduledStream<C, Client>[];
      clock: Clock;
      logger: SchedulerLogger;
      onRun?: (conn: C, stream: string, outcome: 'ok' | 'failed') => void;
      /** first backoff after a retriable failure; doubles per failure up to the interval */
      backoffBaseMs?: number;
    },
  ) {}

  /** Starts due runs and returns when they have finished. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    let conns: C[];
    try {
      conns = await this.deps.connections.list();
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'cannot list connections');
      return;
    }
    const started: Promise<void>[] = [];
    for (const conn of conns)
      for (const runner of this.deps.runners) {
        const key = `${conn.id}|${runner.stream}`;
        const slot = this.slots.get(key) ?? { nextAt: now, running: false, failures: 0 };
        this.slots.set(key, slot);
        if (slot.running || now < slot.nextAt) continue;
        slot.running = true;
        const p = this.runOne(conn, runner, slot).finally(() => {
          slot.running = false;
          this.inflight.delete(p);
        });
        this.inflight.add(p);
        started.push(p);
      }
    await Promise.all(started);
  }

  private async runOne(conn: C, runner: ScheduledStream<C, Client>, slot: Slot): Promise<void> {
    const { clock, logger, onRun } = this.deps;
    const interval = runner.intervalSec(conn) * 1000;
    try {
      await runner.run(conn, await this.deps.client(conn));
      slot.failures = 0;
      slot.nextAt = clock.now() + interval;
      onRun?.(conn, runner.stream, 'ok');
    } catch (err) {
      slot.failures++;
      // retriable: back off 30 s, 60 s, … up to the interval; otherwise wait a whole interval
      const base = this.deps.backoffBaseMs ?? 30_000;
      const backoff = isRetriable(err) ? Math.min(interval, base * 2 ** (slot.failures - 1)) : interval;
      slot.nextAt = clock.now() + backoff;
      onRun?.(conn, runner.stream, 'failed');
      logger.error(
        {
          connectionId: conn.id,
          stream: runner.stream,
          code: errorCode(err),
          retriable: isRetriable(err),
          failures: slot.failures,
          retryInSec: Math.round(backoff / 1000),
          err: errorMessage(err),
        },
        'scheduled run failed; other connections are not affected',
      );
    }
  }

  /** Ticks every `periodMs` without waiting for runs: a slow connection never delays another. */
  start(periodMs = 1000): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), periodMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inflight]);
  }
}
