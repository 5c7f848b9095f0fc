import { NonRetriableError } from '@connector/core';
import type { SettlementReportEventTypes } from '@connector/events';
import { decimal, fromUnscaled, parseLocaleAmount, toUnscaled, InvalidAmountError } from '@connector/money';

/** The V2 settlement flat file's columns (FACTS §7.2). Mapped by header name, never by position. */
export const V2_SETTLEMENT_COLUMNS = [
  'settlement-id',
  'settlement-start-date',
  'settlement-end-date',
  'deposit-date',
  'total-amount',
  'currency',
  'transaction-type',
  'order-id',
  'merchant-order-id',
  'adjustment-id',
  'shipment-id',
  'marketplace-name',
  'amount-type',
  'amount-description',
  'amount',
  'fulfillment-id',
  'posted-date',
  'posted-date-time',
  'order-item-code',
  'merchant-order-item-id',
  'merchant-adjustment-item-id',
  'sku',
  'quantity-purchased',
  'promotion-id',
] as const;
type Column = (typeof V2_SETTLEMENT_COLUMNS)[number];

/** Without these a detail row cannot be booked; a file missing one is rejected whole. */
const REQUIRED: readonly Column[] = [
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
];

const SCALE = 4;

export type SettlementLine = SettlementReportEventTypes.ConnectorAmazon.SettlementLine;
type SettlementHeader = SettlementReportEventTypes.ConnectorAmazon.SettlementHeader;

/** The file cannot be trusted: a row or the layout is wrong. Says where, so the archived raw file can be checked. */
export class SettlementReportFormatError extends NonRetriableError {
  constructor(
    message: string,
    readonly lineNumber: number,
    readonly column?: string,
  ) {
    super('SETTLEMENT_REPORT_MALFORMED', `line ${lineNumber}${column ? `, ${column}` : ''}: ${message}`);
  }
}

export interface SettlementSummary extends SettlementHeader {
  settlementId: string;
}

export type SettlementRecord =
  { kind: 'summary'; summary: SettlementSummary } | { kind: 'line'; line: SettlementLine };

export interface SettlementParseResult {
  summary: SettlementSummary;
  lineCount: number;
  /** Σ amount of every detail row, exact. */
  detailTotal: string;
  /** detailTotal equals the summary's total-amount to the last digit (FACTS §7.3 invariant). */
  tiesOut: boolean;
  /** Header names we don't know: kept out of the events, reported so a new column is noticed. */
  unknownColumns: string[];
  decimalSeparator: '.' | ',';
  /** Distinct marketplace-name values of the detail rows (one for a single-marketplace settlement). */
  marketplaceNames: string[];
  /** how the file writes posted-date-time (the detail rows' dates), decided by the first one */
  dateStyle: SettlementDateStyle;
}

/**
 * How a file writes its dates: `iso` ("2026-10-10 12:00:00 UTC", "2026-10-01T00:00:00+00:00") in NA
 * files, `eu` ("10.10.2026 12:00:00 UTC", day first) in EU files. Decided by the summary row, then
 * every date of the file must be in that form. "10/09/2026" is refused: day and month cannot be told
 * apart, and a silent swap would book on the wrong day.
 */
export type SettlementDateStyle = 'iso' | 'eu';

/** The date is not one of the accepted forms, or not a real calendar date. Final. */
export class SettlementDateError extends NonRetriableError {
  constructor(raw: string, reason: string) {
    super('SETTLEMENT_DATE_INVALID', `not a date: "${raw}" (${reason})`);
  }
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?)?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/;
const EU_DATE = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}):(\d{2}):(\d{2}))?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/;

/** The style a date string is written in, without parsing it. */
export function settlementDateStyle(raw: string): SettlementDateStyle | undefined {
  const s = raw.trim();
  if (ISO_DATE.test(s)) return 'iso';
  if (EU_DATE.test(s)) return 'eu';
  return undefined;
}

/**
 * "2026-10-10 12:00:00 UTC" (posted-date-time), ISO 8601 with offset (summary dates), or with
 * `style` 'eu' (or undefined) "10.10.2026 12:00:00 UTC". Returns ms since epoch; rejects impossible
 * dates (31.02) rather than letting them roll over into the next month.
 */
