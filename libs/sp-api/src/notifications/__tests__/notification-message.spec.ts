import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRetriable } from '@connector/core';
import {
  MalformedNotificationError,
  parseNotification,
  type OrderChangeNotification,
  type ReportProcessingFinishedNotification,
} from '../notification-message';

const SCHEMAS = path.resolve(__dirname, '../../../../../reference/sp-api/schemas/notifications');
/** Amazon's own examples, from the JSON Schemas copied into reference/ (SOURCE.md). */
const examples = (file: string) =>
  (JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as { examples: object[] }).examples;
const orderChange = () =>
  structuredClone(examples('OrderChangeNotification.json')[0]) as OrderChangeNotification;
/** a part of a notification, to spoil as a test needs */
const loose = (o: object) => o as Record<string, unknown>;

const malformed = (body: string): MalformedNotificationError => {
  try {
    parseNotification(body);
  } catch (err) {
    if (err instanceof MalformedNotificationError) return err;
    throw err;
  }
  throw new Error('parsed');
};

describe('parseNotification (Amazon documented payload shapes)', () => {
  it("when Amazon's ORDER_CHANGE example arrives, then it parses with its order, seller and marketplace", () => {
    const n = parseNotification(JSON.stringify(orderChange()));
    expect(n.type).toBe('ORDER_CHANGE');
    if (n.type !== 'ORDER_CHANGE') throw new Error(n.type);
    expect(n.notificationId).toBe('d0e9e693-c3ad-4373-979f-ed4ec98dd746');
    const p = n.notification.Payload.OrderChangeNotification;
    expect([p.AmazonOrderId, p.SellerId, p.Summary.MarketplaceId, p.Summary.OrderStatus]).toEqual([
      '903-8868176-2219830',
      'A3TH9S8BH6GOGM',
      'ATVPDKIKX0DER',
      'Unshipped',
    ]);
  });

  it.each(examples('ReportProcessingFinishedNotification.json').map((e, i) => [i, e]))(
    "when Amazon's REPORT_PROCESSING_FINISHED example %i arrives (camelCase, with or without sellerId), then it parses",
    (_i, e) => {
      const n = parseNotification(JSON.stringify(e));
      expect(n.type).toBe('REPORT_PROCESSING_FINISHED');
      if (n.type !== 'REPORT_PROCESSING_FINISHED') throw new Error(n.type);
      expect(n.notification.payload.reportProcessingFinishedNotification.reportId).toBe('54517018502');
    },
  );

  it.each(examples('FeedProcessingFinishedNotification.json').map((e, i) => [i, e]))(
    "when Amazon's FEED_PROCESSING_FINISHED example %i arrives, then it parses with its feed id",
    (_i, e) => {
      const n = parseNotification(JSON.stringify(e));
      expect(n.type).toBe('FEED_PROCESSING_FINISHED');
      if (n.type !== 'FEED_PROCESSING_FINISHED') throw new Error(n.type);
      expect(n.notification.payload.feedProcessingFinishedNotification.feedId).toMatch(/^\d+$/);
    },
  );

  it('when a field Amazon adds later is present, then it is kept and the notification still parses', () => {
    const o = orderChange();
    loose(o.Payload.OrderChangeNotification.Summary).NewField = 'x';
    const n = parseNotification(JSON.stringify(o));
    expect(n.type === 'ORDER_CHANGE' && n.notification.Payload.OrderChangeNotification.Summary.NewField).toBe(
      'x',
    );
  });

  it.each([
    ['a cut body', '{"NotificationType":"ORDER_', 'NOT_JSON'],
    ['an array', '[]', 'NOT_AN_OBJECT'],
    ['null', 'null', 'NOT_AN_OBJECT'],
    [
      'a type the connector does not subscribe to',
      '{"NotificationType":"ANY_OFFER_CHANGED"}',
      'UNSUPPORTED_NOTIFICATION_TYPE',
    ],
    ['no type at all', '{"Payload":{}}', 'UNSUPPORTED_NOTIFICATION_TYPE'],
  ])(
    'when the body is %s, then a non-retriable MalformedNotificationError says %s',
    (_what, body, reason) => {
      const err = malformed(body);
      expect(err.reason).toBe(reason);
      expect(err.code).toBe(`MALFORMED_NOTIFICATION_${reason}`);
      expect(isRetriable(err)).toBe(false);
    },
  );

  it.each([
    [
      'the order id is missing',
      (o: OrderChangeNotification) => delete loose(o.Payload.OrderChangeNotification).AmazonOrderId,
      'Payload.OrderChangeNotification.AmazonOrderId',
    ],
    [
      'the status is not one Amazon lists',
      (o: OrderChangeNotification) => (loose(o.Payload.OrderChangeNotification.Summary).OrderStatus = 'Lost'),
      'Payload.OrderChangeNotification.Summary.OrderStatus',
    ],
    [
      'a quantity is text',
      (o: OrderChangeNotification) =>
        (loose(o.Payload.OrderChangeNotification.Summary.OrderItems[0]).Quantity = '10'),
      'Payload.OrderChangeNotification.Summary.OrderItems.0.Quantity',
    ],
    [
      'EventTime is not a date-time',
      (o: OrderChangeNotification) => (o.EventTime = 'yesterday'),
      'EventTime',
    ],
    [
      'the metadata has no NotificationId',
      (o: OrderChangeNotification) => delete loose(o.NotificationMetadata).NotificationId,
      'NotificationMetadata.NotificationId',
    ],
    [
      'it is written in camelCase like the report notifications',
      (o: OrderChangeNotification) => {
        loose(o).payload = o.Payload;
        delete loose(o).Payload;
      },
      'Payload',
    ],
  ])(
    'when an ORDER_CHANGE arrives where %s, then the error names the field and no value of the order',
    (_what, spoil, field) => {
      const o = orderChange();
      spoil(o);
      const err = malformed(JSON.stringify(o));
      expect(err.reason).toBe('SHAPE');
      expect(err.notificationType).toBe('ORDER_CHANGE');
      expect(err.message).toContain(field);
      // the buyer's postal code and the order id never reach a log line through the message
      expect(err.message).not.toContain('48110');
      expect(err.message).not.toContain('903-8868176-2219830');
    },
  );

  it('when a report notification has no reportId, then it is malformed and names the field', () => {
    const e = structuredClone(
      examples('ReportProcessingFinishedNotification.json')[0],
    ) as ReportProcessingFinishedNotification;
    delete loose(e.payload.reportProcessingFinishedNotification).reportId;
    const err = malformed(JSON.stringify(e));
    expect(err.reason).toBe('SHAPE');
    expect(err.notificationId).toBe('d0e9e693-c3ad-4373-979f-ed4ec98dd746');
    expect(err.message).toContain('payload.reportProcessingFinishedNotification.reportId');
  });
});
