import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AmazonOrder } from '@connector/events';
import type { KafkaRuntime } from '@connector/kafka';
import { KAFKA } from '@connector/nest-common';
import { OrderInboxService } from './order-inbox.service';

export const ORDERS_TOPIC = 'amazon.orders.v1';

/** Thin inbound adapter: amazon.orders.v1 → OrderInboxService. Retries and the DLQ are the consumer host's. */
@Injectable()
export class OrderInboxConsumer implements OnModuleInit {
  constructor(
    @Inject(KAFKA) private readonly kafka: KafkaRuntime,
    private readonly inbox: OrderInboxService,
  ) {}

  onModuleInit(): void {
    this.kafka.subscribe<AmazonOrder>({
      topic: ORDERS_TOPIC,
      handler: async (record) => {
        await this.inbox.receive(record);
      },
    });
  }
}
