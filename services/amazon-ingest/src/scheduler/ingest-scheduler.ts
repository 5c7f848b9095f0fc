import { errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { Connection, ConnectionCredentials } from '@connector/db';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { SellingPartnerApi } from '@connector/sp-api';

export type IngestStream = 'orders' | 'financial-events' | 'settlements';

export interface StreamRunner {
  stream: IngestStream;
  intervalSec(conn: Connection): number;
  run(conn: Connection, api: SellingPartnerApi): Promise<unknown>;
}

export interface ConnectionSource {
  list(): Promise<Connection[]>;
  credentials(id: string): Promise<ConnectionCredentials>;
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
 * and is what tests call; `start()` ticks every second.
 */
export class IngestScheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly inflight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      connections: ConnectionSource;
      api: (conn: Connection, creds: ConnectionCredentials) => SellingPartnerApi;
      runners: StreamRunner[];
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
    },
  ) {}

  /** Starts due runs and returns when they have finished. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    let conns: Connection[];
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

  private async runOne(conn: Connection, runner: StreamRunner, slot: Slot): Promise<void> {
    const { clock, logger, metrics } = this.deps;
    const interval = runner.intervalSec(conn) * 1000;
    try {
      const api = this.deps.api(conn, await this.deps.connections.credentials(conn.id));
      await runner.run(conn, api);
      slot.failures = 0;
      slot.nextAt = clock.now() + interval;
      metrics?.ingestRuns.inc({ connection: conn.id, stream: runner.stream, outcome: 'ok' });
    } catch (err) {
      slot.failures++;
      // retriable: back off 30 s, 60 s, … up to the interval; otherwise wait a whole interval
      const backoff = isRetriable(err) ? Math.min(interval, 30_000 * 2 ** (slot.failures - 1)) : interval;
      slot.nextAt = clock.now() + backoff;
      metrics?.ingestRuns.inc({ connection: conn.id, stream: runner.stream, outcome: 'failed' });
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
        'ingest run failed; other connections are not affected',
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
