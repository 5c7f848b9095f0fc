import { NonRetriableError, RetriableError, type Clock } from '@connector/core';
import { reportWakeKey, type ProcessingWakeups } from '../notifications/processing-wakeups';
import type { SellingPartnerApi } from '../selling-partner.api';

export class ReportFailedError extends NonRetriableError {
  constructor(reportId: string, status: string) {
    super('REPORT_FAILED', `report ${reportId} ended ${status}`);
  }
}

export class ReportTimeoutError extends RetriableError {
  constructor(reportId: string, waitedMs: number) {
    super('REPORT_TIMEOUT', `report ${reportId} not ready after ${Math.round(waitedMs / 1000)} s`);
  }
}

/**
 * Requests a report and waits for it (FACTS §6): createReport, getReport every `pollMs` growing to
 * `maxPollMs` until DONE, CANCELLED (no data: null) or FATAL, then the document (gunzipped). With
 * `wakeups`, a REPORT_PROCESSING_FINISHED notification ends the wait at once; the poll stays the net.
 */
export class ReportRunner {
  constructor(
    private readonly clock: Clock,
    private readonly opts: {
      pollMs?: number;
      maxPollMs?: number;
      timeoutMs?: number;
      wakeups?: ProcessingWakeups;
    } = {},
  ) {}

  async run(
    api: SellingPartnerApi,
    spec: { reportType: string; marketplaceIds: string[]; dataStartTime?: string; dataEndTime?: string },
  ): Promise<Buffer | null> {
    const reportId = await api.createReport(spec);
    const started = this.clock.now();
    let wait = this.opts.pollMs ?? 15_000;
    for (;;) {
      const report = await api.getReport(reportId);
      if (report.processingStatus === 'DONE') {
        const doc = await api.getReportDocument(report.reportDocumentId!);
        return api.downloadReportDocument(doc);
      }
      if (report.processingStatus === 'CANCELLED') return null;
      if (report.processingStatus === 'FATAL') throw new ReportFailedError(reportId, 'FATAL');
      if (this.clock.now() - started > (this.opts.timeoutMs ?? 3_600_000))
        throw new ReportTimeoutError(reportId, this.clock.now() - started);
      if (this.opts.wakeups) await this.opts.wakeups.sleep(reportWakeKey(reportId), wait);
      else await this.clock.sleep(wait);
      wait = Math.min(wait * 2, this.opts.maxPollMs ?? 120_000);
    }
  }
}
