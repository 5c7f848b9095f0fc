import { RetriableError } from '@connector/core';
import { silentLogger } from '@connector/observability';
import type { EventCodec } from '../avro-codec';
import { RecordProcessor } from '../record-processor';
import { FakeDeadLetterSink } from '../testing';

describe('RecordProcessor while the broker is away', () => {
  it('when the heartbeat between attempts fails, then the record is still retried, not dead-lettered', async () => {
    const dlq = new FakeDeadLetterSink();
    const codec = { decode: async () => ({ value: { n: 1 } }) } as unknown as EventCodec;
    const processor = new RecordProcessor(codec, dlq, {
      service: 'test',
      maxAttempts: 5,
      retryBaseMs: 1,
      retryMaxMs: 5000,
      retryAfterBudgetMs: 600_000,
      logger: silentLogger(),
      sleep: async () => undefined,
    });
    let calls = 0;
    const outcome = await processor.process(
      {
        topic: 't',
        partition: 0,
        offset: '1',
        key: null,
        value: Buffer.from('x'),
        headers: {},
        timestamp: '0',
      },
      {
        topic: 't',
        handler: async () => {
          // the publish of the handler finds the broker away three times, then it is back
          if (++calls <= 3)
            throw new RetriableError('KAFKA_UNAVAILABLE', 'Kafka is away', { retryAfterMs: 5000 });
        },
      },
      () => Promise.reject(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092')),
    );
    expect(outcome).toBe('ok');
    expect(calls).toBe(4);
    expect(dlq.records).toHaveLength(0);
  });
});
