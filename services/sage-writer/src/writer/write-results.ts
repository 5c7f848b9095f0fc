import { randomUUID } from 'node:crypto';
import { errorCode, errorMessage, isRetriable } from '@connector/core';
import type { ErpKind } from '@connector/erp';
import { recordKey, type ErpWriteResult, type TopicName } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';

const RESULTS = 'erp.write-results.v1' as const satisfies TopicName;

export interface WriteResultArgs {
  connectionId: string;
  naturalKey: string;
  erpKind: ErpKind;
  operation: ErpWriteResult['operation'];
  outcome: ErpWriteResult['outcome'];
  source: ErpWriteResult['source'];
  documentNumber?: string | null;
  error?: unknown;
  /** attempts made to write the document (the ledger's count of claims) */
  attempts: number;
  writtenAt: number;
}

/** One erp.write-results.v1 event per operation and outcome, keyed by the document's natural key. */
export async function publishWriteResult(publisher: EventPublisher, a: WriteResultArgs): Promise<void> {
  const value: ErpWriteResult = {
    eventId: `${a.operation}/${a.naturalKey}/${a.outcome}`,
    connectionId: a.connectionId,
    resultId: randomUUID(),
    erpKind: a.erpKind,
    operation: a.operation,
    naturalKey: a.naturalKey,
    outcome: a.outcome,
    erpDocumentNumber: a.documentNumber ?? null,
    errorCode: a.error ? errorCode(a.error) : null,
    errorMessage: a.error ? errorMessage(a.error) : null,
    retriable: a.error ? isRetriable(a.error) : false,
    attempts: a.attempts,
    source: a.source,
    writtenAt: a.writtenAt,
  };
  await publisher.publish(RESULTS, [{ key: recordKey(a.connectionId, a.naturalKey), value }]);
}
