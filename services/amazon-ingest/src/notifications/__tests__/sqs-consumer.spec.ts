import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { RetriableError } from '@connector/core';
import { silentLogger } from '@connector/observability';
import { waitFor } from '@connector/testing';
import { SqsNotificationConsumer } from '../sqs';

/** An SQS client in memory: one batch of messages to receive, then empty long polls; deletes recorded. */
function fakeSqs(batch: Message[]) {
  const deleted: string[] = [];
  let received = 0;
  const client = {
    send: async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      if (command instanceof ReceiveMessageCommand) {
        received++;
        if (received === 1) return { Messages: batch };
        // an empty long poll, ended by the consumer's stop
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 50);
          options?.abortSignal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        return { Messages: [] };
      }
      if (command instanceof DeleteMessageCommand) {
        deleted.push(command.input.ReceiptHandle!);
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as SQSClient, deleted, received: () => received };
}

describe('SqsNotificationConsumer (SQS in memory)', () => {
  it('when the service settles a message, then it is deleted; when the service throws, then it stays for SQS to show again', async () => {
    const sqs = fakeSqs([
      { MessageId: 'ok', ReceiptHandle: 'r-ok', Body: 'settled' },
      { MessageId: 'retry', ReceiptHandle: 'r-retry', Body: 'throttled' },
    ]);
    const handled: string[] = [];
    const consumer = new SqsNotificationConsumer({
      sqs: sqs.client,
      queueUrl: 'http://sqs/q',
      service: {
        handle: async (body) => {
          handled.push(body);
          if (body === 'throttled') throw new RetriableError('SPAPI_THROTTLED', 'getOrder answered 429');
          return 'orders-synced';
        },
      },
      logger: silentLogger(),
      waitSec: 1,
      visibilitySec: 30,
    });
    consumer.start();
    await waitFor(() => sqs.received() >= 2, { what: 'the next long poll' });
    await consumer.stop();
    expect(handled.sort()).toEqual(['settled', 'throttled']);
    expect(sqs.deleted).toEqual(['r-ok']);
  });
});
