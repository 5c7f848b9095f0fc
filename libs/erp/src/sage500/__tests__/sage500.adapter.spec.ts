import knexFactory from 'knex';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../../errors';
import { createAdapter } from '../../adapters';
import { Sage500Adapter, mssqlConnectionOf, sqlDate, wallText } from '../sage500.adapter';

describe('Sage 500 adapter (no database)', () => {
  const sqlServer = () =>
    new Sage500Adapter(
      { url: 'mssql://sage.example:1433/SOA_APP', company: 'SOA', user: 'u', password: 'secret-pw' },
      knexFactory({ client: 'mssql' }),
    );

  it('is built by createAdapter for SAGE500, on SQL Server for mssql:// and the simulator for postgres://', async () => {
    const a = createAdapter('SAGE500', {
      baseUrl: 'mssql://sage.example/SOA_APP',
      company: 'SOA',
      user: 'u',
      password: 'p',
      http: undefined as never,
    });
    expect(a).toBeInstanceOf(Sage500Adapter);
    expect((a as Sage500Adapter).dialect.name).toBe('mssql');
    expect(a.capabilities).toMatchObject({
      kind: 'SAGE500',
      salesOrders: true,
      cancelOrder: false,
      naturalKeyMaxLength: 50,
    });
    const sim = new Sage500Adapter({
      url: 'postgres://x@localhost/sage',
      company: 'SOA',
      user: 'u',
      password: 'p',
    });
    expect(sim.dialect.name).toBe('pg');
    await Promise.all([a.close(), sim.close()]);
  });

  it('refuses a CompanyID that is not 1–3 characters', () => {
    expect(
      () => new Sage500Adapter({ url: 'mssql://h/db', company: 'TOOLONG', user: 'u', password: 'p' }),
    ).toThrow(ErpValidationError);
  });

  it.each([
    [1205, ErpRecordLockedError, true],
    [1222, ErpRecordLockedError, true],
    [18456, ErpAuthError, false],
    [4060, ErpAuthError, false],
    [547, ErpValidationError, false],
    [208, ErpValidationError, false],
  ])('SQL Server error %d is a %p (retriable: %p)', async (number, type, retriable) => {
    const a = sqlServer();
    const e = a.classify(Object.assign(new Error('boom'), { number }), 'x');
    expect(e).toBeInstanceOf(type);
    expect((e as ErpRecordLockedError).retriable).toBe(retriable);
    expect((e as ErpRecordLockedError).detail).toMatchObject({ erp: 'SAGE500', erpCode: String(number) });
    await a.close();
  });

  it('a failure without a SQL number (network, pool, dropped connection) is the ERP being unavailable, and never carries the password', async () => {
    const a = sqlServer();
    const e = a.classify(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:1433'), { code: 'ESOCKET' }),
      'ping',
    );
    expect(e).toBeInstanceOf(ErpUnavailableError);
    expect(e.message).not.toContain('secret-pw');
    await a.close();
  });

  it.each([
    [-5, ErpValidationError],
    [-6, ErpRecordLockedError],
    [-7, ErpValidationError],
    [-1, ErpValidationError],
    [-3, ErpValidationError],
  ])('GL post status %d is a %p', async (status, type) => {
    const a = sqlServer();
    expect(() => a.checkPost('k', 2, status)).toThrow(type);
    expect(() => a.checkPost('k', 1, 1)).not.toThrow();
    await a.close();
  });

  it('refuses an unbalanced journal before any SQL is sent (post status −7)', async () => {
    const a = sqlServer();
    const err = await a
      .postJournal({
        naturalKey: '1/X/USD',
        postingDate: '2026-11-27',
        currency: 'USD',
        reference: 'r',
        memo: 'm',
        lines: [{ account: '1010', debit: '0.10', credit: '0', description: 'x' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErpValidationError);
    expect((err as ErpValidationError).detail.erpCode).toBe('-7');
    await a.close();
  });

  it('cannot cancel an order (no public procedure): unsupported, not retriable', async () => {
    const a = sqlServer();
    await expect(
      a.cancelOrder({
        kind: 'SALES_ORDER',
        naturalKey: 'k',
        internalId: '1',
        documentNumber: '1-SO',
        status: 'OPEN',
      }),
    ).rejects.toBeInstanceOf(ErpUnsupportedError);
    await a.close();
  });

  it('builds the tedious connection from the URL, encrypted unless told otherwise, the login from the credentials', () => {
    expect(
      mssqlConnectionOf({ url: 'mssql://sql01.example:1433/SOA_APP', user: 'cnx', password: 'pw' }),
    ).toEqual({
      server: 'sql01.example',
      port: 1433,
      database: 'SOA_APP',
      user: 'cnx',
      password: 'pw',
      requestTimeout: 30_000,
      options: { encrypt: true, trustServerCertificate: false, appName: 'amazon-connector' },
    });
    expect(
      mssqlConnectionOf({
        url: 'sqlserver://sql01/MAS500?encrypt=false&trustServerCertificate=true&instanceName=SAGE',
        user: 'u',
        password: 'p',
        timeoutMs: 5_000,
      }),
    ).toMatchObject({
      server: 'sql01',
      database: 'MAS500',
      requestTimeout: 5_000,
      options: { encrypt: false, trustServerCertificate: true, instanceName: 'SAGE' },
    });
    expect(() => mssqlConnectionOf({ url: 'http://sql01/MAS500', user: 'u', password: 'p' })).toThrow(
      ErpValidationError,
    );
    expect(() => mssqlConnectionOf({ url: 'mssql://sql01', user: 'u', password: 'p' })).toThrow(/DATABASE/);
  });

  it('writes dates and datetimes in the forms SQL Server reads the same under every DATEFORMAT', () => {
    expect(sqlDate('2026-11-27')).toBe('20261127');
    expect(() => sqlDate('27/11/2026')).toThrow(ErpValidationError);
    expect(wallText(Date.parse('2026-11-28T06:00:01.234Z'))).toBe('2026-11-28T06:00:01.234');
  });
});
