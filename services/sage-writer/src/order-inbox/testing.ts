import type { Arrival, InboundKey, InboundRecord, InboxStore } from './order-inbox.store-type';

/** The inbox in memory, with the same arrivals as KnexInboxStore (unit tests). */
export class FakeInboxStore implements InboxStore {
  readonly records = new Map<string, InboundRecord & { processed: boolean }>();

  private static id(k: InboundKey): string {
    return `${k.connectionId}|${k.topic}|${k.eventId}`;
  }

  async insertIfAbsent(r: InboundRecord): Promise<Arrival> {
    const known = this.records.get(FakeInboxStore.id(r));
    if (known) return known.processed ? 'processed' : 'duplicate';
    this.records.set(FakeInboxStore.id(r), { ...r, processed: false });
    return 'stored';
  }

  async markProcessed(key: InboundKey): Promise<void> {
    const known = this.records.get(FakeInboxStore.id(key));
    if (known) known.processed = true;
  }

  async count(connectionId: string, topic: string): Promise<number> {
    return [...this.records.values()].filter((r) => r.connectionId === connectionId && r.topic === topic)
      .length;
  }

  async payloads(connectionId: string, topic: string, recordKey: string): Promise<unknown[]> {
    return [...this.records.values()]
      .filter(
        (r) =>
          r.connectionId === connectionId &&
          (r.topic === topic || r.topic.endsWith(`.${topic}`)) &&
          r.recordKey === recordKey,
      )
      .map((r) => r.payload);
  }
}
