import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { ConnectionScheduler, systemClock } from '@connector/core';
import type { ConnectionRepository, Connection, Db } from '@connector/db';
import { createProducer, type EventPublisher, type KafkaRuntime } from '@connector/kafka';
import type { MappingCache } from '@connector/mapping';
import { CONFIG, DB, EVENT_PUBLISHER, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import {
  ProcessingWakeups,
  ReportRunner,
  type SellingPartnerApi,
  type SpApiFactory,
} from '@connector/sp-api';
import type { AppConfig } from '../config';
import { refreshCatalogue } from './catalogue-refresh';
import { FeedStatusListener } from './feed-status.listener';
import { FeedStatusService } from './feed-status.service';
import { FeedWaits } from './feed-waits';
import { ItemChangeService } from './item-change.service';
import { KnexListingStore } from './knex-listing.store';
import { KafkaListingDeadLetters } from './listing-dead-letters';
import { ListingFlusher } from './listing-flusher';
import type { ListingStore } from './listing.types';
import { ItemChangeConsumer, UnmappedItemsController } from './listings.consumer';
import { CommonModule } from '../common/common.module';
import { CONNECTION_REPOSITORY, MAPPING_CACHE, SP_API_FACTORY } from '../common/common.tokens';
import {
  CONNECTIONS,
  FEED_STATUS_LISTENER,
  FEED_WAITS,
  ITEM_CHANGES,
  LISTING_STORE,
  LISTINGS_RUNTIME,
} from './listings.tokens';

/** Connections read at most once per few seconds per id (every item change needs its settings). */
class CachedConnections {
  private readonly cache = new Map<string, { at: number; conn: Promise<Connection> }>();
  constructor(readonly repo: ConnectionRepository) {}
  get(id: string): Promise<Connection> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < 5000) return hit.conn;
    const conn = this.repo.get(id);
    conn.catch(() => this.cache.delete(id));
    this.cache.set(id, { at: Date.now(), conn });
    return conn;
  }
}

/** The timers and the dead-letter producer, started after the application and stopped before Kafka and the db. */
class ListingsRuntime {
  constructor(
    readonly scheduler: ConnectionScheduler<Connection, SellingPartnerApi>,
    readonly producer: Producer,
    readonly flusher: ListingFlusher,
  ) {}
}

/**
 * ERP prices and stock onto the Amazon listings (issue 11): erp.item-changes.v1 → planner → pending
 * (coalescing window) → flusher (patches or JSON_LISTINGS_FEED) → inventory.listing-results.v1, rejected
 * records to erp.item-changes.v1.dlq; the listings report refreshed per connection on a schedule.
 * amazon.feed-status.v1 (FEED_PROCESSING_FINISHED) ends the flusher's wait for a feed at once.
 */
