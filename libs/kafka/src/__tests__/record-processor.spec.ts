import { silentLogger } from '@connector/observability';
import type { EventCodec } from '../avro-codec';
import { FakeDeadLetterSink } from '../testing';
import { RecordProcessor, type RawRecord } from '../record-processor';
import { NonRetriableError, PoisonRecordError, RetriableError, backoffDelay } from '@connector/core';

/** A codec whose wire format is JSON behind a 0x00 byte, for tests that don't need a registry. */
class JsonCodec implements EventCodec {
  outage = 0;
  async register(): Promise<number> {
    return 1;
  }
  async latestId(): Promise<number> {
    return 1;
  }
  async encode(_id: number, value: unknown): Promise<Buffer> {
    return Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(JSON.stringify(value))]);
  }
  async decode<T>(buffer: Buffer): Promise<T> {
    if (this.outage > 0) {
      this.outage--;
      throw new RetriableError('SCHEMA_REGISTRY_UNAVAILABLE', 'registry down');
    }
    if (buffer[0] !== 0) throw new PoisonRecordError('bad magic byte');
    return JSON.parse(buffer.subarray(5).toString()) as T;
  }
}

const codec = new JsonCodec();
const raw = async (value: unknown, offset = '7'): Promise<RawRecord> => ({
  topic: 'amazon.orders.v1',
  partition: 1,
  offset,
  key: Buffer.from('c1/111'),
  value: await codec.encode(1, value),
  headers: { traceparent: 't' },
  timestamp: '1700000000000',
});

function setup(maxAttempts = 4) {
  const dlq = new FakeDeadLetterSink();
  const sleeps: number[] = [];
  const processor = new RecordProcessor(codec, dlq, {
    service: 'test',
    maxAttempts,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    logger: silentLogger(),
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { dlq, processor, sleeps };
}

describe('RecordProcessor', () => {
  it('when the handler succeeds, then it sees the decoded value with its origin', async () => {
    const { processor, dlq } = setup();
    const seen: unknown[] = [];
    const outcome = await processor.process(await raw({ id: 'a' }), {
      topic: 'amazon.orders.v1',
      handler: async (r) => {
        seen.push(r);
      },
    });
    expect(outcome).toBe('ok');
    expect(seen).toEqual([
      expect.objectContaining({ key: 'c1/111', value: { id: 'a' }, partition: 1, offset: '7' }),
    ]);
    expect(dlq.records).toHaveLength(0);
  });

  it('when the handler fails with a retriable error twice, then it is retried with jittered backoff and succeeds', async () => {
    const { processor, dlq, sleeps } = setup();
    let calls = 0;
    const outcome = await processor.process(await raw({ id: 'a' }), {
      topic: 'amazon.orders.v1',
      handler: async () => {
        if (++calls < 3) throw new RetriableError('RECORD_LOCKED', 'locked');
      },
    });
    expect(outcome).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
    expect(dlq.records).toHaveLength(0);
  });

  it('when the handler fails with a non-retriable error, then the record is dead-lettered at once with the reason', async () => {
    const { processor, dlq } = setup();
    let calls = 0;
    const outcome = await processor.process(await raw({ sku: 'X' }), {
      topic: 'amazon.orders.v1',
      handler: async () => {
        calls++;
        throw new NonRetriableError('UNMAPPED_SKU', 'SKU X has no ItemCode mapping');
      },
    });
    expect(outcome).toBe('dead_lettered');
    expect(calls).toBe(1);
    expect(dlq.records[0].failure).toMatchObject({
      code: 'UNMAPPED_SKU',
      retriable: false,
      attempts: 1,
      stage: 'handle',
    });
    expect(dlq.records[0].record.offset).toBe('7');
  });

  it('when a retriable error outlasts the attempts, then the record is dead-lettered with the attempt count', async () => {
    const { processor, dlq, sleeps } = setup(3);
    const outcome = await processor.process(await raw({ id: 'a' }), {
      topic: 'amazon.orders.v1',
      handler: async () => {
        throw new RetriableError('ERP_DOWN', 'outage');
      },
    });
    expect(outcome).toBe('dead_lettered');
    expect(sleeps).toHaveLength(2);
    expect(dlq.records[0].failure).toMatchObject({ code: 'ERP_DOWN', retriable: true, attempts: 3 });
  });

  it('when the value is not in the wire format, then it is dead-lettered without calling the handler', async () => {
    const { processor, dlq } = setup();
    const handler = jest.fn();
    const record = { ...(await raw({})), value: Buffer.from('not avro at all') };
    expect(await processor.process(record, { topic: 'amazon.orders.v1', handler })).toBe('dead_lettered');
    expect(handler).not.toHaveBeenCalled();
    expect(dlq.records[0].failure).toMatchObject({ code: 'POISON_RECORD', stage: 'decode' });
  });

  it('when an error names its own wait (a lease held elsewhere), then the record waits it out in steps without using attempts', async () => {
    const { processor, dlq, sleeps } = setup(1);
    let calls = 0;
    const outcome = await processor.process(await raw({ id: 1 }), {
      topic: 'amazon.orders.v1',
      handler: async () => {
        if (++calls <= 3)
          throw new RetriableError('LEASE_HELD', 'held by another writer', { retryAfterMs: 2500 });
      },
    });
    expect(outcome).toBe('ok');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([1000, 1000, 1000]); // steps of at most retryMaxMs, the lease re-asked after each
    expect(dlq.records).toEqual([]);
  });

  it('when an error that names its wait outlasts the wait budget, then its attempts count and it is dead-lettered', async () => {
    const dlq = new FakeDeadLetterSink();
    const processor = new RecordProcessor(codec, dlq, {
      service: 'test',
      maxAttempts: 2,
      retryBaseMs: 100,
      retryMaxMs: 1000,
      retryAfterBudgetMs: 1500,
      logger: silentLogger(),
      random: () => 0.5,
      sleep: async () => undefined,
    });
    const outcome = await processor.process(await raw({ id: 1 }), {
      topic: 'amazon.orders.v1',
      handler: async () => {
        throw new RetriableError('LEASE_HELD', 'held by another writer', { retryAfterMs: 60_000 });
      },
    });
    expect(outcome).toBe('dead_lettered');
    expect(dlq.records.map((r) => r.failure.code)).toEqual(['LEASE_HELD']);
  });

  it('when the registry is briefly down, then decoding is retried and the record is handled', async () => {
    const { processor, dlq } = setup();
    codec.outage = 2;
    const handler = jest.fn(async () => undefined);
    expect(await processor.process(await raw({ id: 'b' }), { topic: 'amazon.orders.v1', handler })).toBe(
      'ok',
    );
    expect(handler).toHaveBeenCalledTimes(1);
    expect(dlq.records).toHaveLength(0);
  });

  it('when the dead-letter sink fails, then process throws so the record is redelivered, not lost', async () => {
    const processor = new RecordProcessor(
      codec,
      {
        deadLetter: async () => {
          throw new Error('broker unavailable');
        },
      },
      { service: 't', maxAttempts: 1, retryBaseMs: 1, retryMaxMs: 1, logger: silentLogger() },
    );
    await expect(
      processor.process(await raw({}), {
        topic: 'amazon.orders.v1',
        handler: async () => {
          throw new NonRetriableError('X', 'x');
        },
      }),
    ).rejects.toThrow('broker unavailable');
  });
});

describe('backoffDelay', () => {
  it('when attempts grow, then the ceiling doubles up to the cap and the delay stays under it', () => {
    const max = (attempt: number) =>
      backoffDelay(attempt, { baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 10].map(max)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
  });
});
