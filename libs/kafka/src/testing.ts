import type { TopicName, TopicValues } from '@connector/events';
import type { EventPublisher, OutgoingRecord, TopicValue } from './publisher';
import type { DeadLetterSink, Failure, RawRecord } from './record-processor';

/** In-memory publisher for service unit tests (`@connector/kafka/testing`). */
export class FakeEventPublisher implements EventPublisher {
  readonly published: Array<{ topic: TopicName } & OutgoingRecord> = [];

  async publish<T extends TopicName>(topic: T, records: OutgoingRecord<TopicValue<T>>[]): Promise<void> {
    for (const r of records) this.published.push({ topic, ...r });
  }

  /** The records published on a topic, in order (tombstones left out). */
  on<T extends TopicName>(topic: T): Array<OutgoingRecord<TopicValues[T]>> {
    return this.published.filter((p) => p.topic === topic && p.value !== null) as Array<
      OutgoingRecord<TopicValues[T]>
    >;
  }
}

/** Dead letters kept in memory (unit tests of the record processor). */
export class FakeDeadLetterSink implements DeadLetterSink {
  readonly records: Array<{ record: RawRecord; failure: Failure }> = [];
  async deadLetter(record: RawRecord, failure: Failure): Promise<void> {
    this.records.push({ record, failure });
  }
}
