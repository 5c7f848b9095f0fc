/**
 * Group commit (issue 15, "write the ledger and audit rows of a batch in one transaction, publish
 * results in one send"): items handed in during one turn of the event loop, or while a flush is
 * running, are written together by the next flush, in one call. Nothing waits on a timer: an item
 * alone is flushed at the end of the turn it came in (setImmediate), so that the records a Kafka batch
 * hands in at once go together; under load the items queue behind the flush in flight and go in the
 * next one, so the number of round trips follows the load, not the number of items. Each caller's
 * promise settles with its own batch: a batch that fails fails its callers (each retries its record as
 * before) and no other.
 *
 * A flush that has an answer per item (a row stored or already there, a fencing token still current or
 * stale) returns one `PromiseSettledResult` per item, in the items' order: each caller then gets its
 * own value or its own error.
 */
export class GroupCommit<T, R = void> {
  private queue: Array<{ item: T; resolve: (value: R) => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private scheduled = false;

  /** `flush` writes a batch in one call (one statement, one send); `maxBatch` bounds its size */
  constructor(
    private readonly flush: (items: T[]) => Promise<void | ReadonlyArray<PromiseSettledResult<R>>>,
    private readonly maxBatch = 500,
  ) {
    if (!(maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
  }

  /** Resolves once the batch holding `item` is written, with the flush's answer for it. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.drain();
        });
      }
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.flush(batch.map((b) => b.item));
          batch.forEach((b, i) => {
            if (!results) return b.resolve(undefined as R);
            const r = results[i];
            if (!r) b.reject(new Error(`group commit: the flush gave no answer for item ${i}`));
            else if (r.status === 'fulfilled') b.resolve(r.value);
            else b.reject(r.reason);
          });
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/** Items of a batch grouped by a key, in first-seen order (rows a batch touches twice are written once). */
export function byKey<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  });
  return out;
}
