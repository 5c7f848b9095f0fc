import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NonRetriableError, RetriableError, VirtualClock } from '@connector/core';
import type { Connection } from '@connector/db';
import { connectionSettingsSchema } from '@connector/db';
import { silentLogger } from '@connector/observability';
import { ProcessingWakeups, reportWakeKey, type SellingPartnerApi } from '@connector/sp-api';
import type { OrderSyncResult } from '../../orders/order-sync.service';
import { NotificationService, type NotificationDeadLetters } from '../notification.service';

const SCHEMAS = path.resolve(__dirname, '../../../../../reference/sp-api/schemas/notifications');
const example = (file: string) =>
  (JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as { examples: Array<Record<string, unknown>> })
    .examples[0];
/** Amazon's ORDER_CHANGE example (seller A3TH9S8BH6GOGM, order 903-8868176-2219830, US marketplace). */
const orderChange = () => JSON.stringify(example('OrderChangeNotification.json'));

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
    deadLetters,
    logger: silentLogger(),
  });
  return { service, synced, recorded, deadLetters, wakeups };
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

  it('when FEED_PROCESSING_FINISHED arrives, then it is settled without reading anything', async () => {
    const t = setup([conn('us')]);
    await expect(
      t.service.handle(JSON.stringify(example('FeedProcessingFinishedNotification.json'))),
    ).resolves.toBe('woken');
    expect(t.synced).toEqual([]);
  });
});
