import { Controller, Inject } from '@nestjs/common';
import type { MappingTopicsLoader } from '@connector/mapping';
import { CONFIG, EventPattern, type TopicRecord } from '@connector/nest-common';
import type { AppConfig } from '../config';
import { OrderInboxService } from '../order-inbox/order-inbox.service';
import type { LedgerWriterService } from './ledger-writer.service';
import type { OrderWriterService } from './order-writer.service';
import { CREDIT_NOTE_WRITER, LEDGER_WRITER, MAPPING_LOADER, ORDER_WRITER } from './writer.tokens';
import type { CreditNoteWriterService } from '../order-to-cash/credit-note-writer.service';

/**
 * Thin consumers: each hands its record to a service and returns; the Kafka transport commits the
 * offset only after the handler settles (done, or kept on the dead-letter topic).
 */
@Controller()
export class OrderConsumer {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly inbox: OrderInboxService,
    @Inject(ORDER_WRITER) private readonly orders: OrderWriterService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  /** Taken in (stored and audited) first; an event whose documents were all written returns early. */
  @EventPattern('amazon.orders.v1')
  async order(record: TopicRecord<'amazon.orders.v1'>): Promise<void> {
    if ((await this.inbox.receive(record)) === 'processed') return;
    if (!this.config.ERP_WRITES) return;
    await this.loader.ready;
    await this.orders.handle(record);
    await this.inbox.markProcessed(record);
  }
}

@Controller()
export class LedgerConsumer {
  constructor(@Inject(LEDGER_WRITER) private readonly ledger: LedgerWriterService) {}

  @EventPattern('ledger.journals.v1')
  journal(record: TopicRecord<'ledger.journals.v1'>): Promise<void> {
    return this.ledger.journal(record);
  }

  @EventPattern('ledger.receipts.v1')
  receipt(record: TopicRecord<'ledger.receipts.v1'>): Promise<void> {
    return this.ledger.receipt(record);
  }
}

/** Refunds on amazon.financial-events.v1 → credit notes; other financial events are the reconciler's. */
@Controller()
export class FinancialEventsConsumer {
  constructor(
    @Inject(CREDIT_NOTE_WRITER) private readonly creditNotes: CreditNoteWriterService,
    @Inject(MAPPING_LOADER) private readonly loader: MappingTopicsLoader,
  ) {}

  @EventPattern('amazon.financial-events.v1')
  async financialEvent(record: TopicRecord<'amazon.financial-events.v1'>): Promise<void> {
    if (record.value.eventType !== 'RefundEvent') return;
    await this.loader.ready;
    await this.creditNotes.handle(record);
  }
}
