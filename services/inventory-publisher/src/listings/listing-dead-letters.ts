import type { Producer } from 'kafkajs';
import { deadLetterHeaders, dlqTopic, type EventCodec } from '@connector/kafka';
import type { ListingIssue, SourceRecord } from './listing.types';

/** Header with Amazon's issues as JSON ([{sku, marketplaceId, code, message, severity}]); dropped on redrive. */
export const DLQ_ISSUES_HEADER = 'x-dlq-amazon-issues';

export interface ListingFailure {
  /** LISTING_REJECTED (Amazon's issues), or the error code of a failure that used up its attempts */
  code: string;
  message: string;
  retriable: boolean;
  attempts: number;
  issues: Array<ListingIssue & { sellerSku: string; marketplaceId: string }>;
}

/**
 * Where the erp.item-changes.v1 records whose listing updates Amazon rejected go: `<topic>.dlq`,
 * as the consumers' dead letters (same headers), so `npm run replay -- dlq --topic
 * erp.item-changes.v1` sends them back once the listing is fixed.
 */
export interface ListingDeadLetters {
  deadLetter(source: SourceRecord, failure: ListingFailure): Promise<void>;
}

/** Re-encodes the record with the topic's registered schema and writes it beside the consumer's dead letters. */
export class KafkaListingDeadLetters implements ListingDeadLetters {
  constructor(
    private readonly producer: Producer,
    private readonly codec: EventCodec,
    private readonly service: string,
  ) {}

  async deadLetter(source: SourceRecord, failure: ListingFailure): Promise<void> {
    const id = await this.codec.latestId(`${source.topic}-value`);
    const value = await this.codec.encode(id, source.value);
    const key = source.key === null ? null : Buffer.from(source.key, 'utf8');
    const headers = deadLetterHeaders(
      { ...source, key, value },
      {
        error: undefined,
        code: failure.code,
        message: failure.message,
        retriable: failure.retriable,
        attempts: failure.attempts,
        stage: 'handle',
      },
      this.service,
    );
    headers[DLQ_ISSUES_HEADER] = JSON.stringify(failure.issues).slice(0, 16_000);
    await this.producer.send({
      topic: dlqTopic(source.topic),
      acks: -1,
      messages: [{ key, value, headers }],
    });
  }
}

/** Dead letters kept in memory (unit tests, benchmarks). */
export class MemoryListingDeadLetters implements ListingDeadLetters {
  readonly records: Array<{ source: SourceRecord; failure: ListingFailure }> = [];
  async deadLetter(source: SourceRecord, failure: ListingFailure): Promise<void> {
    this.records.push({ source, failure });
  }
}
