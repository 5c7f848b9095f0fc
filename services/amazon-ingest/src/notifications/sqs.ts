import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { errorCode, errorMessage, isRetriable } from '@connector/core';
import type { Logger } from '@connector/observability';
import type { AppConfig } from '../config';
import type { NotificationDeadLetters, NotificationService } from './notification.service';

/** The SQS client of the configuration: ElasticMQ's endpoint and dummy keys locally, AWS's defaults otherwise. */
export function sqsClientOf(c: AppConfig): SQSClient {
  return new SQSClient({
    region: c.SQS_REGION,
    ...(c.SQS_ENDPOINT ? { endpoint: c.SQS_ENDPOINT } : {}),
    ...(c.SQS_ACCESS_KEY_ID && c.SQS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: c.SQS_ACCESS_KEY_ID, secretAccessKey: c.SQS_SECRET_ACCESS_KEY } }
      : {}),
  });
}

/**
 * Dead letters on an SQS queue: the message body unchanged (replayable: move it back to the
 * notifications queue once the cause is fixed, e.g. with SQS's StartMessageMoveTask), the reason in
 * message attributes.
 */
export class SqsDeadLetters implements NotificationDeadLetters {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async record(body: string, reason: { code: string; message: string; messageId?: string }): Promise<void> {
    const text = (v: string) => ({ DataType: 'String', StringValue: v.slice(0, 1000) || '-' });
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body || '(empty)',
        MessageAttributes: {
          'x-dlq-reason': text(reason.code),
          'x-dlq-message': text(reason.message),
          'x-dlq-source': text('amazon-ingest/notifications'),
          ...(reason.messageId ? { 'x-dlq-message-id': text(reason.messageId) } : {}),
        },
      }),
    );
  }
}

/**
 * The queue's long-poll loop, thin: receive, hand each body to the service, delete what it settled.
 * A message whose handling throws is left alone: SQS shows it again after the visibility timeout, and
 * the queue's redrive policy moves it to the dead letters after its last receive (no poison loop).
 */
export class SqsNotificationConsumer {
  private running?: Promise<void>;
  private abort?: AbortController;

  constructor(
    private readonly deps: {
      sqs: SQSClient;
      queueUrl: string;
      service: Pick<NotificationService, 'handle'>;
      logger: Logger;
      waitSec: number;
      visibilitySec: number;
      /** pause after a failed receive (SQS unreachable) */
      retryMs?: number;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { sqs, queueUrl, logger } = this.deps;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.deps.waitSec,
            VisibilityTimeout: this.deps.visibilitySec,
          }),
          { abortSignal: signal },
        );
        messages = res.Messages ?? [];
      } catch (err) {
        if (signal.aborted) return;
        logger.error({ code: errorCode(err), err: errorMessage(err) }, 'SQS receive failed; retrying');
        await new Promise((r) => setTimeout(r, this.deps.retryMs ?? 2000));
        continue;
      }
      await Promise.all(messages.map((m) => this.settle(m)));
    }
  }

  private async settle(m: Message): Promise<void> {
    const { sqs, queueUrl, logger, service } = this.deps;
    try {
      await service.handle(m.Body ?? '', m.MessageId);
    } catch (err) {
      logger.warn(
        { messageId: m.MessageId, code: errorCode(err), retriable: isRetriable(err), err: errorMessage(err) },
        'SP-API notification not settled; SQS shows it again after the visibility timeout',
      );
      return;
    }
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    } catch (err) {
      // settled but not deleted: it comes back, and the service's idempotency makes the repeat harmless
      logger.warn({ messageId: m.MessageId, err: errorMessage(err) }, 'SQS delete failed');
    }
  }
}
