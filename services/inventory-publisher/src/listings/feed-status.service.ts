import type { FeedProcessingFinished } from '@connector/events';
import type { Logger } from '@connector/observability';
import type { FeedWaits } from './feed-waits';

export type FeedStatusOutcome =
  /** the flusher waiting for the feed reads it at once (now, or at its next sleep) */
  | 'woken'
  /** not a feed this process waits for (another replica's, another service's, already settled) */
  | 'not-awaited';

/**
 * What inventory-publisher does with amazon.feed-status.v1: a feed its listing flusher waits for is
 * woken, so the flusher reads it at once instead of sleeping out FEED_POLL_MS; anything else is
 * ignored. The event is a signal: what the flusher does next depends only on getFeed.
 */
export class FeedStatusService {
  constructor(private readonly deps: { waits: FeedWaits; logger: Logger }) {}

  handle(e: FeedProcessingFinished): FeedStatusOutcome {
    const { waits, logger } = this.deps;
    if (!waits.awaits(e.connectionId, e.feedId)) {
      logger.debug(
        { connectionId: e.connectionId, feedId: e.feedId, status: e.processingStatus },
        'feed finished that this process does not wait for; ignored',
      );
      return 'not-awaited';
    }
    const woke = waits.wake(e.feedId);
    logger.info(
      { connectionId: e.connectionId, feedId: e.feedId, status: e.processingStatus, woke },
      'feed finished; its waiter reads it now',
    );
    return 'woken';
  }
}
