import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { VirtualClock } from '@connector/core';
import { connectionSettingsSchema, type Connection } from '@connector/db';
import type { EventPublisher, OutgoingRecord } from '@connector/kafka';
import { silentLogger } from '@connector/observability';
import { V2_SETTLEMENT_COLUMNS } from '@connector/sp-api';
import { FileRawArchive, SettlementIngestService } from '@connector/amazon-ingest';
import { FakeIngestStateStore, FakeSettlementReportStore } from '@connector/amazon-ingest/testing';

/** A German V2 settlement file of `lines` detail rows, generated as a stream (decimal commas, reserves, refunds). */
function settlementStream(lines: number): Readable {
  const id = '31415926535';
  // rows cycle through +12,34 / -1,85 / -0,50 / refund −2,00; the total is known in closed form
  const cycle = [1234, -185, -50, -200];
  let totalCents = 0n;
  for (let i = 0; i < lines; i++) totalCents += BigInt(cycle[i % 4]);
  const fmt = (c: bigint | number) => {
    const n = BigInt(c);
    const a = n < 0n ? -n : n;
    return `${n < 0n ? '-' : ''}${a / 100n},${String(a % 100n).padStart(2, '0')}`;
  };
  let i = -2;
  return new Readable({
    read() {
      for (let k = 0; k < 500; k++) {
        if (i === -2) this.push(V2_SETTLEMENT_COLUMNS.join('\t') + '\n');
        else if (i === -1)
          this.push(
            [
              id,
              '2026-10-01T00:00:00+00:00',
              '2026-10-15T00:00:00+00:00',
              '2026-10-17T00:00:00+00:00',
              fmt(totalCents),
              'EUR',
            ]
              .concat(Array(V2_SETTLEMENT_COLUMNS.length - 6).fill(''))
              .join('\t') + '\n',
          );
        else if (i < lines) {
          const kind = i % 4;
          const order = `302-${String(1000000 + Math.floor(i / 4)).padStart(7, '0')}-7654321`;
          const row = V2_SETTLEMENT_COLUMNS.map(() => '');
          row[0] = id;
          row[6] = kind === 3 ? 'Refund' : 'Order';
          row[7] = order;
          row[11] = 'Amazon.de';
          row[12] = kind === 0 || kind === 3 ? 'ItemPrice' : 'ItemFees';
          row[13] =
            kind === 0 || kind === 3 ? 'Principal' : kind === 1 ? 'Commission' : 'FBAPerUnitFulfillmentFee';
          row[14] = fmt(cycle[kind]);
          row[15] = 'AFN';
          row[16] = '03.10.2026';
          row[17] = '2026-10-03 10:11:12 UTC';
          row[18] = String(50000000000000 + i);
          row[21] = `SKU-${i % 997}`;
          row[22] = '1';
          this.push(row.join('\t') + '\n');
        } else {
          this.push(null);
          return;
        }
        i++;
      }
    },
  });
}

class CountingPublisher implements EventPublisher {
  records = 0;
  bytes = 0;
  async publish(_topic: string, records: OutgoingRecord[]): Promise<void> {
    this.records += records.length;
    for (const r of records) this.bytes += JSON.stringify(r.value).length; // measured, then dropped
  }
}

export interface SettlementBenchRow {
  lines: number;
  seconds: number;
  linesPerSecond: number;
  peakHeapMb: number;
  peakRssMb: number;
  records: number;
  tiesOut: boolean;
}

/** Archive a generated file, then validate and publish it through SettlementIngestService; sample memory meanwhile. */
async function runOnce(lines: number): Promise<SettlementBenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'settlement-bench-'));
  try {
    const archive = new FileRawArchive(dir);
    const { uri } = await archive.put('bench/report.tsv', settlementStream(lines), { gzipped: false });
    const reports = new FakeSettlementReportStore();
    await reports.save({ connectionId: 'bench', reportId: 'R', state: 'archived', archiveUri: uri });
    const publisher = new CountingPublisher();
    const service = new SettlementIngestService({
      reports,
      state: new FakeIngestStateStore(),
      archive,
      publisher,
      clock: new VirtualClock(0),
      logger: silentLogger(),
      chunkSize: 1000,
    });
    const conn: Connection = {
      id: 'bench',
      name: 'bench',
      sellerId: 'S',
      region: 'eu',
      marketplaceIds: ['A1PA6795UKMFR9'],
      erpKind: 'SAGE300',
      erpCompany: 'X',
      enabled: true,
      settings: connectionSettingsSchema.parse({}),
    };
    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 20);
    const t0 = process.hrtime.bigint();
    const outcome = await service.reprocess(conn, 'R');
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    if (!outcome.ok) throw new Error(outcome.error);
    const saved = await reports.get('bench', 'R');
    return {
      lines,
      seconds,
      linesPerSecond: Math.round(lines / seconds),
      peakHeapMb: (peakHeap - base.heapUsed) / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      records: publisher.records,
      tiesOut: Boolean(saved?.tiesOut),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function settlementBench(): Promise<SettlementBenchRow[]> {
  const rows: SettlementBenchRow[] = [];
  for (const n of [20_000, 200_000]) rows.push(await runOnce(n));
  return rows;
}

export function printSettlementBench(rows: SettlementBenchRow[]): void {
  console.log(
    '\nSettlement report: archive → validate → publish in 1,000-line chunks (German decimal commas)',
  );
  console.log('lines      time     lines/s   heap growth (peak)   process RSS (peak)   records   ties out');
  for (const r of rows)
    console.log(
      `${String(r.lines).padEnd(10)} ${r.seconds.toFixed(2).padStart(6)} s ${String(r.linesPerSecond).padStart(9)} ${r.peakHeapMb.toFixed(1).padStart(12)} MB ${r.peakRssMb.toFixed(0).padStart(16)} MB ${String(r.records).padStart(9)}   ${r.tiesOut}`,
    );
  const [small, big] = rows;
  console.log(
    `10× the lines: heap growth ×${(big.peakHeapMb / Math.max(small.peakHeapMb, 0.1)).toFixed(2)} (constant memory: well under 10×)`,
  );
}
