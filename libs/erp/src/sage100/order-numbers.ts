/**
 * Where the sales-order number drawn for an Amazon order is kept until the order is known written.
 *
 * eBusiness Web Services has no list or query operation (reference/erp/FACTS.md §3.1): an order is
 * found only by its `SalesOrderNo`. So the number drawn with `GetNextSalesOrderNo` for a natural
 * key is recorded here *before* `CreateSalesOrder`, and both the pre-insert check and a retry after
 * a lost answer read it back: the check asks `GetSalesOrder(no)` and confirms `CustomerPONo`, the
 * retry reuses the number (one number per order, never one per attempt).
 *
 * The adapter itself is stateless across processes, so this record must outlive the process that
 * drew the number and be shared by every replica that may write the connection: in production it
 * belongs in PostgreSQL: `KnexSage100OrderNumbers` (libs/db, table `erp_drawn_numbers`, a row per
 * connection, company and natural key, committed before the SOAP call). `InMemorySage100OrderNumbers`
 * only holds within one process (tests, the simulator demo).
 */
export interface Sage100OrderNumberStore {
  /** the number drawn for this natural key, or null when none was */
  get(company: string, naturalKey: string): Promise<string | null>;
  /** records (or replaces, when the old one turned out taken by someone else) the number for the key */
  put(company: string, naturalKey: string, salesOrderNo: string): Promise<void>;
}

/** A Sage100OrderNumberStore in this process's memory (see the interface for why production needs more). */
export class InMemorySage100OrderNumbers implements Sage100OrderNumberStore {
  private readonly numbers = new Map<string, string>();
  get(company: string, naturalKey: string): Promise<string | null> {
    return Promise.resolve(this.numbers.get(`${company}\u0000${naturalKey}`) ?? null);
  }
  put(company: string, naturalKey: string, salesOrderNo: string): Promise<void> {
    this.numbers.set(`${company}\u0000${naturalKey}`, salesOrderNo);
    return Promise.resolve();
  }
}
