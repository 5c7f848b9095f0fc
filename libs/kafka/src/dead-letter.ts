import type { Producer } from 'kafkajs';
import type { DeadLetterSink, Failure, RawRecord } from './record-processor';

export const dlqTopic = (topic: string) => `${topic}.dlq`;

/** Headers a dead-lettered record carries, beside its original key, value and headers. */
export const DLQ_HEADERS = {
  error: 'x-dlq-error',
  code: 'x-dlq-error-code',
  retriable: 'x-dlq-retriable',
  stage: 'x-dlq-stage',
  attempts: 'x-dlq-attempts',
  topic: 'x-dlq-origin-topic',
  partition: 'x-dlq-origin-partition',
  offset: 'x-dlq-origin-offset',
  timestamp: 'x-dlq-origin-timestamp',
  service: 'x-dlq-service',
  failedAt: 'x-dlq-failed-at',
} as const;

export function deadLetterHeaders(
  record: RawRecord,
  failure: Failure,
  service: string,
  now = new Date(),
): Record<string, string> {
  return {
    ...record.headers,
    [DLQ_HEADERS.error]: failure.message.slice(0, 4000),
    [DLQ_HEADERS.code]: failure.code,
    [DLQ_HEADERS.retriable]: String(failure.retriable),
    [DLQ_HEADERS.stage]: failure.stage,
    [DLQ_HEADERS.attempts]: String(failure.attempts),
    [DLQ_HEADERS.topic]: record.topic,
    [DLQ_HEADERS.partition]: String(record.partition),
    [DLQ_HEADERS.offset]: record.offset,
    [DLQ_HEADERS.timestamp]: record.timestamp,
    [DLQ_HEADERS.service]: service,
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
}

/** Writes the original bytes to `<topic>.dlq`, keyed as before, so the record can be redriven unchanged. */
export class KafkaDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly producer: Producer,
    private readonly service: string,
  ) {}

  async deadLetter(record: RawRecord, failure: Failure): Promise<void> {
    await this.producer.send({
      topic: dlqTopic(record.topic),
      acks: -1,
      messages: [
        { key: record.key, value: record.value, headers: deadLetterHeaders(record, failure, this.service) },
      ],
    });
  }
}
