import type { Readable } from 'node:stream';
import { errorMessage, isRetriable, type Clock } from '@connector/core';
import type { Connection } from '@connector/db';
import { recordKey, type SettlementReportEvent, type TopicName } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import {
  SettlementReportParser,
  settlementLines,
  type SellingPartnerApi,
  type SettlementLine,
  type SettlementParseResult,
} from '@connector/sp-api';
import { downloadStream, type RawArchive } from '../archive/raw-archive';
import type { IngestStateStore } from '../ingest-state/ingest-state.store';
import type { SettlementReportStore } from './settlement-report.store';

export const SETTLEMENT_REPORT_TYPE = 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2';
const TOPIC = 'amazon.settlements.v1' as const satisfies TopicName;

export interface SettlementIngestDeps {
  reports: SettlementReportStore;
  state: IngestStateStore;
  archive: RawArchive;
  publisher: EventPublisher;
  clock: Clock;
  logger: Logger;
  metrics?: ConnectorMetrics;
  /** detail lines per Kafka record: bounds memory and record size (~500 B a line) */
  chunkSize?: number;
}

export interface SettlementRunResult {
  listed: number;
  published: string[];
  rejected: Array<{ reportId: string; error: string }>;
  skipped: number;
}

/**
 * Settlement reports (FACTS §7): lists the V2 flat-file reports Amazon generated since the cursor,
 * archives each raw file (gzip) before anything else, validates it in one streaming pass (columns,
 * amounts, dates, tie-out of detail rows to the summary's total), then streams it again into chunks
 * of `chunkSize` lines and a closing record, keyed by settlement id. A malformed file is rejected
 * with its line and column and kept in the archive; nothing of it reaches Kafka, other reports go on,
 * and `reprocess` publishes it from the archive once the cause is fixed. Memory is constant in the
 * size of the file.
 */
export class SettlementIngestService {
  constructor(private readonly deps: SettlementIngestDeps) {}

  async sync(conn: Connection, api: SellingPartnerApi): Promise<SettlementRunResult> {
    const { state, clock } = this.deps;
    const cursor = await state.getCursor(conn.id, 'settlements');
    // Amazon keeps reports 90 days; the first run takes all of them
    const since = cursor?.watermark ?? clock.now() - 90 * 86_400_000;
    const result: SettlementRunResult = { listed: 0, published: [], rejected: [], skipped: 0 };
    let newest = since;
    const reports = api.getReports({
      reportTypes: [SETTLEMENT_REPORT_TYPE],
      processingStatuses: ['DONE'],
      createdSince: new Date(since).toISOString(),
      pageSize: 100,
    });
    const todo: Array<{ reportId: string; documentId: string; createdMs: number }> = [];
    for await (const r of reports) {
      result.listed++;
      newest = Math.max(newest, Date.parse(r.createdTime));
      const known = await this.deps.reports.get(conn.id, r.reportId);
      if (known && known.state !== 'archived') {
        result.skipped++;
        continue;
      }
      todo.push({
        reportId: r.reportId,
        documentId: r.reportDocumentId!,
        createdMs: Date.parse(r.createdTime),
      });
    }
    // oldest first, so settlements reach the reconciler in the order they were paid
    todo.sort((a, b) => a.createdMs - b.createdMs);
    for (const r of todo) {
      try {
        const outcome = await this.ingestOne(conn, api, r.reportId, r.documentId);
        if (outcome.ok) result.published.push(outcome.settlementId);
        else result.rejected.push({ reportId: r.reportId, error: outcome.error });
      } catch (err) {
        if (isRetriable(err)) throw err; // the whole run is retried; the cursor has not moved
        result.rejected.push({ reportId: r.reportId, error: errorMessage(err) });
      }
    }
    // listing overlaps by a day: reports already handled are skipped by id
    await state.saveCursor(conn.id, 'settlements', {
      watermark: Math.max(since, newest - 86_400_000),
      state: {},
    });
    return result;
  }

  /** Archive, validate, publish one report. */
  private async ingestOne(conn: Connection, api: SellingPartnerApi, reportId: string, documentId: string) {
    let record = await this.deps.reports.get(conn.id, reportId);
    if (!record?.archiveUri || !(await this.deps.archive.exists(record.archiveUri))) {
      const doc = await api.getReportDocument(documentId);
      const body = await downloadStream(doc.url);
      const { uri, bytes } = await this.deps.archive.put(`settlements/${conn.id}/${reportId}.tsv`, body, {
        gzipped: doc.compressionAlgorithm === 'GZIP',
      });
      record = { connectionId: conn.id, reportId, state: 'archived', archiveUri: uri };
      await this.deps.reports.save(record);
      this.deps.logger.info({ connectionId: conn.id, reportId, uri, bytes }, 'settlement report archived');
    }
    return this.publishFromArchive(conn, reportId, record.archiveUri!);
  }

