import type { HttpTransport } from '@connector/core';
import { Sage300Adapter, SapB1Adapter, type ErpKind } from '@connector/erp';
import type { ErpFactory } from './erp-resolver';

/**
 * The adapters sage-writer builds, by ERP kind, from a connection and its decrypted ERP credentials
 * (the company comes from the credentials, else from the connection). Sage 100 and Sage 500 follow
 * in their own issue.
 */
export function erpFactories(http: HttpTransport, timeoutMs?: number): Partial<Record<ErpKind, ErpFactory>> {
  const erpOf = (creds: Parameters<ErpFactory>[1]) => {
    if (!creds.erp) throw new Error('no ERP credentials'); // the resolver checks first
    return creds.erp;
  };
  return {
    SAP_B1: (conn, creds) => {
      const erp = erpOf(creds);
      return new SapB1Adapter({
        baseUrl: erp.baseUrl,
        companyDb: erp.company ?? conn.erpCompany,
        user: erp.user,
        password: erp.password,
        http,
        timeoutMs,
      });
    },
    SAGE300: (conn, creds) => {
      const erp = erpOf(creds);
      return new Sage300Adapter({
        baseUrl: erp.baseUrl,
        company: erp.company ?? conn.erpCompany,
        user: erp.user,
        password: erp.password,
        http,
        timeoutMs,
        accountSegments: conn.settings.glAccountSegments,
      });
    },
  };
}
