import fc from 'fast-check';
import { fromUnscaled } from '@connector/money';
import {
  MAX_SETTLEMENT_LINE,
  SettlementReportFormatError,
  SettlementReportParser,
  V2_SETTLEMENT_COLUMNS,
  parseSettlementDate,
  parseSettlementText,
  settlementLines,
} from '../reports/settlement-report.parser';

/**
 * Hostile input for the V2 settlement flat file (reference/sp-api/FACTS.md §7): generated files in the
 * NA form (ISO dates, "1,234.56") and the EU form ("01.10.2026 10:11:12 UTC", "1.234,56"), with the
 * columns in any order, unknown columns, a BOM, CRLF, quoted cells; then the same files cut, mangled
 * and mixed. The parser must read the good ones exactly and refuse the bad ones with its typed error.
 */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const SECOND = 1000;
const FROM = Date.UTC(2020, 0, 1) / SECOND;
const TO = Date.UTC(2030, 11, 31) / SECOND;

type Style = 'na' | 'eu';

interface DetailModel {
  type: string;
  order: string;
  amountType: string;
  desc: string;
  cents: bigint;
  posted: number;
  qty: number | null;
}

interface FileModel {
  settlementId: string;
  style: Style;
  currency: string;
  start: number;
  end: number;
  deposit: number;
  details: DetailModel[];
  columns: string[];
  bom: boolean;
  crlf: boolean;
  quoteRate: number;
  grouping: boolean;
  /** EU files whose summary dates are ISO 8601 (as Amazon's field definitions describe them) */
  isoSummary: boolean;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function formatDate(ms: number, style: Style, summary: boolean): string {
  const d = new Date(ms);
  const [y, mo, day, h, mi, s] = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
  const time = `${pad(h)}:${pad(mi)}:${pad(s)}`;
  if (style === 'eu') return `${pad(day)}.${pad(mo)}.${y} ${time} UTC`;
  return summary ? `${y}-${pad(mo)}-${pad(day)}T${time}+00:00` : `${y}-${pad(mo)}-${pad(day)} ${time} UTC`;
}

/** Amazon's way of writing cents: "-1,234.56" (NA) or "-1.234,56" (EU), with or without groups. */
function formatAmount(cents: bigint, style: Style, grouping: boolean): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = (abs / 100n).toString();
  const frac = pad(Number(abs % 100n));
  const group = style === 'na' ? ',' : '.';
  const dec = style === 'na' ? '.' : ',';
  const grouped = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, group) : whole;
  return `${negative ? '-' : ''}${grouped}${dec}${frac}`;
}

const expectedAmount = (cents: bigint) => fromUnscaled(cents, 2).replace(/\.?0+$/, '') || '0';

const detailArb: fc.Arbitrary<DetailModel> = fc.record({
  type: fc.constantFrom('Order', 'Refund', 'other-transaction', 'ServiceFee', 'Brand New Type'),
  order: fc.constantFrom('', '302-1234567-7654321', '028-7654321-1234567'),
  amountType: fc.constantFrom('ItemPrice', 'ItemFees', 'other-transaction', 'Promotion'),
  desc: fc.constantFrom('Principal', 'Commission', 'Current Reserve Amount', 'Tab\tinside', 'quote " in'),
  cents: fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
  posted: fc.integer({ min: FROM, max: TO }).map((s) => s * SECOND),
  qty: fc.option(fc.integer({ min: -5, max: 1000 }), { nil: null }),
});

const OPTIONAL = V2_SETTLEMENT_COLUMNS.filter(
  (c) =>
    ![
      'settlement-id',
      'settlement-start-date',
      'settlement-end-date',
      'deposit-date',
      'total-amount',
      'currency',
      'transaction-type',
      'amount-type',
      'amount-description',
      'amount',
      'posted-date-time',
      'order-id',
      'quantity-purchased',
    ].includes(c),
);

