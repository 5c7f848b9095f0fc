import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SimOrder } from './dataset';
import { iso } from './http';
import { seededRandom } from './random';
import type { SimFeed, SimReport, SimState } from './state';

/**
 * The simulated Notifications API's state and its delivery: destinations (the application's SQS
 * queues), subscriptions (per seller and notification type) and the notifications themselves, sent
 * with a real SQS SendMessage (ElasticMQ locally) in Amazon's documented payload shape
 * (reference/sp-api/schemas/notifications): ORDER_CHANGE in PascalCase, REPORT_PROCESSING_FINISHED and
 * FEED_PROCESSING_FINISHED in camelCase.
 *
 * Choices where Amazon's public material is silent (marked so): the application id, the delay (Amazon
 * promises none; default 0 here, `deliveryDelayMs` adds one), and that each change sends one
 * OrderLevel notification with every item.
 */
export interface NotificationDeliveryOptions {
  /** the SQS-compatible endpoint the destination ARNs live on (ElasticMQ: http://127.0.0.1:19324) */
  sqsEndpoint?: string;
  region?: string;
  /** ElasticMQ takes any keys */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** extra time before a notification is sent (Amazon's delivery is not instant) */
  deliveryDelayMs?: number;
  /** share of notifications silently never sent (seeded), to prove the poller catches what is missed */
  dropRate?: number;
  /** notifications for which this answers true are never sent (a test's precise choice) */
  drop?: (type: string, key: string) => boolean;
}

export interface SimDestination {
  destinationId: string;
  name: string;
  arn: string;
}

export interface SimSubscription {
  subscriptionId: string;
  sellerId: string;
  notificationType: string;
  payloadVersion: string;
  destinationId: string;
  processingDirective?: unknown;
}

export interface NotificationStats {
  sent: Record<string, number>;
  dropped: Record<string, number>;
  /** SendMessage failures (the queue is gone, ElasticMQ is down), with their message */
  failed: string[];
}

/** The simulated application's id, as `NotificationMetadata.ApplicationId` carries it (our choice of value). */
export const SIM_APPLICATION_ID = 'amzn1.sellerapps.app.sim-00000000-0000-0000-0000-000000000000';

const ORDER_STATUS: Record<SimOrder['status'], string> = {
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
};

export class SimNotifications {
  readonly destinations: SimDestination[] = [];
  readonly subscriptions: SimSubscription[] = [];
  readonly stats: NotificationStats = { sent: {}, dropped: {}, failed: [] };
  options: NotificationDeliveryOptions;
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly queueUrls = new Map<string, Promise<string>>();
  private readonly rnd: () => number;
  private sqs?: SQSClient;

  constructor(
    private readonly state: SimState,
    options: NotificationDeliveryOptions = {},
  ) {
    this.options = { ...options };
    this.rnd = seededRandom(state.opts.seed + 7);
  }

  /** Changes delivery (delay, drops, endpoint) from now on. */
  configure(options: Partial<NotificationDeliveryOptions>): void {
    if (options.sqsEndpoint !== undefined && options.sqsEndpoint !== this.options.sqsEndpoint) {
      this.sqs?.destroy();
      this.sqs = undefined;
      this.queueUrls.clear();
    }
    this.options = { ...this.options, ...options };
  }

  subscription(sellerId: string, notificationType: string): SimSubscription | undefined {
    return this.subscriptions.find((s) => s.sellerId === sellerId && s.notificationType === notificationType);
  }