  /** Publishes an archived report again (after a fix); chunk ids are deterministic, so a repeat is harmless. */
  async reprocess(conn: Connection, reportId: string) {
    const record = await this.deps.reports.get(conn.id, reportId);
    if (!record?.archiveUri) throw new Error(`report ${reportId} of ${conn.id} is not in the archive`);
    return this.publishFromArchive(conn, reportId, record.archiveUri);
  }

  private async publishFromArchive(
    conn: Connection,
    reportId: string,
    uri: string,
  ): Promise<{ ok: true; settlementId: string } | { ok: false; error: string }> {
    const { logger, metrics } = this.deps;
    // pass 1: validate the whole file before anything of it is published
    let checked: SettlementParseResult;
    try {
      const parser = new SettlementReportParser({ reportId });
      for await (const rec of parser.records(lines(this.deps.archive.open(uri)))) void rec;
      checked = parser.result();
    } catch (err) {
      const error = errorMessage(err);
      await this.deps.reports.save({
        connectionId: conn.id,
        reportId,
        state: 'rejected',
        archiveUri: uri,
        error,
      });
      metrics?.ingestRejected.inc({ connection: conn.id, stream: 'settlements', reason: 'malformed_report' });
      logger.error(
        { connectionId: conn.id, reportId, uri, error },
        'settlement report rejected; raw file kept',
      );
      return { ok: false, error };
    }
    if (checked.unknownColumns.length)
      logger.warn(
        { connectionId: conn.id, reportId, columns: checked.unknownColumns },
        'settlement report has columns the connector does not know',
      );

    // pass 2: publish chunks, then the closing record
    const marketplaceName = checked.marketplaceNames.length === 1 ? checked.marketplaceNames[0] : null;
    const parser = new SettlementReportParser({
      reportId,
      decimalSeparator: checked.decimalSeparator,
      dateStyle: checked.dateStyle,
      marketplaceName,
    });
    const size = this.deps.chunkSize ?? 1000;
    const settlementId = checked.summary.settlementId;
    const { settlementId: _id, ...header } = { ...checked.summary, marketplaceName };
    const observedAt = this.deps.clock.now();
    let chunk: SettlementLine[] = [];
    let chunkIndex = 0;
    const flush = async () => {
      const event: SettlementReportEvent = {
        eventId: `${settlementId}#${chunkIndex}`,
        connectionId: conn.id,
        settlementId,
        payload: { 'connector.amazon.SettlementChunk': { chunkIndex, header, lines: chunk } },
        observedAt,
      };
      await this.deps.publisher.publish(TOPIC, [{ key: recordKey(conn.id, settlementId), value: event }]);
      chunkIndex++;
      chunk = [];
    };
    for await (const rec of parser.records(lines(this.deps.archive.open(uri)))) {
      if (rec.kind !== 'line') continue;
      chunk.push(rec.line);
      if (chunk.length >= size) await flush();
    }
    if (chunk.length || chunkIndex === 0) await flush();
    const done = parser.result();
    const closed: SettlementReportEvent = {
      eventId: `${settlementId}#closed`,
      connectionId: conn.id,
      settlementId,
      payload: {
        'connector.amazon.SettlementClosed': {
          chunkCount: chunkIndex,
          lineCount: done.lineCount,
          header,
          detailTotal: { amount: done.detailTotal, currency: done.summary.totalAmount.currency },
          tiesOut: done.tiesOut,
          rawArchiveUri: uri,
        },
      },
      observedAt,
    };
    await this.deps.publisher.publish(TOPIC, [{ key: recordKey(conn.id, settlementId), value: closed }]);
    await this.deps.reports.save({
      connectionId: conn.id,
      reportId,
      settlementId,
      state: 'published',
      archiveUri: uri,
      lineCount: done.lineCount,
      chunkCount: chunkIndex,
      totalAmount: done.summary.totalAmount.amount,
      detailTotal: done.detailTotal,
      currency: done.summary.totalAmount.currency,
      tiesOut: done.tiesOut,
    });
    const log = {
      connectionId: conn.id,
      reportId,
      settlementId,
      lines: done.lineCount,
      chunks: chunkIndex,
      total: done.summary.totalAmount,
      detailTotal: done.detailTotal,
    };
    if (done.tiesOut) logger.info(log, 'settlement published');
    else {
      metrics?.ingestRejected.inc({ connection: conn.id, stream: 'settlements', reason: 'does_not_tie_out' });
      logger.warn(
        log,
        'settlement published, but its detail rows do not sum to the total; the reconciler will flag it',
      );
    }
    return { ok: true as const, settlementId };
  }
}

/** One line at a time, never a line longer than the parser accepts (a file without line breaks is refused). */
function lines(stream: Readable): AsyncIterable<string> {
  return settlementLines(stream as AsyncIterable<Buffer>);
}
