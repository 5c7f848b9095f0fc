import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '@connector/core';
import { connectionSettingsSchema, type Connection } from '@connector/db';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { decimal, sumDecimals } from '@connector/money';
import { silentLogger } from '@connector/observability';
import { SIM_LWA_CLIENT, SIM_SELLERS, SpApiSimulator } from '@connector/sp-api-simulator';
import { FileRawArchive } from '../../archive/raw-archive';
import { SpApiFactory } from '@connector/sp-api';
import { FakeIngestStateStore, FakeSettlementReportStore } from '../../testing';
import { SettlementIngestService } from '../settlement-ingest.service';

const NOW = Date.UTC(2026, 10, 20);

describe('SettlementIngestService against the SP-API simulator', () => {
  let sim: SpApiSimulator;
  let dir: string;
  let reports: FakeSettlementReportStore;
  let publisher: FakeEventPublisher;
  let factory: SpApiFactory;
  const clock = new VirtualClock(NOW);

  const conn = (sellerIndex: number): Connection => {
    const seller = SIM_SELLERS[sellerIndex];
    return {
      id: `c${sellerIndex}`,
      name: seller.sellerId,
      sellerId: seller.sellerId,
      region: seller.region,
      marketplaceIds: seller.marketplaces.map((m) => m.id),
      erpKind: 'SAGE300',
      erpCompany: 'SAMLTD',
      enabled: true,
      settings: connectionSettingsSchema.parse({}),
    };
  };
  const api = (i: number) =>
    factory.forConnection(conn(i), {
      amazon: {
        lwaClientId: SIM_LWA_CLIENT.clientId,
        lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
        refreshToken: SIM_SELLERS[i].refreshToken,
      },
    });
  const service = (chunkSize = 50) =>
    new SettlementIngestService({
      reports,
      state: new FakeIngestStateStore(),
      archive: new FileRawArchive(dir),
      publisher,
      clock,
      logger: silentLogger(),
      chunkSize,
    });
  const events = () => publisher.on('amazon.settlements.v1');
  const closedOf = (settlementId: string) =>
    events().find(
      (e) => e.value.settlementId === settlementId && e.value.payload['connector.amazon.SettlementClosed'],
    )?.value.payload['connector.amazon.SettlementClosed'];
  const linesOf = (settlementId: string) =>
    events()
      .filter((e) => e.value.settlementId === settlementId)
      .flatMap((e) => e.value.payload['connector.amazon.SettlementChunk']?.lines ?? []);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archive-'));
    sim = new SpApiSimulator({ days: 56, ordersPerDay: 40, speedFactor: 5000, now: () => NOW });
    await sim.start();
    reports = new FakeSettlementReportStore();
    publisher = new FakeEventPublisher();
    factory = new SpApiFactory({ endpoint: sim.url, lwaTokenUrl: `${sim.url}/auth/o2/token` });
  });
  afterEach(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [0, 'US and CA, decimal points'],
    [1, 'UK and DE, German decimal commas'],
  ])(
    'when seller %i (%s) has settlements, then each is archived, published in chunks with a closing record, and ties to its total',
    async (i) => {
      const result = await service().sync(conn(i), api(i));
      const expected = sim.settlements.filter(
        (s) =>
          s.sellerId === SIM_SELLERS[i].sellerId &&
          s.depositMs >= NOW - 90 * 86_400_000 &&
          s.depositMs <= NOW,
      );
      expect(result.published.sort()).toEqual(expected.map((s) => s.settlementId).sort());
      expect(result.rejected).toEqual([]);
      for (const s of expected) {
        const closed = closedOf(s.settlementId)!;
        const lines = linesOf(s.settlementId);
        expect(closed).toMatchObject({
          lineCount: s.lineCount,
          tiesOut: true,
          chunkCount: Math.ceil(s.lineCount / 50),
        });
        expect(lines).toHaveLength(s.lineCount);
        // exact: the published lines add up to the total Amazon will deposit
        expect(sumDecimals(lines.map((l) => l.amount.amount)).toFixed()).toBe(
          decimal(closed.header.totalAmount.amount).toFixed(),
        );
        expect(closed.header.totalAmount.amount).toBe(decimal(String(s.totalCents)).div(100).toFixed());
        expect(closed.header.marketplaceName).toMatch(/^Amazon\./);
        expect(lines.some((l) => l.amountDescription === 'Current Reserve Amount')).toBe(true);
        // chunks and closing record share the settlement's key, so they stay in order on one partition
        expect(
          new Set(
            events()
              .filter((e) => e.value.settlementId === s.settlementId)
              .map((e) => e.key),
          ),
        ).toEqual(new Set([`c${i}/${s.settlementId}`]));
        // the raw file is archived and reads back byte for byte
        const archived = await new Promise<string>((resolve, reject) => {
          let text = '';
          new FileRawArchive(dir)
            .open(closed.rawArchiveUri)
            .on('data', (b: Buffer) => (text += b.toString('utf8')))
            .on('end', () => resolve(text))
            .on('error', reject);
        });
        expect(archived).toBe(s.text);
      }
      // the next run publishes nothing again
      const before = events().length;
      const again = await service().sync(conn(i), api(i));
      expect(again.published).toEqual([]);
      expect(events()).toHaveLength(before);
    },
  );

  it('when one report is malformed, then it is rejected with line and column, kept in the archive, nothing of it is published, and the others go through', async () => {
    const good = sim.settlements.find((s) => s.sellerId === SIM_SELLERS[0].sellerId)!;
    const broken = good.text
      .split('\n')
      .map((l, n) => (n === 4 ? l.replace(/\t(-?\d+\.\d{2})\t/, '\t12,3x\t') : l))
      .join('\n')
      .replace(good.settlementId, '99999999999')
      .replaceAll(`${good.settlementId}\t`, '99999999999\t');
    const reportId = sim.addSettlementReport(
      SIM_SELLERS[0].sellerId,
      'ATVPDKIKX0DER',
      () => broken,
      NOW - 86_400_000,
    );
    const result = await service().sync(conn(0), api(0));
    expect(result.rejected).toEqual([
      { reportId, error: expect.stringMatching(/^line 5, amount: /) as unknown },
    ]);
    expect(result.published.length).toBeGreaterThan(0);
    expect(events().some((e) => e.value.settlementId === '99999999999')).toBe(false);
    const rec = await reports.get('c0', reportId);
    expect(rec).toMatchObject({ state: 'rejected', archiveUri: expect.stringMatching(/^file:/) as unknown });
    expect(await new FileRawArchive(dir).exists(rec!.archiveUri!)).toBe(true);
    // a rejected report is not downloaded again on the next run; it waits for `reprocess`
    const again = await service().sync(conn(0), api(0));
    expect(again.rejected).toEqual([]);
  });

  it('when a published settlement is reprocessed from the archive, then the same event ids come out again', async () => {
    await service().sync(conn(0), api(0));
    const s = sim.settlements.find((x) => x.sellerId === SIM_SELLERS[0].sellerId)!;
    const reportId = [...reports.rows.values()].find((r) => r.settlementId === s.settlementId)!.reportId;
    const first = events()
      .filter((e) => e.value.settlementId === s.settlementId)
      .map((e) => e.value.eventId);
    publisher.published.length = 0;
    sim.faults.errorRate = 1; // Amazon is not needed: the archive is enough
    await service().reprocess(conn(0), reportId);
    expect(events().map((e) => e.value.eventId)).toEqual(first);
  });
});
