import type { HttpTransport } from '@connector/core';
import { ErpUnsupportedError } from './errors';
import type { ErpKind, ErpPort } from './port';
import { Sage300Adapter } from './sage300/sage300.adapter';
import { SapB1Adapter } from './sap-b1/sap-b1.adapter';

/** What every adapter is built from: a connection's ERP company and its decrypted ERP credentials. */
export interface AdapterSettings {
  baseUrl: string;
  company: string;
  user: string;
  password: string;
  http: HttpTransport;
  /** per request */
  timeoutMs?: number;
  /** Sage 300: the company's GL account structure (segment lengths), from the connection's settings */
  glAccountSegments?: number[];
  /** SAP B1: the company server's offset from UTC in minutes east (its UpdateDate/UpdateTime are local) */
  serverUtcOffsetMinutes?: number;
}

/**
 * The adapter of an ERP kind (capabilitiesOf lists the kinds that have one); sage-writer builds each
 * connection's adapter through it, and so do the tests and benches that stand in for sage-writer.
 */
export function createAdapter(kind: ErpKind, s: AdapterSettings): ErpPort {
  switch (kind) {
    case 'SAP_B1':
      return new SapB1Adapter({
        baseUrl: s.baseUrl,
        companyDb: s.company,
        user: s.user,
        password: s.password,
        http: s.http,
        timeoutMs: s.timeoutMs,
        serverUtcOffsetMinutes: s.serverUtcOffsetMinutes,
      });
    case 'SAGE300':
      return new Sage300Adapter({
        baseUrl: s.baseUrl,
        company: s.company,
        user: s.user,
        password: s.password,
        http: s.http,
        timeoutMs: s.timeoutMs,
        accountSegments: s.glAccountSegments,
      });
    default:
      throw new ErpUnsupportedError(`${kind} has no adapter yet`, { erp: kind });
  }
}