@Module({
  providers: [
    { provide: LISTING_STORE, useFactory: (db: Db) => new KnexListingStore(db), inject: [DB] },
    {
      provide: CONNECTIONS,
      useFactory: (repo: ConnectionRepository) => new CachedConnections(repo),
      inject: [CONNECTION_REPOSITORY],
    },
    {
      provide: ITEM_CHANGES,
      useFactory: (
        connections: CachedConnections,
        mapping: MappingCache,
        store: ListingStore,
        publisher: EventPublisher,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) => {
        const service = new ItemChangeService({
          connections,
          mapping,
          store,
          publisher,
          clock: systemClock,
          logger,
          metrics,
        });
        // an item read before its SKU mapping was loaded is planned when the mapping arrives
        mapping.onSkuMapping((m) => {
          if (m.active === false) return;
          service
            .mappingArrived(m.connectionId, m.itemCode)
            .catch((err: unknown) =>
              logger.error(
                { connectionId: m.connectionId, itemCode: m.itemCode, err: String(err) },
                'planning an item whose mapping arrived failed; its next change plans it',
              ),
            );
        });
        return service;
      },
      inject: [CONNECTIONS, MAPPING_CACHE, LISTING_STORE, EVENT_PUBLISHER, LOGGER, METRICS],
    },
    { provide: FEED_WAITS, useFactory: () => new FeedWaits(new ProcessingWakeups(systemClock)) },
    {
      provide: FEED_STATUS_LISTENER,
      useFactory: (c: AppConfig, kafka: KafkaRuntime, waits: FeedWaits, logger: Logger) =>
        new FeedStatusListener(
          kafka,
          new FeedStatusService({ waits, logger }),
          logger,
          c.KAFKA_GROUP_ID ?? 'connector.inventory-publisher',
        ),
      inject: [CONFIG, KAFKA, FEED_WAITS, LOGGER],
    },
    {
      provide: LISTINGS_RUNTIME,
      useFactory: (
        c: AppConfig,
        connections: CachedConnections,
        store: ListingStore,
        publisher: EventPublisher,
        kafka: KafkaRuntime,
        factory: SpApiFactory,
        logger: Logger,
        metrics: ConnectorMetrics,
        feedWaits: FeedWaits,
      ) => {
        const producer = createProducer(kafka.kafka);
        const reports = new ReportRunner(systemClock, { pollMs: c.REPORT_POLL_MS });
        const flusher = new ListingFlusher({
          store,
          publisher,
          deadLetters: new KafkaListingDeadLetters(producer, kafka.codec, 'inventory-publisher'),
          clock: systemClock,
          logger,
          metrics,
          feedWaits,
          options: {
            feedPollMs: c.FEED_POLL_MS,
            maxAttempts: c.LISTINGS_MAX_ATTEMPTS,
            retryBaseMs: c.LISTINGS_RETRY_BASE_MS,
          },
        });
        const repo = connections.repo;
        const scheduler = new ConnectionScheduler<Connection, SellingPartnerApi>({
          connections: { list: () => repo.list() },
          client: async (conn) => factory.forConnection(conn, await repo.credentials(conn.id)),
          runners: [
            {
              stream: 'listings-flush',
              intervalSec: () => c.LISTINGS_FLUSH_MS / 1000,
              run: (conn, api) => flusher.flush(conn, api),
            },
            {
              stream: 'listings-catalogue',
              intervalSec: (conn) => conn.settings.returnPath.listingsRefreshSec,
              run: async (conn, api) => {
                const n = await refreshCatalogue(conn, api, reports, store);
                logger.info({ connectionId: conn.id, listings: n }, 'listings catalogue refreshed');
              },
            },
          ],
          clock: systemClock,
          logger,
          onRun: (conn, stream, outcome) => metrics.ingestRuns.inc({ connection: conn.id, stream, outcome }),
        });
        return new ListingsRuntime(scheduler, producer, flusher);
      },
      inject: [
        CONFIG,
        CONNECTIONS,
        LISTING_STORE,
        EVENT_PUBLISHER,
        KAFKA,
        SP_API_FACTORY,
        LOGGER,
        METRICS,
        FEED_WAITS,
      ],
    },
  ],
})
export class ListingsModule implements OnApplicationBootstrap, OnModuleDestroy {
  static forRoot(_config: AppConfig): DynamicModule {
    return {
      module: ListingsModule,
      imports: [CommonModule],
      controllers: [ItemChangeConsumer, UnmappedItemsController],
    };
  }

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LISTINGS_RUNTIME) private readonly runtime: ListingsRuntime,
    @Inject(FEED_STATUS_LISTENER) private readonly feedStatus: FeedStatusListener,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.producer.connect();
    // before the flusher runs, so that no FEED_PROCESSING_FINISHED of its feeds is missed; without it
    // (the topic is missing) feeds are still read, every FEED_POLL_MS
    await this.feedStatus
      .start()
      .catch((err: unknown) =>
        this.logger.error(
          { err: String(err) },
          'amazon.feed-status.v1 not followed; feeds are read every FEED_POLL_MS only',
        ),
      );
    if (this.config.PUBLISHER_SCHEDULER)
      this.runtime.scheduler.start(Math.min(1000, this.config.LISTINGS_FLUSH_MS));
  }

  async onModuleDestroy(): Promise<void> {
    this.runtime.flusher.stop();
    await this.runtime.scheduler.stop();
    // not awaited: leaving the group takes seconds, and Nest stops the Kafka consumers only after
    // every module's onModuleDestroy, so a slow teardown here would let them go on taking records
    void this.feedStatus
      .stop()
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'feed status listener stop failed'));
    await this.runtime.producer.disconnect();
  }
}
