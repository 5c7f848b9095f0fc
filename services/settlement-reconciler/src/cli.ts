import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { errorMessage } from '@connector/core';
import { SettlementReportParser } from '@connector/sp-api';
import { GlRules, glMappingFileSchema } from './journals/gl-rules';
import {
  SettlementAccumulator,
  buildSettlementJournals,
  type BuiltJournals,
} from './journals/settlement-journal.builder';

const USAGE = `settlement preview: the journals and the tie-out of a downloaded settlement report, posting nothing

  npm run settlement -- preview --report FILE [--mapping FILE.json] [--json]

  --report   a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file (tab-separated, .gz accepted), any locale
  --mapping  GL mapping: {"accounts":{"payout":"1010","suspense":"9999"},"rules":[{"transactionType":"Order",
             "amountType":"ItemPrice","amountDescription":"Principal","category":"SALES","account":"4000"}, ...]}
             tried before the shipped defaults (libs/mapping/src/default-gl-mapping.json)
  --json     machine-readable output

Exit status: 0 when the journals tie out to the deposit, 2 when they do not, 1 on an error.`;

export interface Preview extends BuiltJournals {
  settlementId: string;
  currency: string;
  lineCount: number;
  detailTotal: string;
  /** Σ detail rows = summary total-amount (the file is internally consistent) */
  fileTiesOut: boolean;
}

/** Reads the report in one streaming pass and books it; nothing is posted or published. */
export async function previewSettlement(report: Readable, mapping?: unknown): Promise<Preview> {
  const rules = new GlRules(mapping === undefined ? undefined : glMappingFileSchema.parse(mapping));
  const parser = new SettlementReportParser({ reportId: 'preview' });
  const acc = new SettlementAccumulator();
  for await (const r of parser.records(createInterface({ input: report, crlfDelay: Infinity })))
    if (r.kind === 'line') acc.add(r.line);
  const res = parser.result();
  const built = buildSettlementJournals(
    'preview',
    {
      settlementId: res.summary.settlementId,
      currency: res.summary.totalAmount.currency,
      totalAmount: res.summary.totalAmount.amount,
      depositDate: res.summary.depositDate,
      settlementStartDate: res.summary.settlementStartDate,
      settlementEndDate: res.summary.settlementEndDate,
      marketplaceName: res.marketplaceNames.length === 1 ? res.marketplaceNames[0] : null,
    },
    acc,
    rules,
  );
  return {
    settlementId: res.summary.settlementId,
    currency: res.summary.totalAmount.currency,
    lineCount: res.lineCount,
    detailTotal: res.detailTotal,
    fileTiesOut: res.tiesOut,
    ...built,
  };
}

/** What an accountant reads: each journal as debit/credit columns, then the tie-out. */
export function formatPreview(p: Preview): string {
  const out: string[] = [];
  const money = (v: string) => (v === '0' ? '' : Number.isNaN(Number(v)) ? v : formatAmount(v));
  out.push(`Settlement ${p.settlementId} (${p.currency}), ${p.lineCount} lines`);
  for (const j of p.journals) {
    out.push('');
    out.push(
      `Journal ${j.journalId}  posting ${new Date(j.postingDate * 86_400_000).toISOString().slice(0, 10)}  ${j.reference}`,
    );
    out.push(`  ${'account'.padEnd(12)} ${'debit'.padStart(14)} ${'credit'.padStart(14)}  description`);
    for (const l of j.lines)
      out.push(
        `  ${l.account.padEnd(12)} ${money(l.debit).padStart(14)} ${money(l.credit).padStart(14)}  ${l.description}`,
      );
    out.push(
      `  ${'total'.padEnd(12)} ${formatAmount(j.totalDebit).padStart(14)} ${formatAmount(j.totalCredit).padStart(14)}`,
    );
  }
  out.push('');
  out.push(`Deposit per the report:   ${formatAmount(p.expectedDeposit)} ${p.currency}`);
  out.push(`Payout booked:            ${formatAmount(p.postedTotal)} ${p.currency}`);
  out.push(
    `Difference:               ${formatAmount(p.difference)} ${p.currency}  ${p.tiesOut ? 'TIES OUT' : 'DOES NOT TIE OUT'}`,
  );
  if (!p.fileTiesOut)
    out.push(`Warning: the report's detail rows sum to ${formatAmount(p.detailTotal)}, not to its total.`);
  if (p.unmapped.length) {
    out.push('');
    out.push(`Unmapped (booked to suspense, add a mapping):`);
    for (const u of p.unmapped) out.push(`  ${u.key}  ${formatAmount(u.amount)} (${u.lines} lines)`);
  }
  return out.join('\n');
}

/** 1234.5 → "1,234.50": two decimals at least, exact (string arithmetic, no float). */
function formatAmount(v: string): string {
  const neg = v.startsWith('-');
  const [int, frac = ''] = (neg ? v.slice(1) : v).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}.${frac.padEnd(2, '0')}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      report: { type: 'string' },
      mapping: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (command !== 'preview' || !values.report) {
    console.error(USAGE);
    return command === 'help' ? 0 : 64;
  }
  const file = createReadStream(values.report);
  const input = values.report.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // validated by previewSettlement against the GL mapping file schema
  const mapping: unknown = values.mapping ? JSON.parse(readFileSync(values.mapping, 'utf8')) : undefined;
  const p = await previewSettlement(input, mapping);
  console.log(values.json ? JSON.stringify(p, null, 2) : formatPreview(p));
  return p.tiesOut && p.fileTiesOut ? 0 : 2;
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`settlement preview: ${errorMessage(err)}`);
      process.exit(1);
    },
  );
