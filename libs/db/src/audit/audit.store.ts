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

/**
 * An entry as a row of `jsonb_to_recordset`: a batch of entries is one JSON parameter, its documents
 * nested as they are (no string per column and row to bind, nor a JSON string per document).
 */
const toRow = (e: AuditEntry) => ({
  connection_id: e.connectionId ?? null,
  service: e.service,
  stage: e.stage,
  source_topic: e.source?.topic ?? null,
  source_partition: e.source?.partition ?? null,
  source_offset: e.source?.offset ?? null,
  record_key: e.recordKey ?? null,
  event_id: e.eventId ?? null,
  payload: e.payload ?? null,
  erp_request: e.erpRequest ?? null,
  erp_response: e.erpResponse ?? null,
  outcome: e.outcome ?? null,
  error: e.error ?? null,
});
const COLUMNS: Array<[keyof ReturnType<typeof toRow>, string]> = [
  ['connection_id', 'text'],
  ['service', 'text'],
  ['stage', 'text'],
  ['source_topic', 'text'],
  ['source_partition', 'integer'],
  ['source_offset', 'bigint'],
  ['record_key', 'text'],
  ['event_id', 'text'],
  ['payload', 'jsonb'],
  ['erp_request', 'jsonb'],
  ['erp_response', 'jsonb'],
  ['outcome', 'text'],
  ['error', 'text'],
];
const INSERT = `insert into ${TABLE} (${COLUMNS.map(([c]) => c).join(', ')})
  select ${COLUMNS.map(([c]) => c).join(', ')}
  from jsonb_to_recordset(?::jsonb) as x(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`;

export class KnexAuditStore implements AuditStore {
  /** entries appended at once (records of different keys running together) go in one insert */
  private readonly inserts: GroupCommit<AuditEntry>;

  constructor(private readonly db: Db) {
    this.inserts = new GroupCommit(async (entries) => {
      await this.db.raw(INSERT, [JSON.stringify(entries.map(toRow))]);
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
