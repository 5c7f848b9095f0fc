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
      send: () =>
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
});
