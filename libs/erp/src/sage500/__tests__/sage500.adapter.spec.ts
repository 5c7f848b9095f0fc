import knexFactory from 'knex';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../../errors';
import { createAdapter } from '../../adapters';
import { mssqlDialect } from '../dialect';
import {
  SAGE500_CREDIT_MEMO_PROC,
  SAGE500_CUSTOMER_PROC,
  Sage500Adapter,
  mssqlConnectionOf,
  sage500CreditMemoParams,
  sage500DocumentTotal,
  sage500ImportParams,
  sage500StagedLines,
  SAGE500_DEFAULT_CHARGE_ITEMS,
  sqlDate,
  wallText,
} from '../sage500.adapter';
import type { CreditNoteDraft } from '../../port';

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

  const memo: CreditNoteDraft = {
    naturalKey: '111-0000001-0000001/Rabcd1234',
    amazonOrderId: '111-0000001-0000001',
    customerCode: 'AMZ-CA',
    currency: 'CAD',
    documentDate: '2026-11-28',
    baseInvoice: {
      kind: 'INVOICE',
      naturalKey: '111-0000001-0000001',
      internalId: '4711',
      documentNumber: '0000004711',
      status: 'OPEN',
    },
    lines: [
      { itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.995', taxAmount: '2.60', description: 'A thing' },
    ],
    charges: [
      { kind: 'SHIPPING', amount: '4.99', taxAmount: '0.65' },
      { kind: 'PROMOTION', amount: '-1.00' },
    ],
    returnToStock: true,
    reason: 'REFUND',
    fx: { homeCurrency: 'USD', rate: '0.73120', rateSource: 'ERP', roundingAccount: '7999' },
  };

  it('sends spARCreditMemoIns_CNX as this T-SQL: the invoice key, the total, the rate, return-to-stock and the staged lines’ session', () => {
    const call = mssqlDialect.call(SAGE500_CREDIT_MEMO_PROC, sage500CreditMemoParams('SOA', memo, 42, 'WHS'));
    const native = knexFactory({ client: 'mssql' })
      .raw(call.sql, call.bindings as never[])
      .toSQL()
      .toNative();
    expect(native.sql).toBe(
      'SET NOCOUNT ON; DECLARE @oMemoKey INTEGER = @p0, @oTranNo VARCHAR(10) = @p1, @oRetVal INTEGER = @p2; ' +
        'EXEC dbo.spARCreditMemoIns_CNX @iCompanyID = @p3, @iCustID = @p4, @iApplyToInvcKey = @p5, ' +
        '@iTranDate = @p6, @iCurrID = @p7, @iCurrExchRate = @p8, @iTranAmt = @p9, @iReturnToStock = @p10, ' +
        '@iWhseID = @p11, @iSessionKey = @p12, @iTranCmnt = @p13, @oMemoKey = @oMemoKey OUTPUT, ' +
        '@oTranNo = @oTranNo OUTPUT, @oRetVal = @oRetVal OUTPUT; ' +
        'SELECT @oMemoKey AS oMemoKey, @oTranNo AS oTranNo, @oRetVal AS oRetVal;',
    );
    // 2 × 19.995 = 39.99 + 2.60 tax + 4.99 + 0.65 tax − 1.00 = 47.23
    expect(native.bindings).toEqual([
      null,
      null,
      null,
      'SOA',
      'AMZ-CA',
      4711,
      '20261128',
      'CAD',
      '0.7312',
      '47.23',
      1,
      'WHS',
      42,
      'Amazon 111-0000001-0000001/Rabcd1234',
    ]);
  });

  it('stages a credit memo’s lines: items with their extension and tax, each charge as its misc item', () => {
    expect(sage500DocumentTotal(memo)).toBe('47.23');
    expect(sage500StagedLines(memo, SAGE500_DEFAULT_CHARGE_ITEMS)).toEqual([
      {
        ItemID: 'ITEM-1',
        Description: 'A thing',
        Qty: '2',
        UnitPrice: '19.995',
        ExtAmt: '39.99',
        STaxAmt: '2.6',
        WhseID: null,
      },
      {
        ItemID: 'AMZ-FREIGHT',
        Description: 'SHIPPING',
        Qty: '1',
        UnitPrice: '4.99',
        ExtAmt: '4.99',
        STaxAmt: '0.65',
        WhseID: null,
      },
      {
        ItemID: 'AMZ-PROMO',
        Description: 'PROMOTION',
        Qty: '1',
        UnitPrice: '-1',
        ExtAmt: '-1',
        STaxAmt: '0',
        WhseID: null,
      },
    ]);
  });

  it('runs spARapiCustomerIns with the names its header gives: @iUseStageTable and @_oRetVal', () => {
    const call = mssqlDialect.call(
      SAGE500_CUSTOMER_PROC,
      sage500ImportParams(SAGE500_CUSTOMER_PROC, 'SOA', 77, {}),
    );
    expect(call.sql).toBe(
      'SET NOCOUNT ON; DECLARE @oContinue SMALLINT = ?, @oRecsProcessed INTEGER = ?, @oFailedRecs INTEGER = ?, ' +
        '@oTotalRecs INTEGER = ?, @_oRetVal INTEGER = ?; ' +
        'EXEC dbo.spARapiCustomerIns @oContinue = @oContinue OUTPUT, @iCancel = ?, @iSessionKey = ?, ' +
        '@iCompanyID = ?, @iRptOption = ?, @iPrintWarnings = ?, @iUseStageTable = ?, ' +
        '@oRecsProcessed = @oRecsProcessed OUTPUT, @oFailedRecs = @oFailedRecs OUTPUT, ' +
        '@oTotalRecs = @oTotalRecs OUTPUT, @_oRetVal = @_oRetVal OUTPUT; ' +
        'SELECT @oContinue AS oContinue, @oRecsProcessed AS oRecsProcessed, @oFailedRecs AS oFailedRecs, ' +
        '@oTotalRecs AS oTotalRecs, @_oRetVal AS _oRetVal;',
    );
    expect(call.bindings).toEqual([0, 0, 0, 0, 0, 0, 77, 'SOA', 1, 1, 1]);
  });

  it('refuses, before any SQL, a credit note against something that is not an invoice, without lines or with a bad quantity, and a customer code over 12', async () => {
    const a = sqlServer();
    const sent = () => a.sent.statements;
    await expect(
      a.createCreditNote({ ...memo, baseInvoice: { ...memo.baseInvoice, kind: 'SALES_ORDER' } }),
    ).rejects.toThrow(/not a Sage 500 invoice/);
    await expect(a.createCreditNote({ ...memo, lines: [], charges: [] })).rejects.toThrow(/no lines/);
    await expect(
      a.createCreditNote({ ...memo, lines: [{ itemCode: 'ITEM-1', quantity: 1.5, unitPrice: '1' }] }),
    ).rejects.toThrow(/not a positive whole number/);
    await expect(
      a.createCreditNote({ ...memo, lines: [], charges: [{ kind: 'PROMOTION', amount: '-1.00' }] }),
    ).rejects.toThrow(/not positive/);
    const long = await a
      .createCustomer({
        customerCode: 'AMZ-1234567890',
        name: 'x',
        currency: 'USD',
        templateCustomerCode: 'AMZ-US',
      })
      .catch((e: unknown) => e);
    expect(long).toBeInstanceOf(ErpValidationError);
    expect((long as ErpValidationError).detail.erpCode).toBe('CustID');
    expect(sent()).toBe(0);
    await a.close();
  });
});
