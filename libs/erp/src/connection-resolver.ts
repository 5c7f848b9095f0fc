import { NonRetriableError, type HttpTransport } from '@connector/core';
import type { MasterDataExpectation } from '@connector/mapping';
import { createAdapter, type Sage100Settings } from './adapters';
import type { Sage100OrderNumberStore } from './sage100/order-numbers';
import { capabilitiesOf } from './capabilities';
import { ERP_KINDS, type ErpKind, type ErpPort, type MasterDataProblem } from './port';

/** What an adapter is built from: the stored connection (a structural subset of libs/db's Connection). */
export interface ErpConnection {
  id: string;
  erpKind: ErpKind;
  erpCompany: string;
  settings: { glAccountSegments?: number[]; erpUtcOffsetMinutes?: number; sage100?: Sage100Settings };
}

/** The connection's decrypted ERP credentials (libs/db's ConnectionCredentials has this shape). */
export interface ErpConnectionCredentials {
  erp?: {
    baseUrl: string;
    user: string;
    password: string;
    company?: string;
    /** Sage 100: the agent on its server and the secret its requests are signed with */
    agent?: { url: string; secret: string };
  };
}

/** What the adapters need from the service beyond the connection (its database, for one). */
export interface ErpFactoryExtras {
  /** Sage 100: the connection's record of drawn sales-order numbers (KnexSage100OrderNumbers) */
  sage100OrderNumbers?: (connectionId: string) => Sage100OrderNumberStore;
}

export type ErpFactory = (conn: ErpConnection, creds: ErpConnectionCredentials) => ErpPort;

/**
 * The adapter of every ERP kind that has one (capabilitiesOf), built from a connection and its
 * decrypted ERP credentials (the company comes from the credentials, else from the connection).
 */
export function erpFactories(
  http: HttpTransport,
  timeoutMs?: number,
  extras: ErpFactoryExtras = {},
): Partial<Record<ErpKind, ErpFactory>> {
  const factory: ErpFactory = (conn, creds) => {
    if (!creds.erp)
      throw new NonRetriableError('ERP_NO_CREDENTIALS', `connection ${conn.id} has no ERP credentials`);
    return createAdapter(conn.erpKind, {
      ...creds.erp,
      company: creds.erp.company ?? conn.erpCompany,
      http,
      timeoutMs,
      glAccountSegments: conn.settings.glAccountSegments,
      serverUtcOffsetMinutes: conn.settings.erpUtcOffsetMinutes,
      sage100: conn.settings.sage100,
      orderNumbers: extras.sage100OrderNumbers?.(conn.id),
    });
  };
  const kinds = ERP_KINDS.filter((k) => capabilitiesOf(k));
  return Object.fromEntries(kinds.map((k) => [k, factory]));
}

/**
 * One adapter per connection, built from the connection's ERP kind and its decrypted credentials,
 * kept for the life of the process (so a SAP B1 session is reused across records and polls).
 * sage-writer writes through it; erp-change-poller reads through it.
 */
export class ConnectionErpResolver {
  private readonly ports = new Map<string, Promise<ErpPort>>();

  constructor(
    private readonly connections: {
      get(id: string): Promise<ErpConnection>;
      credentials(id: string): Promise<ErpConnectionCredentials>;
    },
    private readonly factories: Partial<Record<ErpKind, ErpFactory>>,
  ) {}

  forConnection(connectionId: string): Promise<ErpPort> {
    let port = this.ports.get(connectionId);
    if (!port) {
      port = this.build(connectionId);
      this.ports.set(connectionId, port);
      port.catch(() => this.ports.delete(connectionId));
    }
    return port;
  }

  private async build(connectionId: string): Promise<ErpPort> {
    const conn = await this.connections.get(connectionId);
    const factory = this.factories[conn.erpKind];
    if (!factory)
      throw new NonRetriableError(
        'ERP_NOT_SUPPORTED',
        `connection ${connectionId} targets ${conn.erpKind}, which has no adapter yet`,
      );
    const creds = await this.connections.credentials(connectionId);
    if (!creds.erp)
      throw new NonRetriableError('ERP_NO_CREDENTIALS', `connection ${connectionId} has no ERP credentials`);
    return factory(conn, creds);
  }

  async close(): Promise<void> {
    const ports = await Promise.allSettled([...this.ports.values()]);
    for (const p of ports) if (p.status === 'fulfilled') await p.value.close();
    this.ports.clear();
  }
}