const fileArb: fc.Arbitrary<FileModel> = fc
  .record({
    settlementId: fc.stringMatching(/^[1-9]\d{0,19}$/),
    style: fc.constantFrom<Style>('na', 'eu'),
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'CAD'),
    start: fc.integer({ min: FROM, max: TO }).map((s) => s * SECOND),
    details: fc.array(detailArb, { maxLength: 25 }),
    optional: fc.subarray(OPTIONAL as string[]),
    unknown: fc.subarray(['new-column', 'x-amzn-extra', 'Promotion-Type']),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    quoteRate: fc.constantFrom(0, 0.2, 1),
    grouping: fc.boolean(),
    isoSummary: fc.boolean(),
    order: fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .map((r) => {
    const base = [
      'settlement-id',
      'settlement-start-date',
      'settlement-end-date',
      'deposit-date',
      'total-amount',
      'currency',
      'transaction-type',
      'order-id',
      'amount-type',
      'amount-description',
      'amount',
      'posted-date-time',
      'quantity-purchased',
      ...r.optional,
      ...r.unknown,
    ];
    const keys = [...r.order.take(base.length)];
    const columns = base.map((c, i) => ({ c, k: keys[i] })).sort((a, b) => a.k - b.k);
    return {
      settlementId: r.settlementId,
      style: r.style,
      currency: r.currency,
      start: r.start,
      end: r.start + 14 * 86_400_000,
      deposit: r.start + 16 * 86_400_000,
      details: r.details,
      columns: columns.map((x) => x.c),
      bom: r.bom,
      crlf: r.crlf,
      quoteRate: r.quoteRate,
      grouping: r.grouping,
      isoSummary: r.isoSummary,
    };
  });

const total = (m: FileModel) => m.details.reduce((s, d) => s + d.cents, 0n);

/** deterministic "random" quoting so that a model always gives the same text */
function quote(cell: string, m: FileModel, salt: number): string {
  const must = cell.includes('\t') || cell.includes('"');
  const want = m.quoteRate === 1 || (m.quoteRate > 0 && (salt * 2654435761) % 5 === 0);
  return must || want ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function render(m: FileModel): string {
  const row = (values: Partial<Record<string, string>>, salt: number) =>
    m.columns.map((c, i) => quote(values[c] ?? '', m, salt + i)).join('\t');
  const lines = [m.columns.join('\t')];
  lines.push(
    row(
      {
        'settlement-id': m.settlementId,
        'settlement-start-date': formatDate(m.start, m.isoSummary ? 'na' : m.style, true),
        'settlement-end-date': formatDate(m.end, m.isoSummary ? 'na' : m.style, true),
        'deposit-date': formatDate(m.deposit, m.isoSummary ? 'na' : m.style, true),
        'total-amount': formatAmount(total(m), m.style, m.grouping),
        currency: m.currency,
      },
      1,
    ),
  );
  m.details.forEach((d, n) =>
    lines.push(
      row(
        {
          'settlement-id': m.settlementId,
          'transaction-type': d.type,
          'order-id': d.order,
          'amount-type': d.amountType,
          'amount-description': d.desc,
          amount: formatAmount(d.cents, m.style, m.grouping),
          'posted-date-time': formatDate(d.posted, m.style, false),
          'quantity-purchased': d.qty === null ? '' : String(d.qty),
          'marketplace-name': 'Amazon.de',
        },
        n * 31 + 7,
      ),
    ),
  );
  const text = lines.join(m.crlf ? '\r\n' : '\n') + (m.crlf ? '\r\n' : '\n');
  return (m.bom ? '\uFEFF' : '') + text;
}

async function parse(text: string) {
  return parseSettlementText(text, 'r-1');
}

/** The only acceptable failure: the parser's typed, final error. */
async function parsesOrRejects(
  text: string,
): Promise<Awaited<ReturnType<typeof parse>> | SettlementReportFormatError> {
  try {
    return await parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SettlementReportFormatError);
    expect(err).toMatchObject({ code: 'SETTLEMENT_REPORT_MALFORMED', retriable: false });
    return err as SettlementReportFormatError;
  }
}

describe('settlement report parser on hostile input (property-based)', () => {
  it('when a file is in the NA or EU form, in any column order, with BOM, CRLF or quoted cells, then every row is read exactly and the file ties out', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (m) => {
        const { result, lines } = await parse(render(m));
        expect(result.summary.settlementId).toBe(m.settlementId);
        expect(result.summary.totalAmount).toEqual({
          amount: expectedAmount(total(m)),
          currency: m.currency,
        });
        expect(result.summary.settlementStartDate).toBe(m.start);
        expect(result.summary.depositDate).toBe(m.deposit);
        expect(m.details.length ? result.dateStyle : 'no rows').toBe(
          m.details.length ? (m.style === 'eu' ? 'eu' : 'iso') : 'no rows',
        );
        expect(result.tiesOut).toBe(true);
        expect(result.unknownColumns.length).toBe(
          m.columns.filter((c) => !(V2_SETTLEMENT_COLUMNS as readonly string[]).includes(c)).length,
        );
        expect(
          lines.map((l) => [l.amount.amount, l.postedDate, l.transactionType, l.amountDescription]),
        ).toEqual(m.details.map((d) => [expectedAmount(d.cents), d.posted, d.type, d.desc]));
        expect(lines.map((l) => l.quantityPurchased)).toEqual(m.details.map((d) => d.qty));
      }),
      { numRuns: RUNS },
    );
  });

  it('when an EU date has a day of 12 or less, then day and month are never swapped', () => {
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (s) => {
        const ms = s * SECOND;
        expect(parseSettlementDate(formatDate(ms, 'eu', false), 'eu')).toBe(ms);
        expect(parseSettlementDate(formatDate(ms, 'na', false), 'iso')).toBe(ms);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('when a file writes its dates as 10/09/2026 (day and month order unknowable), then the file is rejected, not guessed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb.filter((f) => f.style === 'na'),
        fc.boolean(),
        async (m, us) => {
          const slashed = render(m).replace(
            /\b(\d{4})-(\d{2})-(\d{2})[ T]/g,
            (_all, y, mo, d) => `${us ? mo : d}/${us ? d : mo}/${y} `,
          );
          fc.pre(slashed !== render(m));
          const out = await parsesOrRejects(slashed);
          expect(out).toBeInstanceOf(SettlementReportFormatError);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('when one file mixes EU and NA posted dates or separators, then it is rejected, never read at 100 times the amount or on a swapped day', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb.filter((m) => m.details.some((d) => d.cents % 100n !== 0n)),
        fc.constantFrom('date', 'amount'),
        async (m, what) => {
          const i = m.details.findIndex((d) => d.cents % 100n !== 0n);
          const other: Style = m.style === 'na' ? 'eu' : 'na';
          const lines = render(m).split(m.crlf ? '\r\n' : '\n');
          const d = m.details[i];
          const good =
            what === 'date'
              ? formatDate(d.posted, m.style, false)
              : formatAmount(d.cents, m.style, m.grouping);
          const bad =
            what === 'date' ? formatDate(d.posted, other, false) : formatAmount(d.cents, other, m.grouping);
          lines[i + 2] = lines[i + 2].replace(good, bad);
          const out = await parsesOrRejects(lines.join('\n'));
          // an amount in the other form is refused; a date in the other form is refused when the
          // rows disagree, and a file whose rows agree is read on the right day, never swapped
          const verdict =
            out instanceof SettlementReportFormatError
              ? 'rejected'
              : what === 'date' && out.lines.every((l, k) => l.postedDate === m.details[k].posted)
                ? 'read right'
                : 'misread';
          expect(verdict).toBe(what === 'amount' || m.details.length > 1 ? 'rejected' : 'read right');
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('when a file is cut at any character, then it is either rejected or read up to the cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb.filter((m) => m.details.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (m, where) => {
          const text = render(m);
          const cut = text.slice(0, Math.floor(where * text.length));
          const out = await parsesOrRejects(cut);
          if (out instanceof SettlementReportFormatError) return;
          const { lines } = out;
          expect(lines.length).toBeLessThanOrEqual(m.details.length);
          // every row but the last (which may be cut) is read as written
          lines
            .slice(0, -1)
            .forEach((l, k) => expect(l.amount.amount).toBe(expectedAmount(m.details[k].cents)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('when bytes of a good file are replaced by arbitrary characters, then the parser rejects it with its typed error or reads it, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb,
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ unit: 'binary', maxLength: 4 })),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        async (m, edits) => {
          let text = render(m);
          for (const [at, s] of edits) {
            const i = Math.floor(at * text.length);
            text = text.slice(0, i) + s + text.slice(i + 1);
          }
          const out = await parsesOrRejects(text);
          expect(out instanceof SettlementReportFormatError || out.result.lineCount >= 0).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('when the header names a column twice, misses a required one, or a line is huge, then the file is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.constantFrom('duplicate', 'missing', 'huge', 'quote'), async (m, kind) => {
        const lines = render(m).split(m.crlf ? '\r\n' : '\n');
        if (kind === 'duplicate') lines[0] = `${lines[0]}\tamount`;
        if (kind === 'missing') lines[0] = lines[0].replace(/(^\uFEFF?|\t)amount(?=\t|$)/, '$1amount-x');
        if (kind === 'huge') lines[1] = `${lines[1]}\t${'9'.repeat(70_000)}`;
        if (kind === 'quote') lines[1] = `"${lines[1]}`;
        const out = await parsesOrRejects(lines.join('\n'));
        expect(out).toBeInstanceOf(SettlementReportFormatError);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('when an amount has more than 4 decimals or 14 whole digits, then the row is rejected instead of being rounded', async () => {
    for (const amount of ['1.23456', '123456789012345.00', '-0.00001']) {
      const m: FileModel = {
        settlementId: '1',
        style: 'na',
        currency: 'USD',
        start: FROM * SECOND,
        end: FROM * SECOND,
        deposit: FROM * SECOND,
        details: [],
        columns: [...V2_SETTLEMENT_COLUMNS],
        bom: false,
        crlf: false,
        quoteRate: 0,
        grouping: false,
        isoSummary: false,
      };
      const text = render(m).replace('\t0.00\tUSD', `\t${amount}\tUSD`);
      await expect(parse(text)).rejects.toThrow(SettlementReportFormatError);
    }
  });

  it('when the parser is reused for the second pass with the decided styles, then it reads the same file the same way', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (m) => {
        const text = render(m);
        const first = await parse(text);
        const again = new SettlementReportParser({
          reportId: 'r-1',
          decimalSeparator: first.result.decimalSeparator,
          dateStyle: first.result.dateStyle,
        });
        const seen: string[] = [];
        for await (const r of again.records(text.split(/\r?\n/)))
          if (r.kind === 'line') seen.push(r.line.amount.amount);
        expect(seen).toEqual(first.lines.map((l) => l.amount.amount));
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('settlement dates that do not exist', () => {
  it.each([
    '2026-02-31 10:00:00 UTC',
    '31.02.2026 10:00:00 UTC',
    '2026-13-01',
    '00.10.2026',
    '2026-10-01 24:00:00 UTC',
  ])('when a date reads %s, then it is refused rather than rolled into the next month', (raw) => {
    expect(() => parseSettlementDate(raw)).toThrow(/not a date/);
  });
});

describe('settlement lines read from a stream', () => {
  async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it('when a file arrives in chunks of any size, cutting lines and multi-byte characters, then the lines are those of the file', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.integer({ min: 1, max: 200 }), async (m, size) => {
        const text = render(m);
        const got: string[] = [];
        for await (const l of settlementLines(chunked(text, size))) got.push(l);
        expect(got).toEqual(text.split(/\r?\n/).slice(0, -1));
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('when a file has no line break for megabytes, then it is refused before the line is held whole', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        read += 16_384;
        yield Buffer.alloc(16_384, 'x');
      }
    }
    await expect(async () => {
      for await (const _ of settlementLines(endless())) void _;
    }).rejects.toThrow(SettlementReportFormatError);
    expect(read).toBeLessThan(MAX_SETTLEMENT_LINE * 2);
  });
});
