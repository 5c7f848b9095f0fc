import type { Clock } from '@connector/core';
import type { Connection } from '@connector/db';
import { recordKey, type TopicName } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { FinancialEventGroup, SellingPartnerApi } from '@connector/sp-api';
import type { IngestStateStore } from '../ingest-state/ingest-state.store';
import { TWO_MINUTE_RULE_MS } from '../orders/order-sync.service';
import { FinancialEventShapeError, mapFinancialEvents } from './financial-event.mapper';

const TOPIC = 'amazon.financial-events.v1' as const satisfies TopicName;
/** an open group is re-read until it closes; groups last about 14 days, so look back a little more */
const OPEN_GROUP_LOOKBACK_MS = 35 * 86_400_000;
/** the longest range listFinancialEventGroups answers with groups (FACTS §5.1) */
const MAX_GROUP_RANGE_MS = 180 * 86_400_000;

export interface FinancialEventsResult {
  groups: number;
  closedGroupsDone: number;
  published: number;
  skippedAlreadyPublished: number;
  /** events Amazon sent in a shape that cannot become a FinancialEvent; their group stays open */
  rejected: number;
}

/**
 * Financial events, the early view of money (FACTS §5): event groups started since the cursor (minus
 * a lookback, so groups still Open are read again until they close), and each group's events,
 * published keyed by <connection>/<groupId>. Event ids are deterministic and each is published
 * once; a closed group read to the end is not read again.
 */
export class FinancialEventsSyncService {
  constructor(
    private readonly deps: {
      store: IngestStateStore;
      publisher: EventPublisher;
      clock: Clock;
      logger: Logger;
      metrics?: ConnectorMetrics;
    },
  ) {}

  async sync(conn: Connection, api: SellingPartnerApi): Promise<FinancialEventsResult> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const cursor = await store.getCursor(conn.id, 'financial-events');
    const from =
      (cursor?.watermark ?? now - conn.settings.backfillDays * 86_400_000) - OPEN_GROUP_LOOKBACK_MS;
    const result: FinancialEventsResult = {
      groups: 0,
      closedGroupsDone: 0,
      published: 0,
      skippedAlreadyPublished: 0,
      rejected: 0,
    };
    // Amazon returns no groups at all for a range over 180 days (FACTS §5.1): ask window by window
    const to = now - TWO_MINUTE_RULE_MS;
    for (let start = Math.max(0, from); start < to; start += MAX_GROUP_RANGE_MS) {
      const groups = api.listFinancialEventGroups({
        FinancialEventGroupStartedAfter: new Date(start).toISOString(),
        FinancialEventGroupStartedBefore: new Date(Math.min(to, start + MAX_GROUP_RANGE_MS)).toISOString(),
        MaxResultsPerPage: 100,
      });
      for await (const g of groups) await this.readGroup(conn, api, g, now, result);
    }
    await store.saveCursor(conn.id, 'financial-events', { watermark: to, state: {} });
    this.deps.metrics?.ingestCursorLag.set({ connection: conn.id, stream: 'financial-events' }, 0);
    this.deps.logger.info({ connectionId: conn.id, ...result }, 'financial events read');
    return result;
  }

  /** One group's events, published once each; a closed group read to the end is remembered. */
  private async readGroup(
    conn: Connection,
    api: SellingPartnerApi,
    g: FinancialEventGroup,
    now: number,
    result: FinancialEventsResult,
  ): Promise<void> {
    const { store } = this.deps;
    const groupId = g.FinancialEventGroupId;
    if (!groupId) return;
    result.groups++;
    const doneKey = `group/${groupId}`;
    if ((await store.publishedVersions(conn.id, 'financial-events', [doneKey])).has(doneKey)) {
      result.closedGroupsDone++;
      return;
    }
    const seen = new Map<string, number>();
    let rejected = 0;
    const onRejected = (err: FinancialEventShapeError) => {
      rejected++;
      this.deps.metrics?.ingestRejected.inc({
        connection: conn.id,
        stream: 'financial-events',
        reason: 'malformed_event',
      });
      this.deps.logger.error(
        { connectionId: conn.id, groupId, eventType: err.eventType, code: err.code, err: err.message },
        'financial event rejected: it cannot become an event',
      );
    };
    for await (const page of api.listFinancialEventsByGroupId(groupId, { MaxResultsPerPage: 100 })) {
      const events = mapFinancialEvents(page, {
        connectionId: conn.id,
        groupId,
        observedAt: now,
        seen,
        onRejected,
      });
      const known = await store.publishedVersions(
        conn.id,
        'financial-events',
        events.map((e) => e.eventId),
      );
      const fresh = events.filter((e) => !known.has(e.eventId));
      result.skippedAlreadyPublished += events.length - fresh.length;
      if (fresh.length) {
        await this.deps.publisher.publish(
          TOPIC,
          fresh.map((e) => ({ key: recordKey(conn.id, groupId), value: e })),
        );
        await store.recordPublished(
          conn.id,
          'financial-events',
          fresh.map((e) => ({ key: e.eventId, version: 0, eventId: e.eventId })),
        );
        result.published += fresh.length;
      }
    }
    result.rejected += rejected;
    // a closed group does not change any more: remember it was read to the end, unless some of its
    // events were rejected (then it is read again, and the rejection counted again, until fixed)
    if (g.ProcessingStatus === 'Closed' && rejected === 0)
      await store.recordPublished(conn.id, 'financial-events', [
        { key: doneKey, version: 0, eventId: doneKey },
      ]);
  }
}
