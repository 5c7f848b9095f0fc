export interface InboundRecord {
  connectionId: string;
  topic: string;
  recordKey: string;
  eventId: string;
  payload: unknown;
}

/** Records taken in, de-duplicated by event id: a redelivered or replayed record inserts nothing. */
export interface InboxStore {
  /** true when the record was new */
  insertIfAbsent(record: InboundRecord): Promise<boolean>;
  count(connectionId: string, topic: string): Promise<number>;
}
