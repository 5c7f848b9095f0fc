import type { ChangeCursor, ChangeWindow, ErpPage, ErpPort } from '@connector/erp';
import type { ConnectorMetrics } from '@connector/observability';
import type { PollStateStore, PollStream } from '../poll-state/poll-state.store';
import { persistableCursor, windowEnd } from './change-window';

export interface StreamReadSettings {
  erpSafetyLagSec: number;
  erpPageSize: number;
}

/**
 * Reads one change stream of a connection from its cursor up to the ERP's clock minus the safety
 * lag, a page at a time. Each page is handed to `publish` (which returns once Kafka acknowledged
 * it) before the cursor moves past it, so a crash re-reads at most one page and loses none.
 * The window's end is fixed when the read starts: a row changed while the pages are read has a
 * later change date and is read by the next run, never skipped and never read out of order.
 */
export async function readStream<T>(args: {
  connectionId: string;
  stream: PollStream;
  erp: ErpPort;
  state: PollStateStore;
  settings: StreamReadSettings;
  read: (w: ChangeWindow) => Promise<ErpPage<T>>;
  publish: (rows: T[]) => Promise<void>;
  /** renews the stream's lease between pages; false: another replica took it over, stop */
  renew: () => Promise<boolean>;
  metrics?: ConnectorMetrics;
}): Promise<{ rows: number; erpClock: string; complete: boolean }> {
  const { connectionId, stream, erp, state, settings, metrics } = args;
  const erpClock = await erp.erpClock();
  const until = windowEnd(erpClock, settings.erpSafetyLagSec);
  let after: ChangeCursor | null = (await state.cursor(connectionId, stream)).after;
  let rows = 0;
  for (;;) {
    const page = await args.read({ after, until, pageSize: settings.erpPageSize });
    rows += page.items.length;
    metrics?.erpPollRows.inc({ connection: connectionId, stream }, page.items.length);
    if (page.items.length) await args.publish(page.items);
    if (!page.next) break;
    after = page.next;
    await state.saveCursor(
      connectionId,
      stream,
      persistableCursor(after, until, erp.capabilities.changeResolution),
    );
    if (page.items.length < settings.erpPageSize) break;
    if (!(await args.renew())) return { rows, erpClock, complete: false };
  }
  // everything up to `until` is published: the ERP is this far ahead of what Amazon can know
  metrics?.erpCursorLag.set(
    { connection: connectionId, stream },
    (Date.parse(erpClock) - Date.parse(until)) / 1000,
  );
  return { rows, erpClock, complete: true };
}