  // ---------------------------------------------------------------- events of the simulated Amazon
  /** An order was created or changed: ORDER_CHANGE to the seller's subscription, if any. */
  orderChanged(o: SimOrder, reason = 'Order status changed'): void {
    this.deliver(o.sellerId, 'ORDER_CHANGE', o.orderId, 0, (sub) => ({
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: sub.payloadVersion,
      EventTime: iso(this.state.now()),
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: 'OrderLevel',
          SellerId: o.sellerId,
          AmazonOrderId: o.orderId,
          OrderChangeType: 'OrderStatusChange',
          OrderChangeTrigger: { TimeOfOrderChange: iso(o.lastUpdatedMs), ChangeReason: reason },
          Summary: {
            MarketplaceId: o.marketplaceId,
            OrderStatus: ORDER_STATUS[o.status],
            PurchaseDate: iso(o.createdMs),
            // the simulated orders carry no address: Amazon sends null "when there is no related information"
            DestinationPostalCode: null,
            FulfillmentType: o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
            OrderType: 'StandardOrder',
            NumberOfItemsShipped: o.items.reduce((n, it) => n + (it.shippedQuantity ?? 0), 0),
            NumberOfItemsUnshipped: o.items.reduce((n, it) => n + it.quantity - (it.shippedQuantity ?? 0), 0),
            OrderItems: o.items.map((it) => ({
              OrderItemId: it.orderItemId,
              SellerSKU: it.sku,
              SupplySourceId: null,
              Quantity: it.quantity,
            })),
          },
        },
      },
      NotificationMetadata: this.metadata(sub, 'PascalCase'),
    }));
  }

  /** A requested report was created: REPORT_PROCESSING_FINISHED when it is ready. */
  reportRequested(r: SimReport): void {
    this.deliver(
      r.sellerId,
      'REPORT_PROCESSING_FINISHED',
      r.reportId,
      r.readyMs - this.state.now(),
      (sub) => ({
        notificationVersion: '2020-09-04',
        notificationType: 'REPORT_PROCESSING_FINISHED',
        payloadVersion: sub.payloadVersion,
        eventTime: iso(r.readyMs),
        payload: {
          reportProcessingFinishedNotification: {
            sellerId: r.sellerId,
            accountId: `amzn1.merchant.o.${r.sellerId}`,
            reportId: r.reportId,
            reportType: r.reportType,
            processingStatus: 'DONE',
            reportDocumentId: r.documentId,
          },
        },
        notificationMetadata: this.metadata(sub, 'camelCase'),
      }),
    );
  }

  /** A feed was submitted: FEED_PROCESSING_FINISHED when it is processed. */
  feedCreated(f: SimFeed): void {
    this.deliver(f.sellerId, 'FEED_PROCESSING_FINISHED', f.feedId, f.readyMs - this.state.now(), (sub) => ({
      notificationVersion: '2020-09-04',
      notificationType: 'FEED_PROCESSING_FINISHED',
      payloadVersion: sub.payloadVersion,
      eventTime: iso(f.readyMs),
      payload: {
        feedProcessingFinishedNotification: {
          sellerId: f.sellerId,
          accountId: `amzn1.merchant.o.${f.sellerId}`,
          feedId: f.feedId,
          feedType: f.feedType,
          processingStatus: 'DONE',
          resultFeedDocumentId: `${f.feedId}-result`,
        },
      },
      notificationMetadata: this.metadata(sub, 'camelCase'),
    }));
  }

  /** Resolves when every notification due so far has been sent (or dropped, or failed). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.sqs?.destroy();
    this.sqs = undefined;
  }

  // ---------------------------------------------------------------- delivery
  private metadata(sub: SimSubscription, style: 'PascalCase' | 'camelCase') {
    const m = {
      applicationId: SIM_APPLICATION_ID,
      subscriptionId: sub.subscriptionId,
      publishTime: iso(this.state.now()),
      notificationId: randomUUID(),
    };
    return style === 'camelCase'
      ? m
      : {
          ApplicationId: m.applicationId,
          SubscriptionId: m.subscriptionId,
          PublishTime: m.publishTime,
          NotificationId: m.notificationId,
        };
  }

  private deliver(
    sellerId: string,
    type: string,
    key: string,
    dueInMs: number,
    render: (sub: SimSubscription) => object,
  ): void {
    const sub = this.subscription(sellerId, type);
    if (!sub) return;
    const destination = this.destinations.find((d) => d.destinationId === sub.destinationId);
    if (!destination) return;
    const { dropRate = 0, drop } = this.options;
    if (this.rnd() < dropRate || drop?.(type, key)) {
      this.stats.dropped[type] = (this.stats.dropped[type] ?? 0) + 1;
      return;
    }
    const wait = Math.max(0, dueInMs) + (this.options.deliveryDelayMs ?? 0);
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.pending.add(done);
    const send = () =>
      // rendered when sent: EventTime and PublishTime are the moment Amazon publishes
      this.send(destination.arn, JSON.stringify(render(sub)))
        .then(() => {
          this.stats.sent[type] = (this.stats.sent[type] ?? 0) + 1;
        })
        .catch((err: unknown) => {
          this.stats.failed.push(`${type} ${key}: ${String(err)}`);
        })
        .finally(() => {
          this.pending.delete(done);
          release();
        });
    if (wait === 0) return void send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void send();
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  private client(): SQSClient {
    const endpoint = this.options.sqsEndpoint;
    if (!endpoint) throw new Error('the simulator has no SQS endpoint to deliver notifications to');
    this.sqs ??= new SQSClient({
      endpoint,
      region: this.options.region ?? 'us-east-1',
      credentials: this.options.credentials ?? { accessKeyId: 'sim', secretAccessKey: 'sim' },
    });
    return this.sqs;
  }

  /** The queue an ARN names (`arn:aws:sqs:<region>:<account>:<name>`), found with GetQueueUrl. */
  private queueUrl(arn: string): Promise<string> {
    let url = this.queueUrls.get(arn);
    if (!url) {
      const [, , , , account, name] = arn.split(':');
      url = this.client()
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((r) => r.QueueUrl!);
      url.catch(() => this.queueUrls.delete(arn));
      this.queueUrls.set(arn, url);
    }
    return url;
  }

  private async send(arn: string, body: string): Promise<void> {
    const QueueUrl = await this.queueUrl(arn);
    await this.client().send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  }
}
