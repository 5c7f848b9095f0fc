import { SpApiRequestError } from '../errors';
import type { definitions as Notifications } from '../generated/notifications';
import type { SpApiClient } from '../sp-api.client';

const enc = encodeURIComponent;

export type Destination = Notifications['Destination'];
export type Subscription = Notifications['Subscription'];
export type ProcessingDirective = Notifications['ProcessingDirective'];

/** The notification types the connector subscribes to, with the payload version Amazon documents for each. */
export const NOTIFICATION_PAYLOAD_VERSIONS = {
  ORDER_CHANGE: '1.0',
  REPORT_PROCESSING_FINISHED: '2020-09-04',
  FEED_PROCESSING_FINISHED: '2020-09-04',
} as const;
export type SubscribedNotificationType = keyof typeof NOTIFICATION_PAYLOAD_VERSIONS;

const status = (err: unknown) => (err instanceof SpApiRequestError ? err.context.status : undefined);

/**
 * Notifications API v1 (reference/sp-api/models/notifications.json, FACTS §11). Destinations belong to
 * the application and are grantless (a client-credentials token with the notifications scope);
 * subscriptions belong to a selling partner (its own token), except deleteSubscriptionById, which is
 * grantless. Two clients therefore: the seller's and the application's.
 */
export class NotificationsApi {
  constructor(
    /** the selling partner's client (refresh-token grant) */
    private readonly seller: SpApiClient,
    /** the application's client (client-credentials grant, scope sellingpartnerapi::notifications) */
    private readonly grantless: SpApiClient,
  ) {}

  // ---- destinations (grantless)

  async getDestinations(): Promise<readonly Destination[]> {
    const res = await this.grantless.call<Notifications['GetDestinationsResponse']>(
      'getDestinations',
      'GET',
      '/notifications/v1/destinations',
    );
    return res.body.payload ?? [];
  }

  async createDestination(name: string, sqsArn: string): Promise<Destination> {
    const res = await this.grantless.call<Notifications['CreateDestinationResponse']>(
      'createDestination',
      'POST',
      '/notifications/v1/destinations',
      { body: { name, resourceSpecification: { sqs: { arn: sqsArn } } } },
    );
    return res.body.payload!;
  }

  async deleteDestination(destinationId: string): Promise<void> {
    await this.grantless.call(
      'deleteDestination',
      'DELETE',
      `/notifications/v1/destinations/${enc(destinationId)}`,
    );
  }

  // ---- subscriptions (the seller's, except deleteSubscriptionById)

  /** The seller's subscription to the type, or null when there is none (Amazon answers 404). */
  async getSubscription(notificationType: string, payloadVersion?: string): Promise<Subscription | null> {
    try {
      const res = await this.seller.call<Notifications['GetSubscriptionResponse']>(
        'getSubscription',
        'GET',
        `/notifications/v1/subscriptions/${enc(notificationType)}`,
        { query: { payloadVersion } },
      );
      return res.body.payload ?? null;
    } catch (err) {
      if (status(err) === 404) return null;
      throw err;
    }
  }

  async createSubscription(
    notificationType: string,
    body: { payloadVersion: string; destinationId: string; processingDirective?: ProcessingDirective },
  ): Promise<Subscription> {
    const res = await this.seller.call<Notifications['CreateSubscriptionResponse']>(
      'createSubscription',
      'POST',
      `/notifications/v1/subscriptions/${enc(notificationType)}`,
      { body },
    );
    return res.body.payload!;
  }

  async deleteSubscriptionById(notificationType: string, subscriptionId: string): Promise<void> {
    await this.grantless.call(
      'deleteSubscriptionById',
      'DELETE',
      `/notifications/v1/subscriptions/${enc(notificationType)}/${enc(subscriptionId)}`,
    );
  }

  // ---- idempotent set-up

  /**
   * The application's destination for the SQS queue: the one that already points at the ARN, or a new
   * one. A 409 (another process created it meanwhile) is answered by reading the list again.
   */
  async ensureDestination(name: string, sqsArn: string): Promise<Destination> {
    const find = async () => (await this.getDestinations()).find((d) => d.resource.sqs?.arn === sqsArn);
    const existing = await find();
    if (existing) return existing;
    try {
      return await this.createDestination(name, sqsArn);
    } catch (err) {
      const raced = status(err) === 409 ? await find() : undefined;
      if (raced) return raced;
      throw err;
    }
  }

  /**
   * The seller's subscription to the type, delivering to `destinationId`: kept when it exists and points
   * there, replaced when it points elsewhere, created when missing. Returns it and what was done.
   */
  async ensureSubscription(
    notificationType: SubscribedNotificationType,
    destinationId: string,
    processingDirective?: ProcessingDirective,
  ): Promise<{ subscription: Subscription; action: 'kept' | 'created' | 'replaced' }> {
    const payloadVersion = NOTIFICATION_PAYLOAD_VERSIONS[notificationType];
    const existing = await this.getSubscription(notificationType, payloadVersion);
    if (existing?.destinationId === destinationId) return { subscription: existing, action: 'kept' };
    if (existing) await this.deleteSubscriptionById(notificationType, existing.subscriptionId);
    const body = { payloadVersion, destinationId, ...(processingDirective ? { processingDirective } : {}) };
    try {
      const subscription = await this.createSubscription(notificationType, body);
      return { subscription, action: existing ? 'replaced' : 'created' };
    } catch (err) {
      // 409: created meanwhile by another replica
      const raced = status(err) === 409 ? await this.getSubscription(notificationType, payloadVersion) : null;
      if (raced?.destinationId === destinationId) return { subscription: raced, action: 'kept' };
      throw err;
    }
  }
}
