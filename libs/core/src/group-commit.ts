/**
 * Group commit (issue 15, "write the ledger and audit rows of a batch in one transaction, publish
 * results in one send"): items handed in while a flush is running are written together by the next
 * flush, in one call. Nothing waits on a timer: an item alone is flushed at once; under load the items
 * queue behind the flush in flight and go in the next one, so the number of round trips follows the
 * load, not the number of items. Each caller's promise settles with its own batch: a batch that fails
 * fails its callers (each retries its record as before) and no other.
 */
export class GroupCommit<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  /** `flush` writes a batch in one call (one statement, one send); `maxBatch` bounds its size */
  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {
    if (!(maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
  }

  /** Resolves once the batch holding `item` is written. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.flush(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
