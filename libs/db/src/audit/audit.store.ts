import { GroupCommit } from '@connector/core';
import type { Db } from '../knex';
import type { AuditEntry, AuditRecord, AuditStore } from './audit.store-type';

const TABLE = 'audit_trail';

interface AuditRow {
  id: string;
  connection_id: string | null;
  service: string;
  stage: AuditEntry['stage'];
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  record_key: string | null;
  event_id: string | null;
  payload: unknown;
  erp_request: unknown;
  erp_response: unknown;
  outcome: string | null;
  error: string | null;
  created_at: Date;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function mapRow(row: AuditRow): AuditRecord {
  return {
    id: String(row.id),
    connectionId: opt(row.connection_id),
    service: row.service,
    stage: row.stage,
    source:
      row.source_topic === null
        ? undefined
        : {
            topic: row.source_topic,
            partition: row.source_partition ?? 0,
            offset: String(row.source_offset),
          },
    recordKey: opt(row.record_key),
    eventId: opt(row.event_id),
    payload: opt(row.payload),
    erpRequest: opt(row.erp_request),
    erpResponse: opt(row.erp_response),
    outcome: opt(row.outcome),
    error: opt(row.error),
    createdAt: row.created_at,
  };
}

const toRow = (e: AuditEntry) => ({
  connection_id: e.connectionId ?? null,
  service: e.service,
  stage: e.stage,
  source_topic: e.source?.topic ?? null,
  source_partition: e.source?.partition ?? null,
  source_offset: e.source?.offset ?? null,
  record_key: e.recordKey ?? null,
  event_id: e.eventId ?? null,
  payload: json(e.payload),
  erp_request: json(e.erpRequest),
  erp_response: json(e.erpResponse),
  outcome: e.outcome ?? null,
  error: e.error ?? null,
});

export class KnexAuditStore implements AuditStore {
  /** entries appended at once (records of different keys running together) go in one insert */
  private readonly inserts: GroupCommit<AuditEntry>;

  constructor(private readonly db: Db) {
    this.inserts = new GroupCommit(async (entries) => {
      await this.db(TABLE).insert(entries.map(toRow));
    });
  }

  /** Resolves once the entry is stored (in one insert with the entries appended beside it). */
  append(e: AuditEntry): Promise<void> {
    return this.inserts.add(e);
  }

  async findBySource(topic: string, partition: number, offset: string): Promise<AuditRecord[]> {
    const rows = await this.db<AuditRow>(TABLE)
      .where({ source_topic: topic, source_partition: partition, source_offset: offset })
      .orderBy('id');
    return rows.map(mapRow);
  }

  async findByRecordKey(connectionId: string, recordKey: string): Promise<AuditRecord[]> {
    const rows = await this.db<AuditRow>(TABLE)
      .where({ connection_id: connectionId, record_key: recordKey })
      .orderBy('id');
    return rows.map(mapRow);
  }
}
