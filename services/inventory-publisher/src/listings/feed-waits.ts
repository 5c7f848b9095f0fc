import { feedWakeKey, type ProcessingWakeups } from '@connector/sp-api';

/**
 * The JSON_LISTINGS_FEEDs this process's listing flusher is waiting for, and the wake-ups that end its
 * waits. The flusher registers a feed as soon as createFeed answers and forgets it when the feed is
 * settled; amazon.feed-status.v1 (Amazon's FEED_PROCESSING_FINISHED, published by amazon-ingest) wakes
 * only feeds registered here. A wake that arrives while the flusher is reading a feed (not sleeping)
 * is remembered by ProcessingWakeups, so its next sleep returns at once.
 */
export class FeedWaits {
  /** feed id → the connection it was submitted for */
  private readonly awaited = new Map<string, string>();

  constructor(private readonly wakeups: ProcessingWakeups) {}

  begin(connectionId: string, feedId: string): void {
    this.awaited.set(feedId, connectionId);
  }

  end(feedId: string): void {
    this.awaited.delete(feedId);
  }

  /** whether this process waits for `feedId` of `connectionId` */
  awaits(connectionId: string, feedId: string): boolean {
    return this.awaited.get(feedId) === connectionId;
  }

  get size(): number {
    return this.awaited.size;
  }

  /** the flusher's wait between getFeed rounds: `ms`, or less when one of the feeds is woken */
  sleep(feedIds: readonly string[], ms: number): Promise<'woken' | 'slept'> {
    return this.wakeups.sleepAny(feedIds.map(feedWakeKey), ms);
  }

  /** ends every wait at once (shutdown: the flusher releases its feeds' listings to be retried) */
  wakeAll(): void {
    for (const feedId of this.awaited.keys()) this.wake(feedId);
  }

  /** ends the wait for `feedId` (or the next one, if the flusher is not sleeping); how many waits woke */
  wake(feedId: string): number {
    return this.wakeups.wake(feedWakeKey(feedId));
  }
}
