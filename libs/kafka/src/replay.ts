import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { NonRetriableError } from '@connector/core';
import { createProducer } from './kafka-client';
import type { Logger } from '@connector/observability';
import { DLQ_HEADERS, dlqTopic } from './dead-letter';
import { topicOffsets } from './topics';

export const REDRIVEN_FROM_HEADER = 'x-redriven-from';

export interface RedriveOptions {
  /** the origin topic whose `<topic>.dlq` is redriven */
  topic: string;
  logger: Logger;
  /** the redrive's own consumer group: what it redrove is not redriven twice */
  groupId?: string;
  /** only records whose x-dlq-error-code is one of these */
  codes?: string[];
}

/**
 * Sends every dead letter recorded up to now back to the topic it came from, unchanged (original key,
 * value and headers; the x-dlq-* headers are dropped and x-redriven-from names the dead letter), then
 * stops. Run it after the fix (a mapping, a deploy); records that fail again return to the DLQ.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  opts: RedriveOptions,
): Promise<{ redriven: number; skipped: number }> {
  const source = dlqTopic(opts.topic);
  const groupId = opts.groupId ?? `connector.redrive.${opts.topic}`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    const high = await topicOffsets(admin, source);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [source] });
    for (const p of high) {
      const done = committed?.partitions.find((c) => c.partition === p.partition);
      const from = done && done.offset !== '-1' ? BigInt(done.offset) : BigInt(p.low);
      if (BigInt(p.high) > from) ends.set(p.partition, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return { redriven: 0, skipped: 0 };

  const producer = createProducer(kafka);
  const consumer = kafka.consumer({ groupId });
  let redriven = 0;
  let skipped = 0;
  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: source, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, v === undefined ? '' : String(v)]),
            );
            const origin = headers[DLQ_HEADERS.topic] || opts.topic;
            if (!opts.codes || opts.codes.includes(headers[DLQ_HEADERS.code])) {
              const kept = Object.fromEntries(
                Object.entries(headers).filter(([k]) => !k.startsWith('x-dlq-')),
              );
              kept[REDRIVEN_FROM_HEADER] = `${source}/${partition}/${message.offset}`;
              await producer.send({
                topic: origin,
                acks: -1,
                messages: [{ key: message.key, value: message.value, headers: kept }],
              });
              redriven++;
            } else {
              skipped++;
            }
            const next = BigInt(message.offset) + 1n;
            await consumer.commitOffsets([{ topic: source, partition, offset: next.toString() }]);
            if (next >= end) ends.delete(partition);
            if (ends.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  opts.logger.info({ topic: opts.topic, redriven, skipped }, 'dead letters redriven');
  return { redriven, skipped };
}

/**
 * Moves a consumer group's offsets on `topic` to the first record at or after `at`, so the service
 * reprocesses from that time. The group must be stopped (Kafka refuses to move an active group).
 */
export async function resetGroupToTime(
  kafka: Kafka,
  groupId: string,
  topic: string,
  at: Date,
): Promise<Array<{ partition: number; offset: string }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime());
    const high = await topicOffsets(admin, topic);
    const partitions = offsets.map((o) => ({
      partition: o.partition,
      // -1: no record at or after the time, so the group starts at the end
      offset: o.offset === '-1' ? (high.find((h) => h.partition === o.partition)?.high ?? '0') : o.offset,
    }));
    await admin.setOffsets({ groupId, topic, partitions });
    return partitions;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends one dead letter (`<topic>.dlq`, partition, offset) back to the topic it came from, as
 * redriveDeadLetters does for each of them (original key, value and headers; x-dlq-* dropped,
 * x-redriven-from set). For the operator console's "redrive this one": it reads the DLQ from its
 * start with a throwaway group, so the redrive groups' offsets are not moved.
 */