/** What an accountant reads when the ERP side of a connection fails its ping, by error code. */
const PING_WORDS: Record<string, string> = {
  ERP_AUTH_FAILED: 'the ERP refused the sign-in: check the user, the password and the company',
  ERP_SESSION_EXPIRED: 'the ERP ended the session at once: check the user is allowed to use the API',
  ERP_UNAVAILABLE: 'the ERP did not answer: check the address and that the server (and any agent) runs',
  ERP_NOT_SUPPORTED: 'the connector has no adapter for this ERP',
  ERP_UNSUPPORTED: 'the ERP cannot do what the connector needs with these settings',
  ERP_NO_CREDENTIALS: 'the connection has no ERP credentials',
  ERP_VALIDATION: 'the ERP refused the request',
};

/** What the connection relies on in the ERP (libs/mapping masterDataExpectations), checked after the sign-in. */
export interface MasterDataToCheck {
  expectations: MasterDataExpectation[];
  /** marketplaces of the connection with no customer mapping */
  unmapped?: string[];
}

const KIND_WORDS: Record<MasterDataProblem['kind'], string> = {
  CUSTOMER: 'customer',
  ITEM: 'item',
  GL_ACCOUNT: 'GL account',
};

/** One master-data problem as an accountant reads it, with the way to fix it. */
export function masterDataProblemWords(
  p: MasterDataProblem,
  company: string,
  expected: MasterDataExpectation | undefined,
): string {
  const thing = `${KIND_WORDS[p.kind]} ${p.code}${expected?.usedFor.length ? ` (${expected.usedFor.join(', ')})` : ''}`;
  const fix = expected?.fix ? ` or ${expected.fix}` : '';
  return p.problem === 'INACTIVE'
    ? `${thing} is inactive in company ${company}: activate it${fix}`
    : `${thing} does not exist in company ${company}: add it${fix}`;
}

/**
 * `ping` of a connection's ERP side: the adapter is built as the services build it and signs in
 * (SAP B1 login, Sage 300 a read with Basic auth, Sage 100 the web service and the agent, Sage 500
 * the database), before any data moves; then, given `masterData`, asks the ERP for the customers,
 * items and GL accounts the connection's mappings name (`checkMasterData`). The lines say what is
 * wrong in words, and how to fix it, then the ERP's own.
 */
export async function pingErp(
  conn: ErpConnection,
  creds: ErpConnectionCredentials,
  factories: Partial<Record<ErpKind, ErpFactory>>,
  masterData?: MasterDataToCheck,
): Promise<{ ok: boolean; lines: string[] }> {
  const company = creds.erp?.company ?? conn.erpCompany;
  const what = `ERP (${conn.erpKind}, company ${company})`;
  let port: ErpPort | undefined;
  try {
    const factory = factories[conn.erpKind];
    if (!factory)
      throw new NonRetriableError('ERP_NOT_SUPPORTED', `${conn.erpKind} has no adapter in this connector`);
    if (!creds.erp)
      throw new NonRetriableError('ERP_NO_CREDENTIALS', `connection ${conn.id} has no ERP credentials`);
    port = factory(conn, creds);
    await port.ping();
    const lines = [`${what}: signed in, ok`];
    if (!masterData) return { ok: true, lines };
    return checkMasterData(port, company, masterData, lines);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERROR';
    const words = PING_WORDS[code] ?? 'the ERP check failed';
    return {
      ok: false,
      lines: [`NOT OK ${what}: ${words}`, `  (${code}: ${(err as Error).message})`],
    };
  } finally {
    await port?.close().catch(() => undefined);
  }
}

async function checkMasterData(
  port: ErpPort,
  company: string,
  masterData: MasterDataToCheck,
  lines: string[],
): Promise<{ ok: boolean; lines: string[] }> {
  const codes = (kind: MasterDataProblem['kind']) =>
    masterData.expectations.filter((e) => e.kind === kind).map((e) => e.code);
  const refs = { customers: codes('CUSTOMER'), items: codes('ITEM'), glAccounts: codes('GL_ACCOUNT') };
  const problems = [
    ...(masterData.unmapped ?? []).map(
      (mp) =>
        `marketplace ${mp} has no ERP customer in the customer mapping: map one (npm run mapping -- load) before orders arrive`,
    ),
  ];
  try {
    for (const p of await port.checkMasterData(refs))
      problems.push(
        masterDataProblemWords(
          p,
          company,
          masterData.expectations.find((e) => e.kind === p.kind && e.code === p.code),
        ),
      );
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERROR';
    problems.push(
      `the customers, items and GL accounts could not be checked: ${PING_WORDS[code] ?? 'the ERP check failed'} (${code}: ${(err as Error).message})`,
    );
  }
  if (!problems.length) {
    lines.push(
      `ERP master data: ${refs.customers.length} customers, ${refs.items.length} items and ${refs.glAccounts.length} GL accounts the connection uses exist, ok`,
    );
    return { ok: true, lines };
  }
  lines.push(`NOT OK ERP master data in company ${company}:`, ...problems.map((p) => `  - ${p}`));
  return { ok: false, lines };
}
