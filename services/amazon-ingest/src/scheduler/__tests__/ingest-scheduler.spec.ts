import { NonRetriableError, RetriableError, VirtualClock } from '@connector/core';
import { connectionSettingsSchema, type Connection } from '@connector/db';
import { ConnectorMetrics, silentLogger } from '@connector/observability';
import type { SellingPartnerApi } from '@connector/sp-api';
import { IngestScheduler, type StreamRunner } from '../ingest-scheduler';

const conn = (id: string): Connection => ({
  id,
  name: id,
  sellerId: `S-${id}`,
  region: 'na',
  marketplaceIds: ['ATVPDKIKX0DER'],
  erpKind: 'SAP_B1',
  erpCompany: id,
  enabled: true,
  settings: connectionSettingsSchema.parse({ ordersIntervalSec: 300 }),
});

describe('IngestScheduler', () => {
  it('when one connection fails, then the others still run on schedule, and the failing one backs off and is counted', async () => {
    const clock = new VirtualClock(0);
    const runs: string[] = [];
    const failures: Record<string, Error> = {
      bad: new RetriableError('SPAPI_503', 'Amazon answered 503'),
      worse: new NonRetriableError('LWA_INVALID_GRANT', 'refused'),
    };
    const runner: StreamRunner = {
      stream: 'orders',
      intervalSec: (c) => c.settings.ordersIntervalSec,
      run: async (c) => {
        runs.push(c.id);
        if (failures[c.id]) throw failures[c.id];
      },
    };
    const metrics = new ConnectorMetrics('test', { defaultMetrics: false });
    const scheduler = new IngestScheduler({
      connections: {
        list: async () => [conn('good'), conn('bad'), conn('worse')],
        credentials: async () => ({ amazon: { lwaClientId: 'a', lwaClientSecret: 'b', refreshToken: 'c' } }),
      },
      api: () => ({}) as SellingPartnerApi,
      runners: [runner],
      clock,
      logger: silentLogger(),
      metrics,
    });
    await scheduler.tick();
    expect(runs.sort()).toEqual(['bad', 'good', 'worse']);

    runs.length = 0;
    clock.advance(30_000); // the retriable failure is retried after 30 s; nothing else is due
    await scheduler.tick();
    expect(runs).toEqual(['bad']);

    runs.length = 0;
    clock.advance(30_000); // the second failure doubles the backoff to 60 s
    await scheduler.tick();
    expect(runs).toEqual([]);

    clock.advance(240_000); // 300 s: the interval of the healthy one and of the permanently failing one
    await scheduler.tick();
    expect(runs.sort()).toEqual(['bad', 'good', 'worse']);
    const text = await metrics.text();
    expect(text).toMatch(
      /connector_ingest_runs_total\{connection="good",stream="orders",outcome="ok"[^}]*\} 2/,
    );
    expect(text).toMatch(
      /connector_ingest_runs_total\{connection="bad",stream="orders",outcome="failed"[^}]*\} 3/,
    );
  });

  it('when a run is still going, then the next tick does not start it twice', async () => {
    const clock = new VirtualClock(0);
    let release!: () => void;
    let started = 0;
    const scheduler = new IngestScheduler({
      connections: {
        list: async () => [conn('slow')],
        credentials: async () => ({ amazon: { lwaClientId: 'a', lwaClientSecret: 'b', refreshToken: 'c' } }),
      },
      api: () => ({}) as SellingPartnerApi,
      runners: [
        {
          stream: 'orders',
          intervalSec: () => 1,
          run: () => (started++, new Promise<void>((r) => (release = r))),
        },
      ],
      clock,
      logger: silentLogger(),
    });
    const first = scheduler.tick();
    await new Promise((r) => setImmediate(r));
    clock.advance(10_000);
    await scheduler.tick();
    expect(started).toBe(1);
    release();
    await first;
  });
});
