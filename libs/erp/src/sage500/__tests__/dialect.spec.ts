import knexFactory from 'knex';
import { mssqlBatchlessPost, mssqlDialect, pgDialect } from '../dialect';

/**
 * What the adapter sends to SQL Server for each procedure, as text: this is the part that has not run
 * against a real SQL Server (docs/sage500.md), so its exact shape is pinned here.
 */
describe('Sage 500 SQL Server dialect', () => {
  const mssql = knexFactory({ client: 'mssql' });
  afterAll(() => mssql.destroy());

  it('runs spSOapiSalesOrdIns with named arguments, declared OUTPUT parameters and one SELECT of them', () => {
    const call = mssqlDialect.call('spSOapiSalesOrdIns', [
      { name: 'oContinue', type: 'SMALLINT', value: 0, output: true },
      { name: 'iCancel', type: 'SMALLINT', value: 0 },
      { name: 'iSessionKey', type: 'INTEGER', value: 42 },
      { name: 'iCompanyID', type: 'VARCHAR(3)', value: 'SOA' },
      { name: 'iRptOption', type: 'INTEGER', value: 1 },
      { name: 'iPrintWarnings', type: 'SMALLINT', value: 1 },
      { name: 'UseStageTable', type: 'SMALLINT', value: 1 },
      { name: 'oRecsProcessed', type: 'INTEGER', value: 0, output: true },
      { name: 'oFailedRecs', type: 'INTEGER', value: 0, output: true },
      { name: 'oTotalRecs', type: 'INTEGER', value: 0, output: true },
      { name: 'oRetVal', type: 'INTEGER', value: 0, output: true },
    ]);
    const native = mssql
      .raw(call.sql, call.bindings as never[])
      .toSQL()
      .toNative();
    expect(native.sql).toBe(
      'SET NOCOUNT ON; ' +
        'DECLARE @oContinue SMALLINT = @p0, @oRecsProcessed INTEGER = @p1, @oFailedRecs INTEGER = @p2, ' +
        '@oTotalRecs INTEGER = @p3, @oRetVal INTEGER = @p4; ' +
        'EXEC dbo.spSOapiSalesOrdIns @oContinue = @oContinue OUTPUT, @iCancel = @p5, @iSessionKey = @p6, ' +
        '@iCompanyID = @p7, @iRptOption = @p8, @iPrintWarnings = @p9, @UseStageTable = @p10, ' +
        '@oRecsProcessed = @oRecsProcessed OUTPUT, @oFailedRecs = @oFailedRecs OUTPUT, ' +
        '@oTotalRecs = @oTotalRecs OUTPUT, @oRetVal = @oRetVal OUTPUT; ' +
        'SELECT @oContinue AS oContinue, @oRecsProcessed AS oRecsProcessed, @oFailedRecs AS oFailedRecs, ' +
        '@oTotalRecs AS oTotalRecs, @oRetVal AS oRetVal;',
    );
    expect(native.bindings).toEqual([0, 0, 0, 0, 0, 0, 42, 'SOA', 1, 1, 1]);
  });

  it('runs spGetNextSurrogateKey and spglAPIPostBatchlessGLPosting the same way', () => {
    const key = mssqlDialect.call('spGetNextSurrogateKey', [
      { name: 'iTableName', type: 'VARCHAR(30)', value: 'tsmMigrateSession' },
      { name: 'oNewKey', type: 'INTEGER', output: true },
    ]);
    expect(
      mssql
        .raw(key.sql, key.bindings as never[])
        .toSQL()
        .toNative(),
    ).toEqual({
      sql: 'SET NOCOUNT ON; DECLARE @oNewKey INTEGER = @p0; EXEC dbo.spGetNextSurrogateKey @iTableName = @p1, @oNewKey = @oNewKey OUTPUT; SELECT @oNewKey AS oNewKey;',
      bindings: [null, 'tsmMigrateSession'],
    });
    const gl = mssqlDialect.call('spglAPIPostBatchlessGLPosting', [
      { name: 'iBatchCmnt', type: 'VARCHAR(50)', value: 'AMZ' },
      { name: 'ioSessionID', type: 'INTEGER', value: 0, output: true },
      { name: 'oRetVal', type: 'INTEGER', output: true },
      { name: 'optReplcInvalidAcctWithSuspense', type: 'BIT', value: 0 },
      { name: 'optPostToGL', type: 'BIT', value: 1 },
    ]);
    expect(gl.sql).toBe(
      'SET NOCOUNT ON; DECLARE @ioSessionID INTEGER = ?, @oRetVal INTEGER = ?; ' +
        'EXEC dbo.spglAPIPostBatchlessGLPosting @iBatchCmnt = ?, @ioSessionID = @ioSessionID OUTPUT, ' +
        '@oRetVal = @oRetVal OUTPUT, @optReplcInvalidAcctWithSuspense = ?, @optPostToGL = ?; ' +
        'SELECT @ioSessionID AS ioSessionID, @oRetVal AS oRetVal;',
    );
    expect(gl.bindings).toEqual([0, null, 'AMZ', 0, 1]);
  });

  it('posts a GL batch in ONE batch: #tciTransToPost made, filled, posted and read inside the same sp_executesql', () => {
    const call = mssqlBatchlessPost(
      { CompanyID: 'SOA', TranID: '0000000042', TranType: 0, TranKey: 42, GLBatchKey: 42 },
      'AMZ-SETTLE-1',
    );
    const native = mssql
      .raw(call.sql, call.bindings as never[])
      .toSQL()
      .toNative();
    expect(native.sql).toBe(
      'SET NOCOUNT ON; ' +
        'CREATE TABLE #tciTransToPost (CompanyID VARCHAR(3) NOT NULL, TranID VARCHAR(13) NOT NULL, ' +
        'TranType INTEGER NOT NULL, TranKey INTEGER NOT NULL, GLBatchKey INTEGER NOT NULL, PostStatus INTEGER DEFAULT 0); ' +
        'INSERT INTO #tciTransToPost (CompanyID, TranID, TranType, TranKey, GLBatchKey, PostStatus) ' +
        'VALUES (@p0, @p1, @p2, @p3, @p4, 0); ' +
        'DECLARE @ioSessionID INTEGER = 0, @oRetVal INTEGER = 0; ' +
        'EXEC dbo.spglAPIPostBatchlessGLPosting @iBatchCmnt = @p5, @ioSessionID = @ioSessionID OUTPUT, ' +
        '@oRetVal = @oRetVal OUTPUT, @optReplcInvalidAcctWithSuspense = 0, @optPostToGL = 1; ' +
        'SELECT @ioSessionID AS ioSessionID, @oRetVal AS oRetVal, ' +
        '(SELECT MIN(PostStatus) FROM #tciTransToPost WHERE TranKey = @p6 AND GLBatchKey = @p7) AS PostStatus;',
    );
    expect(native.bindings).toEqual(['SOA', '0000000042', 0, 42, 42, 'AMZ-SETTLE-1', 42, 42]);
  });

  it('reads the outputs from the last row of the batch (rows of all result sets come back together)', () => {
    expect(mssqlDialect.outputs([{ x: 1 }, { oNewKey: 7 }])).toEqual({ oNewKey: 7 });
    expect(mssqlDialect.outputs([])).toEqual({});
  });

  it('knows SQL Server errors by number, and the simulator’s SQLSTATEs as the numbers they stand for', () => {
    expect(mssqlDialect.errorNumber({ number: 1205 })).toBe(1205);
    expect(mssqlDialect.errorNumber(new Error('x'))).toBeUndefined();
    expect(pgDialect.errorNumber({ code: '40P01' })).toBe(1205);
    expect(pgDialect.errorNumber({ code: '55P03' })).toBe(1222);
    expect(pgDialect.errorNumber({ code: '23505' })).toBe(2627);
  });

  it('calls the simulator with CALL and named arguments', () => {
    expect(
      pgDialect.call('spGetNextSurrogateKey', [
        { name: 'iTableName', type: 'VARCHAR(30)', value: 't' },
        { name: 'oNewKey', type: 'INTEGER', output: true },
      ]),
    ).toEqual({
      sql: 'CALL "spGetNextSurrogateKey"("iTableName" => ?, "oNewKey" => ?)',
      bindings: ['t', null],
    });
  });
});
