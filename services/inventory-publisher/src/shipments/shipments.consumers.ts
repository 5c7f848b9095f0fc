import { Controller, Inject } from '@nestjs/common';
import type { MappingTopicsLoader } from '@connector/mapping';
import { EventPattern, type TopicRecord } from '@connector/nest-common';
import type { ShipmentConfirmationService } from './shipment-confirmation.service';
import { MAPPING_LOADER } from '../common/common.tokens';
import { SHIPMENT_CONFIRMATION_SERVICE } from './shipments.tokens';

/**
 * A thin consumer: it hands its record to the service; the Kafka transport commits the offset only
 * after the handler settles (done, or kept on the dead-letter topic). The order book has a consumer
 * group of its own (shipments.module.ts says why).
 */
@Controller()
export class ShipmentConsumer {
  constructor(
    @Inject(SHIPMENT_CONFIRMATION_SERVICE) private readonly shipments: ShipmentConfirmationService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  @EventPattern('erp.shipments.v1')
  async shipment(record: TopicRecord<'erp.shipments.v1'>): Promise<void> {
    await this.loader.ready;
    await this.shipments.handle(record);
  }
}
