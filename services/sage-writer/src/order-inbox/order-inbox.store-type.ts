export interface InboundRecord {
  connectionId: string;
  topic: string;
  recordKey: string;
  eventId: string;
  payload: unknown;
}

export type InboundKey = Pick<InboundRecord, 'connectionId' | 'topic' | 'eventId'>;

/** What an arrival found: a new record, one taken in before but not finished, or one already processed. */
export type Arrival = 'stored' | 'duplicate' | 'processed';

/** Records taken in, de-duplicated by event id: a redelivered or replayed record inserts nothing. */
export interface InboxStore {
  insertIfAbsent(record: InboundRecord): Promise<Arrival>;
  /** the record's work is done: a later arrival of it returns early */
  markProcessed(key: InboundKey): Promise<void>;
  count(connectionId: string, topic: string): Promise<number>;
  /** the payloads taken in under a record key on topics ending with `topic`, oldest first */
  payloads(connectionId: string, topic: string, recordKey: string): Promise<unknown[]>;
}
