import {
  Global,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Knex } from 'knex';
import type { BaseConfig } from '@connector/config';
import { KnexAuditStore, createDb, migrateLatest, pingDb } from '@connector/db';
import {
  kafkaRuntimeFromConfig,
  pingRegistry,
  registrySettingsFromConfig,
  type KafkaRuntime,
} from '@connector/kafka';
import { ConnectorMetrics, createLogger, type Logger } from '@connector/observability';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import {
  AUDIT_STORE,
  CONFIG,
  DB,
  EVENT_PUBLISHER,
  KAFKA,
  LOGGER,
  METRICS,
  READINESS_CHECKS,
  type ReadinessCheck,
} from './tokens';

export interface CoreOptions {
  service: string;
  config: BaseConfig;
  /** run database migrations at boot (local and test; production runs the migrations job) */
  migrate?: boolean;
  /** a logger to use instead of one built from the config (tests) */
  logger?: Logger;
}

/**
 * Owns the order of start and stop: migrate → connect Kafka → (features start) → the consumers, started
 * by the Kafka transport (kafka-transport.ts) once the application is up; stop in reverse.
 */
class CoreLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Knex,
    @Inject(KAFKA) private readonly kafka: KafkaRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject('CORE_OPTIONS') private readonly opts: CoreOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.opts.migrate) {
      const applied = await migrateLatest(this.db);
      if (applied.length > 0) this.logger.info({ applied }, 'migrations applied');
    }
    await this.kafka.connect();
  }

  onApplicationBootstrap(): void {
    this.logger.info('service started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.kafka.disconnect();
    await this.db.destroy();
  }
}

@Global()
@Module({})
export class ConnectorCoreModule {
  static forRoot(opts: CoreOptions): DynamicModule {
    const { config, service } = opts;
    const logger =
      opts.logger ??
      createLogger({
        service,
        level: config.LOG_LEVEL,
        pretty: config.NODE_ENV === 'development' && process.stdout.isTTY,
      });
    const metrics = new ConnectorMetrics(service);
    const db = createDb({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: service,
    });
    const kafka = kafkaRuntimeFromConfig(config, service, { logger, metrics });
    const checks: ReadinessCheck[] = [
      { name: 'database', check: () => pingDb(db) },
      { name: 'kafka', check: () => kafka.ping() },
      { name: 'schema-registry', check: () => pingRegistry(registrySettingsFromConfig(config)) },
    ];
    return {
      module: ConnectorCoreModule,
      imports: [
        TerminusModule,
        LoggerModule.forRoot({
          pinoHttp: { logger, autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') } },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: 'CORE_OPTIONS', useValue: opts },
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: metrics },
        { provide: DB, useValue: db },
        { provide: KAFKA, useValue: kafka },
        { provide: EVENT_PUBLISHER, useValue: kafka.publisher },
        { provide: AUDIT_STORE, useValue: new KnexAuditStore(db) },
        { provide: READINESS_CHECKS, useValue: checks },
        CoreLifecycle,
      ],
      exports: [CONFIG, LOGGER, METRICS, DB, KAFKA, EVENT_PUBLISHER, AUDIT_STORE],
    };
  }
}
