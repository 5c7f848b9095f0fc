import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@connector/observability';
import { CONFIG, LOGGER } from '@connector/nest-common';
import type { AppConfig } from '../config';
import { demoOrders } from './demo-orders';
import { OrderPublisherService } from './order-publisher.service';

@Module({ providers: [OrderPublisherService], exports: [OrderPublisherService] })
export class OrdersModule implements OnApplicationBootstrap {
  constructor(
    private readonly publisher: OrderPublisherService,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** With the simulators on, publish the demo orders once at start (re-publishing is harmless: event ids de-duplicate). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SIMULATORS || this.config.DEMO_ORDERS === 0) return;
    await this.publisher.publish(demoOrders(this.config.DEMO_CONNECTION_ID, this.config.DEMO_ORDERS));
    this.logger.info(
      { orders: this.config.DEMO_ORDERS, connectionId: this.config.DEMO_CONNECTION_ID },
      'demo orders published',
    );
  }
}
