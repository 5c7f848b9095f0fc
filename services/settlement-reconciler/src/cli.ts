import { createReadStream, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { baseConfigSchema, loadConfig, z } from '@connector/config';
import { NonRetriableError, errorMessage } from '@connector/core';
import { createDb, migrateLatest, type Db } from '@connector/db';
import { SettlementReportParser } from '@connector/sp-api';
import { GlRules, glMappingFileSchema } from './journals/gl-rules';
import {
  SettlementAccumulator,
  buildSettlementJournals,
  depositRate,
  type BuiltJournals,
} from './journals/settlement-journal.builder';
import { KnexReconcilerStore, type ReconcilerStore } from './reconciler/reconciler.store';

const USAGE = `settlement preview: the journals and the tie-out of a downloaded settlement report, posting nothing
settlement deposit: what the bank received for a settlement, in the company's home currency

  npm run settlement -- preview --report FILE [--mapping FILE.json] [--json]
  npm run settlement -- deposit --connection ID --settlement SETTLEMENT_ID --home-amount 1234.56
                                [--home-currency USD] [--note TEXT]

  --report   a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file (tab-separated, .gz accepted), any locale
  --mapping  GL mapping: {"accounts":{"payout":"1010","suspense":"9999"},"rules":[{"transactionType":"Order",
             "amountType":"ItemPrice","amountDescription":"Principal","category":"SALES","account":"4000"}, ...]}
             tried before the shipped defaults (libs/mapping/src/default-gl-mapping.json)
  --json     machine-readable output

Exit status: 0 when the journals tie out to the deposit, 2 when they do not, 1 on an error.

deposit records the amount (exact, up to 4 decimals) in PostgreSQL (DATABASE_URL) with who recorded it;
a correction is recorded again, the latest wins, the earlier ones stay as the audit. Where the
connection's rate source is the deposit (settings.orderToCash.fx.rateSource "deposit"), the settlement's
journals and receipt are booked at home amount ÷ settlement total (10 decimals, half-even); otherwise
the ERP converts at its own rate table. Record it before the settlement is booked, or re-book the
settlement (operator console) before sage-writer has posted it: the ERP keeps what was posted first.`;

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

const homeAmountSchema = z
  .string()
  .regex(/^\d{1,14}(\.\d{1,4})?$/, 'must be a positive amount like 1234.56 (a dot, no thousands separators)')
  .refine((v) => Number(v) > 0, 'must be more than zero');

/**
 * Records what the bank received for a settlement in the home currency, and says what it means: the
 * rate it implies when the settlement has arrived, whether the connection converts at it, and
 * whether the settlement was booked already.
 */
export async function recordDeposit(
  store: ReconcilerStore,
  db: Db,
  args: {
    connectionId: string;
    settlementId: string;
    homeAmount: string;
    homeCurrency?: string;
    note?: string;
    recordedBy: string;
  },
): Promise<string[]> {
  const amount = homeAmountSchema.safeParse(args.homeAmount);
  if (!amount.success)
    throw new NonRetriableError(
      'DEPOSIT_INVALID',
      `--home-amount ${args.homeAmount}: ${amount.error.issues[0].message}`,
    );
  if (args.homeCurrency !== undefined && !/^[A-Z]{3}$/.test(args.homeCurrency))
    throw new NonRetriableError(
      'DEPOSIT_INVALID',
      `--home-currency ${args.homeCurrency}: an ISO 4217 code like USD`,
    );
  const conn = await db('connections')
    .where({ id: args.connectionId })
    .first<{ id: string } | undefined>('id');
  if (!conn) throw new NonRetriableError('DEPOSIT_INVALID', `there is no connection ${args.connectionId}`);
  await store.recordDeposit({
    connectionId: args.connectionId,
    settlementId: args.settlementId,
    homeAmount: amount.data,
    homeCurrency: args.homeCurrency ?? null,
    recordedBy: args.recordedBy,
    note: args.note ?? null,
  });
  const out = [
    `deposit of settlement ${args.settlementId} recorded: ${amount.data}${args.homeCurrency ? ` ${args.homeCurrency}` : ''} (by ${args.recordedBy})`,
  ];
  const options = await store.settlementOptions(args.connectionId);
  const chunk = await db('settlement_chunks')
    .where({ connection_id: args.connectionId, settlement_id: args.settlementId, chunk_index: 0 })
    .first<{ buckets: Array<{ total: string }> } | undefined>('buckets');
  const booked = await db('reconciliation_results')
    .where({ connection_id: args.connectionId, settlement_id: args.settlementId })
    .first<{ expected_deposit: string; currency: string } | undefined>('expected_deposit', 'currency');
  if (booked) {
    const rate = depositRate(amount.data, booked.expected_deposit);
    out.push(
      `settlement total ${decimalText(booked.expected_deposit)} ${booked.currency}: rate ${rate ?? '(none: the settlement is not positive)'}`,
    );
  } else if (!chunk)
    out.push(`settlement ${args.settlementId} has not arrived yet: the rate applies when it is booked`);
  if (options.fx.rateSource !== 'deposit')
    out.push(
      `note: connection ${args.connectionId} converts at the ERP's rate table (settings.orderToCash.fx.rateSource is not "deposit"): the deposit is kept, not used`,
    );
  else if (booked)
    out.push(
      'note: the settlement was booked already; re-book it (operator console) for its journals and receipt to carry this rate, unless sage-writer has posted them',
    );
  return out;
}

const decimalText = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);

async function deposit(values: Record<string, string | boolean | undefined>): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const missing = ['connection', 'settlement', 'home-amount'].filter((k) => !str(k));
  if (missing.length) {
    console.error(`deposit needs --${missing.join(', --')}\n\n${USAGE}`);
    return 64;
  }
  const env = loadConfig(baseConfigSchema.pick({ DATABASE_URL: true }));
  const db = createDb({ url: env.DATABASE_URL, poolMax: 2, applicationName: 'settlement-cli' });
  try {
    await migrateLatest(db);
    const lines = await recordDeposit(new KnexReconcilerStore(db), db, {
      connectionId: str('connection')!,
      settlementId: str('settlement')!,
      homeAmount: str('home-amount')!,
      homeCurrency: str('home-currency'),
      note: str('note'),
      recordedBy: userInfo().username,
    });
    for (const l of lines) console.log(l);
    return 0;
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      report: { type: 'string' },
      mapping: { type: 'string' },
      json: { type: 'boolean', default: false },
      connection: { type: 'string' },
      settlement: { type: 'string' },
      'home-amount': { type: 'string' },
      'home-currency': { type: 'string' },
      note: { type: 'string' },
    },
  });
  if (command === 'deposit') return deposit(values);
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
      console.error(`settlement: ${errorMessage(err)}`);
      process.exit(1);
    },
  );
