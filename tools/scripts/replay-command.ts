/**
 * What `npm run replay` does, apart from reading the environment: kept here so that the integration
 * tests run the same code against a real broker and database.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { AuditRecord, AuditStore } from '@connector/db';
import {
  fetchRecord,
  findRecordsByKey,
  groupsConsuming,
  redriveDeadLetters,
  replayRecords,
  resetGroupToTime,
  type ReplayedRecord,
  type StoredRecord,
} from '@connector/kafka';
import type { Logger } from '@connector/observability';

export const USAGE = [
  'usage: replay record --topic T --partition P --offset O   re-deliver exactly that record',
  '       replay record --order <AmazonOrderId> [--connection C]   the latest record of that order',
  '       replay record --settlement <settlementId> [--connection C]   the records of that settlement',
  '         [--group G[,G]] only to these consumer groups (default: every group that consumes the topic)',
  '         [--wait SECONDS] wait for the consumers and report what they did with it',
  '       replay dlq   --topic T [--code C[,C]]   redrive the dead letters recorded so far',
  '       replay reset --group G --topic T --to ISO-DATE-TIME   move a stopped group back to a time',
  '       every command: [--by WHO] [--reason TEXT], written to the audit trail',
].join('\n');

/** The business keys a record can be asked for by, and the topic that carries them. */
const BY_KEY = {
  order: 'amazon.orders.v1',
  settlement: 'amazon.settlements.v1',
} as const;

export interface ReplayDeps {
  kafka: Kafka;
  audit: AuditStore;
  /** KAFKA_TOPIC_PREFIX: topic names on the command line are logical */
  topicPrefix: string;
  logger: Logger;
  print: (line: string) => void;
  /** for --wait: what the consumers recorded about a delivery */
  auditOf?: (topic: string, partition: number, offset: string) => Promise<AuditRecord[]>;
  sleep?: (ms: number) => Promise<void>;
}

export class UsageError extends Error {}

const connectionOf = (key: string | null) => (key && key.includes('/') ? key.split('/')[0] : undefined);

