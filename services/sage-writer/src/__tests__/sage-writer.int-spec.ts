import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import { seededRandom } from '@connector/core';
import { recordKey, type AmazonOrder, type CustomerReceipt, type JournalEntry } from '@connector/events';
import {
  DLQ_HEADERS,
  createKafka,
  redriveDeadLetters,
  topicOffsets,
  type EventPublisher,
} from '@connector/kafka';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { LosingAnswers, erpsUnderTest, fakeErpUnderTest, type ErpUnderTest } from '@connector/erp/testing';
import { demoOrders, infraEnv, uniqueName, waitFor } from '@connector/testing';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { appModule } from '../app.module';
import { addTestConnection, publishTestMappings } from './harness';
import { configSchema } from '../config';

const KEY = Buffer.alloc(32, 5).toString('base64');

describe.each([fakeErpUnderTest, ...erpsUnderTest].map((make) => [make().name, make] as const))(
  'sage-writer → %s (real Kafka, registry, PostgreSQL)',
  (_name, make) => {
    const erp: ErpUnderTest = make();
    const prefix = `${uniqueName('writer')}.`;
    let tdb: TestDatabase;
    let app: INestApplication | undefined;
    let loseRate = 0;
    const random = seededRandom(42); // deterministic, so a failing run can be repeated
    const losers: LosingAnswers[] = [];
    const kafka = createKafka(
      { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'writer-int' },
      silentLogger(),
    );

    const env = () => ({
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}sage-writer`,
      CREDENTIALS_KEY: KEY,
      CONSUMER_MAX_ATTEMPTS: '12',
      CONSUMER_RETRY_BASE_MS: '5',
      CONSUMER_RETRY_MAX_MS: '50',
    });
    async function startWriter() {
      app = await startService(
        appModule(
          loadConfig(configSchema, env()),
          { logger: silentLogger() },
          {
            erpFactories: {
              [erp.kind]: () => {
                const l = new LosingAnswers(erp.factory(), () => loseRate, random);
                losers.push(l);
                return l;
              },
            },
          },
        ),
        { logger: false },
      );
    }
    async function stopWriter() {
      await app?.close();
      app = undefined;
    }
    const publisher = () => app!.get<EventPublisher>(EVENT_PUBLISHER);
    const publishOrders = (orders: AmazonOrder[]) =>
      publisher().publish(
        'amazon.orders.v1',
        orders.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
      );
    const addConnection = (id: string) => addTestConnection(tdb.db, publisher(), erp, id, KEY);
    const publishMappings = (id: string, skus: Array<[string, string]>) =>
      publishTestMappings(publisher(), erp, id, skus);
    /** Natural keys written for these orders; fails the test on any duplicate. */
    async function written(kind: 'SALES_ORDER' | 'INVOICE', orders: AmazonOrder[]) {
      const mine = new Set(orders.map((o) => o.amazonOrderId));
      return (await erp.documents(kind)).filter((k) => mine.has(k));
    }
    const uniqueOrders = (connectionId: string, n: number) => {
      const seen = new Set<string>();
      return demoOrders(connectionId, n * 2)
        .filter((o) => !seen.has(o.amazonOrderId) && seen.add(o.amazonOrderId))
        .slice(0, n);
    };

    beforeAll(async () => {
      tdb = await createTestDatabase();
      await erp.start();
      await startWriter();
    });
    afterAll(async () => {
      await stopWriter();
      await erp.stop();
      await tdb?.drop();
    });

    it('when orders arrive, ship, and are replayed, then each becomes one sales order and one invoice', async () => {
      await addConnection('once');
      const orders = uniqueOrders('once', 150);
      await publishOrders(orders);
      const shipped = orders.slice(0, 60).map((o) => ({
        ...o,
        orderStatus: 'SHIPPED' as const,
        lastUpdateDate: o.lastUpdateDate + 1,
        eventId: `${o.eventId}:shipped`,
      }));
      await publishOrders(shipped);
      await waitFor(
        async () =>
          (await written('INVOICE', shipped)).length >= 60 &&
          (await written('SALES_ORDER', orders)).length >= 150,
        {
          what: '150 orders and 60 invoices',
          timeoutMs: 90_000,
        },
      );
      await publishOrders([...orders, ...shipped]); // the whole lot again
      await new Promise((r) => setTimeout(r, 3000));
      const so = await written('SALES_ORDER', orders);
      const inv = await written('INVOICE', shipped);
      expect(so.length).toBe(150);
      expect(new Set(so).size).toBe(150);
      expect(inv.length).toBe(60);
    });

    it('when the writer dies at random points during 2,000 orders and restarts repeatedly, then no document is duplicated or missing', async () => {
      await addConnection('crash');
      const orders = uniqueOrders('crash', 2000);
      loseRate = 0.03; // 3% of writes: the ERP wrote, the answer never reached us
      await publishOrders(orders);
      for (const atLeast of [400, 900, 1400]) {
        await waitFor(async () => (await written('SALES_ORDER', orders)).length >= atLeast, {
          what: `${atLeast} orders written`,
          timeoutMs: 120_000,
        });
        await stopWriter(); // a restart mid-stream: uncommitted offsets are read again
        await startWriter();
      }
      await waitFor(async () => (await written('SALES_ORDER', orders)).length >= 2000, {
        what: '2,000 orders written',
        timeoutMs: 180_000,
      });
      await new Promise((r) => setTimeout(r, 3000));
      loseRate = 0;
      const so = await written('SALES_ORDER', orders);
      expect(so.length).toBe(2000);
      expect(new Set(so).size).toBe(2000);
      expect(losers.reduce((n, l) => n + l.lost, 0)).toBeGreaterThan(20);
      const ledger = await tdb
        .db('idempotency_ledger')
        .where({ connection_id: 'crash', document_kind: 'SALES_ORDER' })
        .count<{ n: string }[]>({ n: '*' });
      expect(Number(ledger[0].n)).toBe(2000);
    });

    it('when 30% of writes hit a record lock and the session expires mid-run, then everything lands once', async () => {
      await addConnection('locks');
      const orders = uniqueOrders('locks', 300);
      erp.setLockRate(0.3);
      await publishOrders(orders.slice(0, 150));
      await waitFor(async () => (await written('SALES_ORDER', orders)).length >= 100, {
        what: '100 orders',
        timeoutMs: 90_000,
      });
      erp.expireSessions();
      await publishOrders(orders.slice(150));
      await waitFor(async () => (await written('SALES_ORDER', orders)).length >= 300, {
        what: '300 orders',
        timeoutMs: 120_000,
      });
      erp.setLockRate(0);
      const so = await written('SALES_ORDER', orders);
      expect(new Set(so).size).toBe(300);
      expect(so.length).toBe(300);
    });

    it('when a SKU has no mapping, then the order goes to the DLQ with the reason, and after the mapping is fixed a replay writes it', async () => {
      await addConnection('dlq');
      const [bad] = uniqueOrders('dlq', 1).map((o) => ({
        ...o,
        items: o.items.map((i) => ({ ...i, sellerSku: 'SKU-NEW' })),
      }));
      await publishOrders([bad]);
      // the DLQ topic is created by the first dead letter: read it once it holds one, so the reader
      // does not subscribe to a topic that does not exist yet (its metadata would not see it for minutes)
      const dlq = `${prefix}amazon.orders.v1.dlq`;
      const admin = kafka.admin();
      await admin.connect();
      await waitFor(
        async () =>
          (await admin.listTopics()).includes(dlq) &&
          (await topicOffsets(admin, dlq)).some((p) => BigInt(p.high) > 0n),
        { what: 'a dead letter on the DLQ topic', timeoutMs: 60_000 },
      ).finally(() => admin.disconnect());
      const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
      const dead: Array<Record<string, string>> = [];
      await consumer.connect();
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) =>
          void dead.push(
            Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          ),
      });
      await waitFor(() => dead.some((h) => h[DLQ_HEADERS.code] === 'UNMAPPED_SKU'), {
        what: 'the dead letter',
        timeoutMs: 60_000,
      }).finally(() => consumer.disconnect());
      expect(dead.find((h) => h[DLQ_HEADERS.code] === 'UNMAPPED_SKU')![DLQ_HEADERS.error]).toContain(
        'SKU-NEW',
      );
      expect(await written('SALES_ORDER', [bad])).toEqual([]);

      await publishMappings('dlq', [['SKU-NEW', erp.items[0]]]);
      await new Promise((r) => setTimeout(r, 1000)); // the writer follows the mapping topic
      const result = await redriveDeadLetters(kafka, {
        topic: `${prefix}amazon.orders.v1`,
        logger: silentLogger(),
        codes: ['UNMAPPED_SKU'],
      });
      expect(result.redriven).toBeGreaterThanOrEqual(1);
      await waitFor(async () => (await written('SALES_ORDER', [bad])).length === 1, {
        what: 'the replayed order',
        timeoutMs: 60_000,
      });
    });
    it('when a settlement journal and its receipt arrive twice, then each is posted once under its settlement key (the ERP checks the balance)', async () => {
      await addConnection('ledger');
      const key = '24681357/ATVPDKIKX0DER/USD';
      const journal: JournalEntry = {
        eventId: key,
        connectionId: 'ledger',
        journalId: key,
        settlementId: '24681357',
        marketplaceId: 'ATVPDKIKX0DER',
        currency: 'USD',
        postingDate: 20_400,
        reference: 'AMZ-SETTLE-24681357',
        memo: 'Amazon settlement 24681357',
        lines: [
          {
            lineNumber: 1,
            account: '1010',
            debit: '1234.5600',
            credit: '0',
            description: 'payout',
            category: 'PAYOUT',
          },
          {
            lineNumber: 2,
            account: '6100',
            debit: '165.4400',
            credit: '0',
            description: 'fees',
            category: 'FEE',
          },
          {
            lineNumber: 3,
            account: '4000',
            debit: '0',
            credit: '1400.0000',
            description: 'sales',
            category: 'SALES',
          },
        ],
        totalDebit: '1400.0000',
        totalCredit: '1400.0000',
      };
      const receipt: CustomerReceipt = {
        eventId: `${key}/receipt`,
        connectionId: 'ledger',
        receiptId: key,
        settlementId: '24681357',
        customerCode: erp.customer,
        amount: { amount: '1234.5600', currency: 'USD' },
        depositDate: 20_400,
        bankAccount: '1010',
        reference: 'AMZ-SETTLE-24681357',
      };
      for (let i = 0; i < 2; i++) {
        await publisher().publish('ledger.journals.v1', [{ key: `ledger/${key}`, value: journal }]);
        await publisher().publish('ledger.receipts.v1', [{ key: `ledger/${key}`, value: receipt }]);
      }
      await waitFor(async () => (await erp.documents('JOURNAL')).includes(key), {
        what: 'the journal in the ERP',
        timeoutMs: 60_000,
      });
      await waitFor(async () => (await erp.documents('RECEIPT')).includes(key), {
        what: 'the receipt in the ERP',
        timeoutMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 2000)); // time for the second copies to be handled
      expect((await erp.documents('JOURNAL')).filter((k) => k === key)).toHaveLength(1);
      expect((await erp.documents('RECEIPT')).filter((k) => k === key)).toHaveLength(1);
    });
  },
);
