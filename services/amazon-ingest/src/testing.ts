/** amazon-ingest's in-memory stores (`@connector/amazon-ingest/testing`): unit tests and benches. */
export { FakeIngestStateStore } from './ingest-state/ingest-state.store';
export { FakeSettlementReportStore } from './settlements/settlement-report.store';
