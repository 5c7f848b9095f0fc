import type { HttpTransport } from '@connector/core';
import { ErpUnsupportedError } from './errors';
import type { ErpKind, ErpPort } from './port';
import type { Sage100OrderNumberStore } from './sage100/order-numbers';
import { Sage100Adapter, type Sage100AdapterOptions } from './sage100/sage100.adapter';
import { Sage300Adapter } from './sage300/sage300.adapter';
import { Sage500Adapter } from './sage500/sage500.adapter';

/** What a connection's settings say about its Sage 100 company (libs/db validates them). */
export type Sage100Settings = Pick<
  Sage100AdapterOptions,
  | 'customerPoLength'
  | 'amazonOrderIdUdf'
  | 'defaultArDivision'
  | 'defaultWarehouse'
  | 'receiptDepositNo'
  | 'bankCodes'
  | 'currency'
  | 'settlementPosting'
>;
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
  /** SAP B1, Sage 100, Sage 500: the company server's offset from UTC in minutes east (their change stamps are local) */
  serverUtcOffsetMinutes?: number;
  /** Sage 100: the agent on the Sage 100 server (from the credentials); without it, sales orders only */
  agent?: { url: string; secret: string };
  /** Sage 100: where drawn sales-order numbers are recorded (PostgreSQL in the services) */
  orderNumbers?: Sage100OrderNumberStore;
  /** Sage 100: the connection's Sage 100 settings */
  sage100?: Sage100Settings;
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
    case 'SAGE100':
      // baseUrl is the eBusiness Web Services endpoint (…/Service.svc); its WSDL is at ?wsdl
      return new Sage100Adapter({
        ...s.sage100,
        serviceUrl: s.baseUrl,
        company: s.company,
        user: s.user,
        password: s.password,
        http: s.http,
        timeoutMs: s.timeoutMs,
        accountSegments: s.glAccountSegments,
        serverUtcOffsetMinutes: s.serverUtcOffsetMinutes,
        agent: s.agent,
        orderNumbers: s.orderNumbers,
      });
    case 'SAGE500':
      // baseUrl is the company database: mssql://host:1433/DB (SQL Server) or postgres://… (the simulator)
      return new Sage500Adapter({
        url: s.baseUrl,
        company: s.company,
        user: s.user,
        password: s.password,
        timeoutMs: s.timeoutMs,
        accountSegments: s.glAccountSegments,
        serverUtcOffsetMinutes: s.serverUtcOffsetMinutes,
      });
    default: {
      // every kind the port names has a case; a kind from stored data that it does not name lands here
      const other: string = kind;
      throw new ErpUnsupportedError(`${other} has no adapter yet`, { erp: kind });
    }
  }
}
