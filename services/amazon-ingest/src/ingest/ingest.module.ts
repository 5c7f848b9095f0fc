import { Inject, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { systemClock } from '@connector/core';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  ConnectionLeaseStore,
  ConnectionRepository,
  CredentialsCipher,
  LeasedConnections,
  type Connection,
  type Db,
} from '@connector/db';
import type { EventPublisher } from '@connector/kafka';
import { CONFIG, DB, EVENT_PUBLISHER, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import { ProcessingWakeups, ReportRunner, SpApiFactory } from '@connector/sp-api';
import { FileRawArchive } from '../archive/raw-archive';
import type { AppConfig } from '../config';
import { FinancialEventsSyncService } from '../finances/financial-events-sync.service';
import { KnexIngestStateStore } from '../ingest-state/ingest-state.store';
import { OrderSyncService } from '../orders/order-sync.service';
import { KnexBuyerPiiVault } from '@connector/db';
import { NotificationService } from '../notifications/notification.service';
import { NotificationSetup } from '../notifications/notification-setup';
import { SqsDeadLetters, SqsNotificationConsumer, sqsClientOf } from '../notifications/sqs';
import { IngestScheduler, type StreamRunner } from '../scheduler/ingest-scheduler';
import { SettlementIngestService } from '../settlements/settlement-ingest.service';
import { KnexSettlementReportStore } from '../settlements/settlement-report.store';
import {
  CONNECTIONS,
  FINANCES_SYNC,
  INGEST_SCHEDULER,
  LEASED_CONNECTIONS,
  NOTIFICATION_CONSUMER,
  NOTIFICATION_SERVICE,
  NOTIFICATION_SETUP,
  ORDER_SYNC,
  PII_VAULT,
  REPORT_WAKEUPS,
  SETTLEMENT_INGEST,
  SP_API_FACTORY,
} from './ingest.tokens';

const cipherOf = (c: AppConfig) => CredentialsCipher.fromConfig(c);
/** how often a connection's notification subscriptions are checked again (they are made at its first run) */
const NOTIFICATION_SETUP_INTERVAL_SEC = 3600;

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
    { provide: REPORT_WAKEUPS, useFactory: () => new ProcessingWakeups(systemClock) },
    {
      provide: ORDER_SYNC,
      useFactory: (
        db: Db,
        pub: EventPublisher,
        c: AppConfig,
        logger: Logger,
        metrics: ConnectorMetrics,
        pii: KnexBuyerPiiVault,
        wakeups: ProcessingWakeups,
      ) =>
        new OrderSyncService({
          store: new KnexIngestStateStore(db),
          publisher: pub,
          reports: new ReportRunner(systemClock, {
            pollMs: c.REPORT_POLL_MS,
            ...(c.NOTIFICATIONS ? { wakeups } : {}),
          }),
          pii,
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [DB, EVENT_PUBLISHER, CONFIG, LOGGER, METRICS, PII_VAULT, REPORT_WAKEUPS],
    },
    {
      provide: NOTIFICATION_SETUP,
      useFactory: (c: AppConfig, repo: ConnectionRepository, factory: SpApiFactory, logger: Logger) =>
        c.NOTIFICATIONS
          ? new NotificationSetup({
              api: (conn, creds) => factory.notificationsFor(conn, creds),
              credentials: (id) => repo.credentials(id),
              destinationName: c.NOTIFICATIONS_DESTINATION_NAME,
              queueArn: c.SQS_QUEUE_ARN!,
              logger,
            })
          : null,
      inject: [CONFIG, CONNECTIONS, SP_API_FACTORY, LOGGER],
    },
    {
      provide: NOTIFICATION_SERVICE,
      useFactory: (
        c: AppConfig,
        repo: ConnectionRepository,
        factory: SpApiFactory,
        orders: OrderSyncService,
        wakeups: ProcessingWakeups,
        logger: Logger,
        metrics: ConnectorMetrics,
        pub: EventPublisher,
      ) =>
        c.NOTIFICATIONS
          ? new NotificationService({
              connections: { list: () => repo.list() },
              api: async (conn) => factory.forConnection(conn, await repo.credentials(conn.id)),
              orders,
              wakeups,
              publisher: pub,
              clock: systemClock,
              deadLetters: new SqsDeadLetters(sqsClientOf(c), c.SQS_DLQ_URL!),
              logger,
              metrics,
            })
          : null,
      inject: [
        CONFIG,
        CONNECTIONS,
        SP_API_FACTORY,
        ORDER_SYNC,
        REPORT_WAKEUPS,
        LOGGER,
        METRICS,
        EVENT_PUBLISHER,
      ],
    },
    {
      provide: NOTIFICATION_CONSUMER,
      useFactory: (c: AppConfig, service: NotificationService | null, logger: Logger) =>
        service
          ? new SqsNotificationConsumer({
              sqs: sqsClientOf(c),
              queueUrl: c.SQS_QUEUE_URL!,
              service,
              logger,
              waitSec: c.SQS_WAIT_SEC,
              visibilitySec: c.SQS_VISIBILITY_SEC,
            })
          : null,
      inject: [CONFIG, NOTIFICATION_SERVICE, LOGGER],
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
      // replicas share the sellers: this one reads only the connections it holds a lease on
      provide: LEASED_CONNECTIONS,
      useFactory: (db: Db, repo: ConnectionRepository, c: AppConfig, logger: Logger) =>
        new LeasedConnections<Connection>({
          inner: { list: () => repo.list() },
          store: new ConnectionLeaseStore(db),
          options: {
            service: 'amazon-ingest',
            holder: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
            ttlMs: c.CONNECTION_LEASE_MS,
          },
          now: () => systemClock.now(),
          logger,
        }),
      inject: [DB, CONNECTIONS, CONFIG, LOGGER],
    },
    {
      provide: INGEST_SCHEDULER,
      useFactory: (
        leased: LeasedConnections<Connection>,
        repo: ConnectionRepository,
        factory: SpApiFactory,
        orders: OrderSyncService,
        settlements: SettlementIngestService,
        finances: FinancialEventsSyncService,
        logger: Logger,
        metrics: ConnectorMetrics,
        config: AppConfig,
        setup: NotificationSetup | null,
      ) =>
        new IngestScheduler({
          connections: { list: () => leased.list(), credentials: (id) => repo.credentials(id) },
          api: (conn, creds) => factory.forConnection(conn, creds),
          runners: [
            {
              stream: 'orders',
              // with notifications the poller is the safety net for what they missed: it may run less often
              intervalSec: (c) =>
                setup
                  ? Math.max(c.settings.ordersIntervalSec, config.NOTIFICATIONS_ORDERS_INTERVAL_SEC)
                  : c.settings.ordersIntervalSec,
              run: (c, api) => orders.sync(c, api),
            },
            ...(setup
              ? [
                  {
                    stream: 'notifications',
                    intervalSec: () => NOTIFICATION_SETUP_INTERVAL_SEC,
                    run: (c) => setup.ensure(c),
                  } satisfies StreamRunner,
                ]
              : []),
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
      inject: [
        LEASED_CONNECTIONS,
        CONNECTIONS,
        SP_API_FACTORY,
        ORDER_SYNC,
        SETTLEMENT_INGEST,
        FINANCES_SYNC,
        LOGGER,
        METRICS,
        CONFIG,
        NOTIFICATION_SETUP,
      ],
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
    REPORT_WAKEUPS,
    NOTIFICATION_SERVICE,
    NOTIFICATION_SETUP,
  ],
})
export class IngestModule implements OnApplicationBootstrap, OnModuleDestroy {
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(INGEST_SCHEDULER) private readonly scheduler: IngestScheduler,
    @Inject(PII_VAULT) private readonly pii: KnexBuyerPiiVault,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NOTIFICATION_CONSUMER) private readonly notifications: SqsNotificationConsumer | null,
    @Inject(LEASED_CONNECTIONS) private readonly leases: LeasedConnections<Connection>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // the queue is read whenever notifications are on; the subscriptions are made by the scheduler
    this.notifications?.start();
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

  /** Before the core module closes Kafka and the database (its beforeApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.notifications?.stop();
    await this.scheduler.stop();
    // handed over at once rather than after the lease length; if the database is gone, they run out
    await this.leases.release().catch(() => undefined);
  }
}
