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
}

/** "2026-10-10 12:00:00 UTC" (posted-date-time) or ISO 8601 with offset (summary dates). */
export function parseSettlementDate(raw: string): number {
  const s = raw.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  const ms = m
    ? Date.parse(`${m[1]}T${m[2]}${!m[3] || /UTC|GMT|Z/.test(m[3]) ? 'Z' : m[3]}`)
    : /^\d{4}-\d{2}-\d{2}$/.test(s)
      ? Date.parse(`${s}T00:00:00Z`)
      : NaN;
  if (Number.isNaN(ms)) throw new Error(`not a date: "${raw}"`);
  return ms;
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
      marketplaceName?: string | null;
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
    let total = 0n;
    let count = 0;
    const marketplaces = new Set<string>();

    for await (const raw of lines) {
      lineNumber++;
      const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      const cells = text.replace(/\r$/, '').split('\t');
      if (!index) {
        ({ index, unknownColumns } = this.readHeader(cells, lineNumber));
        continue;
      }
      const cell = (c: Column): string => {
        const at = index!.get(c);
        return at === undefined ? '' : (cells[at] ?? '').trim();
      };
      const amountOf = (c: Column): string => {
        try {
          return parseLocaleAmount(cell(c), separator ? { decimalSeparator: separator } : {});
        } catch (err) {
          throw new SettlementReportFormatError(
            err instanceof InvalidAmountError ? err.message : `bad amount "${cell(c)}"`,
            lineNumber,
            c,
          );
        }
      };

      if (!summary) {
        if (!cell('total-amount') || !cell('currency'))
          throw new SettlementReportFormatError(
            'the summary row (total-amount, currency) must follow the header',
            lineNumber,
          );
        separator ??= detectSeparator(cell('total-amount'));
        const date = (c: Column) => {
          try {
            return parseSettlementDate(cell(c));
          } catch (err) {
            throw new SettlementReportFormatError((err as Error).message, lineNumber, c);
          }
        };
        summary = {
          settlementId: this.required(cell('settlement-id'), lineNumber, 'settlement-id'),
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
      const postedRaw = cell('posted-date-time');
      let postedDate: number | null = null;
      if (postedRaw)
        try {
          postedDate = parseSettlementDate(postedRaw);
        } catch (err) {
          throw new SettlementReportFormatError((err as Error).message, lineNumber, 'posted-date-time');
        }
      const qty = cell('quantity-purchased');
      if (qty && !/^-?\d+$/.test(qty))
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
    };
  }

  private readHeader(cells: string[], lineNumber: number) {
    const index = new Map<Column, number>();
    const unknownColumns: string[] = [];
    cells.forEach((name, i) => {
      const n = name.trim().toLowerCase();
      if (n === '') return; // trailing tabs
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

/** The summary's total always carries decimals; its last separator is the file's decimal separator. */
function detectSeparator(total: string): '.' | ',' | undefined {
  const m = /[.,](\d{1,2})$/.exec(total.trim());
  if (m) return total.trim()[total.trim().length - m[1].length - 1] as '.' | ',';
  return undefined;
}

/** A whole settlement from its text, for the CLI and tests (the service streams instead). */
export async function parseSettlementText(
  text: string,
  reportId: string,
): Promise<{ result: SettlementParseResult; lines: SettlementLine[] }> {
  const parser = new SettlementReportParser({ reportId });
  const lines: SettlementLine[] = [];
  for await (const r of parser.records(text.split('\n'))) if (r.kind === 'line') lines.push(r.line);
  return { result: parser.result(), lines };
}