export async function redriveDeadLetter(
  kafka: Kafka,
  opts: { topic: string; partition: number; offset: string; logger: Logger; timeoutMs?: number },
): Promise<{ redriven: boolean }> {
  const source = dlqTopic(opts.topic);
  const consumer = kafka.consumer({ groupId: `connector.redrive-one.${opts.topic}.${Date.now()}` });
  const producer = createProducer(kafka);
  await producer.connect();
  await consumer.connect();
  let redriven = false;
  try {
    await consumer.subscribe({ topic: source, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${source} ${opts.partition}/${opts.offset}: no such dead letter`)),
        opts.timeoutMs ?? 30_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (partition !== opts.partition || message.offset !== opts.offset) return;
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, v === undefined ? '' : String(v)]),
            );
            const origin = headers[DLQ_HEADERS.topic] || opts.topic;
            const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('x-dlq-')));
            kept[REDRIVEN_FROM_HEADER] = `${source}/${partition}/${message.offset}`;
            await producer.send({
              topic: origin,
              acks: -1,
              messages: [{ key: message.key, value: message.value, headers: kept }],
            });
            redriven = true;
            clearTimeout(timer);
            resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  opts.logger.info(
    { topic: opts.topic, partition: opts.partition, offset: opts.offset },
    'dead letter redriven',
  );
  return { redriven };
}

/** Where a replayed record came from: `<topic>/<partition>/<offset>` of the original. */
export const REPLAYED_FROM_HEADER = 'x-replayed-from';
/** Groups the replay is meant for (comma-separated); consumer hosts of other groups pass it by. */
export const REPLAY_TARGET_GROUP_HEADER = 'x-replay-target-group';
/** One id per replay command, also in the audit trail. */
export const REPLAY_ID_HEADER = 'x-replay-id';

/** A record as it is stored on its topic. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** The record asked for is not on the topic (never was, or retention or compaction removed it). Final. */
export class RecordNotFoundError extends NonRetriableError {
  constructor(message: string) {
    super('REPLAY_RECORD_NOT_FOUND', message);
  }
}

function stringHeaders(raw: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v)]),
  );
}

/**
 * Reads the records of `topic` from `from` (per partition; low watermark when absent) up to the high
 * watermarks as they are now, passing each to `visit` until it returns 'stop'. A throwaway consumer
 * group that commits nothing and is deleted afterwards.
 */
async function readTopic(
  kafka: Kafka,
  topic: string,
  visit: (r: StoredRecord) => 'stop' | void,
  opts: { partitions?: number[]; from?: Map<number, bigint>; timeoutMs?: number } = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `connector.replay.read.${randomUUID()}`;
  try {
    const ends = new Map<number, { from: bigint; end: bigint }>();
    for (const p of await topicOffsets(admin, topic)) {
      if (opts.partitions && !opts.partitions.includes(p.partition)) continue;
      const from = opts.from?.get(p.partition) ?? BigInt(p.low);
      if (BigInt(p.high) > from) ends.set(p.partition, { from, end: BigInt(p.high) });
    }
    if (ends.size === 0) return;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: false });
      let stop!: () => void;
      let fail!: (err: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        stop = resolve;
        fail = reject;
      });
      const timer = setTimeout(
        () => fail(new Error(`reading ${topic} took longer than ${opts.timeoutMs ?? 60_000} ms`)),
        opts.timeoutMs ?? 60_000,
      );
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const range = ends.get(partition);
          if (!range || BigInt(message.offset) >= range.end || BigInt(message.offset) < range.from) return;
          const verdict = visit({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: stringHeaders(message.headers),
            timestamp: message.timestamp,
          });
          if (verdict === 'stop') return stop();
          if (BigInt(message.offset) + 1n >= range.end) ends.delete(partition);
          if (ends.size === 0) stop();
        },
      });
      // seek works once run() has started the group (kafkajs); fromBeginning: false means nothing came before
      for (const [partition, { from }] of ends) consumer.seek({ topic, partition, offset: from.toString() });
      try {
        await done;
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The record at exactly topic/partition/offset. */
export async function fetchRecord(
  kafka: Kafka,
  topic: string,
  partition: number,
  offset: string,
): Promise<StoredRecord> {
  const admin = kafka.admin();
  await admin.connect();
  let range: { low: string; high: string } | undefined;
  try {
    range = (await topicOffsets(admin, topic)).find((p) => p.partition === partition);
  } finally {
    await admin.disconnect();
  }
  const at = BigInt(offset);
  if (!range) throw new RecordNotFoundError(`${topic} has no partition ${partition}`);
  if (BigInt(range.high) <= BigInt(range.low))
    throw new RecordNotFoundError(`${topic}/${partition} is empty; it has no offset ${offset}`);
  if (at < BigInt(range.low) || at >= BigInt(range.high))
    throw new RecordNotFoundError(
      `${topic}/${partition} holds offsets ${range.low}…${BigInt(range.high) - 1n}; ${offset} is not among them`,
    );
  let found: StoredRecord | undefined;
  let passed: string | undefined;
  await readTopic(
    kafka,
    topic,
    (r) => {
      if (r.offset === offset) found = r;
      else passed = r.offset;
      return 'stop';
    },
    { partitions: [partition], from: new Map([[partition, at]]) },
  );
  if (!found)
    throw new RecordNotFoundError(
      `${topic}/${partition}/${offset} no longer exists (compacted or a transaction marker${passed ? `; next is ${passed}` : ''})`,
    );
  return found;
}

/**
 * Every record of `topic` whose key satisfies `match`, in offset order per partition. Copies written
 * by an earlier replay are left out: the original is what is asked for.
 */
export async function findRecordsByKey(
  kafka: Kafka,
  topic: string,
  match: (key: string) => boolean,
): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  await readTopic(kafka, topic, (r) => {
    if (r.key && !r.headers[REPLAYED_FROM_HEADER] && match(r.key.toString('utf8'))) out.push(r);
  });
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Consumer groups with committed offsets on `topic`: the consumers that own its records. */
export async function groupsConsuming(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const owners: string[] = [];
    for (const g of groups) {
      if (g.groupId.startsWith('connector.replay.read.')) continue;
      const [offsets] = await admin.fetchOffsets({ groupId: g.groupId, topics: [topic] });
      if (offsets?.partitions.some((p) => p.offset !== '-1')) owners.push(g.groupId);
    }
    return owners.sort();
  } finally {
    await admin.disconnect();
  }
}

export interface ReplayedRecord {
  from: { topic: string; partition: number; offset: string };
  to: { topic: string; partition: number; offset: string };
  key: string | null;
}

/**
 * Writes records again to their own topic and partition (same key, value and headers, so the same
 * consumer instance meets them in key order) with x-replayed-from, x-replay-id and, when `groups` is
 * given, x-replay-target-group: consumer hosts of other groups let them pass. The consumer then
 * handles each like any delivery, through its idempotency (inbox, ledger): a record already done is
 * recognised, not done twice.
 */
export async function replayRecords(
  kafka: Kafka,
  records: readonly StoredRecord[],
  opts: { replayId: string; groups?: readonly string[] },
): Promise<ReplayedRecord[]> {
  const producer = createProducer(kafka);
  await producer.connect();
  const out: ReplayedRecord[] = [];
  try {
    for (const r of records) {
      const headers: Record<string, string> = {
        ...Object.fromEntries(Object.entries(r.headers).filter(([k]) => !k.startsWith('x-dlq-'))),
        [REPLAYED_FROM_HEADER]: `${r.topic}/${r.partition}/${r.offset}`,
        [REPLAY_ID_HEADER]: opts.replayId,
      };
      delete headers[REPLAY_TARGET_GROUP_HEADER];
      if (opts.groups?.length) headers[REPLAY_TARGET_GROUP_HEADER] = opts.groups.join(',');
      const [meta] = await producer.send({
        topic: r.topic,
        acks: -1,
        messages: [{ key: r.key, value: r.value, headers, partition: r.partition }],
      });
      out.push({
        from: { topic: r.topic, partition: r.partition, offset: r.offset },
        to: { topic: r.topic, partition: meta.partition, offset: meta.baseOffset ?? '?' },
        key: r.key?.toString('utf8') ?? null,
      });
    }
  } finally {
    await producer.disconnect();
  }
  return out;
}

/** Whether a consumer group should handle a record: replays aimed at other groups are passed by. */
export function isForGroup(headers: Record<string, string>, groupId: string): boolean {
  const target = headers[REPLAY_TARGET_GROUP_HEADER];
  return !target || target.split(',').includes(groupId);
}
