import type { Admin, ITopicConfig } from 'kafkajs';
import { retry } from '@connector/core';
import { dlqTopic } from './dead-letter';

export interface TopicSpec {
  topic: string;
  partitions: number;
  cleanupPolicy: 'compact' | 'delete';
  /** retention in ms for delete topics; undefined = broker default */
  retentionMs?: number;
  /** whether a `<topic>.dlq` exists beside it (topics that services consume) */
  dlq: boolean;
}

const DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000;

export function topicConfigs(specs: readonly TopicSpec[], replicationFactor = 1): ITopicConfig[] {
  const out: ITopicConfig[] = [];
  for (const s of specs) {
    const configEntries: Array<{ name: string; value: string }> = [
      { name: 'cleanup.policy', value: s.cleanupPolicy },
    ];
    if (s.cleanupPolicy === 'compact') configEntries.push({ name: 'min.compaction.lag.ms', value: '0' });
    if (s.retentionMs !== undefined)
      configEntries.push({ name: 'retention.ms', value: String(s.retentionMs) });
    out.push({ topic: s.topic, numPartitions: s.partitions, replicationFactor, configEntries });
    if (s.dlq) {
      out.push({
        topic: dlqTopic(s.topic),
        numPartitions: 1,
        replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: 'delete' },
          { name: 'retention.ms', value: String(DLQ_RETENTION_MS) },
        ],
      });
    }
  }
  return out;
}

/** Creates the topics (and their dead-letter topics) that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  replicationFactor = 1,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicConfigs(specs, replicationFactor).filter((t) => !existing.has(t.topic));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((t) => t.topic);
}

/**
 * `admin.fetchTopicOffsets`, retried while the cluster is still electing the partitions' leaders
 * (a topic created a moment ago answers NOT_LEADER_FOR_PARTITION / LEADER_NOT_AVAILABLE for a while).
 */
export async function topicOffsets(
  admin: Admin,
  topic: string,
): Promise<Array<{ partition: number; offset: string; high: string; low: string }>> {
  const { value } = await retry(() => admin.fetchTopicOffsets(topic), {
    maxAttempts: 10,
    baseMs: 100,
    maxMs: 2_000,
    shouldRetry: (err) => (err as { retriable?: unknown }).retriable === true,
  });
  return value;
}
