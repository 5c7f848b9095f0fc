import {
  Controller,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { systemClock } from '@connector/core';
import type { Db } from '@connector/db';
import type { EventPublisher, KafkaRuntime } from '@connector/kafka';
import { MappingCache, MappingTopicsLoader } from '@connector/mapping';
import {
  DB,
  EVENT_PUBLISHER,
  EventPattern,
  KAFKA,
  LOGGER,
  METRICS,
  type TopicRecord,
} from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { KnexReconcilerStore } from './reconciler.store';
import { SettlementReconcilerService } from './settlement-reconciler.service';

const MAPPING_CACHE = Symbol('MAPPING_CACHE');
const MAPPING_LOADER = Symbol('MAPPING_LOADER');
export const RECONCILER = Symbol('RECONCILER');

/** Thin consumers: settlement records wait for the mapping topics to be loaded, then go to the service. */
@Controller()
export class ReconcilerConsumer {
  constructor(
    @Inject(RECONCILER) private readonly reconciler: SettlementReconcilerService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  @EventPattern('amazon.settlements.v1')
  async settlement(record: TopicRecord<'amazon.settlements.v1'>): Promise<void> {
    await this.loader.ready;
    await this.reconciler.onSettlementEvent(record);
  }

  @EventPattern('amazon.financial-events.v1')
  financialEvent(record: TopicRecord<'amazon.financial-events.v1'>): Promise<void> {
    return this.reconciler.onFinancialEvent(record);
  }
}

@Module({
  controllers: [ReconcilerConsumer],
  providers: [
    // a factory, not a value: one cache per application, never shared by two apps in one process
    { provide: MAPPING_CACHE, useFactory: () => new MappingCache() },
    {
      provide: MAPPING_LOADER,
      useFactory: (kafka: KafkaRuntime, cache: MappingCache, logger: Logger) =>
        new MappingTopicsLoader(kafka, cache, logger, 'connector.settlement-reconciler'),
      inject: [KAFKA, MAPPING_CACHE, LOGGER],
    },
    {
      provide: RECONCILER,
      useFactory: (
        db: Db,
        cache: MappingCache,
        publisher: EventPublisher,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) =>
        new SettlementReconcilerService({
          store: new KnexReconcilerStore(db),
          mapping: cache,
          publisher,
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [DB, MAPPING_CACHE, EVENT_PUBLISHER, LOGGER, METRICS],
    },
  ],
  exports: [RECONCILER],
})
export class ReconcilerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.loader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loader.stop();
  }
}
