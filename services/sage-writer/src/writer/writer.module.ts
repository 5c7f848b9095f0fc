import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { FetchTransport, systemClock } from '@connector/core';
import {
  ConnectionRepository,
  KnexBuyerPiiVault,
  KnexIdempotencyLedger,
  shipToOf,
  KnexSage100OrderNumbers,
  CredentialsCipher,
  leaseOwnerId,
  type AuditStore,
  type Db,
} from '@connector/db';
import { ConnectionErpResolver, erpFactories, type ErpFactory, type ErpKind } from '@connector/erp';
import type { EventPublisher, KafkaRuntime } from '@connector/kafka';
import { MappingCache, MappingTopicsLoader } from '@connector/mapping';
import { AUDIT_STORE, CONFIG, DB, EVENT_PUBLISHER, KAFKA, LOGGER, METRICS } from '@connector/nest-common';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { AppConfig } from '../config';
import { OrderInboxService } from '../order-inbox/order-inbox.service';
import { KnexInboxStore } from '../order-inbox/order-inbox.store';
import { INBOX_STORE } from '../order-inbox/order-inbox.tokens';
import { DocumentWriter, writerLease } from './document-writer';
import { ErpGate } from './erp-gate';
import { LedgerWriterService } from './ledger-writer.service';
import { OrderWriterService } from './order-writer.service';
import { FinancialEventsConsumer, LedgerConsumer, OrderConsumer } from './writer.consumers';
import {
  CREDIT_NOTE_WRITER,
  ERP_RESOLVER,
  LEDGER_WRITER,
  MAPPING_CACHE,
  MAPPING_LOADER,
  ORDER_TO_CASH,
  ORDER_WRITER,
} from './writer.tokens';
import { CreditNoteWriterService } from '../order-to-cash/credit-note-writer.service';
import { CustomerResolver, KnexBuyerCustomerStore, buyerPiiFromVault } from '../order-to-cash/customers';
import { KnexParkedRefundStore } from '../order-to-cash/parked-refunds.store';
import { cachedSettings, type OrderToCashSettingsOf } from '../order-to-cash/settings';

export interface WriterOptions {
  /** ERP adapters by kind; the default builds the real ones */
  erpFactories?: Partial<Record<ErpKind, ErpFactory>>;
}

const WRITER_OPTIONS = Symbol('WRITER_OPTIONS');

/** What the order-to-cash parts share: settings per connection, customers per buyer, the PII vault. */
interface OrderToCash {
  settings: OrderToCashSettingsOf;
  customers: CustomerResolver;
  vault: KnexBuyerPiiVault;
}

