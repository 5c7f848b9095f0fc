import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type Producer,
} from 'kafkajs';
import { isRetriable, retryAfterOf } from '@connector/core';
import type { EventCodec } from '../avro-codec';
import { BROKER_AWAY_RETRY_AFTER_MS, KafkaEventPublisher, brokerAway } from '../publisher';

describe('publishing while the broker is away', () => {
  it('when kafkajs gives up on a broker that refuses connections, then the error is retriable and names a wait', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    for (const err of [
      new KafkaJSNonRetriableError(refused),
      new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 3000 }),
      refused,
    ]) {
      const away = brokerAway(err);
      expect(isRetriable(away)).toBe(true);
      expect(retryAfterOf(away)).toBe(BROKER_AWAY_RETRY_AFTER_MS);
    }
  });

  it('when the error is not about reaching the broker, then it passes unchanged', () => {
    const tooLarge = new KafkaJSProtocolError(
      'The request included a message larger than the max message size',
    );
    expect(brokerAway(tooLarge)).toBe(tooLarge);
    const mine = new Error('ECONNREFUSED elsewhere');
    expect(brokerAway(mine)).toBe(mine);
  });

  it('when the producer fails with the broker away, then publish rejects with the retriable error', async () => {
    const producer = {
      sendBatch: () =>
        Promise.reject(
          new KafkaJSNonRetriableError(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED')),
        ),
    } as unknown as Producer;
    const codec = {
      register: () => Promise.resolve(1),
      latestId: () => Promise.resolve(1),
      encode: () => Promise.resolve(Buffer.from('x')),
    } as unknown as EventCodec;
    const publisher = new KafkaEventPublisher(producer, codec, new Map([['t', 'string']]), {
      autoRegister: true,
    });
    await expect(publisher.publish('t', [{ key: 'k', value: 'v' }])).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
      retryAfterMs: BROKER_AWAY_RETRY_AFTER_MS,
    });
  });

  it('when publishes are made while a send is in flight, then they go together in the next send, in order', async () => {
    const sent: Array<Array<{ topic: string; keys: string[] }>> = [];
    let release!: () => void;
    const producer = {
      sendBatch: ({
        topicMessages,
      }: {
        topicMessages: Array<{ topic: string; messages: Array<{ key: string }> }>;
      }) => {
        sent.push(topicMessages.map((t) => ({ topic: t.topic, keys: t.messages.map((m) => m.key) })));
        return sent.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    } as unknown as Producer;
    const codec = {
      register: () => Promise.resolve(1),
      encode: () => Promise.resolve(Buffer.from('x')),
    } as unknown as EventCodec;
    const publisher = new KafkaEventPublisher(
      producer,
      codec,
      new Map([
        ['t', 'string'],
        ['u', 'string'],
      ]),
      {
        autoRegister: true,
      },
    );
    const first = publisher.publish('t', [{ key: 'a', value: 'v' }]);
    await new Promise((r) => setTimeout(r, 10));
    const rest = [
      publisher.publish('t', [{ key: 'b', value: 'v' }]),
      publisher.publish('u', [{ key: 'c', value: 'v' }]),
      publisher.publish('t', [{ key: 'd', value: 'v' }]),
    ];
    await new Promise((r) => setTimeout(r, 10));
    expect(sent).toHaveLength(1);
    release();
    await Promise.all([first, ...rest]);
    expect(sent).toEqual([
      [{ topic: 't', keys: ['a'] }],
      [
        { topic: 't', keys: ['b', 'd'] },
        { topic: 'u', keys: ['c'] },
      ],
    ]);
  });
});