export async function runReplay(argv: string[], deps: ReplayDeps): Promise<ReplayedRecord[]> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      partition: { type: 'string' },
      offset: { type: 'string' },
      order: { type: 'string' },
      settlement: { type: 'string' },
      connection: { type: 'string' },
      code: { type: 'string' },
      group: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string' },
      reason: { type: 'string' },
      wait: { type: 'string' },
    },
  });
  const need = (name: 'topic' | 'group' | 'to'): string => {
    const v = values[name];
    if (!v) throw new UsageError(`--${name} is required\n${USAGE}`);
    return v;
  };
  const [cmd] = positionals;
  const by = values.by ?? process.env.REPLAY_BY ?? safeUser();
  const replayId = randomUUID();
  const physical = (logical: string) => `${deps.topicPrefix}${logical}`;
  const audit = (e: { command: string; source?: StoredRecord; detail: Record<string, unknown> }) =>
    deps.audit.append({
      service: 'replay',
      stage: 'replayed',
      connectionId: connectionOf(e.source?.key?.toString('utf8') ?? null),
      source: e.source && { topic: e.source.topic, partition: e.source.partition, offset: e.source.offset },
      recordKey: e.source?.key?.toString('utf8'),
      payload: { replayId, command: e.command, by, reason: values.reason ?? null, ...e.detail },
      outcome: 'replayed',
    });

  if (cmd === 'dlq') {
    const topic = physical(need('topic'));
    const codes = values.code?.split(',');
    const result = await redriveDeadLetters(deps.kafka, { topic, logger: deps.logger, codes });
    await audit({ command: 'dlq', detail: { topic, codes: codes ?? null, ...result } });
    deps.print(`redriven ${result.redriven}, left on the DLQ ${result.skipped}`);
    return [];
  }
  if (cmd === 'reset') {
    const at = new Date(need('to'));
    if (Number.isNaN(at.getTime())) throw new UsageError('--to must be an ISO date-time');
    const topic = physical(need('topic'));
    const group = need('group');
    const partitions = await resetGroupToTime(deps.kafka, group, topic, at);
    await audit({ command: 'reset', detail: { topic, group, to: at.toISOString(), partitions } });
    deps.print(partitions.map((p) => `partition ${p.partition} → offset ${p.offset}`).join('\n'));
    return [];
  }
  if (cmd !== 'record') throw new UsageError(USAGE);

  // which records
  let records: StoredRecord[];
  let topic: string;
  if (values.order || values.settlement) {
    const kind = values.order ? 'order' : 'settlement';
    const id = (values.order ?? values.settlement)!;
    topic = physical(values.topic ?? BY_KEY[kind]);
    const suffix = `/${id}`;
    const found = await findRecordsByKey(
      deps.kafka,
      topic,
      (key) => key.endsWith(suffix) && (!values.connection || key === `${values.connection}${suffix}`),
    );
    const keys = [...new Set(found.map((r) => r.key?.toString('utf8')))];
    if (found.length === 0) throw new UsageError(`no record of ${kind} ${id} on ${topic}`);
    if (keys.length > 1)
      throw new UsageError(`${kind} ${id} is on ${keys.join(', ')}: say which with --connection`);
    // an order: its latest version; a settlement: its records (chunks and the closing record)
    records = kind === 'order' ? [found[found.length - 1]] : found;
  } else {
    topic = physical(need('topic'));
    if (values.partition === undefined || values.offset === undefined || !/^\d+$/.test(values.offset))
      throw new UsageError(`--partition and --offset (or --order / --settlement) are required\n${USAGE}`);
    const partition = Number(values.partition);
    if (!Number.isInteger(partition) || partition < 0) throw new UsageError('--partition must be a number');
    records = [await fetchRecord(deps.kafka, topic, partition, values.offset)];
  }

  // to whom
  const owners = await groupsConsuming(deps.kafka, topic);
  const groups = values.group ? values.group.split(',') : [];
  for (const g of groups)
    if (!owners.includes(g))
      deps.print(
        `warning: group ${g} has no offsets on ${topic}; it will only see the replay once it reads there`,
      );

  const replayed = await replayRecords(deps.kafka, records, { replayId, groups });
  for (const [i, r] of replayed.entries())
    await audit({
      command: 'record',
      source: records[i],
      detail: { to: r.to, groups: groups.length ? groups : owners },
    });
  const audience = groups.length ? groups : owners;
  for (const r of replayed)
    deps.print(
      `replayed ${r.from.topic}/${r.from.partition}/${r.from.offset} (key ${r.key ?? '∅'}) as offset ${r.to.offset} ` +
        `to ${audience.length ? audience.join(', ') : 'no consumer group yet'} (replay ${replayId}, by ${by})`,
    );

  const waitSeconds = Number(values.wait ?? 0);
  if (waitSeconds > 0 && deps.auditOf) await reportOutcome(deps, replayed, audience, waitSeconds * 1000);
  return replayed;
}

/** What the consumers wrote to the audit trail about each re-delivered record. */
async function reportOutcome(
  deps: ReplayDeps,
  replayed: ReplayedRecord[],
  groups: string[],
  timeoutMs: number,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + timeoutMs;
  for (const r of replayed) {
    let rows: AuditRecord[] = [];
    for (;;) {
      rows = (await deps.auditOf!(r.to.topic, r.to.partition, r.to.offset)).filter(
        (a) => a.service !== 'replay',
      );
      const services = new Set(rows.map((a) => a.service));
      if ((groups.length > 0 && services.size >= groups.length) || Date.now() > deadline) break;
      if (groups.length === 0 && rows.length > 0) break;
      await sleep(250);
    }
    if (rows.length === 0) deps.print(`  offset ${r.to.offset}: no consumer has recorded it yet`);
    for (const a of rows)
      deps.print(`  offset ${r.to.offset}: ${a.service} ${a.stage}${a.outcome ? ` (${a.outcome})` : ''}`);
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