export function parseSettlementDate(raw: string, style?: SettlementDateStyle): number {
  const s = raw.trim();
  let parts: RegExpExecArray | null;
  let y: string, mo: string, d: string;
  let found: SettlementDateStyle;
  if ((parts = ISO_DATE.exec(s))) {
    [, y, mo, d] = parts;
    found = 'iso';
  } else if ((parts = EU_DATE.exec(s))) {
    [, d, mo, y] = parts;
    found = 'eu';
  } else if (/^\d{1,2}\/\d{1,2}\/\d{2,4}/.test(s))
    throw new SettlementDateError(raw, 'day/month order of a slashed date is ambiguous');
  else throw new SettlementDateError(raw, 'expected YYYY-MM-DD HH:MM:SS UTC or DD.MM.YYYY HH:MM:SS UTC');
  if (style && found !== style)
    throw new SettlementDateError(raw, `the file writes its dates in the ${style.toUpperCase()} form`);
  const [hh = '00', mm = '00', ss = '00'] = parts.slice(4, 7);
  const zone = parts[7];
  const offset =
    !zone || /UTC|GMT|Z/.test(zone) ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    Number(hh) > 23 ||
    Number(mm) > 59 ||
    Number(ss) > 59
  )
    throw new SettlementDateError(raw, 'no such day or time');
  const ms = Date.parse(`${y}-${mo}-${d}T${hh}:${mm}:${ss}${offset}`);
  if (Number.isNaN(ms)) throw new SettlementDateError(raw, 'unreadable');
  return ms;
}

/** Longest line accepted; real rows are a few hundred characters. A longer one is a broken file. */
export const MAX_SETTLEMENT_LINE = 64 * 1024;
/** Avro amounts are decimal(18,4): at most 14 digits before the point. */
const MAX_WHOLE_DIGITS = 14;

/**
 * Splits a row on tabs. Cells may be quoted ("Amazon.de", "a ""b"""), and a quoted cell may hold a
 * tab; an unterminated quote means the row was cut or spans lines, which the format does not allow.
 */
export function splitSettlementRow(text: string, lineNumber: number): string[] {
  if (!text.includes('"')) return text.split('\t');
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) throw new SettlementReportFormatError('unterminated quoted cell', lineNumber);
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      const tab = text.indexOf('\t', j);
      const rest = tab === -1 ? text.slice(j) : text.slice(j, tab);
      if (rest.trim() !== '') throw new SettlementReportFormatError('text after a closing quote', lineNumber);
      cells.push(value);
      if (tab === -1) return cells;
      i = tab + 1;
    } else {
      const tab = text.indexOf('\t', i);
      cells.push(tab === -1 ? text.slice(i) : text.slice(i, tab));
      if (tab === -1) return cells;
      i = tab + 1;
    }
  }
}

/**
 * Streams a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file (FACTS §7): header row, the summary row
 * (only settlement-id … currency filled; files that fill those on every row are tolerated), then
 * detail rows. Amounts are parsed exactly whatever the locale (95,00 or 95.00; one separator per
 * file, decided from the summary's total), `posted-date-time` is the date, columns are found by
 * name. Memory stays constant: one row at a time, the running total as a bigint.
 *
 * Iterate `records(lines)`; `result()` is available once the iteration has finished.
 */
export class SettlementReportParser {
  private done?: SettlementParseResult;

  constructor(
    private readonly opts: {
      reportId: string;
      decimalSeparator?: '.' | ',';
      dateStyle?: SettlementDateStyle;
      marketplaceName?: string | null;
      maxLineLength?: number;
    },
  ) {}

  result(): SettlementParseResult {
    if (!this.done) throw new Error('the settlement has not been read to the end');
    return this.done;
  }

