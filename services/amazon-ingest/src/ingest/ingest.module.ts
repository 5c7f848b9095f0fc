import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { systemClock } from '@connector/core';
import { ConnectionRepository, CredentialsCipher, type Db } from '@connector/db';
import type { EventPublisher } from '@connector/kafka';
import { CONFIG, DB, EVENT_PUBLISHER, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { ReportRunner } from '@connector/sp-api';
import { SpApiFactory } from '@connector/sp-api';
import { FileRawArchive } from '../archive/raw-archive';
import type { AppConfig } from '../config';
import { FinancialEventsSyncService } from '../finances/financial-events-sync.service';
import { KnexIngestStateStore } from '../ingest-state/ingest-state.store';
import { OrderSyncService } from '../orders/order-sync.service';
import { KnexBuyerPiiVault } from '@connector/db';
import { IngestScheduler } from '../scheduler/ingest-scheduler';
import { SettlementIngestService } from '../settlements/settlement-ingest.service';
import { KnexSettlementReportStore } from '../settlements/settlement-report.store';
import {
  CONNECTIONS,
  FINANCES_SYNC,
  INGEST_SCHEDULER,
  ORDER_SYNC,
  PII_VAULT,
  SETTLEMENT_INGEST,
  SP_API_FACTORY,
} from './ingest.tokens';

const cipherOf = (c: AppConfig) => CredentialsCipher.fromConfig(c);

/** Wires amazon-ingest's readers to the database, Kafka and the SP-API, and runs their schedules. */
@Module({
  providers: [
    {
      provide: CONNECTIONS,
      useFactory: (db: Db, c: AppConfig) => new ConnectionRepository(db, cipherOf(c)),
      inject: [DB, CONFIG],
    },
    {
      provide: PII_VAULT,
      useFactory: (db: Db, c: AppConfig) => new KnexBuyerPiiVault(db, cipherOf(c), systemClock),
      inject: [DB, CONFIG],
    },
    {
      provide: SP_API_FACTORY,
      useFactory: (c: AppConfig, metrics: ConnectorMetrics) =>
        new SpApiFactory({ endpoint: c.SPAPI_ENDPOINT, lwaTokenUrl: c.LWA_TOKEN_URL }, metrics),
      inject: [CONFIG, METRICS],
    },
    {
      provide: ORDER_SYNC,
      useFactory: (
        db: Db,
        pub: EventPublisher,
        c: AppConfig,
        logger: Logger,
        metrics: ConnectorMetrics,
        pii: KnexBuyerPiiVault,
      ) =>
        new OrderSyncService({
          store: new KnexIngestStateStore(db),
          publisher: pub,
          reports: new ReportRunner(systemClock, { pollMs: c.REPORT_POLL_MS }),
          pii,
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [DB, EVENT_PUBLISHER, CONFIG, LOGGER, METRICS, PII_VAULT],
    },
    {
      provide: SETTLEMENT_INGEST,
      useFactory: (db: Db, pub: EventPublisher, c: AppConfig, logger: Logger, metrics: ConnectorMetrics) =>
        new SettlementIngestService({
          reports: new KnexSettlementReportStore(db),
          state: new KnexIngestStateStore(db),
          archive: new FileRawArchive(c.ARCHIVE_DIR),
          publisher: pub,
          clock: systemClock,
          logger,
          metrics,
          chunkSize: c.SETTLEMENT_CHUNK_LINES,
        }),
      inject: [DB, EVENT_PUBLISHER, CONFIG, LOGGER, METRICS],
    },
    {
      provide: FINANCES_SYNC,
      useFactory: (db: Db, pub: EventPublisher, logger: Logger, metrics: ConnectorMetrics) =>
        new FinancialEventsSyncService({
          store: new KnexIngestStateStore(db),
          publisher: pub,
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [DB, EVENT_PUBLISHER, LOGGER, METRICS],
    },
    {
      provide: INGEST_SCHEDULER,
      useFactory: (
        repo: ConnectionRepository,
        factory: SpApiFactory,
        orders: OrderSyncService,
        settlements: SettlementIngestService,
        finances: FinancialEventsSyncService,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) =>
        new IngestScheduler({
          connections: { list: () => repo.list(), credentials: (id) => repo.credentials(id) },
          api: (conn, creds) => factory.forConnection(conn, creds),
          runners: [
            {
              stream: 'orders',
              intervalSec: (c) => c.settings.ordersIntervalSec,
              run: (c, api) => orders.sync(c, api),
            },
            {
              stream: 'financial-events',
              intervalSec: (c) => c.settings.financesIntervalSec,
              run: (c, api) => finances.sync(c, api),
            },
            {
              stream: 'settlements',
              intervalSec: (c) => c.settings.settlementsIntervalSec,
              run: (c, api) => settlements.sync(c, api),
            },
          ],
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [CONNECTIONS, SP_API_FACTORY, ORDER_SYNC, SETTLEMENT_INGEST, FINANCES_SYNC, LOGGER, METRICS],
    },
  ],
  exports: [
    CONNECTIONS,
    SP_API_FACTORY,
    ORDER_SYNC,
    SETTLEMENT_INGEST,
    FINANCES_SYNC,
    INGEST_SCHEDULER,
    PII_VAULT,
  ],
})
export class IngestModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(INGEST_SCHEDULER) private readonly scheduler: IngestScheduler,
    @Inject(PII_VAULT) private readonly pii: KnexBuyerPiiVault,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.INGEST_SCHEDULER) return;
    this.scheduler.start();
    // buyer PII past its retention is deleted hourly (Amazon DPP)
    const purge = () =>
      void this.pii
        .purgeExpired()
        .then((n) => n && this.logger.info({ purged: n }, 'expired buyer PII deleted'))
        .catch((err: unknown) => this.logger.error({ err: String(err) }, 'buyer PII purge failed'));
    purge();
    this.purgeTimer = setInterval(purge, 3_600_000);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.scheduler.stop();
  }
}
