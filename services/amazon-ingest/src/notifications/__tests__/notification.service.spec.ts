import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NonRetriableError, RetriableError, VirtualClock } from '@connector/core';
import type { Connection } from '@connector/db';
import { connectionSettingsSchema } from '@connector/db';
import type { TopicName } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { silentLogger } from '@connector/observability';
import {
  ProcessingWakeups,
  parseNotification,
  reportWakeKey,
  type SellingPartnerApi,
} from '@connector/sp-api';
import type { OrderSyncResult } from '../../orders/order-sync.service';
import { NotificationService, feedStatusEvents, type NotificationDeadLetters } from '../notification.service';

const SCHEMAS = path.resolve(__dirname, '../../../../../reference/sp-api/schemas/notifications');
const example = (file: string) =>
  (JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as { examples: Array<Record<string, unknown>> })
    .examples[0];
/** Amazon's ORDER_CHANGE example (seller A3TH9S8BH6GOGM, order 903-8868176-2219830, US marketplace). */
const orderChange = () => JSON.stringify(example('OrderChangeNotification.json'));
/** Amazon's FEED_PROCESSING_FINISHED example (seller A3TH9S8BH6GOGM, feed 53347018456, DONE). */
const feedFinished = (over: Record<string, unknown> = {}) => {
  const e = example('FeedProcessingFinishedNotification.json') as {
    payload: { feedProcessingFinishedNotification: Record<string, unknown> };
  };
  return JSON.stringify({
    ...e,
    payload: {
      feedProcessingFinishedNotification: { ...e.payload.feedProcessingFinishedNotification, ...over },
    },
  });
};

const conn = (id: string, over: Partial<Connection> = {}): Connection => ({
  id,
  name: id,
  sellerId: 'A3TH9S8BH6GOGM',
  region: 'na',
  marketplaceIds: ['ATVPDKIKX0DER'],
  erpKind: 'SAP_B1',
  erpCompany: id,
  enabled: true,
  settings: connectionSettingsSchema.parse({}),
  ...over,
});

const OBSERVED_AT = Date.UTC(2026, 10, 28, 12);

const result = (published: number): OrderSyncResult => ({
  mode: 'api',
  windowStart: 0,
  windowEnd: 0,
  read: 1,
  published,
  skippedAlreadyPublished: 1 - published,
  held: 0,
  rejected: 0,
});

function setup(
  connections: Connection[],
  syncOrder?: (c: Connection, orderId: string) => Promise<OrderSyncResult>,
  publisher: EventPublisher = new FakeEventPublisher(),
) {
  const synced: Array<[string, string]> = [];
  const recorded: Array<{ body: string; code: string; message: string }> = [];
  const deadLetters: NotificationDeadLetters & { fail?: boolean } = {
    async record(body, reason) {
      if (deadLetters.fail)
        throw new RetriableError('SQS_UNAVAILABLE', 'the dead-letter queue is unreachable');
      recorded.push({ body, code: reason.code, message: reason.message });
    },
  };
  const wakeups = new ProcessingWakeups(new VirtualClock(0));
  const service = new NotificationService({
    connections: { list: async () => connections },
    api: async () => ({}) as SellingPartnerApi,
    orders: {
      syncOrder: async (c, _api, orderId) => {
        synced.push([c.id, orderId]);
        return syncOrder ? syncOrder(c, orderId) : result(1);
      },
    },
    wakeups,
    publisher,
    clock: new VirtualClock(OBSERVED_AT),
    deadLetters,
    logger: silentLogger(),
  });
  return { service, synced, recorded, deadLetters, wakeups, publisher };
}

