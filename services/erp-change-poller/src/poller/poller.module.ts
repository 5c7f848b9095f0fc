import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConnectionScheduler, FetchTransport, systemClock } from '@connector/core';
import {
  ConnectionLeaseStore,
  ConnectionRepository,
  CredentialsCipher,
  KnexSage100OrderNumbers,
  LeasedConnections,
  type Connection,
  type Db,
} from '@connector/db';
import {
  capabilitiesOf,
  ConnectionErpResolver,
  erpFactories,
  type ErpFactory,
  type ErpKind,
  type ErpPort,
} from '@connector/erp';
import type { EventPublisher } from '@connector/kafka';
import { CONFIG, DB, EVENT_PUBLISHER, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { AppConfig } from '../config';
import { KnexPollStateStore } from '../poll-state/poll-state.store';
import { ItemPoller, type PollerDeps } from './item.poller';
import { ShipmentPoller } from './shipment.poller';

export const POLL_SCHEDULER = Symbol('POLL_SCHEDULER');
export const ERP_RESOLVER = Symbol('ERP_RESOLVER');
const POLL_DEPS = Symbol('POLL_DEPS');
const LEASED_CONNECTIONS = Symbol('LEASED_CONNECTIONS');
/** the service name replicas share connection leases under */
const LEASE_SERVICE = 'erp-change-poller';

export interface PollerOptions {
  /** replaces the ERP adapters (tests that stand in for an ERP) */
  factories?: Partial<Record<ErpKind, ErpFactory>>;
}

/** Connections whose ERP can be read for changes (capabilitiesOf); the others are left alone. */
const readable = (c: Connection) => Boolean(capabilitiesOf(c.erpKind)?.itemChanges);

/** Wires the item and shipment polls of every connection to its ERP, the database and Kafka. */
@Module({})
export class PollerModule implements OnApplicationBootstrap, OnModuleDestroy {
  static forRoot(options: PollerOptions = {}): DynamicModule {
    return {
      module: PollerModule,
      providers: [
        {
          provide: ERP_RESOLVER,
          useFactory: (db: Db, c: AppConfig) =>
            new ConnectionErpResolver(
              new ConnectionRepository(db, CredentialsCipher.fromConfig(c)),
              options.factories ??
                erpFactories(new FetchTransport(), c.ERP_TIMEOUT_MS, {
                  sage100OrderNumbers: (id) => new KnexSage100OrderNumbers(db, id),
                }),
            ),
          inject: [DB, CONFIG],
        },
        {
          provide: POLL_DEPS,
          useFactory: (
            db: Db,
            c: AppConfig,
            publisher: EventPublisher,
            logger: Logger,
            metrics: ConnectorMetrics,
          ): PollerDeps => ({
            state: new KnexPollStateStore(db),
            publisher,
            logger,
            metrics,
            owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
            leaseMs: c.POLL_LEASE_MS,
          }),
          inject: [DB, CONFIG, EVENT_PUBLISHER, LOGGER, METRICS],
        },
        {
          // replicas share the connections: this one reads only those it holds a lease on
          provide: LEASED_CONNECTIONS,
          useFactory: (db: Db, c: AppConfig, deps: PollerDeps, logger: Logger) => {
            const repo = new ConnectionRepository(db, CredentialsCipher.fromConfig(c));
            return new LeasedConnections<Connection>({
              inner: { list: async () => (await repo.list()).filter(readable) },
              store: new ConnectionLeaseStore(db),
              options: { service: LEASE_SERVICE, holder: deps.owner, ttlMs: c.CONNECTION_LEASE_MS },
              now: () => systemClock.now(),
              logger,
            });
          },
          inject: [DB, CONFIG, POLL_DEPS, LOGGER],
        },
        {
          provide: POLL_SCHEDULER,
          useFactory: (
            connections: LeasedConnections<Connection>,
            erps: ConnectionErpResolver,
            deps: PollerDeps,
            logger: Logger,
            metrics: ConnectorMetrics,
          ) => {
            return new ConnectionScheduler<Connection, ErpPort>({
              connections,
              client: (conn) => erps.forConnection(conn.id),
              runners: [new ItemPoller(deps), new ShipmentPoller(deps)],
              clock: systemClock,
              logger,
              onRun: (conn, stream, outcome) =>
                metrics.ingestRuns.inc({ connection: conn.id, stream, outcome }),
            });
          },
          inject: [LEASED_CONNECTIONS, ERP_RESOLVER, POLL_DEPS, LOGGER, METRICS],
        },
      ],
      exports: [POLL_SCHEDULER, ERP_RESOLVER],
    };
  }

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(POLL_SCHEDULER) private readonly scheduler: ConnectionScheduler<Connection, ErpPort>,
    @Inject(ERP_RESOLVER) private readonly erps: ConnectionErpResolver,
    @Inject(POLL_DEPS) private readonly deps: PollerDeps,
    @Inject(LEASED_CONNECTIONS) private readonly leases: LeasedConnections<Connection>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.POLLER_SCHEDULER) this.scheduler.start();
  }

  /** Before the core module closes Kafka and the database (its beforeApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
    // the streams this replica read are free at once for another one
    await this.deps.state.releaseAll(this.deps.owner);
    // if the database is gone already, the leases run out on their own
    await this.leases.release().catch(() => undefined);
    await this.erps.close();
  }
}
