import type avro from 'avsc';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { KnexAuditStore } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import {
  DLQ_HEADERS,
  KafkaConsumerHost,
  KafkaEventPublisher,
  REPLAYED_FROM_HEADER,
  RecordNotFoundError,
  RegistryAvroCodec,
  createKafka,
  createProducer,
  dlqTopic,
  ensureTopics,
  fetchRecord,
} from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { runReplay } from '../replay-command';

/**
 * `npm run replay` against the real broker, registry and PostgreSQL: one record re-delivered by
 * position or by business key to the group that owns it, through that consumer's idempotency, with
 * an audit row; a group moved back to a time; a record written with a schema id the registry does not
 * know goes to the DLQ without holding its partition.
 */
const schema = {
  type: 'record',
  name: 'ReplayProbe',
  namespace: 'connector.test',
  doc: 'test event',
  fields: [
    { name: 'eventId', type: 'string', doc: 'id' },
    {
      name: 'amount',
      type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 },
      doc: 'amount',
    },
  ],
} as unknown as avro.Schema;
interface Probe {
  eventId: string;
  amount: string;
}

const ORDERS = 'amazon.orders.v1';

describe('replay of one record, group reset and unknown schema ids on real Kafka', () => {
  const logger = silentLogger();
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const prefix = `${uniqueName('rp')}.`;
  const topic = `${prefix}${ORDERS}`;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let publisher: KafkaEventPublisher;
  let testDb: TestDatabase;
  let audit: KnexAuditStore;
  const hosts: KafkaConsumerHost[] = [];
  const printed: string[] = [];
  /** per group: every delivery (eventId, headers) and the eventIds it has done (its idempotency) */
  const deliveries = new Map<string, Array<{ eventId: string; headers: Record<string, string> }>>();
  const done = new Map<string, Set<string>>();
  const writer = uniqueName('connector.sage-writer');
  const other = uniqueName('connector.reconciler');

  const replay = (...argv: string[]) =>
    runReplay(argv, {
      kafka,
      audit,
      topicPrefix: prefix,
      logger,
      print: (l) => printed.push(l),
      auditOf: (t, p, o) => audit.findBySource(t, p, o),
    });

  const startHost = async (groupId: string, t: string) => {
    deliveries.set(groupId, []);
    done.set(groupId, new Set());
    const host = new KafkaConsumerHost(kafka, codec, {
      groupId,
      service: groupId,
      maxAttempts: 2,
      retryBaseMs: 10,
      retryMaxMs: 50,
      logger,
    });
    host.subscribe<Probe>({
      topic: t,
      readerSchema: schema,
      handler: async (r) => {
        deliveries.get(groupId)!.push({ eventId: r.value.eventId, headers: r.headers });
        // the consumer's idempotency: an event id it has done is recognised, not done again
        const fresh = !done.get(groupId)!.has(r.value.eventId);
        done.get(groupId)!.add(r.value.eventId);
        await audit.append({
          service: groupId,
          stage: fresh ? 'consumed' : 'skipped',
          source: { topic: r.topic, partition: r.partition, offset: r.offset },
          recordKey: r.key ?? undefined,
          eventId: r.value.eventId,
          outcome: fresh ? 'stored' : 'duplicate',
        });
      },
    });
    await host.start();
    hosts.push(host);
    return host;
  };

  beforeAll(async () => {
    kafka = createKafka(
      { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'replay-int-test' },
      logger,
    );
    admin = kafka.admin();
    await admin.connect();
    producer = createProducer(kafka);
    await producer.connect();
    testDb = await createTestDatabase();
    audit = new KnexAuditStore(testDb.db);
    await ensureTopics(admin, [{ topic, partitions: 3, cleanupPolicy: 'delete', dlq: true }]);
    publisher = new KafkaEventPublisher(producer, codec, new Map([[topic, schema]]), { autoRegister: true });
    await publisher.publish(topic, [
      { key: 'c1/111-0000001-0000001', value: { eventId: 'A@1', amount: '10.00' } },
      { key: 'c1/111-0000002-0000002', value: { eventId: 'B@1', amount: '20.00' } },
      { key: 'c1/111-0000001-0000001', value: { eventId: 'A@2', amount: '11.00' } },
    ]);
    await Promise.all([startHost(writer, topic), startHost(other, topic)]);
    await waitFor(() => deliveries.get(writer)!.length === 3 && deliveries.get(other)!.length === 3, {
      what: 'both groups to read the three records',
    });
    // the groups commit their offsets every second: wait until they show as owners of the topic
    await waitFor(
      async () => {
        const committed = await Promise.all(
          [writer, other].map(async (g) => (await admin.fetchOffsets({ groupId: g, topics: [topic] }))[0]),
        );
        return committed.every((c) => c.partitions.some((p) => p.offset !== '-1'));
      },
      { what: 'committed offsets' },
    );
  }, 90_000);

  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await testDb?.drop();
  });

  interface AuditRow {
    service: string;
    stage: string;
    payload: Record<string, unknown>;
    created_at: Date;
  }
  const auditRows = (): Promise<AuditRow[]> =>
    testDb.db<AuditRow>('audit_trail').where({ service: 'replay' }).orderBy('id');

  it('when one record is replayed by topic, partition and offset for one group, then only that group gets it again, its idempotency skips it, and the replay is audited', async () => {
    const first = (await testDb.db('audit_trail').where({ service: writer, event_id: 'B@1' }).first()) as {
      source_partition: number;
      source_offset: string;
    };
    const before = { writer: deliveries.get(writer)!.length, other: deliveries.get(other)!.length };
    printed.length = 0;

    const [r] = await replay(
      'record',
      '--topic',
      ORDERS,
      '--partition',
      String(first.source_partition),
      '--offset',
      String(first.source_offset),
      '--group',
      writer,
      '--by',
      'alice',
      '--reason',
      'ticket 42',
      '--wait',
      '20',
    );

    expect(r.from).toEqual({ topic, partition: first.source_partition, offset: String(first.source_offset) });
    expect(r.to.partition).toBe(first.source_partition);
    const again = deliveries.get(writer)!.slice(before.writer);
    expect(again.map((d) => d.eventId)).toEqual(['B@1']);
    expect(again[0].headers[REPLAYED_FROM_HEADER]).toBe(`${topic}/${r.from.partition}/${r.from.offset}`);
    expect(printed.join('\n')).toContain(`${writer} skipped (duplicate)`);
    // the other group read past the replay without handling it
    await new Promise((res) => setTimeout(res, 1500));
    expect(deliveries.get(other)!.length).toBe(before.other);

    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stage: 'replayed',
      connection_id: 'c1',
      source_topic: topic,
      source_partition: first.source_partition,
      record_key: 'c1/111-0000002-0000002',
      outcome: 'replayed',
    });
    expect(rows[0].payload).toMatchObject({
      command: 'record',
      by: 'alice',
      reason: 'ticket 42',
      groups: [writer],
      to: { topic, partition: r.to.partition, offset: r.to.offset },
    });
    expect(rows[0].created_at).toBeInstanceOf(Date);
  }, 60_000);

  it('when an order is replayed by its Amazon order id, then its latest record goes to every group that consumes the topic', async () => {
    const before = { writer: deliveries.get(writer)!.length, other: deliveries.get(other)!.length };
    const [r] = await replay('record', '--order', '111-0000001-0000001', '--by', 'bob');
    expect(r.key).toBe('c1/111-0000001-0000001');
    await waitFor(
      () =>
        deliveries.get(writer)!.length === before.writer + 1 &&
        deliveries.get(other)!.length === before.other + 1,
      { what: 'both groups to get the replay' },
    );
    expect(deliveries.get(writer)!.at(-1)!.eventId).toBe('A@2');
    expect(deliveries.get(other)!.at(-1)!.eventId).toBe('A@2');
    const rows = await auditRows();
    expect(rows.at(-1)!.payload).toMatchObject({
      command: 'record',
      by: 'bob',
      groups: [other, writer].sort(),
    });
  }, 60_000);

  it('when a settlement is replayed by its id, then its records (chunks and closing record) go again in their order', async () => {
    const settlements = `${prefix}amazon.settlements.v1`;
    await ensureTopics(admin, [{ topic: settlements, partitions: 3, cleanupPolicy: 'delete', dlq: true }]);
    const pub = new KafkaEventPublisher(producer, codec, new Map([[settlements, schema]]), {
      autoRegister: true,
    });
    await pub.publish(settlements, [
      { key: 'c1/11000000001', value: { eventId: '11000000001#0', amount: '1' } },
      { key: 'c1/11000000002', value: { eventId: '11000000002#0', amount: '2' } },
      { key: 'c1/11000000001', value: { eventId: '11000000001#closed', amount: '1' } },
    ]);
    printed.length = 0;
    const replayed = await replay('record', '--settlement', '11000000001', '--by', 'dave');
    expect(replayed.map((r) => r.key)).toEqual(['c1/11000000001', 'c1/11000000001']);
    expect(replayed.map((r) => Number(r.from.offset))).toEqual([0, 1]);
    const copies = await Promise.all(
      replayed.map((r) => fetchRecord(kafka, settlements, r.to.partition, r.to.offset)),
    );
    expect(copies.map((c) => c.headers[REPLAYED_FROM_HEADER])).toEqual(
      replayed.map((r) => `${settlements}/${r.from.partition}/${r.from.offset}`),
    );
    expect(printed).toHaveLength(2);
  }, 60_000);

  it('when the offset is not on the partition or the order is unknown, then nothing is sent and nothing is audited', async () => {
    const audited = (await auditRows()).length;
    await expect(fetchRecord(kafka, topic, 0, '999999')).rejects.toBeInstanceOf(RecordNotFoundError);
    await expect(
      replay('record', '--topic', ORDERS, '--partition', '0', '--offset', '999999'),
    ).rejects.toMatchObject({
      code: 'REPLAY_RECORD_NOT_FOUND',
      retriable: false,
    });
    await expect(replay('record', '--order', '999-9999999-9999999')).rejects.toThrow(/no record of order/);
    expect((await auditRows()).length).toBe(audited);
  }, 60_000);

  it('when a stopped group is reset to a time, then it reads again from the first record at or after that time, and the reset is audited', async () => {
    const t = `${prefix}reset.v1`;
    await ensureTopics(admin, [{ topic: t, partitions: 1, cleanupPolicy: 'delete', dlq: false }]);
    const base = Date.now() - 3_600_000;
    const ids = await codec.register(`${t}-value`, schema);
    for (const [n, at] of [base, base + 60_000, base + 120_000].entries())
      await producer.send({
        topic: t,
        messages: [
          {
            key: `c1/r${n}`,
            value: await codec.encode(ids, { eventId: `R${n}`, amount: '1' }),
            timestamp: String(at),
          },
        ],
      });
    const group = uniqueName('connector.reset');
    const host = await startHost(group, t);
    await waitFor(() => deliveries.get(group)!.length === 3, { what: 'the three timed records' });
    await waitFor(
      async () => (await admin.fetchOffsets({ groupId: group, topics: [t] }))[0].partitions[0].offset === '3',
      { what: 'the commit' },
    );
    await host.stop();

    printed.length = 0;
    await replay(
      'reset',
      '--group',
      group,
      '--topic',
      'reset.v1',
      '--to',
      new Date(base + 30_000).toISOString(),
      '--by',
      'carol',
    );
    expect(printed).toEqual(['partition 0 → offset 1']);
    expect((await admin.fetchOffsets({ groupId: group, topics: [t] }))[0].partitions[0].offset).toBe('1');

    // a time after every record: the group starts at the end
    await replay('reset', '--group', group, '--topic', 'reset.v1', '--to', new Date().toISOString());
    expect(printed.at(-1)).toBe('partition 0 → offset 3');
    await replay(
      'reset',
      '--group',
      group,
      '--topic',
      'reset.v1',
      '--to',
      new Date(base + 60_000).toISOString(),
    );

    deliveries.get(group)!.length = 0;
    await startHost(group, t);
    await waitFor(() => deliveries.get(group)!.length === 2, { what: 'the records from the reset time' });
    expect(deliveries.get(group)!.map((d) => d.eventId)).toEqual(['R1', 'R2']);
    const rows = (await auditRows()).filter((r) => r.payload.command === 'reset');
    expect(rows).toHaveLength(3);
    expect(rows[0].payload).toMatchObject({
      group,
      by: 'carol',
      partitions: [{ partition: 0, offset: '1' }],
    });
  }, 90_000);

  it('when a record carries a schema id the registry does not know, then it goes to the DLQ and the records after it are handled', async () => {
    const t = `${prefix}unknown-schema.v1`;
    await ensureTopics(admin, [{ topic: t, partitions: 1, cleanupPolicy: 'delete', dlq: true }]);
    const good = new KafkaEventPublisher(producer, codec, new Map([[t, schema]]), { autoRegister: true });
    await good.publish(t, [{ key: 'c1/x', value: { eventId: 'X', amount: '1' } }]);
    const unknown = Buffer.alloc(12);
    unknown.writeUInt8(0, 0);
    unknown.writeInt32BE(2_000_000_000, 1); // magic byte 0, then a schema id no registry has given out
    await producer.send({ topic: t, messages: [{ key: 'c1/unknown', value: unknown }] });
    await good.publish(t, [{ key: 'c1/y', value: { eventId: 'Y', amount: '2' } }]);

    const group = uniqueName('connector.unknown-schema');
    await startHost(group, t);
    await waitFor(() => deliveries.get(group)!.length === 2, { what: 'the records around the unknown one' });
    expect(deliveries.get(group)!.map((d) => d.eventId)).toEqual(['X', 'Y']);

    const dead = await fetchRecord(kafka, dlqTopic(t), 0, '0');
    expect(dead.key?.toString()).toBe('c1/unknown');
    expect(dead.value?.equals(unknown)).toBe(true);
    expect(dead.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'POISON_RECORD',
      [DLQ_HEADERS.stage]: 'decode',
      [DLQ_HEADERS.retriable]: 'false',
      [DLQ_HEADERS.offset]: '1',
    });
    expect(dead.headers[DLQ_HEADERS.error]).toMatch(/schema id 2000000000/);
  }, 90_000);
});
