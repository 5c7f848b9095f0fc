import type { HttpTransport } from '@connector/core';
import { NonRetriableError } from '@connector/core';
import { createAdapter, type ErpKind } from '@connector/erp';
import type { ErpFactory } from './erp-resolver';

/**
 * The adapters sage-writer builds, by ERP kind, from a connection and its decrypted ERP credentials
 * (the company comes from the credentials, else from the connection).
 */
export function erpFactories(http: HttpTransport, timeoutMs?: number): Partial<Record<ErpKind, ErpFactory>> {
  const factory: ErpFactory = (conn, creds) => {
    if (!creds.erp)
      throw new NonRetriableError('ERP_NO_CREDENTIALS', `connection ${conn.id} has no ERP credentials`);
    return createAdapter(conn.erpKind, {
      ...creds.erp,
      company: creds.erp.company ?? conn.erpCompany,
      http,
      timeoutMs,
      glAccountSegments: conn.settings.glAccountSegments,
    });
  };
  return { SAP_B1: factory, SAGE300: factory };
}
