import { NonRetriableError, errorCode, errorMessage, isRetriable, type Clock } from '@connector/core';
import type { Connection } from '@connector/db';
import { recordKey, type FeedProcessingFinished } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import {
  MalformedNotificationError,
  parseNotification,
  reportWakeKey,
  type FeedProcessingFinishedNotification,
  type OrderChangeNotification,
  type ProcessingWakeups,
  type SellingPartnerApi,
} from '@connector/sp-api';
import type { OrderSyncResult } from '../orders/order-sync.service';

/** Where a notification the connector cannot act on is recorded, with the reason, before it leaves the queue. */
export interface NotificationDeadLetters {
  record(body: string, reason: { code: string; message: string; messageId?: string }): Promise<void>;
}

export interface NotificationServiceDeps {
  /** the enabled connections (a notification names the seller, not the connection) */
  connections: { list(): Promise<Connection[]> };
  api: (conn: Connection) => Promise<SellingPartnerApi>;
  orders: { syncOrder(conn: Connection, api: SellingPartnerApi, orderId: string): Promise<OrderSyncResult> };
  /** wakes report waiters polling for a status (in this process: the order sync's report mode) */
  wakeups: ProcessingWakeups;
  /** amazon.feed-status.v1: the feed waiters are in inventory-publisher, reached over Kafka */
  publisher: EventPublisher;
  clock: Clock;
  deadLetters: NotificationDeadLetters;
  logger: Logger;
  metrics?: ConnectorMetrics;
}

export type NotificationOutcome =
  /** the order was read and published (or was already, at this version) for every matching connection */
  | 'orders-synced'
  /** no enabled connection sells as this seller in this marketplace: nothing to do */
  | 'no-connection'
  /** a report waiter was woken (or will be, when it next sleeps) */
  | 'woken'
  /** amazon.feed-status.v1 carries the feed's end to its waiter, one event per connection of the seller */
  | 'feed-status-published'
  /** recorded in the dead letters with the reason (malformed, or refused for good) */
  | 'dead-lettered';

