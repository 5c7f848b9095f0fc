import { Inject, Injectable } from '@nestjs/common';
import type { AuditStore } from '@connector/db';
import type { AmazonOrder } from '@connector/events';
import { NonRetriableError, type ConsumedRecord } from '@connector/kafka';
import { AUDIT_STORE } from '@connector/nest-common';
import { INBOX_STORE } from './order-inbox.tokens';
import type { InboxStore } from './order-inbox.store-type';

export const SERVICE = 'sage-writer';

/**
 * Takes order events in: validates, stores once per event id, and audits with the source offset.
 * ERP writes build on this (issue 5); for now the order is stored and audited.
 */
@Injectable()
export class OrderInboxService {
  constructor(
    @Inject(INBOX_STORE) private readonly inbox: InboxStore,
    @Inject(AUDIT_STORE) private readonly audit: AuditStore,
  ) {}

  async receive(record: ConsumedRecord<AmazonOrder>): Promise<'stored' | 'duplicate'> {
    const order = record.value;
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    if (order.items.length === 0 && order.orderStatus !== 'PENDING' && order.orderStatus !== 'CANCELLED') {
      throw new NonRetriableError(
        'ORDER_WITHOUT_ITEMS',
        `order ${order.amazonOrderId} (${order.orderStatus}) has no items`,
      );
    }
    const isNew = await this.inbox.insertIfAbsent({
      connectionId: order.connectionId,
      topic: record.topic,
      recordKey: record.key ?? order.amazonOrderId,
      eventId: order.eventId,
      payload: order,
    });
    await this.audit.append({
      connectionId: order.connectionId,
      service: SERVICE,
      stage: isNew ? 'consumed' : 'skipped',
      source,
      recordKey: record.key ?? undefined,
      eventId: order.eventId,
      payload: {
        amazonOrderId: order.amazonOrderId,
        orderStatus: order.orderStatus,
        items: order.items.length,
      },
      outcome: isNew ? 'stored' : 'duplicate',
    });
    return isNew ? 'stored' : 'duplicate';
  }
}
