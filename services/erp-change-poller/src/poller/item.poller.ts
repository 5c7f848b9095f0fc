import type { Connection } from '@connector/db';
import type { ErpItemSnapshot, ErpPort } from '@connector/erp';
import type { ErpItemChange } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { PollStateStore } from '../poll-state/poll-state.store';
import { itemEvent, itemState, stateHash, type ItemState, type StockRule } from './item-state';
import { readStream } from './stream-reader';

const TOPIC = 'erp.item-changes.v1' as const;
const STREAM = 'erp-items' as const;

export interface PollerDeps {
  state: PollStateStore;
  publisher: EventPublisher;
  logger: Logger;
  metrics?: ConnectorMetrics;
  /** this replica's name in the stream leases */
  owner: string;
  leaseMs: number;
  now?: () => number;
}

/**
 * Items and prices of one connection: a change read every poll, and, for ERPs whose stock moves
 * bump no change date (SAP B1, Sage 300), a full scan every `fullScanIntervalSec` that diffs every
 * item against the state last published. Both publish the same compacted `erp.item-changes.v1`
 * snapshot, only when the state differs. They run one after the other (the scan first) in one
 * stream, under one lease, so an older read is never published after a newer one.
 */
export class ItemPoller {
  readonly stream = STREAM;
  constructor(private readonly deps: PollerDeps) {}

  intervalSec(conn: Connection): number {
    return conn.settings.returnPath.erpPollIntervalSec;
  }

  async run(
    conn: Connection,
    erp: ErpPort,
  ): Promise<{ changed: number; scanned: number | null } | 'leased-elsewhere'> {
    const { state, owner, leaseMs } = this.deps;
    const renew = () => state.lease(conn.id, STREAM, owner, leaseMs);
    if (!(await renew())) return 'leased-elsewhere';
    const rp = conn.settings.returnPath;
    const rule: StockRule = { warehouses: rp.warehouses, safetyStock: rp.safetyStock };
    // the scan first: on a new connection it brings every item with its stock in one event each
    let scanned: number | null = null;
    if (!erp.capabilities.stockMovesChangeDate) {
      const { fullScanAt } = await state.cursor(conn.id, STREAM);
      const erpClock = await erp.erpClock();
      if (!fullScanAt || Date.parse(erpClock) - Date.parse(fullScanAt) >= rp.fullScanIntervalSec * 1000) {
        scanned = await this.fullScan(conn, erp, rule, erpClock, renew);
        if (scanned === null) return 'leased-elsewhere';
      }
    }
    let changed = 0;
    const read = await readStream({
      connectionId: conn.id,
      stream: STREAM,
      erp,
      state,
      settings: rp,
      read: (w) => erp.readItemChanges(w),
      publish: async (rows) => {
        changed += await this.publish(conn, erp, rows, rule, 'CHANGE_POLL');
      },
      renew,
      metrics: this.deps.metrics,
    });
    return read.complete ? { changed, scanned } : 'leased-elsewhere';
  }

  /** Every item, in key order; returns how many were read, or null when the lease was lost midway. */
  private async fullScan(
    conn: Connection,
    erp: ErpPort,
    rule: StockRule,
    startedAt: string,
    renew: () => Promise<boolean>,
  ): Promise<number | null> {
    const now = this.deps.now ?? Date.now;
    const t0 = now();
    let afterKey: string | null = null;
    let scanned = 0;
    let diffs = 0;
    do {
      const page = await erp.scanItems(afterKey, conn.settings.returnPath.erpPageSize);
      scanned += page.items.length;
      this.deps.metrics?.erpPollRows.inc({ connection: conn.id, stream: 'erp-full-scan' }, page.items.length);
      diffs += await this.publish(conn, erp, page.items, rule, 'FULL_SCAN');
      afterKey = page.nextKey;
      if (afterKey !== null && !(await renew())) return null;
    } while (afterKey !== null);
    // the scan counts from when it started: changes during it are read by the next change poll or scan
    await this.deps.state.saveFullScanAt(conn.id, STREAM, startedAt);
    this.deps.metrics?.erpFullScanSeconds.set({ connection: conn.id }, (now() - t0) / 1000);
    this.deps.logger.info({ connectionId: conn.id, scanned, diffs }, 'full item scan done');
    return scanned;
  }

  /** Publishes the rows whose state differs from the last published one; returns how many. */
  private async publish(
    conn: Connection,
    erp: ErpPort,
    rows: ErpItemSnapshot[],
    rule: StockRule,
    source: ErpItemChange['source'],
  ): Promise<number> {
    const { state, publisher, metrics } = this.deps;
    const stored = await state.snapshots(
      conn.id,
      'items',
      rows.map((r) => r.itemCode),
    );
    const observedAt = (this.deps.now ?? Date.now)();
    const out: Array<{ key: string; value: ErpItemChange }> = [];
    const saved: Array<{ key: string; hash: string; state: Record<string, unknown> }> = [];
    for (const r of rows) {
      const prev = stored.get(r.itemCode);
      const st = itemState(r, rule, prev?.state as ItemState | undefined);
      const hash = stateHash(st);
      if (prev?.hash === hash) continue;
      out.push({
        key: `${conn.id}/${r.itemCode}`,
        value: itemEvent(conn.id, erp.capabilities.kind, r, st, hash, source, observedAt),
      });
      saved.push({ key: r.itemCode, hash, state: st as unknown as Record<string, unknown> });
    }
    if (!out.length) return 0;
    await publisher.publish(TOPIC, out);
    await state.saveSnapshots(conn.id, 'items', saved);
    metrics?.erpPollPublished.inc({ connection: conn.id, stream: STREAM, source }, out.length);
    return out.length;
  }
}
