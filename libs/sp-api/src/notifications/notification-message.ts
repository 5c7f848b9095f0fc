import { z } from 'zod';
import { NonRetriableError } from '@connector/core';

/**
 * SP-API notifications as Amazon delivers them to an SQS destination: the message body is the
 * notification's JSON. Shapes from Amazon's JSON Schemas (reference/sp-api/schemas/notifications):
 * ORDER_CHANGE is PascalCase (`NotificationVersion`, `Payload.OrderChangeNotification`, …), while
 * REPORT_PROCESSING_FINISHED and FEED_PROCESSING_FINISHED are camelCase (`notificationVersion`,
 * `payload.reportProcessingFinishedNotification`, …). Fields Amazon adds later are kept (loose objects);
 * every field the schemas mark required is checked.
 */

const str = z.string().min(1);
const isoTime = z.iso.datetime({ offset: true });
const nullableStr = z.string().nullable();

export const orderChangeNotificationSchema = z.looseObject({
  NotificationVersion: str,
  NotificationType: z.literal('ORDER_CHANGE'),
  PayloadVersion: str,
  EventTime: isoTime,
  Payload: z.looseObject({
    OrderChangeNotification: z.looseObject({
      NotificationLevel: z.enum(['OrderItemLevel', 'OrderLevel']),
      SellerId: str,
      AmazonOrderId: str,
      OrderChangeType: z.enum(['BuyerRequestedChange', 'DeliveryTipChange', 'OrderStatusChange']),
      OrderChangeTrigger: z.looseObject({
        TimeOfOrderChange: isoTime.nullable(),
        ChangeReason: z.string(),
      }),
      Summary: z.looseObject({
        MarketplaceId: str,
        OrderStatus: z.enum([
          'Pending',
          'Unshipped',
          'PartiallyShipped',
          'Shipped',
          'Canceled',
          'Unfulfillable',
          'InvoiceUnconfirmed',
          'PendingAvailability',
        ]),
        PurchaseDate: nullableStr,
        DestinationPostalCode: nullableStr,
        FulfillmentType: z.enum(['AFN', 'MFN']),
        OrderType: z.enum([
          'StandardOrder',
          'LongLeadTimeOrder',
          'Preorder',
          'BackOrder',
          'SourcingOnDemandOrder',
        ]),
        NumberOfItemsShipped: z.number().int().optional(),
        NumberOfItemsUnshipped: z.number().int().optional(),
        OrderItems: z.array(
          z.looseObject({
            OrderItemId: str,
            SellerSKU: z.string(),
            SupplySourceId: nullableStr,
            Quantity: z.number().int(),
            OrderItemStatus: z.enum(['Unshipped', 'Shipped']).optional(),
            QuantityShipped: z.number().int().optional(),
            IsBuyerRequestedCancel: z.boolean().optional(),
          }),
        ),
      }),
    }),
  }),
  NotificationMetadata: z.looseObject({
    ApplicationId: str,
    SubscriptionId: str,
    PublishTime: isoTime,
    NotificationId: str,
  }),
});

const camelMetadata = z.looseObject({
  applicationId: str,
  subscriptionId: str,
  publishTime: isoTime,
  notificationId: str,
});
const processingStatus = z.enum(['CANCELLED', 'DONE', 'FATAL']);

export const reportProcessingFinishedNotificationSchema = z.looseObject({
  notificationVersion: str,
  notificationType: z.literal('REPORT_PROCESSING_FINISHED'),
  payloadVersion: str,
  eventTime: isoTime,
  payload: z.looseObject({
    reportProcessingFinishedNotification: z.looseObject({
      sellerId: str.optional(),
      accountId: str,
      reportId: str,
      reportType: str,
      processingStatus,
      reportDocumentId: str.optional(),
    }),
  }),
  notificationMetadata: camelMetadata,
});

export const feedProcessingFinishedNotificationSchema = z.looseObject({
  notificationVersion: str,
  notificationType: z.literal('FEED_PROCESSING_FINISHED'),
  payloadVersion: str,
  eventTime: isoTime,
  payload: z.looseObject({
    feedProcessingFinishedNotification: z.looseObject({
      sellerId: str.optional(),
      accountId: str,
      feedId: str,
      feedType: str,
      processingStatus,
      resultFeedDocumentId: str.optional(),
    }),
  }),
  notificationMetadata: camelMetadata,
});