describe('NotificationService (no SQS)', () => {
  it('when ORDER_CHANGE arrives, then that one order is read for each enabled connection of the seller and marketplace', async () => {
    const t = setup([
      conn('us'),
      conn('us-2'),
      conn('eu', { marketplaceIds: ['A1PA6795UKMFR9'] }),
      conn('other-seller', { sellerId: 'AOTHER' }),
    ]);
    await expect(t.service.handle(orderChange(), 'm1')).resolves.toBe('orders-synced');
    expect(t.synced).toEqual([
      ['us', '903-8868176-2219830'],
      ['us-2', '903-8868176-2219830'],
    ]);
    expect(t.recorded).toEqual([]);
  });

  it('when no enabled connection sells as the seller, then nothing is read and the message may go', async () => {
    const t = setup([conn('off', { enabled: false }), conn('other', { sellerId: 'AOTHER' })]);
    await expect(t.service.handle(orderChange())).resolves.toBe('no-connection');
    expect(t.synced).toEqual([]);
  });

  it('when reading the order fails in a way worth retrying, then handle throws so the message stays in the queue', async () => {
    const t = setup([conn('us')], async () => {
      throw new RetriableError('SPAPI_THROTTLED', 'getOrder answered 429');
    });
    await expect(t.service.handle(orderChange())).rejects.toThrow('getOrder answered 429');
    expect(t.recorded).toEqual([]);
  });

  it('when Amazon refuses the order for good, then the message is recorded with the reason and may go', async () => {
    const t = setup([conn('us')], async () => {
      throw new NonRetriableError('SPAPI_NOTFOUND', 'getOrder answered 404 NotFound');
    });
    await expect(t.service.handle(orderChange(), 'm2')).resolves.toBe('dead-lettered');
    expect(t.recorded).toEqual([
      { body: orderChange(), code: 'SPAPI_NOTFOUND', message: 'getOrder answered 404 NotFound' },
    ]);
  });

  it.each([
    ['not JSON', '{"Notific', 'MALFORMED_NOTIFICATION_NOT_JSON'],
    [
      'of a type not subscribed to',
      '{"NotificationType":"B2B_ANY_OFFER_CHANGED"}',
      'MALFORMED_NOTIFICATION_UNSUPPORTED_NOTIFICATION_TYPE',
    ],
    [
      'without its order id',
      JSON.stringify({
        ...example('OrderChangeNotification.json'),
        Payload: { OrderChangeNotification: { SellerId: 'A3TH9S8BH6GOGM' } },
      }),
      'MALFORMED_NOTIFICATION_SHAPE',
    ],
  ])(
    'when a message %s arrives, then it is recorded whole with the reason, and no order is read',
    async (_what, body, code) => {
      const t = setup([conn('us')]);
      await expect(t.service.handle(body, 'm3')).resolves.toBe('dead-lettered');
      expect(t.recorded).toEqual([expect.objectContaining({ body, code })]);
      expect(t.synced).toEqual([]);
    },
  );

  it('when the dead letters cannot be written, then handle throws: the malformed message is never deleted unrecorded', async () => {
    const t = setup([conn('us')]);
    t.deadLetters.fail = true;
    await expect(t.service.handle('not json')).rejects.toThrow('dead-letter queue is unreachable');
  });

  it('when REPORT_PROCESSING_FINISHED arrives, then the waiter of that report is woken', async () => {
    const t = setup([conn('us')]);
    const waiting = t.wakeups.sleep(reportWakeKey('54517018502'), 3_600_000);
    await expect(
      t.service.handle(JSON.stringify(example('ReportProcessingFinishedNotification.json'))),
    ).resolves.toBe('woken');
    await expect(waiting).resolves.toBe('woken');
    expect(t.synced).toEqual([]);
  });

  it('when FEED_PROCESSING_FINISHED arrives, then amazon.feed-status.v1 gets the feed for each enabled connection of the seller, keyed <connectionId>/<feedId>', async () => {
    const publisher = new FakeEventPublisher();
    const t = setup(
      [
        conn('us'),
        conn('eu', { marketplaceIds: ['A1PA6795UKMFR9'] }),
        conn('off', { enabled: false }),
        conn('other-seller', { sellerId: 'AOTHER' }),
      ],
      undefined,
      publisher,
    );
    await expect(t.service.handle(feedFinished(), 'm5')).resolves.toBe('feed-status-published');
    const events = publisher.on('amazon.feed-status.v1');
    expect(events.map((r) => r.key)).toEqual(['us/53347018456', 'eu/53347018456']);
    expect(events[0].value).toEqual({
      eventId: '53347018456#DONE',
      connectionId: 'us',
      sellerId: 'A3TH9S8BH6GOGM',
      feedId: '53347018456',
      feedType: 'POST_PRODUCT_DATA',
      processingStatus: 'DONE',
      resultFeedDocumentId: 'amzn1.tortuga.3.edbcd0d8-3434-8222-1234-52ad8ade1208.URUTI57URI9BMZ',
      finishedAt: Date.parse('2020-07-13T19:42:04.284Z'),
      notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
      observedAt: OBSERVED_AT,
    });
    expect(t.recorded).toEqual([]);
    expect(t.synced).toEqual([]);
  });

  it('when the same feed notification is delivered twice, then both events carry the same eventId', async () => {
    const publisher = new FakeEventPublisher();
    const t = setup([conn('us')], undefined, publisher);
    await t.service.handle(feedFinished());
    await t.service.handle(feedFinished());
    const ids = publisher.on('amazon.feed-status.v1').map((r) => r.value.eventId);
    expect(ids).toEqual(['53347018456#DONE', '53347018456#DONE']);
  });

  it('when a feed ends FATAL without a result document, then the event says so', async () => {
    const publisher = new FakeEventPublisher();
    const t = setup([conn('us')], undefined, publisher);
    await t.service.handle(feedFinished({ processingStatus: 'FATAL', resultFeedDocumentId: undefined }));
    expect(publisher.on('amazon.feed-status.v1')[0].value).toMatchObject({
      eventId: '53347018456#FATAL',
      processingStatus: 'FATAL',
      resultFeedDocumentId: null,
    });
  });

  it("when no enabled connection is the feed notification's seller, then nothing is published and the message may go", async () => {
    const publisher = new FakeEventPublisher();
    const t = setup([conn('other', { sellerId: 'AOTHER' })], undefined, publisher);
    await expect(t.service.handle(feedFinished())).resolves.toBe('no-connection');
    expect(publisher.published).toEqual([]);
    expect(t.recorded).toEqual([]);
  });

  it('when a feed notification names no seller (a vendor account), then it is recorded with the reason and nothing is published', async () => {
    const publisher = new FakeEventPublisher();
    const t = setup([conn('us')], undefined, publisher);
    const body = feedFinished({ sellerId: undefined, accountId: 'amzn1.vg.6213651' });
    await expect(t.service.handle(body, 'm6')).resolves.toBe('dead-lettered');
    expect(t.recorded).toEqual([expect.objectContaining({ body, code: 'FEED_NOTIFICATION_NO_SELLER' })]);
    expect(publisher.published).toEqual([]);
  });

  it('when a feed notification lacks its feed id, then it is recorded as malformed and nothing is published', async () => {
    const publisher = new FakeEventPublisher();
    const t = setup([conn('us')], undefined, publisher);
    const body = feedFinished({ feedId: undefined });
    await expect(t.service.handle(body, 'm7')).resolves.toBe('dead-lettered');
    expect(t.recorded).toEqual([expect.objectContaining({ body, code: 'MALFORMED_NOTIFICATION_SHAPE' })]);
    expect(publisher.published).toEqual([]);
  });

  it('when Kafka is unavailable, then handle throws so the feed notification stays in the queue', async () => {
    const down: EventPublisher = {
      publish: async () => {
        throw new RetriableError('KAFKA_UNAVAILABLE', 'no broker answers');
      },
    };
    const t = setup([conn('us')], undefined, down);
    await expect(t.service.handle(feedFinished())).rejects.toThrow('no broker answers');
    expect(t.recorded).toEqual([]);
  });

  it('when Kafka refuses the record for good, then the notification is recorded with the reason', async () => {
    const refuses: EventPublisher = {
      publish: async (topic: TopicName) => {
        throw new NonRetriableError('SCHEMA_INCOMPATIBLE', `${topic} refuses the record`);
      },
    };
    const t = setup([conn('us')], undefined, refuses);
    await expect(t.service.handle(feedFinished(), 'm8')).resolves.toBe('dead-lettered');
    expect(t.recorded).toEqual([expect.objectContaining({ code: 'SCHEMA_INCOMPATIBLE' })]);
  });
});

