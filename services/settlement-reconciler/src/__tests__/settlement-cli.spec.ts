import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Db } from '@connector/db';
import { formatPreview, previewSettlement, recordDeposit, type Preview } from '../cli';
import { FakeReconcilerStore } from '../reconciler/testing';

/** node's arguments that run the settlement CLI from its source, as `npm run settlement` does */
const CLI = [
  '-r',
  'ts-node/register/transpile-only',
  '-r',
  'tsconfig-paths/register',
  'services/settlement-reconciler/src/cli.ts',
];

const HEADER =
  'settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tmarketplace-name\tamount-type\tamount-description\tamount\tposted-date-time';
const S = '555';
const file = (total: string, rows: string[][]) =>
  [
    HEADER,
    [
      S,
      '2026-10-01T00:00:00+00:00',
      '2026-10-15T00:00:00+00:00',
      '2026-10-17T00:00:00+00:00',
      total,
      'EUR',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ].join('\t'),
    ...rows.map(([t, o, at, ad, a]) =>
      [S, '', '', '', '', '', t, o, 'Amazon.de', at, ad, a, '2026-10-03 10:00:00 UTC'].join('\t'),
    ),
  ].join('\n');

const GERMAN = file('1.055,40', [
  ['Order', '302-1', 'ItemPrice', 'Principal', '1.234,56'],
  ['Order', '302-1', 'ItemFees', 'Commission', '-185,18'],
  ['Refund', '302-2', 'ItemFees', 'RefundCommission', '-0,60'],
  ['other-transaction', '', 'other-transaction', 'Mondstaub-Gebühr', '-1,23'],
  ['other-transaction', '', 'other-transaction', 'Current Reserve Amount', '-50,00'],
  ['other-transaction', '', 'other-transaction', 'Previous Reserve Amount Balance', '57,85'],
]);

describe('settlement preview (CLI)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'preview-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when a German report is previewed, then the journal, the tie-out and the unmapped line are shown, nothing else happens', async () => {
    const p = await previewSettlement(Readable.from([GERMAN]));
    expect(p).toMatchObject({
      settlementId: S,
      currency: 'EUR',
      lineCount: 6,
      tiesOut: true,
      fileTiesOut: true,
      expectedDeposit: '1055.4',
    });
    expect(p.unmapped).toEqual([
      { key: 'other-transaction|other-transaction|Mondstaub-Gebühr', amount: '-1.23', lines: 1 },
    ]);
    const text = formatPreview(p);
    expect(text).toContain('Journal 555/A1PA6795UKMFR9/EUR  posting 2026-10-17');
    expect(text).toMatch(/1010\s+1,055\.40\s+Amazon payout/);
    expect(text).toMatch(/4000\s+1,234\.56\s+Order ItemPrice Principal/);
    expect(text).toContain('Difference:               0.00 EUR  TIES OUT');
    expect(text).toContain('Unmapped (booked to suspense, add a mapping):');
  });

  it('when run from the command line with a mapping file and --json, then the mapping applies and the exit status says whether it ties out', () => {
    const report = join(dir, 'report.tsv.gz');
    writeFileSync(report, gzipSync(GERMAN));
    const mapping = join(dir, 'mapping.json');
    writeFileSync(
      mapping,
      JSON.stringify({
        accounts: { payout: '1200-00', suspense: '9990-00' },
        rules: [
          {
            transactionType: '*',
            amountType: 'other-transaction',
            amountDescription: 'Mondstaub-Gebühr',
            category: 'FEE',
            account: '6150-00',
          },
        ],
      }),
    );
    const root = resolve(__dirname, '../../../..');
    const out = execFileSync(
      process.execPath,
      [...CLI, 'preview', '--report', report, '--mapping', mapping, '--json'],
      { cwd: root, encoding: 'utf8' },
    );
    const p = JSON.parse(out) as Preview;
    expect(p.unmapped).toEqual([]);
    expect(p.journals[0].lines.map((l: { account: string }) => l.account)).toContain('6150-00');
    expect(p.journals[0].lines.at(-1)).toMatchObject({
      account: '1200-00',
      debit: '1055.4',
      category: 'PAYOUT',
    });

    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, GERMAN.replace('1.055,40', '1.055,41'));
    const badRun = spawnSync(process.execPath, [...CLI, 'preview', '--report', bad], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(badRun.stdout).toContain('DOES NOT TIE OUT');
    expect(badRun.status).toBe(2);
  });
});

describe('settlement deposit (CLI)', () => {
  const noDb = (() => {
    throw new Error('the database is not reached for a bad amount');
  }) as unknown as Db;

  it.each([['1,234.56'], ['-5.00'], ['0'], ['12.345678'], ['1e3']])(
    'when the home amount is %s, then it is refused before anything is recorded',
    async (homeAmount) => {
      const store = new FakeReconcilerStore();
      await expect(
        recordDeposit(store, noDb, { connectionId: 'c1', settlementId: 'S', homeAmount, recordedBy: 'ops' }),
      ).rejects.toMatchObject({ code: 'DEPOSIT_INVALID', retriable: false });
      expect(store.deposits).toEqual([]);
    },
  );
});
