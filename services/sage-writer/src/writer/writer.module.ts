import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FetchTransport, systemClock } from '@connector/core';
import {
  ConnectionRepository,
  KnexIdempotencyLedger,
  credentialsCipherFromConfig,
  leaseOwnerId,
  type AuditStore,
  type Db,
} from '@connector/db';
import type { ErpKind } from '@connector/erp';
import type { AmazonOrder, CustomerReceipt, JournalEntry } from '@connector/events';
import type { EventPublisher, KafkaRuntime } from '@connector/kafka';
import { MappingCache, MappingTopicsLoader } from '@connector/mapping';
import { AUDIT_STORE, CONFIG, DB, EVENT_PUBLISHER, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { AppConfig } from '../config';
import { erpFactories } from '../erp/erp-factories';
import { ConnectionErpResolver, type ErpFactory } from '../erp/erp-resolver';
import { OrderInboxService } from '../order-inbox/order-inbox.service';
import { KnexInboxStore } from '../order-inbox/order-inbox.store';
import { INBOX_STORE } from '../order-inbox/order-inbox.tokens';
import { DemoErp } from '../simulators/demo-erp';
import { DocumentWriter, writerLease } from './document-writer';
import { LedgerWriterService } from './ledger-writer.service';
import { OrderWriterService } from './order-writer.service';

export interface WriterOptions {
  /** ERP adapters by kind; the default builds the real ones */
  erpFactories?: Partial<Record<ErpKind, ErpFactory>>;
}

const WRITER_OPTIONS = Symbol('WRITER_OPTIONS');
const MAPPING_CACHE = Symbol('MAPPING_CACHE');
const MAPPING_LOADER = Symbol('MAPPING_LOADER');
const ERP_RESOLVER = Symbol('ERP_RESOLVER');
export const ORDER_WRITER = Symbol('ORDER_WRITER');
export const LEDGER_WRITER = Symbol('LEDGER_WRITER');

/** sage-writer's flows: orders in (stored, audited), then ERP documents; journals and receipts. */
@Module({
  providers: [
    { provide: INBOX_STORE, useFactory: (db: Db) => new KnexInboxStore(db), inject: [DB] },
    OrderInboxService,
    DemoErp,
    // a factory, not a value: one cache per application, never shared by two apps in one process
    { provide: MAPPING_CACHE, useFactory: () => new MappingCache() },
    {
      provide: MAPPING_LOADER,
      useFactory: (kafka: KafkaRuntime, cache: MappingCache, logger: Logger) =>
        new MappingTopicsLoader(kafka, cache, logger, 'connector.sage-writer'),
      inject: [KAFKA, MAPPING_CACHE, LOGGER],
    },
    {
      provide: ERP_RESOLVER,
      useFactory: (db: Db, c: AppConfig, opts: WriterOptions) =>
        new ConnectionErpResolver(
          new ConnectionRepository(db, credentialsCipherFromConfig(c)),
          opts.erpFactories ?? erpFactories(new FetchTransport(c.ERP_TIMEOUT_MS), c.ERP_TIMEOUT_MS),
        ),
      inject: [DB, CONFIG, WRITER_OPTIONS],
    },
    {
      provide: DocumentWriter,
      useFactory: (db: Db, c: AppConfig) =>
        new DocumentWriter(new KnexIdempotencyLedger(db), {
          owner: leaseOwnerId(),
          lease: writerLease(c.ERP_TIMEOUT_MS),
        }),
      inject: [DB, CONFIG],
    },
    {
      provide: ORDER_WRITER,
      useFactory: (
        erps: ConnectionErpResolver,
        mapping: MappingCache,
        writer: DocumentWriter,
        audit: AuditStore,
        publisher: EventPublisher,
        logger: Logger,
        metrics: ConnectorMetrics,
      ) =>
        new OrderWriterService({
          erps,
          mapping,
          writer,
          audit,
          publisher,
          clock: systemClock,
          logger,
          metrics,
        }),
      inject: [ERP_RESOLVER, MAPPING_CACHE, DocumentWriter, AUDIT_STORE, EVENT_PUBLISHER, LOGGER, METRICS],
    },
    {
      provide: LEDGER_WRITER,
      useFactory: (
        erps: ConnectionErpResolver,
        writer: DocumentWriter,
        audit: AuditStore,
        publisher: EventPublisher,
        metrics: ConnectorMetrics,
      ) => new LedgerWriterService({ erps, writer, audit, publisher, clock: systemClock, metrics }),
      inject: [ERP_RESOLVER, DocumentWriter, AUDIT_STORE, EVENT_PUBLISHER, METRICS],
    },
  ],
  exports: [OrderInboxService, ORDER_WRITER, LEDGER_WRITER, MAPPING_CACHE],
})
export class WriterModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(options: WriterOptions = {}): DynamicModule {
    return { module: WriterModule, providers: [{ provide: WRITER_OPTIONS, useValue: options }] };
  }

  constructor(
    @Inject(KAFKA) private readonly kafka: KafkaRuntime,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly inbox: OrderInboxService,
    @Inject(ORDER_WRITER) private readonly orders: OrderWriterService,
    @Inject(LEDGER_WRITER) private readonly ledger: LedgerWriterService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
    @Inject(ERP_RESOLVER) private readonly erps: ConnectionErpResolver,
    private readonly demo: DemoErp,
  ) {}

  /** Thin consumers. Offsets are committed by the consumer host only after a handler returns. */
  onModuleInit(): void {
    const writes = this.config.ERP_WRITES;
    this.kafka.subscribe<AmazonOrder>({
      topic: 'amazon.orders.v1',
      handler: async (record) => {
        await this.inbox.receive(record);
        if (!writes) return;
        await this.loader.ready;
        await this.orders.handle(record);
      },
    });
    if (!writes) return;
    this.kafka.subscribe<JournalEntry>({
      topic: 'ledger.journals.v1',
      handler: (r) => this.ledger.journal(r),
    });
    this.kafka.subscribe<CustomerReceipt>({
      topic: 'ledger.receipts.v1',
      handler: (r) => this.ledger.receipt(r),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ERP_WRITES) return;
    await this.demo.start();
    await this.loader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loader.stop();
    await this.erps.close();
    await this.demo.close();
  }
}