describe('feedStatusEvents (FEED_PROCESSING_FINISHED → FeedProcessingFinished)', () => {
  const parsed = (over: Record<string, unknown> = {}) => {
    const n = parseNotification(feedFinished(over));
    if (n.type !== 'FEED_PROCESSING_FINISHED') throw new Error('not a feed notification');
    return n.notification;
  };

  it('when the seller has two connections, then each gets its own event with the same deterministic eventId', () => {
    const events = feedStatusEvents(parsed(), [conn('a'), conn('b')], 5);
    expect(events.map((e) => [e.connectionId, e.eventId, e.observedAt])).toEqual([
      ['a', '53347018456#DONE', 5],
      ['b', '53347018456#DONE', 5],
    ]);
  });

  it('when a status the schema does not know comes through, then it is UNKNOWN, not a failure', () => {
    const n = parsed();
    const odd = {
      ...n,
      payload: {
        feedProcessingFinishedNotification: {
          ...n.payload.feedProcessingFinishedNotification,
          processingStatus: 'SOMETHING_NEW' as 'DONE',
        },
      },
    };
    expect(feedStatusEvents(odd, [conn('a')], 0)[0]).toMatchObject({
      processingStatus: 'UNKNOWN',
      eventId: '53347018456#UNKNOWN',
    });
  });

  it('when the notification has no sellerId, then it is refused, not retriable', () => {
    let thrown: unknown;
    try {
      feedStatusEvents(parsed({ sellerId: undefined }), [conn('a')], 0);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NonRetriableError);
    expect((thrown as NonRetriableError).code).toBe('FEED_NOTIFICATION_NO_SELLER');
  });
});
