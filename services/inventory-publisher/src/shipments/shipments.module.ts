import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { systemClock } from '@connector/core';
import {
  KnexIdempotencyLedger,
  leaseOwnerId,
  type AuditStore,
  type ConnectionRepository,
  type Db,
} from '@connector/db';
import type avro from 'avsc';
import { TOPIC_CATALOGUE, type AmazonOrder } from '@connector/events';
import { KafkaConsumerHost, type ConsumerHost, type KafkaRuntime } from '@connector/kafka';
import type { MappingCache } from '@connector/mapping';
import { AUDIT_STORE, CONFIG, DB, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { SpApiFactory } from '@connector/sp-api';
import { CommonModule } from '../common/common.module';
import { CONNECTION_REPOSITORY, MAPPING_CACHE, SP_API_FACTORY } from '../common/common.tokens';
import type { AppConfig } from '../config';
import { ConnectionShipmentApis } from './amazon-shipments';
import { KnexOrderBook } from './order-book';
import { OrderBookService } from './order-book.service';
import { ShipmentConfirmationService } from './shipment-confirmation.service';
import { ShipmentConsumer } from './shipments.consumers';
import { ORDER_BOOK_HOST, ORDER_BOOK_SERVICE, SHIPMENT_CONFIRMATION_SERVICE } from './shipments.tokens';

/**
 * ERP shipments confirmed to Amazon (issue 11): the order book (amazon.orders.v1 → shipment_orders)
 * and the shipment consumer (erp.shipments.v1 → confirmShipment, once per package).
 *
 * The order book reads in a consumer group of its own (`<KAFKA_GROUP_ID>.order-book`), not through
 * the service's @EventPattern consumer: a shipment waiting for its order holds its partition there,
 * and kafkajs fetches nothing more from that broker until the batch is done, so the very order event
 * it waits for would not be read before the wait ran out (the integration test's "shipment before
 * its order" case fails that way with one consumer).
 */
@Module({
  providers: [
    {
      provide: ORDER_BOOK_SERVICE,
      useFactory: (db: Db) => new OrderBookService(new KnexOrderBook(db)),
      inject: [DB],
    },
    {
      provide: ORDER_BOOK_HOST,
      useFactory: (
        kafka: KafkaRuntime,
        c: AppConfig,
        book: OrderBookService,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) => {
        const host = new KafkaConsumerHost(kafka.kafka, kafka.codec, {
          groupId: `${c.KAFKA_GROUP_ID ?? 'connector.inventory-publisher'}.order-book`,
          service: 'inventory-publisher',
          maxAttempts: c.CONSUMER_MAX_ATTEMPTS,
          retryBaseMs: c.CONSUMER_RETRY_BASE_MS,
          retryMaxMs: c.CONSUMER_RETRY_MAX_MS,
          concurrency: c.CONSUMER_CONCURRENCY,
          logger,
          metrics,
        });
        const entry = TOPIC_CATALOGUE.find((t) => t.topic === 'amazon.orders.v1');
        host.subscribe<AmazonOrder>({
          topic: kafka.topic('amazon.orders.v1'),
          readerSchema: entry?.schema as avro.Schema | undefined,
          handler: async (record) => {
            await book.take(record);
          },
        });
        return host;
      },
      inject: [KAFKA, CONFIG, ORDER_BOOK_SERVICE, LOGGER, METRICS],
    },
    {
      provide: SHIPMENT_CONFIRMATION_SERVICE,
      useFactory: (
        db: Db,
        c: AppConfig,
        mapping: MappingCache,
        connections: ConnectionRepository,
        factory: SpApiFactory,
        audit: AuditStore,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) =>
        new ShipmentConfirmationService(
          {
            connections,
            orders: new KnexOrderBook(db),
            amazon: new ConnectionShipmentApis(connections, factory),
            mapping,
            ledger: new KnexIdempotencyLedger(db),
            audit,
            clock: systemClock,
            logger,
            metrics,
          },
          {
            orderWaitMs: c.SHIPMENT_ORDER_WAIT_MS,
            orderPollMs: c.SHIPMENT_ORDER_POLL_MS,
            leaseMs: c.SHIPMENT_LEASE_MS,
            confirmMarginMs: Math.floor(c.SHIPMENT_LEASE_MS / 2),
            owner: leaseOwnerId(),
          },
        ),
      inject: [
        DB,
        CONFIG,
        MAPPING_CACHE,
        CONNECTION_REPOSITORY,
        SP_API_FACTORY,
        AUDIT_STORE,
        LOGGER,
        METRICS,
      ],
    },
  ],
})
export class ShipmentsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(_config: AppConfig): DynamicModule {
    return { module: ShipmentsModule, imports: [CommonModule], controllers: [ShipmentConsumer] };
  }

  constructor(@Inject(ORDER_BOOK_HOST) private readonly orderBook: ConsumerHost) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.orderBook.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.orderBook.stop();
  }
}
