import { Inject, Injectable } from '@nestjs/common';
import { recordKey, type AmazonOrder } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { EVENT_PUBLISHER } from '@connector/nest-common';

export const ORDERS_TOPIC = 'amazon.orders.v1';

/** Publishes order snapshots keyed by <connection>/<AmazonOrderId>, so each order's history stays in one partition. */
@Injectable()
export class OrderPublisherService {
  constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher) {}

  async publish(orders: AmazonOrder[]): Promise<void> {
    await this.publisher.publish<AmazonOrder>(
      ORDERS_TOPIC,
      orders.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
    );
  }
}
