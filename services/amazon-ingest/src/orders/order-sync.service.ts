import type { Clock } from '@connector/core';
import type { Connection } from '@connector/db';
import { recordKey, type AmazonOrder, type TopicName } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { MARKETPLACES, type Order, type SellingPartnerApi } from '@connector/sp-api';
import type { HeldOrder, IngestStateStore, PublishedEntry } from '../ingest-state/ingest-state.store';
import type { BuyerPiiVault } from '@connector/db';
import {
  AmazonOrderShapeError,
  isPending,
  mapAllOrdersReport,
  mapApiOrder,
  type Mapped,
} from './order.mapper';
import type { ReportRunner } from '@connector/sp-api';

/** Amazon wants lastUpdatedBefore at least two minutes in the past (FACTS §3.1); a few seconds more absorb clock skew. */
export const TWO_MINUTE_RULE_MS = 120_000 + 10_000;
const BATCH = 100;
const REPORT_TYPE = 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL';

const includedData = (conn: Connection) => [
  'PROCEEDS',
  'FULFILLMENT',
  ...(conn.settings.buyerPii ? ['BUYER', 'RECIPIENT'] : []),
  // a customer per buyer needs the buyer's (anonymised) e-mail for its hashed key, nothing else
  ...(!conn.settings.buyerPii && conn.settings.orderToCash.customers === 'per-buyer' ? ['BUYER'] : []),
];

export interface OrderSyncResult {
  mode: 'api' | 'report';
  windowStart: number;
  windowEnd: number;
  read: number;
  published: number;
  skippedAlreadyPublished: number;
  held: number;
  /** orders Amazon sent in a shape that cannot become an event (AmazonOrderShapeError); logged and counted */
  rejected: number;
}

export interface OrderSyncDeps {
  store: IngestStateStore;
  publisher: EventPublisher;
  reports: ReportRunner;
  pii?: BuyerPiiVault;
  clock: Clock;
  logger: Logger;
  metrics?: ConnectorMetrics;
}

/**
 * One incremental order read for one connection (FACTS §3): from the watermark minus the overlap to
 * now minus the 2-minute rule, by searchOrders or, for backfills and long windows, the all-orders
 * report. Every order version is published once: versions already published are skipped, pending
 * orders are held until they carry prices, cancellations and status changes are events of their
 * own. Progress is saved per batch, so a restart re-reads at most the current window and publishes
 * nothing it had published.
 */
export class OrderSyncService {
  constructor(private readonly deps: OrderSyncDeps) {}

  async sync(conn: Connection, api: SellingPartnerApi): Promise<OrderSyncResult> {
    const { store, clock, logger } = this.deps;
    const s = conn.settings;
    const now = clock.now();
    const cursor = await store.getCursor(conn.id, 'orders');
    const watermark = cursor?.watermark ?? now - s.backfillDays * 86_400_000;
    const windowStart = Math.max(0, watermark - s.ordersOverlapSec * 1000);
    const windowEnd = now - TWO_MINUTE_RULE_MS;
    const result: OrderSyncResult = {
      mode: 'api',
      windowStart,
      windowEnd,
      read: 0,
      published: 0,
      skippedAlreadyPublished: 0,
      held: 0,
      rejected: 0,
    };
    if (windowEnd <= windowStart) return result;

    const useReport =
      s.ordersMode === 'report' ||
      (s.ordersMode === 'auto' && windowEnd - windowStart > s.ordersReportAfterHours * 3_600_000);
    result.mode = useReport ? 'report' : 'api';
    const observedAt = now;
    const source = useReport
      ? this.fromReport(conn, api, windowStart, windowEnd, observedAt)
      : this.fromApi(conn, api, windowStart, windowEnd, observedAt, result);

    let batch: Mapped[] = [];
    for await (const mapped of source) {
      batch.push(mapped);
      if (batch.length >= BATCH) {
        await this.publishBatch(conn, batch, result);
        batch = [];
      }
    }
    if (batch.length) await this.publishBatch(conn, batch, result);

    await store.saveCursor(
      conn.id,
      'orders',
      { watermark: windowEnd, state: { mode: result.mode } },
      s.ordersOverlapSec,
    );
    this.deps.metrics?.ingestCursorLag.set(
      { connection: conn.id, stream: 'orders' },
      (clock.now() - windowEnd) / 1000,
    );
    this.deps.metrics?.ingestHeldOrders.set(
      { connection: conn.id },
      (await store.heldOrders(conn.id)).length,
    );
    logger.info({ connectionId: conn.id, ...result }, 'orders read');
    return result;
  }

  /**
   * One order by id (an ORDER_CHANGE notification named it): getOrder, then the same mapping, PII and
   * publish path as sync, so a version already published is skipped and event ids are the same. The
   * cursor is the poller's and does not move.
   */
  async syncOrder(conn: Connection, api: SellingPartnerApi, orderId: string): Promise<OrderSyncResult> {
    const now = this.deps.clock.now();
    const result: OrderSyncResult = {
      mode: 'api',
      windowStart: now,
      windowEnd: now,
      read: 0,
      published: 0,
      skippedAlreadyPublished: 0,
      held: 0,
      rejected: 0,
    };
    const order = await api.getOrder(orderId, includedData(conn));
    const batch: Mapped[] = [];
    for await (const m of this.mapApiOrders(conn, [order], now, result)) batch.push(m);
    if (batch.length) await this.publishBatch(conn, batch, result);
    return result;
  }

