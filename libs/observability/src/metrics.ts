import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The connector's Prometheus metrics. One registry per process; every series carries the `service`
 * label. Names and labels are what deploy/grafana and deploy/prometheus/alerts.yml query.
 */
export class ConnectorMetrics {
  readonly registry = new Registry();

  readonly eventsConsumed = new Counter({
    name: 'connector_events_consumed_total',
    help: 'Records consumed, by topic and outcome (ok, retried, dead_lettered)',
    labelNames: ['topic', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsProduced = new Counter({
    name: 'connector_events_produced_total',
    help: 'Records produced, by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly dlqMessages = new Counter({
    name: 'connector_dlq_messages_total',
    help: 'Records sent to a dead-letter topic, by source topic and reason',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });
  readonly handlerDuration = new Histogram({
    name: 'connector_handler_duration_seconds',
    help: 'Time to process one consumed record, retries included',
    labelNames: ['topic'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'connector_consumer_lag',
    help: 'High watermark minus the next offset to process',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });
  readonly erpConcurrency = new Gauge({
    name: 'connector_erp_concurrency',
    help: 'ERP documents of one connection written at once: the adaptive limit now',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly spapiCalls = new Counter({
    name: 'connector_spapi_calls_total',
    help: 'SP-API calls by operation and HTTP status',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly spapiThrottled = new Counter({
    name: 'connector_spapi_throttled_total',
    help: 'SP-API calls answered 429, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly spapiLimiterWait = new Histogram({
    name: 'connector_spapi_limiter_wait_seconds',
    help: 'Time spent waiting for a rate-limit token, by operation',
    labelNames: ['operation'] as const,
    buckets: [0, 0.1, 0.5, 1, 5, 15, 60, 180, 600],
    registers: [this.registry],
  });
  readonly erpWrites = new Counter({
    name: 'connector_erp_writes_total',
    help: 'ERP writes by ERP, operation and outcome',
    labelNames: ['erp', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly settlementTieoutDifference = new Gauge({
    name: 'connector_settlement_tieout_difference',
    help: 'Settlement deposit minus posted journal total (0 when it ties out)',
    labelNames: ['settlement_id', 'marketplace', 'currency'] as const,
    registers: [this.registry],
  });
  readonly endToEndLatency = new Histogram({
    name: 'connector_end_to_end_latency_seconds',
    help: 'From the source event (Amazon purchase, settlement close) to the ERP document',
    labelNames: ['flow'] as const,
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [this.registry],
  });

  readonly ingestCursorLag = new Gauge({
    name: 'connector_ingest_cursor_lag_seconds',
    help: 'Now minus the watermark of a poll cursor, by connection and stream',
    labelNames: ['connection', 'stream'] as const,
    registers: [this.registry],
  });
  readonly ingestRuns = new Counter({
    name: 'connector_ingest_runs_total',
    help: 'Poll runs by connection, stream and outcome (ok, failed)',
    labelNames: ['connection', 'stream', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestHeldOrders = new Gauge({
    name: 'connector_ingest_held_orders',
    help: 'Orders held while pending (no prices yet), by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly ingestRejected = new Counter({
    name: 'connector_ingest_rejected_total',
    help: 'Source records or files kept out of Kafka because they are malformed, by stream and reason',
    labelNames: ['connection', 'stream', 'reason'] as const,
    registers: [this.registry],
  });
  readonly shipmentConfirmations = new Counter({
    name: 'connector_shipment_confirmations_total',
    help: 'ERP packages confirmed to Amazon, by outcome (CONFIRMED, ALREADY_SHIPPED, SKIPPED, RETRY, FAILED)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly erpPollRows = new Counter({
    name: 'connector_erp_poll_rows_total',
    help: 'Rows read from an ERP by erp-change-poller, by connection and stream (erp-items, erp-full-scan, erp-shipments)',
    labelNames: ['connection', 'stream'] as const,
    registers: [this.registry],
  });
  readonly erpPollPublished = new Counter({
    name: 'connector_erp_poll_published_total',
    help: 'Events published because an ERP row differs from its last published state, by connection, stream and source (CHANGE_POLL, FULL_SCAN)',
    labelNames: ['connection', 'stream', 'source'] as const,
    registers: [this.registry],
  });
  readonly erpCursorLag = new Gauge({
    name: 'connector_erp_cursor_lag_seconds',
    help: "The ERP's clock minus the time up to which every change has been read and published, by connection and stream",
    labelNames: ['connection', 'stream'] as const,
    registers: [this.registry],
  });
  readonly erpFullScanSeconds = new Gauge({
    name: 'connector_erp_full_scan_seconds',
    help: 'Duration of the last full item scan, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });

  readonly listingUpdates = new Counter({
    name: 'connector_listing_updates_total',
    help: 'Listing price/quantity outcomes by status (ACCEPTED, INVALID, SKIPPED_FBA, ...) and path (patch, feed, planner)',
    labelNames: ['status', 'via'] as const,
    registers: [this.registry],
  });
  readonly listingNoops = new Counter({
    name: 'connector_listing_noops_total',
    help: 'Listing updates not sent because Amazon already has the values',
    registers: [this.registry],
  });
  readonly listingUnmappedItems = new Counter({
    name: 'connector_listing_unmapped_items_total',
    help: 'ERP item changes with no SKU in mapping.skus.v1, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly listingEventToCall = new Histogram({
    name: 'connector_listing_event_to_call_seconds',
    help: 'From the ERP item-change event (broker time) to the SP-API call that carries it, by path',
    labelNames: ['via'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly listingFeeds = new Counter({
    name: 'connector_listing_feeds_total',
    help: 'JSON_LISTINGS_FEED submissions by outcome (DONE, FATAL, CANCELLED, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(service: string, { defaultMetrics = true } = {}) {
    this.registry.setDefaultLabels({ service });
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
