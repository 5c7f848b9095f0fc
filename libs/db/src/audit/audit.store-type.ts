export type AuditStage =
  | 'consumed'
  | 'mapped'
  | 'posted'
  | 'produced'
  | 'dead_lettered'
  | 'skipped'
  /** an operator re-delivered records (npm run replay): who, what, when, in payload */
  | 'replayed';

export interface AuditEntry {
  connectionId?: string;
  service: string;
  stage: AuditStage;
  source?: { topic: string; partition: number; offset: string };
  recordKey?: string;
  eventId?: string;
  payload?: unknown;
  erpRequest?: unknown;
  erpResponse?: unknown;
  outcome?: string;
  error?: string;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  createdAt: Date;
}

/** The audit trail: every record consumed, mapped and posted, with its origin and the ERP's answer. */
export interface AuditStore {
  append(entry: AuditEntry): Promise<void>;
  findBySource(topic: string, partition: number, offset: string): Promise<AuditRecord[]>;
  findByRecordKey(connectionId: string, recordKey: string): Promise<AuditRecord[]>;
}
