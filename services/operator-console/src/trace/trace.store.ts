import type { Db } from '@connector/db';
import { toLedgerRow, type LedgerRow } from '../settlements/settlements.store';

export interface TraceRows {
  events: Array<{ connectionId: string; topic: string; eventId: string; receivedAt: Date; payload: unknown }>;
  financialEvents: Array<{
    connectionId: string;
    eventId: string;
    eventType: string;
    postedAt: Date;
    byKind: unknown;
    currency: string;
  }>;
  documents: LedgerRow[];
  audit: Array<{
    id: string;
    connectionId: string | null;
    service: string;
    stage: string;
    recordKey: string | null;
    outcome: string | null;
    error: string | null;
    erpResponse: unknown;
    payload: unknown;
    createdAt: Date;
  }>;
}

/** Everything PostgreSQL knows of one Amazon order or one settlement. */
export interface TraceStore {
  byNaturalKey(naturalKey: string, kind: 'order' | 'settlement'): Promise<TraceRows>;
}

const like = (v: string) => v.replace(/[\\%_]/g, '\\$&');

export class KnexTraceStore implements TraceStore {
  constructor(private readonly db: Db) {}

  async byNaturalKey(key: string, kind: 'order' | 'settlement'): Promise<TraceRows> {
    const keyPattern = kind === 'order' ? `%/${like(key)}` : `%/${like(key)}%`;
    const events =
      kind === 'order'
        ? await this.db('inbound_records').where('record_key', 'like', keyPattern).orderBy('received_at')
        : [];
    const fe =
      kind === 'order'
        ? await this.db('financial_event_lines').where({ amazon_order_id: key }).orderBy('posted_at')
        : [];
    const docs =
      kind === 'order'
        ? await this.db('idempotency_ledger').where({ natural_key: key })
        : await this.db('idempotency_ledger').where('natural_key', 'like', `${like(key)}/%`);
    const audit = await this.db('audit_trail')
      .where('record_key', 'like', keyPattern)
      .orderBy('id')
      .limit(500);
    return {
      events: (events as Array<Record<string, unknown>>).map((r) => ({
        connectionId: r.connection_id as string,
        topic: r.topic as string,
        eventId: r.event_id as string,
        receivedAt: r.received_at as Date,
        payload: r.payload,
      })),
      financialEvents: (fe as Array<Record<string, unknown>>).map((r) => ({
        connectionId: r.connection_id as string,
        eventId: r.event_id as string,
        eventType: r.event_type as string,
        postedAt: r.posted_at as Date,
        byKind: r.by_kind,
        currency: r.currency as string,
      })),
      documents: (docs as Array<Record<string, unknown>>).map(toLedgerRow),
      audit: (audit as Array<Record<string, unknown>>).map((r) => ({
        id: String(r.id),
        connectionId: (r.connection_id as string | null) ?? null,
        service: r.service as string,
        stage: r.stage as string,
        recordKey: (r.record_key as string | null) ?? null,
        outcome: (r.outcome as string | null) ?? null,
        error: (r.error as string | null) ?? null,
        erpResponse: r.erp_response,
        payload: r.payload,
        createdAt: r.created_at as Date,
      })),
    };
  }
}
