import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import type {
  CustomerReceipt,
  JournalEntry,
  ReconciliationReport,
  SettlementReportEvent,
} from '@connector/events';
import { RegistryAvroCodec, createKafka, type EventPublisher } from '@connector/kafka';
import { mappingRecords } from '@connector/mapping';
import { decimal, sumDecimals } from '@connector/money';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { parseSettlementText } from '@connector/sp-api';
import { SpApiSimulator } from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { appModule } from '../app.module';
import { configSchema } from '../config';

/** settlement-reconciler on a real broker, registry and PostgreSQL: settlement events in, journals and a report out. */
describe('settlement-reconciler (real Kafka, registry, PostgreSQL)', () => {
  const prefix = `${uniqueName('recon')}.`;
  let tdb: TestDatabase;
  let app: INestApplication;
  const codec = new RegistryAvroCodec({ url: infraEnv('SCHEMA_REGISTRY_URL') });
  const kafka = createKafka(
    { brokers: infraEnv('KAFKA_BROKERS').split(','), clientId: 'recon-int' },
    silentLogger(),
  );

  async function collect<T>(topic: string, until: (xs: T[]) => boolean): Promise<T[]> {
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    const out: T[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${topic}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void out.push(await codec.decode<T>(message.value!)),
    });
    await waitFor(() => until(out), { what: `records on ${topic}`, timeoutMs: 60_000 });
    await consumer.disconnect();
    return out;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const env = {
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}reconciler`,
    };
    app = await startService(appModule(loadConfig(configSchema, env), { logger: silentLogger() }), {
      logger: false,
    });
    await tdb.db('connections').insert({
      id: 'c1',
      name: 'c1',
      seller_id: 'S',
      region: 'eu',
      marketplace_ids: ['A1PA6795UKMFR9'],
      erp_kind: 'SAP_B1',
      erp_company: 'X',
    });
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  /** A settlement as amazon-ingest publishes it: chunks of 100 lines, then the closing record. */
  async function publishSettlement(
    publisher: EventPublisher,
    connectionId: string,
    text: string,
    marketplaceName: string,
  ) {
    const { result, lines } = await parseSettlementText(text, `R-${connectionId}`);
    const { settlementId, ...header } = { ...result.summary, marketplaceName };
    const events: SettlementReportEvent[] = [];
    for (let i = 0; i * 100 < lines.length; i++)
      events.push({
        eventId: `${settlementId}#${i}`,
        connectionId,
        settlementId,
        payload: {
          'connector.amazon.SettlementChunk': {
            chunkIndex: i,
            header,
            lines: lines.slice(i * 100, i * 100 + 100),
          },
        },
      });
    events.push({
      eventId: `${settlementId}#closed`,
      connectionId,
      settlementId,
      payload: {
        'connector.amazon.SettlementClosed': {
          chunkCount: events.length,
          lineCount: lines.length,
          header,
          detailTotal: { amount: result.detailTotal, currency: result.summary.totalAmount.currency },
          tiesOut: result.tiesOut,
          rawArchiveUri: 'file:///archive/x.gz',
        },
      },
    });
    await publisher.publish(
      'amazon.settlements.v1',
      events.map((value) => ({ key: `${connectionId}/${settlementId}`, value })),
    );
    return { result, lines, settlementId };
  }

  it('when a German settlement with an unmapped line arrives in chunks, then a balanced journal, a receipt and a TIED_OUT report are published and stored', async () => {
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    for (const r of mappingRecords(
      {
        connectionId: 'c1',
        customers: [
          { marketplaceId: 'A1PA6795UKMFR9', customerCode: 'AMZ-DE', currency: 'EUR', arAccount: '1100' },
        ],
        glAccounts: [
          { amountType: 'ItemFees', amountDescription: 'Commission', account: '6100-DE', category: 'FEE' },
        ],
      },
      Date.now(),
    ))
      await publisher.publish(r.topic, [{ key: r.key, value: r.value }]);

    const sim = new SpApiSimulator({ days: 56, ordersPerDay: 30, now: () => Date.UTC(2026, 10, 24) });
    const de = sim.settlements.filter((s) => s.currency === 'EUR')[1];
    const text = de.text.replace(/Subscription Fee/g, 'Monatliche Grundgebühr'); // a description no rule knows
    const { result, settlementId } = await publishSettlement(publisher, 'c1', text, 'Amazon.de');

    const [journal] = await collect<JournalEntry>('ledger.journals.v1', (xs) => xs.length >= 1);
    expect(journal.journalId).toBe(`${settlementId}/A1PA6795UKMFR9/EUR`);
    expect(
      sumDecimals(journal.lines.map((l) => l.debit)).eq(sumDecimals(journal.lines.map((l) => l.credit))),
    ).toBe(true);
    expect(
      journal.lines.find((l) => l.description.includes('Commission') && l.description.startsWith('Order'))
        ?.account,
    ).toBe('6100-DE');
    expect(journal.lines.find((l) => l.category === 'SUSPENSE')?.description).toContain(
      'Monatliche Grundgebühr',
    );
    expect(journal.lines.find((l) => l.category === 'PAYOUT')).toMatchObject({ account: '1100' });
    const receipts = await collect<{ amount: { amount: string } }>(
      'ledger.receipts.v1',
      (xs) => xs.length >= 1,
    );
    expect(
      sumDecimals([receipts[0].amount.amount]).eq(sumDecimals([result.summary.totalAmount.amount])),
    ).toBe(true);
    const [report] = await collect<ReconciliationReport>('ledger.reconciliations.v1', (xs) => xs.length >= 1);
    expect(report).toMatchObject({ status: 'TIED_OUT', unmappedLines: 1, settlementId });
    const row = (await tdb.db('reconciliation_results').where({ settlement_id: settlementId }).first()) as
      { difference: string; report: { unmapped: unknown[] } } | undefined;
    expect(row).toMatchObject({ status: 'TIED_OUT', currency: 'EUR' });
    expect(Number(row?.difference)).toBe(0);
    expect(row?.report.unmapped).toEqual([
      expect.objectContaining({ key: 'other-transaction|other-transaction|Monatliche Grundgebühr' }),
    ]);
  });

  it('when a CAD settlement of a USD company has its deposit recorded with the CLI, then its journal and receipt carry the rate the deposit implies and clear the receivable', async () => {
    await tdb.db('connections').insert({
      id: 'c2',
      name: 'c2',
      seller_id: 'S2',
      region: 'na',
      marketplace_ids: ['A2EUQ1WTGCTBG2'],
      erp_kind: 'SAP_B1',
      erp_company: 'SBODEMOUS',
      settings: JSON.stringify({ orderToCash: { fx: { rateSource: 'deposit' } } }),
    });
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    for (const r of mappingRecords(
      {
        connectionId: 'c2',
        customers: [
          { marketplaceId: 'A2EUQ1WTGCTBG2', customerCode: 'AMZ-CA', currency: 'CAD', arAccount: '1100' },
        ],
      },
      Date.now(),
    ))
      await publisher.publish(r.topic, [{ key: r.key, value: r.value }]);
    const sim = new SpApiSimulator({ days: 56, ordersPerDay: 30, now: () => Date.UTC(2026, 10, 24) });
    const ca = sim.settlements.filter((s) => s.currency === 'CAD')[1];
    const { result } = await parseSettlementText(ca.text, 'R-c2');
    const cadTotal = result.summary.totalAmount.amount;
    const usd = decimal(cadTotal).times('0.7311').toFixed(2); // what the bank received in USD

    const out = execFileSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'services/settlement-reconciler/src/cli.ts',
        'deposit',
        '--connection',
        'c2',
        '--settlement',
        ca.settlementId,
        '--home-amount',
        usd,
        '--home-currency',
        'USD',
      ],
      {
        cwd: resolve(__dirname, '../../../..'),
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: tdb.url },
      },
    );
    expect(out).toContain(`deposit of settlement ${ca.settlementId} recorded: ${usd} USD`);
    const { settlementId, lines } = await publishSettlement(publisher, 'c2', ca.text, 'Amazon.ca');
    const refunded = new Set(lines.filter((l) => l.transactionType === 'Refund').map((l) => l.orderId));

    const rate = decimal(usd).div(cadTotal).toFixed(10);
    const journals = await collect<JournalEntry>('ledger.journals.v1', (xs) =>
      xs.some((j) => j.connectionId === 'c2'),
    );
    const journal = journals.find((j) => j.connectionId === 'c2')!;
    expect(journal).toMatchObject({
      settlementId,
      currency: 'CAD',
      exchangeRate: rate,
      rateSource: 'DEPOSIT',
    });
    expect(journal.lines.find((l) => l.description.startsWith('Order ItemPrice Principal'))).toMatchObject({
      account: '1100',
      customerCode: 'AMZ-CA',
    });
    const receipts = await collect<CustomerReceipt>('ledger.receipts.v1', (xs) =>
      xs.some((r) => r.connectionId === 'c2'),
    );
    expect(receipts.find((r) => r.connectionId === 'c2')).toMatchObject({
      exchangeRate: rate,
      rateSource: 'DEPOSIT',
      customerCode: 'AMZ-CA',
    });
    const reports = await collect<ReconciliationReport>('ledger.reconciliations.v1', (xs) =>
      xs.some((r) => r.connectionId === 'c2'),
    );
    // no refund financial events were published for c2: every refunded order is listed as differing
    expect(reports.find((r) => r.connectionId === 'c2')?.refunds).toMatchObject({
      orders: refunded.size,
      tiedOut: refunded.size === 0,
    });
    const stored = await tdb.db('settlement_deposits').where({ connection_id: 'c2' });
    expect(stored).toEqual([
      expect.objectContaining({
        settlement_id: settlementId,
        home_currency: 'USD',
        recorded_by: expect.any(String) as unknown,
      }),
    ]);
  });
});
