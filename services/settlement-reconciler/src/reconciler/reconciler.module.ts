import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { NonRetriableError, systemClock } from '@connector/core';
import type { Db } from '@connector/db';
import type { ErpKind } from '@connector/erp';
import type { FinancialEvent, SettlementReportEvent } from '@connector/events';
import type { KafkaRuntime } from '@connector/kafka';
import { MappingCache, MappingTopicsLoader } from '@connector/mapping';
import { DB, EVENT_PUBLISHER, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { KnexReconcilerStore } from './reconciler.store';
import { SettlementReconcilerService } from './settlement-reconciler.service';

const MAPPING_CACHE = Symbol('MAPPING_CACHE');
const MAPPING_LOADER = Symbol('MAPPING_LOADER');
export const RECONCILER = Symbol('RECONCILER');

/** The ERP a connection posts to (decides whether payouts become receipts). */
export function erpKindLookup(db: Db) {
  return async (connectionId: string): Promise<ErpKind> => {
    const row = await db('connections').where({ id: connectionId }).first('erp_kind');
    if (!row) throw new NonRetriableError('CONNECTION_NOT_FOUND', `no connection "${connectionId}"`);
    return row.erp_kind as ErpKind;
  };
}

@Module({
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
          erpKindOf: erpKindLookup(db),
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
export class ReconcilerModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(KAFKA) private readonly kafka: KafkaRuntime,
    @Inject(RECONCILER) private readonly reconciler: SettlementReconcilerService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  /** Thin consumers: records wait for the mapping topics to be loaded, then go to the service. */
  onModuleInit(): void {
    this.kafka.subscribe<SettlementReportEvent>({
      topic: 'amazon.settlements.v1',
      handler: async (record) => {
        await this.loader.ready;
        await this.reconciler.onSettlementEvent(record);
      },
    });
    this.kafka.subscribe<FinancialEvent>({
      topic: 'amazon.financial-events.v1',
      handler: (record) => this.reconciler.onFinancialEvent(record),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loader.stop();
  }
}
