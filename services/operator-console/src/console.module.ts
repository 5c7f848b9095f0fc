import {
  Inject,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import cookieParser from 'cookie-parser';
import { systemClock } from '@connector/core';
import type { AuditStore, Db } from '@connector/db';
import type { EventPublisher, KafkaRuntime } from '@connector/kafka';
import { MAPPING_TOPICS } from '@connector/mapping';
import { AUDIT_STORE, DB, EVENT_PUBLISHER, KAFKA, LOGGER } from '@connector/nest-common';
import type { Logger } from '@connector/observability';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { KnexAuthStore, type AuthStore } from './auth/auth.store';
import { clientAddress } from './auth/client-address';
import { ConsoleAudit } from './auth/console-audit';
import { SessionGuard } from './auth/session.guard';
import { AUTH_SERVICE, AUTH_STORE, CONSOLE_AUDIT, COOKIE_SETTINGS, cookieSettings } from './auth/tokens';
import type { AppConfig } from './config';
import { ConnectionsController } from './connections/connections.controller';
import { KnexConnectionsStore } from './connections/connections.store';
import { DisabledPingPort, SpApiPingPort, type PingPort } from './connections/ping.port';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { KafkaDeadLetterPort, type DeadLetterPort } from './dead-letters/dead-letters.port';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { ConsoleErrorFilter } from './http/console-error.filter';
import { securityHeaders } from './http/security-headers';
import { IMPORT_MAP_HASH, WebController } from './http/web.controller';
import { InMemoryLedgerView } from './ledger/ledger-view';
import { TopicFollower } from './ledger/topic-follower';
import { MappingsController } from './mappings/mappings.controller';
import { MappingsService } from './mappings/mappings.service';
import { MappingsView } from './mappings/mappings-view';
import { SettlementsController } from './settlements/settlements.controller';
import { SettlementsService } from './settlements/settlements.service';
import { KnexSettlementsStore } from './settlements/settlements.store';
import {
  CONNECTIONS_STORE,
  DEAD_LETTERS_SERVICE,
  PING_PORT,
  LEDGER_FOLLOWER,
  MAPPINGS_SERVICE,
  SETTLEMENTS_SERVICE,
  TRACE_SERVICE,
} from './tokens';
import { TraceController } from './trace/trace.controller';
import { TraceService } from './trace/trace.service';
import { KnexTraceStore } from './trace/trace.store';

const LEDGER_VIEW = Symbol('LEDGER_VIEW');
const MAPPINGS_VIEW = Symbol('MAPPINGS_VIEW');
const DLQ_PORT = Symbol('DLQ_PORT');

/** Replaces what talks to the outside in tests. */
export interface ConsoleOverrides {
  deadLetters?: DeadLetterPort;
  authStore?: AuthStore;
  ping?: PingPort;
}

/** The console's features: sign-in and sessions, and the pages' API over the connector's state. */
@Module({})
export class ConsoleModule implements NestModule, OnApplicationBootstrap, OnApplicationShutdown {
  private purge?: NodeJS.Timeout;

  constructor(
    @Inject(LEDGER_FOLLOWER) private readonly follower: TopicFollower,
    @Inject(AUTH_SERVICE) private readonly auth: AuthService,
    @Inject('CONSOLE_CONFIG') private readonly config: AppConfig,
  ) {}

  static forRoot(config: AppConfig, overrides: ConsoleOverrides = {}): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'sign-in', ttl: 60_000, limit: config.CONSOLE_SIGN_IN_PER_MINUTE }],
          getTracker: (req) => {
            const r = req as {
              socket?: { remoteAddress?: string };
              headers?: Record<string, string | string[]>;
            };
            return clientAddress(
              r.socket?.remoteAddress,
              r.headers?.['x-forwarded-for'],
              config.CONSOLE_TRUSTED_PROXY_HOPS,
            );
          },
        }),
      ],
      controllers: [
        AuthController,
        SettlementsController,
        MappingsController,
        DeadLettersController,
        TraceController,
        ConnectionsController,
        WebController,
      ],
      providers: [
        { provide: 'CONSOLE_CONFIG', useValue: config },
        { provide: COOKIE_SETTINGS, useValue: cookieSettings(config.CONSOLE_COOKIE_SECURE) },
        { provide: APP_GUARD, useClass: SessionGuard },
        { provide: APP_FILTER, useClass: ConsoleErrorFilter },
        {
          provide: AUTH_STORE,
          useFactory: (db: Db) => overrides.authStore ?? new KnexAuthStore(db),
          inject: [DB],
        },
        {
          provide: AUTH_SERVICE,
          useFactory: (store: AuthStore, logger: Logger) =>
            new AuthService({
              store,
              clock: systemClock,
              logger,
              policy: {
                idleMinutes: config.CONSOLE_SESSION_IDLE_MIN,
                maxHours: config.CONSOLE_SESSION_MAX_HOURS,
              },
            }),
          inject: [AUTH_STORE, LOGGER],
        },
        { provide: CONSOLE_AUDIT, useFactory: (a: AuditStore) => new ConsoleAudit(a), inject: [AUDIT_STORE] },
        { provide: LEDGER_VIEW, useFactory: () => new InMemoryLedgerView() },
        { provide: MAPPINGS_VIEW, useFactory: () => new MappingsView() },
        {
          provide: LEDGER_FOLLOWER,
          useFactory: (
            kafka: KafkaRuntime,
            logger: Logger,
            ledger: InMemoryLedgerView,
            mappings: MappingsView,
          ) =>
            new TopicFollower(
              kafka,
              logger,
              ['amazon.settlements.v1', 'ledger.journals.v1', ...MAPPING_TOPICS],
              (r) => {
                ledger.apply(r);
                mappings.apply(r);
              },
            ),
          inject: [KAFKA, LOGGER, LEDGER_VIEW, MAPPINGS_VIEW],
        },
        {
          provide: DLQ_PORT,
          useFactory: (kafka: KafkaRuntime, logger: Logger) =>
            overrides.deadLetters ?? new KafkaDeadLetterPort(kafka, config.KAFKA_TOPIC_PREFIX, logger),
          inject: [KAFKA, LOGGER],
        },
        {
          provide: SETTLEMENTS_SERVICE,
          useFactory: (db: Db, ledger: InMemoryLedgerView) =>
            new SettlementsService({ store: new KnexSettlementsStore(db), ledger }),
          inject: [DB, LEDGER_VIEW],
        },
        {
          provide: MAPPINGS_SERVICE,
          useFactory: (
            db: Db,
            ledger: InMemoryLedgerView,
            mappings: MappingsView,
            publisher: EventPublisher,
            audit: ConsoleAudit,
            logger: Logger,
          ) =>
            new MappingsService({
              store: new KnexSettlementsStore(db),
              ledger,
              mappings,
              publisher,
              audit,
              logger,
            }),
          inject: [DB, LEDGER_VIEW, MAPPINGS_VIEW, EVENT_PUBLISHER, CONSOLE_AUDIT, LOGGER],
        },
        {
          provide: DEAD_LETTERS_SERVICE,
          useFactory: (port: DeadLetterPort, auditTrail: AuditStore, audit: ConsoleAudit) =>
            new DeadLettersService({ port, auditTrail, audit }),
          inject: [DLQ_PORT, AUDIT_STORE, CONSOLE_AUDIT],
        },
        {
          provide: TRACE_SERVICE,
          useFactory: (db: Db, deadLetters: DeadLettersService) =>
            new TraceService({
              store: new KnexTraceStore(db),
              deadLetters,
              topicPrefix: config.KAFKA_TOPIC_PREFIX,
            }),
          inject: [DB, DEAD_LETTERS_SERVICE],
        },
        { provide: CONNECTIONS_STORE, useFactory: (db: Db) => new KnexConnectionsStore(db), inject: [DB] },
        {
          provide: PING_PORT,
          useFactory: (db: Db) =>
            overrides.ping ??
            (config.CONSOLE_PING ? SpApiPingPort.fromConfig(db, config) : new DisabledPingPort()),
          inject: [DB],
        },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(securityHeaders(IMPORT_MAP_HASH), cookieParser()).forRoutes('*');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.auth.ensureFirstAdmin(this.config.CONSOLE_ADMIN_EMAIL, this.config.CONSOLE_ADMIN_PASSWORD);
    await this.follower.start();
    this.purge = setInterval(() => void this.auth.purgeExpired().catch(() => undefined), 3_600_000);
    this.purge.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purge);
    await this.follower.stop();
  }
}
