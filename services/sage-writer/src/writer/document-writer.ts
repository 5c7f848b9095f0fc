import type { IdempotencyLedger, LedgerKey } from '@connector/db';
import { errorMessage, isRetriable } from '@connector/core';
import type { DocumentKind, ErpDocumentRef, ErpPort } from '@connector/erp';

export type WriteOutcome = 'CREATED' | 'ALREADY_EXISTS';

export interface WriteResult {
  outcome: WriteOutcome;
  ref: ErpDocumentRef;
  /** how the existing document was recognised, for the audit */
  via?: 'ledger' | 'erp-lookup';
}

/**
 * Writes one ERP document at most once, across crashes and replays (DESIGN: State):
 *
 * 1. ledger row `written`/`confirmed` → the document exists; nothing is sent.
 * 2. otherwise reserve the row, then ask the ERP by natural key (SAP B1 NumAtCard, Sage 300 PO
 *    number): a crash between the ERP's answer and our commit left the document there.
 * 3. only then create it, and record the ERP's number.
 *
 * The lookup happens before every insert, so even a lost ledger write cannot create a duplicate.
 */
export class DocumentWriter {
  constructor(private readonly ledger: IdempotencyLedger) {}

  async ensure(
    connectionId: string,
    erp: ErpPort,
    kind: DocumentKind,
    naturalKey: string,
    create: () => Promise<ErpDocumentRef>,
  ): Promise<WriteResult> {
    const key: LedgerKey = { connectionId, documentKind: kind, naturalKey };
    const known = await this.ledger.get(key);
    if (known && (known.state === 'written' || known.state === 'confirmed') && known.internalId)
      return { outcome: 'ALREADY_EXISTS', ref: refOf(kind, naturalKey, known), via: 'ledger' };

    await this.ledger.reserve(key);
    const existing = await erp.findByNaturalKey(kind, naturalKey);
    if (existing) {
      await this.ledger.markWritten(key, {
        documentNumber: existing.documentNumber,
        internalId: existing.internalId,
        erpStatus: existing.status,
      });
      return { outcome: 'ALREADY_EXISTS', ref: existing, via: 'erp-lookup' };
    }
    let ref: ErpDocumentRef;
    try {
      ref = await create();
    } catch (err) {
      // a retriable failure stays `reserved`: the retry looks the document up first
      if (!isRetriable(err)) await this.ledger.markFailed(key, errorMessage(err));
      throw err;
    }
    await this.ledger.markWritten(key, {
      documentNumber: ref.documentNumber,
      internalId: ref.internalId,
      erpStatus: ref.status,
    });
    return { outcome: 'CREATED', ref };
  }

  confirm(connectionId: string, kind: DocumentKind, naturalKey: string): Promise<void> {
    return this.ledger.markConfirmed({ connectionId, documentKind: kind, naturalKey });
  }

  /** What the ledger knows of a document, without asking the ERP. */
  async known(connectionId: string, kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    const row = await this.ledger.get({ connectionId, documentKind: kind, naturalKey });
    return row && (row.state === 'written' || row.state === 'confirmed') && row.internalId
      ? refOf(kind, naturalKey, row)
      : null;
  }

  setStatus(connectionId: string, kind: DocumentKind, naturalKey: string, status: string): Promise<void> {
    return this.ledger.setStatus({ connectionId, documentKind: kind, naturalKey }, status);
  }
}

function refOf(
  kind: DocumentKind,
  naturalKey: string,
  row: { documentNumber?: string | null; internalId?: string | null; erpStatus?: string | null },
): ErpDocumentRef {
  return {
    kind,
    naturalKey,
    internalId: row.internalId ?? '',
    documentNumber: row.documentNumber ?? '',
    status: (row.erpStatus as ErpDocumentRef['status']) ?? 'OPEN',
  };
}
