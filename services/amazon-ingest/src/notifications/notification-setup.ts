import type { Connection, ConnectionCredentials } from '@connector/db';
import type { Logger } from '@connector/observability';
import {
  NOTIFICATION_PAYLOAD_VERSIONS,
  type NotificationsApi,
  type SubscribedNotificationType,
} from '@connector/sp-api';

const TYPES = Object.keys(NOTIFICATION_PAYLOAD_VERSIONS) as SubscribedNotificationType[];

/**
 * Makes sure a connection's notifications reach the queue: the application's destination for the SQS
 * ARN (grantless), and the seller's subscriptions to ORDER_CHANGE, REPORT_PROCESSING_FINISHED and
 * FEED_PROCESSING_FINISHED pointing at it. Idempotent: what exists is kept, so it runs at every
 * connection start and again on a slow schedule (a subscription deleted by hand comes back).
 */
export class NotificationSetup {
  constructor(
    private readonly deps: {
      api: (conn: Connection, creds: ConnectionCredentials) => NotificationsApi;
      credentials: (connectionId: string) => Promise<ConnectionCredentials>;
      destinationName: string;
      queueArn: string;
      logger: Logger;
    },
  ) {}

  async ensure(conn: Connection): Promise<Record<SubscribedNotificationType, string>> {
    const api = this.deps.api(conn, await this.deps.credentials(conn.id));
    const destination = await api.ensureDestination(this.deps.destinationName, this.deps.queueArn);
    const actions = {} as Record<SubscribedNotificationType, string>;
    for (const type of TYPES)
      actions[type] = (await api.ensureSubscription(type, destination.destinationId)).action;
    this.deps.logger.info(
      { connectionId: conn.id, destinationId: destination.destinationId, subscriptions: actions },
      'SP-API notifications subscribed',
    );
    return actions;
  }
}