export type OrderChangeNotification = z.infer<typeof orderChangeNotificationSchema>;
export type ReportProcessingFinishedNotification = z.infer<typeof reportProcessingFinishedNotificationSchema>;
export type FeedProcessingFinishedNotification = z.infer<typeof feedProcessingFinishedNotificationSchema>;

/** A validated notification, by type. */
export type SpApiNotification =
  | { type: 'ORDER_CHANGE'; notificationId: string; notification: OrderChangeNotification }
  | {
      type: 'REPORT_PROCESSING_FINISHED';
      notificationId: string;
      notification: ReportProcessingFinishedNotification;
    }
  | {
      type: 'FEED_PROCESSING_FINISHED';
      notificationId: string;
      notification: FeedProcessingFinishedNotification;
    };

export type MalformedNotificationReason =
  'NOT_JSON' | 'NOT_AN_OBJECT' | 'UNSUPPORTED_NOTIFICATION_TYPE' | 'SHAPE';

/**
 * A message that is not a notification the connector can act on. Never retriable: the same bytes fail
 * the same way. The message names fields and types, never values (an order notification carries the
 * buyer's postal code).
 */
export class MalformedNotificationError extends NonRetriableError {
  constructor(
    readonly reason: MalformedNotificationReason,
    detail: string,
    /** the notification's type and id when they could be read */
    readonly notificationType?: string,
    readonly notificationId?: string,
  ) {
    super(`MALFORMED_NOTIFICATION_${reason}`, `malformed SP-API notification (${reason}): ${detail}`);
  }
}

const describeIssues = (error: z.ZodError) =>
  error.issues
    .slice(0, 5)
    .map(
      (i) =>
        `${i.path.join('.') || '(root)'}: ${i.code}${i.code === 'invalid_type' ? ` (expected ${i.expected})` : ''}`,
    )
    .join('; ') + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '');

/** Parses and validates an SQS message body as an SP-API notification; throws MalformedNotificationError. */
export function parseNotification(body: string): SpApiNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedNotificationError('NOT_JSON', `${body.length} characters that are not JSON`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new MalformedNotificationError('NOT_AN_OBJECT', 'the body is JSON but not an object');
  const o = json as Record<string, unknown>;
  const type = typeof o.NotificationType === 'string' ? o.NotificationType : o.notificationType;
  const meta = (o.NotificationMetadata ?? o.notificationMetadata) as Record<string, unknown> | undefined;
  const id = meta && typeof meta === 'object' ? (meta.NotificationId ?? meta.notificationId) : undefined;
  const idText = typeof id === 'string' ? id : undefined;
  const typeText = typeof type === 'string' ? type : undefined;
  const fail = (error: z.ZodError): never => {
    throw new MalformedNotificationError('SHAPE', describeIssues(error), typeText, idText);
  };
  switch (type) {
    case 'ORDER_CHANGE': {
      const r = orderChangeNotificationSchema.safeParse(json);
      if (!r.success) return fail(r.error);
      return { type, notificationId: r.data.NotificationMetadata.NotificationId, notification: r.data };
    }
    case 'REPORT_PROCESSING_FINISHED': {
      const r = reportProcessingFinishedNotificationSchema.safeParse(json);
      if (!r.success) return fail(r.error);
      return { type, notificationId: r.data.notificationMetadata.notificationId, notification: r.data };
    }
    case 'FEED_PROCESSING_FINISHED': {
      const r = feedProcessingFinishedNotificationSchema.safeParse(json);
      if (!r.success) return fail(r.error);
      return { type, notificationId: r.data.notificationMetadata.notificationId, notification: r.data };
    }
    default:
      throw new MalformedNotificationError(
        'UNSUPPORTED_NOTIFICATION_TYPE',
        typeText ? `type ${typeText} is not one the connector subscribes to` : 'no NotificationType',
        typeText,
        idText,
      );
  }
}
