import { MAPPING_TOPICS, type MappingTopic } from '@connector/mapping';
import type { FollowedRecord } from '../ledger/topic-follower';

/** The latest value of every key of the compacted mapping topics, for listing and CSV export. */
export class MappingsView {
  private readonly tables = new Map<MappingTopic, Map<string, Record<string, unknown>>>(
    MAPPING_TOPICS.map((t) => [t, new Map()]),
  );

  apply(r: FollowedRecord): void {
    const table = this.tables.get(r.topic as MappingTopic);
    if (!table) return;
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, r.value as Record<string, unknown>);
  }

  list(topic: MappingTopic, connectionId: string): Array<Record<string, unknown>> {
    return [...(this.tables.get(topic)?.values() ?? [])].filter((v) => v.connectionId === connectionId);
  }

  has(topic: MappingTopic, key: string): boolean {
    return this.tables.get(topic)?.has(key) ?? false;
  }
}
