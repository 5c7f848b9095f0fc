import { VirtualClock, systemClock, type Clock } from '@connector/core';
import { ReportRunner } from '../../reports/report-runner';
import type { SellingPartnerApi } from '../../selling-partner.api';
import { ProcessingWakeups, feedWakeKey, reportWakeKey } from '../processing-wakeups';

/** A clock whose sleeps never end: only a wake can end a wait. */
const frozen: Clock = { now: () => 1_000, sleep: () => new Promise<void>(() => undefined) };

describe('ProcessingWakeups', () => {
  it('when the key is woken during a sleep, then the sleep ends at once', async () => {
    const w = new ProcessingWakeups(frozen);
    const sleeping = w.sleep('report/1', 3_600_000);
    expect(w.wake('report/1')).toBe(1);
    await expect(sleeping).resolves.toBe('woken');
  });

  it('when the wake arrives before the sleep (the notification overtook the status call), then the next sleep returns at once, once', async () => {
    const clock = new VirtualClock(0);
    const w = new ProcessingWakeups(clock);
    expect(w.wake('report/2')).toBe(0);
    await expect(w.sleep('report/2', 60_000)).resolves.toBe('woken');
    await expect(w.sleep('report/2', 60_000)).resolves.toBe('slept');
  });

  it('when another key is woken, then the sleep runs its course', async () => {
    const w = new ProcessingWakeups(new VirtualClock(0));
    const sleeping = w.sleep('report/3', 10);
    w.wake('report/4');
    await expect(sleeping).resolves.toBe('slept');
  });

  it('when an early wake is older than it is remembered, then it no longer ends a sleep', async () => {
    const clock = new VirtualClock(0);
    const w = new ProcessingWakeups(clock, 1_000);
    w.wake('report/5');
    clock.advance(5_000);
    await expect(w.sleep('report/5', 10)).resolves.toBe('slept');
  });
});

describe('ReportRunner with wakeups', () => {
  it('when REPORT_PROCESSING_FINISHED wakes it, then the report is read without waiting out the poll interval', async () => {
    const wakeups = new ProcessingWakeups(frozen);
    let done = false;
    const api = {
      createReport: async () => 'R1',
      getReport: async () => ({ processingStatus: done ? 'DONE' : 'IN_QUEUE', reportDocumentId: 'D1' }),
      getReportDocument: async () => ({ url: 'u', compressionAlgorithm: undefined }),
      downloadReportDocument: async () => Buffer.from('report text'),
    } as unknown as SellingPartnerApi;
    const run = new ReportRunner(frozen, { pollMs: 3_600_000, wakeups }).run(api, {
      reportType: 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL',
      marketplaceIds: ['ATVPDKIKX0DER'],
    });
    await new Promise((r) => setImmediate(r)); // the runner asked once and sleeps (forever, on this clock)
    done = true;
    wakeups.wake(reportWakeKey('R1'));
    await expect(run).resolves.toEqual(Buffer.from('report text'));
  });
});

describe('ProcessingWakeups.sleepAny', () => {
  it('when one of several keys is woken during the sleep, then the sleep ends at once and no waiter is left behind', async () => {
    const w = new ProcessingWakeups(frozen);
    const sleeping = w.sleepAny([feedWakeKey('F1'), feedWakeKey('F2')], 3_600_000);
    expect(w.wake(feedWakeKey('F2'))).toBe(1);
    await expect(sleeping).resolves.toBe('woken');
    // the other key's waiter is gone: a wake now finds nobody and is remembered instead
    expect(w.wake(feedWakeKey('F1'))).toBe(0);
  });

  it('when one of the keys was woken before the sleep, then it returns at once', async () => {
    const w = new ProcessingWakeups(new VirtualClock(0));
    w.wake(feedWakeKey('F4'));
    await expect(w.sleepAny([feedWakeKey('F3'), feedWakeKey('F4')], 60_000)).resolves.toBe('woken');
    await expect(w.sleepAny([feedWakeKey('F3'), feedWakeKey('F4')], 60_000)).resolves.toBe('slept');
  });
});

describe('ProcessingWakeups and the poll timer', () => {
  it('when a sleep is woken, then the clock is told to end its sleep (the timer is not left running)', async () => {
    const signals: AbortSignal[] = [];
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) => {
        if (signal) signals.push(signal);
        return new Promise<void>(() => undefined);
      },
    };
    const w = new ProcessingWakeups(clock);
    const sleeping = w.sleep(feedWakeKey('F5'), 3_600_000);
    w.wake(feedWakeKey('F5'));
    await expect(sleeping).resolves.toBe('woken');
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });

  it('when the system clock sleep is aborted, then it ends at once', async () => {
    const abort = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, abort.signal);
    abort.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});