  async *records(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<SettlementRecord> {
    let lineNumber = 0;
    let index: Map<Column, number> | undefined;
    let unknownColumns: string[] = [];
    let summary: SettlementSummary | undefined;
    let separator = this.opts.decimalSeparator;
    let dateStyle = this.opts.dateStyle;
    const maxLine = this.opts.maxLineLength ?? MAX_SETTLEMENT_LINE;
    let total = 0n;
    let count = 0;
    const marketplaces = new Set<string>();

    for await (const raw of lines) {
      lineNumber++;
      if (raw.length > maxLine)
        throw new SettlementReportFormatError(`line longer than ${maxLine} characters`, lineNumber);
      const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      const cells = splitSettlementRow(text.replace(/\r$/, ''), lineNumber);
      if (!index) {
        ({ index, unknownColumns } = this.readHeader(cells, lineNumber));
        continue;
      }
      const cell = (c: Column): string => {
        const at = index!.get(c);
        return at === undefined ? '' : (cells[at] ?? '').trim();
      };
      const amountOf = (c: Column): string => {
        let amount: string;
        try {
          amount = parseLocaleAmount(cell(c), separator ? { decimalSeparator: separator } : {});
        } catch (err) {
          throw new SettlementReportFormatError(
            err instanceof InvalidAmountError ? err.message : `bad amount "${cell(c)}"`,
            lineNumber,
            c,
          );
        }
        const [whole, fraction = ''] = amount.replace('-', '').split('.');
        if (fraction.length > SCALE || whole.replace(/^0+(?=\d)/, '').length > MAX_WHOLE_DIGITS)
          throw new SettlementReportFormatError(
            `amount "${cell(c)}" does not fit decimal(18,${SCALE})`,
            lineNumber,
            c,
          );
        // the first amount that shows its decimal separator decides it for the rest of the file
        separator ??= detectSeparator(cell(c));
        return amount;
      };
      // the summary's dates may be ISO 8601 while the rows' posted-date-time is EU (Amazon's field
      // definitions give the summary dates as ISO): each form is unambiguous alone, so the style is
      // held per column, and it is the rows' column that must not change within the file
      const date = (c: Column): number => {
        const raw = cell(c);
        if (c === 'posted-date-time') dateStyle ??= settlementDateStyle(raw);
        try {
          return parseSettlementDate(raw, c === 'posted-date-time' ? dateStyle : undefined);
        } catch (err) {
          throw new SettlementReportFormatError((err as Error).message, lineNumber, c);
        }
      };

      if (!summary) {
        if (!cell('total-amount') || !cell('currency'))
          throw new SettlementReportFormatError(
            'the summary row (total-amount, currency) must follow the header',
            lineNumber,
          );
        separator ??= detectSeparator(cell('total-amount'));
        const settlementId = this.required(cell('settlement-id'), lineNumber, 'settlement-id');
        if (!/^\d{1,20}$/.test(settlementId))
          throw new SettlementReportFormatError(
            `settlement-id "${settlementId.slice(0, 40)}" is not 1-20 digits`,
            lineNumber,
            'settlement-id',
          );
        if (!/^[A-Z]{3}$/.test(cell('currency')))
          throw new SettlementReportFormatError(
            `currency "${cell('currency').slice(0, 40)}" is not an ISO 4217 code`,
            lineNumber,
            'currency',
          );
        summary = {
          settlementId,
          reportId: this.opts.reportId,
          settlementStartDate: date('settlement-start-date'),
          settlementEndDate: date('settlement-end-date'),
          depositDate: date('deposit-date'),
          totalAmount: { amount: amountOf('total-amount'), currency: cell('currency') },
          marketplaceName: this.opts.marketplaceName ?? null,
        };
        yield { kind: 'summary', summary };
        continue;
      }

      if (cell('settlement-id') !== summary.settlementId)
        throw new SettlementReportFormatError(
          `settlement-id "${cell('settlement-id')}" differs from the summary's ${summary.settlementId}`,
          lineNumber,
          'settlement-id',
        );
      const amount = amountOf('amount');
      total += toUnscaled(amount, SCALE);
      count++;
      const optional = (c: Column) => cell(c) || null;
      if (cell('marketplace-name')) marketplaces.add(cell('marketplace-name'));
      const postedDate = cell('posted-date-time') ? date('posted-date-time') : null;
      const qty = cell('quantity-purchased');
      if (qty && (!/^-?\d{1,9}$/.test(qty) || !Number.isSafeInteger(Number(qty))))
        throw new SettlementReportFormatError(`bad quantity "${qty}"`, lineNumber, 'quantity-purchased');
      yield {
        kind: 'line',
        line: {
          lineNumber,
          transactionType: this.required(cell('transaction-type'), lineNumber, 'transaction-type'),
          orderId: optional('order-id'),
          merchantOrderId: optional('merchant-order-id'),
          adjustmentId: optional('adjustment-id'),
          shipmentId: optional('shipment-id'),
          marketplaceName: optional('marketplace-name'),
          amountType: this.required(cell('amount-type'), lineNumber, 'amount-type'),
          amountDescription: this.required(cell('amount-description'), lineNumber, 'amount-description'),
          amount: { amount, currency: summary.totalAmount.currency },
          fulfillmentId: optional('fulfillment-id'),
          postedDate,
          orderItemCode: optional('order-item-code'),
          merchantOrderItemId: optional('merchant-order-item-id'),
          merchantAdjustmentItemId: optional('merchant-adjustment-item-id'),
          sku: optional('sku'),
          quantityPurchased: qty ? Number(qty) : null,
          promotionId: optional('promotion-id'),
        },
      };
    }

    if (!index) throw new SettlementReportFormatError('the file is empty', lineNumber);
    if (!summary) throw new SettlementReportFormatError('the file has no summary row', lineNumber);
    const detailTotal = decimal(fromUnscaled(total, SCALE)).toFixed();
    this.done = {
      summary,
      lineCount: count,
      detailTotal,
      tiesOut: total === toUnscaled(summary.totalAmount.amount, SCALE),
      unknownColumns,
      decimalSeparator: separator ?? '.',
      marketplaceNames: [...marketplaces],
      dateStyle: dateStyle ?? 'iso',
    };
  }

  private readHeader(cells: string[], lineNumber: number) {
    const index = new Map<Column, number>();
    const unknownColumns: string[] = [];
    cells.forEach((name, i) => {
      const n = name.trim().toLowerCase();
      if (n === '') return; // trailing tabs
      if (index.has(n as Column))
        throw new SettlementReportFormatError(`column ${n} appears twice`, lineNumber, n);
      if ((V2_SETTLEMENT_COLUMNS as readonly string[]).includes(n)) index.set(n as Column, i);
      else unknownColumns.push(name.trim());
    });
    const missing = REQUIRED.filter((c) => !index.has(c));
    if (missing.length)
      throw new SettlementReportFormatError(
        `not a V2 settlement file: missing column(s) ${missing.join(', ')}`,
        lineNumber,
      );
    return { index, unknownColumns };
  }

  private required(value: string, lineNumber: number, column: Column): string {
    if (!value) throw new SettlementReportFormatError('empty', lineNumber, column);
    return value;
  }
}

/**
 * The separator an amount shows: the last of '.' or ',' when 1-2 digits follow it, or when both
 * appear. undefined when it cannot tell ("1234", "1.234").
 */
function detectSeparator(amount: string): '.' | ',' | undefined {
  const t = amount.trim();
  const m = /[.,](\d{1,2})\)?$/.exec(t);
  if (m) return m[0][0] as '.' | ',';
  const comma = t.lastIndexOf(',');
  const dot = t.lastIndexOf('.');
  if (comma !== -1 && dot !== -1) return comma > dot ? ',' : '.';
  return undefined;
}