/**
 * What amazon-ingest does with one SP-API notification from the queue; knows nothing of SQS. It returns
 * when the message may be deleted: the order published, the waiter woken, or the message recorded in the
 * dead letters. It throws when the message must stay (a retriable failure: SQS shows it again after the
 * visibility timeout, and its redrive policy moves it to the dead letters after the last receive).
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {}

  async handle(body: string, messageId?: string): Promise<NotificationOutcome> {
    let n;
    try {
      n = parseNotification(body);
    } catch (err) {
      if (!(err instanceof MalformedNotificationError)) throw err;
      return this.deadLetter(body, err, messageId, { notificationType: err.notificationType });
    }
    switch (n.type) {
      case 'ORDER_CHANGE':
        return this.orderChanged(body, n.notification, n.notificationId, messageId);
      case 'REPORT_PROCESSING_FINISHED': {
        const p = n.notification.payload.reportProcessingFinishedNotification;
        const woke = this.deps.wakeups.wake(reportWakeKey(p.reportId));
        this.deps.logger.info(
          { notificationId: n.notificationId, reportId: p.reportId, status: p.processingStatus, woke },
          'report processing finished',
        );
        return 'woken';
      }
      case 'FEED_PROCESSING_FINISHED':
        return this.feedFinished(body, n.notification, n.notificationId, messageId);
    }
  }

  /**
   * The feed's waiter (inventory-publisher's listing flusher) is in another service: the end of the
   * feed goes to amazon.feed-status.v1 for every enabled connection of the seller (a feed notification
   * names no marketplace). The flusher reads the feed at once; its poll stays the net.
   */
  private async feedFinished(
    body: string,
    n: FeedProcessingFinishedNotification,
    notificationId: string,
    messageId?: string,
  ): Promise<NotificationOutcome> {
    const p = n.payload.feedProcessingFinishedNotification;
    const connections = await this.deps.connections.list();
    let events: FeedProcessingFinished[];
    try {
      events = feedStatusEvents(n, connections, this.deps.clock.now());
    } catch (err) {
      return this.deadLetter(body, err, messageId, { notificationType: n.notificationType });
    }
    if (!events.length) {
      this.deps.logger.info(
        { notificationId, feedId: p.feedId, status: p.processingStatus },
        'feed processing finished for no enabled connection; nothing to do',
      );
      return 'no-connection';
    }
    try {
      await this.deps.publisher.publish(
        'amazon.feed-status.v1',
        events.map((e) => ({ key: recordKey(e.connectionId, e.feedId), value: e })),
      );
    } catch (err) {
      // Kafka unavailable: the message stays and comes back; a record Kafka refuses for good is recorded
      if (isRetriable(err)) throw err;
      return this.deadLetter(body, err, messageId, { connectionId: events[0].connectionId });
    }
    this.deps.logger.info(
      {
        notificationId,
        feedId: p.feedId,
        feedType: p.feedType,
        status: p.processingStatus,
        connectionIds: events.map((e) => e.connectionId),
      },
      'feed processing finished; published to amazon.feed-status.v1',
    );
    return 'feed-status-published';
  }

  private async orderChanged(
    body: string,
    n: OrderChangeNotification,
    notificationId: string,
    messageId?: string,
  ): Promise<NotificationOutcome> {
    const { SellerId, AmazonOrderId, Summary } = n.Payload.OrderChangeNotification;
    const conns = (await this.deps.connections.list()).filter(
      (c) => c.enabled && c.sellerId === SellerId && c.marketplaceIds.includes(Summary.MarketplaceId),
    );
    if (!conns.length) {
      this.deps.logger.info(
        { notificationId, orderId: AmazonOrderId, marketplaceId: Summary.MarketplaceId },
        'order change for no enabled connection; nothing to do',
      );
      return 'no-connection';
    }
    for (const conn of conns) {
      try {
        const r = await this.deps.orders.syncOrder(conn, await this.deps.api(conn), AmazonOrderId);
        this.deps.logger.info(
          {
            connectionId: conn.id,
            notificationId,
            orderId: AmazonOrderId,
            published: r.published,
            skippedAlreadyPublished: r.skippedAlreadyPublished,
            held: r.held,
            rejected: r.rejected,
          },
          'order read on notification',
        );
      } catch (err) {
        // retriable (throttled, Amazon or Kafka unavailable): the message stays and comes back
        if (isRetriable(err)) throw err;
        // refused for good (the order is unknown to Amazon, the seller withdrew the grant): recorded;
        // the poller reads the order anyway if Amazon has it
        return this.deadLetter(body, err, messageId, { connectionId: conn.id, orderId: AmazonOrderId });
      }
    }
    return 'orders-synced';
  }

  private async deadLetter(
    body: string,
    err: unknown,
    messageId: string | undefined,
    context: { connectionId?: string; orderId?: string; notificationType?: string },
  ): Promise<'dead-lettered'> {
    const code = errorCode(err);
    const message = errorMessage(err);
    // recorded first: if this fails the message stays in the queue (never deleted unrecorded)
    await this.deps.deadLetters.record(body, { code, message, messageId });
    this.deps.metrics?.ingestRejected.inc({
      connection: context.connectionId ?? 'unknown',
      stream: 'notifications',
      reason: code.toLowerCase(),
    });
    this.deps.logger.error(
      { ...context, messageId, code, err: message },
      'SP-API notification recorded in the dead letters',
    );
    return 'dead-lettered';
  }
}

const FEED_STATUSES = new Set<FeedProcessingFinished['processingStatus']>(['DONE', 'CANCELLED', 'FATAL']);

/**
 * FEED_PROCESSING_FINISHED → one FeedProcessingFinished per enabled connection of the notification's
 * seller (none: an empty list). A notification without a sellerId (a vendor account's) cannot be
 * mapped to a connection: NonRetriableError FEED_NOTIFICATION_NO_SELLER.
 */
export function feedStatusEvents(
  n: FeedProcessingFinishedNotification,
  connections: readonly Connection[],
  observedAt: number,
): FeedProcessingFinished[] {
  const p = n.payload.feedProcessingFinishedNotification;
  if (!p.sellerId)
    throw new NonRetriableError(
      'FEED_NOTIFICATION_NO_SELLER',
      `FEED_PROCESSING_FINISHED of feed ${p.feedId} names no sellerId (a vendor account's?): no connection to give it to`,
    );
  const status = FEED_STATUSES.has(p.processingStatus) ? p.processingStatus : 'UNKNOWN';
  return connections
    .filter((c) => c.enabled && c.sellerId === p.sellerId)
    .map((c) => ({
      eventId: `${p.feedId}#${status}`,
      connectionId: c.id,
      sellerId: p.sellerId!,
      feedId: p.feedId,
      feedType: p.feedType,
      processingStatus: status,
      resultFeedDocumentId: p.resultFeedDocumentId ?? null,
      finishedAt: Date.parse(n.eventTime),
      notificationId: n.notificationMetadata.notificationId,
      observedAt,
    }));
}
