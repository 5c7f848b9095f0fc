import type { AmazonOrder } from '@connector/events';
import type { ConsumedRecord } from '@connector/kafka';
import { bookedOrderOf, type OrderBook } from './order-book';

/** Keeps the newest version of each order shipments may be confirmed against (amazon.orders.v1). */
export class OrderBookService {
  constructor(private readonly book: OrderBook) {}

  /** True when the record's version was kept (not older than the one already booked). */
  take(record: ConsumedRecord<AmazonOrder>): Promise<boolean> {
    return this.book.upsert(bookedOrderOf(record.value));
  }
}
