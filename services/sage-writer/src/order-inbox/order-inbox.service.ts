import { Inject, Injectable } from '@nestjs/common';
import type { AuditStore } from '@connector/db';
import { recordKey, type AmazonOrder } from '@connector/events';
import { NonRetriableError, type ConsumedRecord } from '@connector/kafka';
import { AUDIT_STORE } from '@connector/nest-common';
import { INBOX_STORE } from './order-inbox.tokens';
import type { Arrival, InboxStore } from './order-inbox.store-type';

export const SERVICE = 'sage-writer';

/**
 * Takes order events in: validates, stores once per event id, and audits with the source offset. An
 * event whose ERP documents were all written (markProcessed) is reported `processed`, and the consumer
 * returns early: a redelivery or a replay of it costs one query, no ledger or ERP call.
 */
@Injectable()
export class OrderInboxService {
  constructor(
    @Inject(INBOX_STORE) private readonly inbox: InboxStore,
    @Inject(AUDIT_STORE) private readonly audit: AuditStore,
  ) {}

  async receive(record: ConsumedRecord<AmazonOrder>): Promise<Arrival> {
    const order = record.value;
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    if (order.items.length === 0 && order.orderStatus !== 'PENDING' && order.orderStatus !== 'CANCELLED') {
      throw new NonRetriableError(
        'ORDER_WITHOUT_ITEMS',
        `order ${order.amazonOrderId} (${order.orderStatus}) has no items`,
      );
    }
    const arrival = await this.inbox.insertIfAbsent({
      connectionId: order.connectionId,
      topic: record.topic,
      recordKey: record.key ?? order.amazonOrderId,
      eventId: order.eventId,
      payload: order,
    });
    await this.audit.append({
      connectionId: order.connectionId,
      service: SERVICE,
      stage: arrival === 'stored' ? 'consumed' : 'skipped',
      source,
      recordKey: record.key ?? undefined,
      eventId: order.eventId,
      payload: {
        amazonOrderId: order.amazonOrderId,
        orderStatus: order.orderStatus,
        items: order.items.length,
      },
      outcome: arrival,
    });
    return arrival;
  }

  markProcessed(record: ConsumedRecord<AmazonOrder>): Promise<void> {
    const { connectionId, eventId } = record.value;
    return this.inbox.markProcessed({ connectionId, topic: record.topic, eventId });
  }

  /** The versions of an order taken in, oldest first (its fulfilment channel, what was invoiced). */
  async versions(connectionId: string, amazonOrderId: string): Promise<AmazonOrder[]> {
    const payloads = await this.inbox.payloads(
      connectionId,
      'amazon.orders.v1',
      recordKey(connectionId, amazonOrderId),
    );
    return (payloads as AmazonOrder[]).sort((a, b) => a.lastUpdateDate - b.lastUpdateDate);
  }
}
