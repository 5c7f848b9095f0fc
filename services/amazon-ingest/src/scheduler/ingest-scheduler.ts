import { ConnectionScheduler, type Clock, type ScheduledStream } from '@connector/core';
import type { Connection, ConnectionCredentials } from '@connector/db';
import type { ConnectorMetrics, Logger } from '@connector/observability';
import type { SellingPartnerApi } from '@connector/sp-api';

/** `notifications`: the subscriptions of a connection checked (and made) on a slow schedule */
export type IngestStream = 'orders' | 'financial-events' | 'settlements' | 'notifications';

export interface StreamRunner extends ScheduledStream<Connection, SellingPartnerApi> {
  stream: IngestStream;
}

export interface ConnectionSource {
  list(): Promise<Connection[]>;
  credentials(id: string): Promise<ConnectionCredentials>;
}

/** amazon-ingest's reads of every connection on its schedule: the shared ConnectionScheduler with an SP-API client. */
export class IngestScheduler extends ConnectionScheduler<Connection, SellingPartnerApi> {
  constructor(deps: {
    connections: ConnectionSource;
    api: (conn: Connection, creds: ConnectionCredentials) => SellingPartnerApi;
    runners: StreamRunner[];
    clock: Clock;
    logger: Logger;
    metrics?: ConnectorMetrics;
  }) {
    super({
      connections: deps.connections,
      client: async (conn) => deps.api(conn, await deps.connections.credentials(conn.id)),
      runners: deps.runners,
      clock: deps.clock,
      logger: deps.logger,
      onRun: (conn, stream, outcome) =>
        deps.metrics?.ingestRuns.inc({ connection: conn.id, stream, outcome }),
    });
  }
}
