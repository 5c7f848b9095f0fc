import { Controller, Inject } from '@nestjs/common';
import type { MappingTopicsLoader } from '@connector/mapping';
import { EventPattern, type TopicRecord } from '@connector/nest-common';
import type { OrderBookService } from './order-book.service';
import type { ShipmentConfirmationService } from './shipment-confirmation.service';
import {
  ORDER_BOOK_SERVICE,
  SHIPMENT_CONFIRMATION_SERVICE,
  SHIPMENTS_MAPPING_LOADER,
} from './shipments.tokens';

/**
 * Thin consumers: each hands its record to a service; the Kafka transport commits the offset only
 * after the handler settles (done, or kept on the dead-letter topic).
 */
@Controller()
export class OrderBookConsumer {
  constructor(@Inject(ORDER_BOOK_SERVICE) private readonly book: OrderBookService) {}

  @EventPattern('amazon.orders.v1')
  async order(record: TopicRecord<'amazon.orders.v1'>): Promise<void> {
    await this.book.take(record);
  }
}

@Controller()
export class ShipmentConsumer {
  constructor(
    @Inject(SHIPMENT_CONFIRMATION_SERVICE) private readonly shipments: ShipmentConfirmationService,
    @Inject(SHIPMENTS_MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  @EventPattern('erp.shipments.v1')
  async shipment(record: TopicRecord<'erp.shipments.v1'>): Promise<void> {
    await this.loader.ready;
    await this.shipments.handle(record);
  }
}