/** A whole settlement from its text, for the CLI and tests (the service streams instead). */
export async function parseSettlementText(
  text: string,
  reportId: string,
): Promise<{ result: SettlementParseResult; lines: SettlementLine[] }> {
  const parser = new SettlementReportParser({ reportId });
  const lines: SettlementLine[] = [];
  for await (const r of parser.records(text.split(/\r?\n/))) if (r.kind === 'line') lines.push(r.line);
  return { result: parser.result(), lines };
}

/**
 * The lines of a settlement file as it streams in (LF or CRLF; a UTF-8 BOM stays for the parser to
 * drop), never holding more than one line: a line longer than `maxChars` stops the read with
 * SettlementReportFormatError before it is buffered whole (a file with no line breaks at all would
 * otherwise be read into memory entire).
 */
export async function* settlementLines(
  chunks: AsyncIterable<Buffer | string>,
  maxChars = MAX_SETTLEMENT_LINE,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let pending = '';
  let lineNumber = 0;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      lineNumber++;
      if (nl > maxChars + 1)
        throw new SettlementReportFormatError(`line longer than ${maxChars} characters`, lineNumber);
      yield pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
    }
    if (pending.length > maxChars + 1)
      throw new SettlementReportFormatError(`line longer than ${maxChars} characters`, lineNumber + 1);
  }
  pending += decoder.decode();
  if (pending !== '') yield pending.replace(/\r$/, '');
}