/** sage-writer's flows: orders in (stored, audited), then ERP documents; journals and receipts. */
@Module({
  providers: [
    { provide: INBOX_STORE, useFactory: (db: Db) => new KnexInboxStore(db), inject: [DB] },
    OrderInboxService,
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
          new ConnectionRepository(db, CredentialsCipher.fromConfig(c)),
          opts.erpFactories ??
            erpFactories(new FetchTransport(c.ERP_TIMEOUT_MS), c.ERP_TIMEOUT_MS, {
              sage100OrderNumbers: (id) => new KnexSage100OrderNumbers(db, id),
            }),
        ),
      inject: [DB, CONFIG, WRITER_OPTIONS],
    },
    {
      provide: DocumentWriter,
      useFactory: (db: Db, c: AppConfig, metrics: ConnectorMetrics) =>
        new DocumentWriter(new KnexIdempotencyLedger(db), {
          owner: leaseOwnerId(),
          lease: writerLease(c.ERP_TIMEOUT_MS),
          lookup: c.ERP_LOOKUP_BEFORE_CREATE,
          gate: new ErpGate({
            ceiling: c.ERP_CONCURRENCY,
            adaptive: c.ERP_ADAPTIVE,
            contentionTolerance: c.ERP_LOCK_TOLERANCE,
            onLimit: (connection, limit) => metrics.erpConcurrency.set({ connection }, limit),
          }),
        }),
      inject: [DB, CONFIG, METRICS],
    },
    {
      provide: ORDER_TO_CASH,
      useFactory: (db: Db, c: AppConfig) => {
        const connections = new ConnectionRepository(db, CredentialsCipher.fromConfig(c));
        const vault = new KnexBuyerPiiVault(db, CredentialsCipher.fromConfig(c), systemClock);
        const settings = cachedSettings(
          async (id) => (await connections.get(id)).settings.orderToCash,
          () => systemClock.now(),
        );
        const customers = new CustomerResolver({
          store: new KnexBuyerCustomerStore(db),
          buyerPii: buyerPiiFromVault(vault),
          keepsPii: async (id) => (await connections.get(id)).settings.buyerPii,
        });
        return { settings, customers, vault };
      },
      inject: [DB, CONFIG],
    },
    {
      provide: CREDIT_NOTE_WRITER,
      useFactory: (
        erps: ConnectionErpResolver,
        mapping: MappingCache,
        writer: DocumentWriter,
        audit: AuditStore,
        publisher: EventPublisher,
        metrics: ConnectorMetrics,
        db: Db,
        o2c: OrderToCash,
        inbox: OrderInboxService,
      ) =>
        new CreditNoteWriterService({
          erps,
          mapping,
          writer,
          audit,
          publisher,
          clock: systemClock,
          metrics,
          settings: o2c.settings,
          customers: o2c.customers,
          parked: new KnexParkedRefundStore(db),
          orderVersions: (connectionId, orderId) => inbox.versions(connectionId, orderId),
        }),
      inject: [
        ERP_RESOLVER,
        MAPPING_CACHE,
        DocumentWriter,
        AUDIT_STORE,
        EVENT_PUBLISHER,
        METRICS,
        DB,
        ORDER_TO_CASH,
        OrderInboxService,
      ],
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
        o2c: OrderToCash,
        creditNotes: CreditNoteWriterService,
        inbox: OrderInboxService,
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
          shipTo: (connectionId, orderId) => shipToOf(o2c.vault, connectionId, orderId),
          settings: o2c.settings,
          customers: o2c.customers,
          creditNotes,
          orderVersions: (connectionId, orderId) => inbox.versions(connectionId, orderId),
        }),
      inject: [
        ERP_RESOLVER,
        MAPPING_CACHE,
        DocumentWriter,
        AUDIT_STORE,
        EVENT_PUBLISHER,
        LOGGER,
        METRICS,
        ORDER_TO_CASH,
        CREDIT_NOTE_WRITER,
        OrderInboxService,
      ],
    },
    {
      provide: LEDGER_WRITER,
      useFactory: (
        erps: ConnectionErpResolver,
        writer: DocumentWriter,
        audit: AuditStore,
        publisher: EventPublisher,
        metrics: ConnectorMetrics,
        o2c: OrderToCash,
      ) =>
        new LedgerWriterService({
          erps,
          writer,
          audit,
          publisher,
          clock: systemClock,
          metrics,
          settings: o2c.settings,
        }),
      inject: [ERP_RESOLVER, DocumentWriter, AUDIT_STORE, EVENT_PUBLISHER, METRICS, ORDER_TO_CASH],
    },
  ],
  exports: [OrderInboxService, ORDER_WRITER, LEDGER_WRITER, CREDIT_NOTE_WRITER, MAPPING_CACHE],
})
export class WriterModule implements OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * `erpWrites` off (ERP_WRITES=false): orders are only taken in, stored and audited, and the journal
   * and receipt topics are not consumed at all (their records wait for a writer that books them).
   */
  static forRoot(options: WriterOptions = {}, erpWrites = true): DynamicModule {
    return {
      module: WriterModule,
      controllers: erpWrites ? [OrderConsumer, LedgerConsumer, FinancialEventsConsumer] : [OrderConsumer],
      providers: [{ provide: WRITER_OPTIONS, useValue: options }],
    };
  }

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
    @Inject(ERP_RESOLVER) private readonly erps: ConnectionErpResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.ERP_WRITES) await this.loader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loader.stop();
    await this.erps.close();
  }
}