  private fromApi(
    conn: Connection,
    api: SellingPartnerApi,
    from: number,
    to: number,
    observedAt: number,
    result: OrderSyncResult,
  ): AsyncGenerator<Mapped> {
    const orders = api.searchOrders({
      lastUpdatedAfter: new Date(from).toISOString(),
      lastUpdatedBefore: new Date(to).toISOString(),
      marketplaceIds: conn.marketplaceIds,
      maxResultsPerPage: 100,
      includedData: includedData(conn),
    } as Parameters<SellingPartnerApi['searchOrders']>[0]);
    return this.mapApiOrders(conn, orders, observedAt, result);
  }

  private async *mapApiOrders(
    conn: Connection,
    orders: AsyncIterable<Order> | Iterable<Order>,
    observedAt: number,
    result: OrderSyncResult,
  ): AsyncGenerator<Mapped> {
    for await (const o of orders) {
      let mapped: Mapped;
      try {
        mapped = mapApiOrder(o, { connectionId: conn.id, sellerId: conn.sellerId, observedAt });
      } catch (err) {
        if (!(err instanceof AmazonOrderShapeError)) throw err;
        // one malformed order must not hold back the others; the message names fields, never buyer data
        result.rejected++;
        this.deps.metrics?.ingestRejected.inc({
          connection: conn.id,
          stream: 'orders',
          reason: 'malformed_order',
        });
        this.deps.logger.error(
          { connectionId: conn.id, orderId: err.orderId, field: err.field, code: err.code, err: err.message },
          'Amazon order rejected: it cannot become an event',
        );
        continue;
      }
      if (conn.settings.buyerPii && this.deps.pii) mapped.order.piiRef = await this.keepPii(conn, o);
      yield mapped;
    }
  }

  private async *fromReport(
    conn: Connection,
    api: SellingPartnerApi,
    from: number,
    to: number,
    observedAt: number,
  ): AsyncGenerator<Mapped> {
    const text = await this.deps.reports.run(api, {
      reportType: REPORT_TYPE,
      marketplaceIds: conn.marketplaceIds,
      dataStartTime: new Date(from).toISOString(),
      dataEndTime: new Date(to).toISOString(),
    });
    if (text === null) return;
    const byDomain = new Map(MARKETPLACES.map((m) => [m.domain?.toLowerCase(), m.id]));
    yield* mapAllOrdersReport(text.toString('utf8'), {
      connectionId: conn.id,
      sellerId: conn.sellerId,
      observedAt,
      marketplaceByChannel: (channel) =>
        byDomain.get(channel.toLowerCase()) ??
        (conn.marketplaceIds.length === 1 ? conn.marketplaceIds[0] : undefined),
    });
  }

  private async keepPii(conn: Connection, o: Order): Promise<string | null> {
    const buyer = o.buyer as Record<string, unknown> | undefined;
    const recipient = o.recipient as Record<string, unknown> | undefined;
    if (!buyer && !recipient) return null;
    return this.deps.pii!.keep(conn, o.orderId, { buyer, recipient }, Date.parse(o.lastUpdatedTime));
  }

  private async publishBatch(conn: Connection, batch: Mapped[], result: OrderSyncResult): Promise<void> {
    const { store, publisher, logger, metrics } = this.deps;
    result.read += batch.length;
    for (const m of batch)
      for (const issue of m.issues) {
        logger.warn(
          { connectionId: conn.id, ...issue },
          'unexpected value in an Amazon order; published as UNKNOWN',
        );
        metrics?.ingestRejected.inc({
          connection: conn.id,
          stream: 'orders',
          reason: `unexpected_${issue.field}`,
        });
      }

    // the newest version of each order in this batch
    const latest = new Map<string, AmazonOrder>();
    for (const { order } of batch) {
      const prev = latest.get(order.amazonOrderId);
      if (!prev || order.lastUpdateDate > prev.lastUpdateDate) latest.set(order.amazonOrderId, order);
    }
    const known = await store.publishedVersions(conn.id, 'orders', [...latest.keys()]);
    const toPublish: AmazonOrder[] = [];
    const held: HeldOrder[] = [];
    for (const order of latest.values()) {
      const publishedVersion = known.get(order.amazonOrderId);
      if (publishedVersion !== undefined && publishedVersion >= order.lastUpdateDate) {
        result.skippedAlreadyPublished++;
        continue;
      }
      if (isPending(order)) {
        held.push({
          orderId: order.amazonOrderId,
          status: order.orderStatus,
          lastUpdateMs: order.lastUpdateDate,
        });
        continue;
      }
      order.changeType =
        order.orderStatus === 'CANCELLED'
          ? 'CANCELED'
          : publishedVersion === undefined
            ? 'CREATED'
            : 'UPDATED';
      toPublish.push(order);
    }
    if (toPublish.length)
      await publisher.publish(
        'amazon.orders.v1' satisfies TopicName,
        toPublish.map((o) => ({ key: recordKey(conn.id, o.amazonOrderId), value: o })),
      );
    const entries: PublishedEntry[] = toPublish.map((o) => ({
      key: o.amazonOrderId,
      version: o.lastUpdateDate,
      eventId: o.eventId,
    }));
    await store.recordPublished(conn.id, 'orders', entries, held);
    result.published += toPublish.length;
    result.held += held.length;
  }
}
