import { GroupCommit } from '@connector/core';
import type { Db } from '@connector/db';
import type { FinancialEvent } from '@connector/events';
import type { Source } from '../writer/order-writer.service';

export interface ParkedRefund {
  event: FinancialEvent;
  source: Source;
}

/**
 * Refunds whose invoice is not written yet (table parked_refunds): kept, not retried on the
 * partition, and written by the order writer right after the order's invoice.
 */
export interface ParkedRefundStore {
  park(event: FinancialEvent, source: Source): Promise<void>;
  /** the refunds parked for an order, oldest first */
  of(connectionId: string, amazonOrderId: string): Promise<ParkedRefund[]>;
  remove(connectionId: string, eventId: string): Promise<void>;
}

export class KnexParkedRefundStore implements ParkedRefundStore {
  constructor(private readonly db: Db) {}

  async park(event: FinancialEvent, source: Source): Promise<void> {
    await this.db('parked_refunds')
      .insert({
        connection_id: event.connectionId,
        event_id: event.eventId,
        amazon_order_id: event.amazonOrderId,
        event: JSON.stringify(event),
        source: JSON.stringify(source),
      })
      .onConflict(['connection_id', 'event_id'])
      .ignore();
  }

  /** Asked after every invoice: the orders asked about together are read in one select. */
  of(connectionId: string, amazonOrderId: string): Promise<ParkedRefund[]> {
    return this.reads.add({ connectionId, amazonOrderId });
  }

  private readonly reads = new GroupCommit<{ connectionId: string; amazonOrderId: string }, ParkedRefund[]>(
    async (asked) => {
      const rows: Array<{
        connection_id: string;
        amazon_order_id: string;
        event: FinancialEvent;
        source: Source;
      }> = await this.db('parked_refunds')
        .whereIn(
          ['connection_id', 'amazon_order_id'],
          asked.map((a) => [a.connectionId, a.amazonOrderId]),
        )
        .orderBy('parked_at')
        .select('connection_id', 'amazon_order_id', 'event', 'source');
      return asked.map((a) => ({
        status: 'fulfilled' as const,
        value: rows
          .filter((r) => r.connection_id === a.connectionId && r.amazon_order_id === a.amazonOrderId)
          .map((r) => ({ event: r.event, source: r.source })),
      }));
    },
  );

  async remove(connectionId: string, eventId: string): Promise<void> {
    await this.db('parked_refunds').where({ connection_id: connectionId, event_id: eventId }).delete();
  }
}

/** The same in memory (unit tests). */
export class MemoryParkedRefundStore implements ParkedRefundStore {
  readonly rows: ParkedRefund[] = [];
  async park(event: FinancialEvent, source: Source): Promise<void> {
    if (
      !this.rows.some((r) => r.event.connectionId === event.connectionId && r.event.eventId === event.eventId)
    )
      this.rows.push({ event: structuredClone(event), source });
  }
  async of(connectionId: string, amazonOrderId: string): Promise<ParkedRefund[]> {
    return this.rows.filter(
      (r) => r.event.connectionId === connectionId && r.event.amazonOrderId === amazonOrderId,
    );
  }
  async remove(connectionId: string, eventId: string): Promise<void> {
    const i = this.rows.findIndex(
      (r) => r.event.connectionId === connectionId && r.event.eventId === eventId,
    );
    if (i >= 0) this.rows.splice(i, 1);
  }
}
