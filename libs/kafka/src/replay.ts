import type { Kafka } from 'kafkajs';
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
