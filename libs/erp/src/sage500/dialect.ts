/**
 * The only SQL of the Sage 500 adapter that differs by dialect: procedure calls with output
 * parameters, the `#tciTransToPost` temp table, the server clock and error numbers. SQL Server
 * (knex client `mssql`, tedious) is what Sage 500 runs on; PostgreSQL is the simulator
 * (libs/sage500-simulator). Everything else the adapter sends goes through knex's query builder,
 * which quotes identifiers for each dialect. The SQL Server text is asserted by unit tests; it has
 * not run against a real SQL Server (docs/sage500.md).
 */

import type { Knex } from 'knex';

/** One parameter of a procedure call, in declaration order. */
export interface ProcParam {
  /** without `@` */
  name: string;
  /** the SQL Server type (used to DECLARE output parameters) */
  type: string;
  /** input value, or the initial value of an output parameter */
  value?: unknown;
  output?: boolean;
}

export interface ProcCall {
  sql: string;
  bindings: unknown[];
}

export type Sage500DialectName = 'mssql' | 'pg';

/** The row of `#tciTransToPost` for one GL batch (spglAPIPostBatchlessGLPosting's input). */
export interface TransToPost {
  CompanyID: string;
  TranID: string;
  TranType: number;
  TranKey: number;
  GLBatchKey: number;
}

/** What spglAPIPostBatchlessGLPosting answered for the batch. */
export interface BatchlessPostResult {
  retVal: number;
  postStatus: number;
}

export interface Sage500Dialect {
  readonly name: Sage500DialectName;
  /** The statement(s) that run a procedure and return its output parameters as one row. */
  call(proc: string, params: ProcParam[]): ProcCall;
  /** The output row of a call's raw result. */
  outputs(result: unknown): Record<string, unknown>;
  /**
   * Posts one GL batch already in tglPosting: `#tciTransToPost` made and filled with its row,
   * spglAPIPostBatchlessGLPosting run (suspense replacement off), the post status read back.
   */
  postBatchless(db: Knex.Transaction, row: TransToPost, batchCmnt: string): Promise<BatchlessPostResult>;
  /** One row, column `now`: the server's clock. */
  now: string;
  /** SQL Server's error number for a failure of this dialect (1205, 1222, 2627, 18456...), when it has one. */
  errorNumber(err: unknown): number | undefined;
}

/** The SQL Server error numbers the adapter tells apart. */
export const SQL = {
  DEADLOCK: 1205,
  LOCK_TIMEOUT: 1222,
  UNIQUE_KEY: 2627,
  UNIQUE_INDEX: 2601,
  LOGIN_FAILED: 18456,
  CANNOT_OPEN_DB: 4060,
} as const;

const TRANS_TO_POST_COLUMNS =
  'CompanyID VARCHAR(3) NOT NULL, TranID VARCHAR(13) NOT NULL, TranType INTEGER NOT NULL, ' +
  'TranKey INTEGER NOT NULL, GLBatchKey INTEGER NOT NULL, PostStatus INTEGER DEFAULT 0';

/**
 * SQL Server: the GL posting as ONE batch. tedious sends every statement through sp_executesql, and a
 * temp table made inside it is dropped when that statement ends, so `#tciTransToPost` is created,
 * filled, posted by the procedure (a nested scope sees it) and read back in the same batch.
 */
export function mssqlBatchlessPost(row: TransToPost, batchCmnt: string): ProcCall {
  return {
    sql:
      'SET NOCOUNT ON; ' +
      `CREATE TABLE #tciTransToPost (${TRANS_TO_POST_COLUMNS}); ` +
      'INSERT INTO #tciTransToPost (CompanyID, TranID, TranType, TranKey, GLBatchKey, PostStatus) VALUES (?, ?, ?, ?, ?, 0); ' +
      'DECLARE @ioSessionID INTEGER = 0, @oRetVal INTEGER = 0; ' +
      'EXEC dbo.spglAPIPostBatchlessGLPosting @iBatchCmnt = ?, @ioSessionID = @ioSessionID OUTPUT, @oRetVal = @oRetVal OUTPUT, ' +
      '@optReplcInvalidAcctWithSuspense = 0, @optPostToGL = 1; ' +
      'SELECT @ioSessionID AS ioSessionID, @oRetVal AS oRetVal, ' +
      '(SELECT MIN(PostStatus) FROM #tciTransToPost WHERE TranKey = ? AND GLBatchKey = ?) AS PostStatus;',
    bindings: [
      row.CompanyID,
      row.TranID,
      row.TranType,
      row.TranKey,
      row.GLBatchKey,
      batchCmnt,
      row.TranKey,
      row.GLBatchKey,
    ],
  };
}

/**
 * SQL Server: one batch that declares the output parameters, EXECs the procedure with named
 * arguments and SELECTs the outputs. `SET NOCOUNT ON` keeps row counts out of the answer; the
 * outputs come back as the batch's last row.
 */
export const mssqlDialect: Sage500Dialect = {
  name: 'mssql',
  call(proc, params) {
    const outs = params.filter((p) => p.output);
    const bindings: unknown[] = [];
    const declare = outs.length
      ? `DECLARE ${outs
          .map((p) => {
            bindings.push(p.value ?? null);
            return `@${p.name} ${p.type} = ?`;
          })
          .join(', ')}; `
      : '';
    const args = params
      .map((p) => {
        if (p.output) return `@${p.name} = @${p.name} OUTPUT`;
        bindings.push(p.value ?? null);
        return `@${p.name} = ?`;
      })
      .join(', ');
    const select = outs.length ? `; SELECT ${outs.map((p) => `@${p.name} AS ${p.name}`).join(', ')}` : '';
    return { sql: `SET NOCOUNT ON; ${declare}EXEC dbo.${proc} ${args}${select};`, bindings };
  },
  outputs(result) {
    const rows = Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
    return rows[rows.length - 1] ?? {};
  },
  async postBatchless(db, row, batchCmnt) {
    const { sql, bindings } = mssqlBatchlessPost(row, batchCmnt);
    const out = this.outputs(await db.raw(sql, bindings as Knex.RawBinding[]));
    return { retVal: Number(out.oRetVal), postStatus: Number(out.PostStatus) };
  },
  now: 'SELECT GETDATE() AS now',
  errorNumber(err) {
    const n = (err as { number?: unknown } | null)?.number;
    return typeof n === 'number' ? n : undefined;
  },
};

/** PostgreSQL SQLSTATEs of the simulator, as the SQL Server numbers they stand for. */
const PG_STATES: Record<string, number> = {
  '40P01': SQL.DEADLOCK,
  '55P03': SQL.LOCK_TIMEOUT,
  '23505': SQL.UNIQUE_KEY,
  '28P01': SQL.LOGIN_FAILED,
  '28000': SQL.LOGIN_FAILED,
  '3D000': SQL.CANNOT_OPEN_DB,
};

/** PostgreSQL (the simulator): `CALL` with named arguments; INOUT parameters come back as the call's row. */
export const pgDialect: Sage500Dialect = {
  name: 'pg',
  call(proc, params) {
    return {
      sql: `CALL "${proc}"(${params.map((p) => `"${p.name}" => ?`).join(', ')})`,
      bindings: params.map((p) => p.value ?? null),
    };
  },
  outputs(result) {
    return (result as { rows?: Record<string, unknown>[] }).rows?.[0] ?? {};
  },
  // separate statements in the caller's transaction: the temp table lives until it commits
  async postBatchless(db, row, batchCmnt) {
    await db.raw(
      `CREATE TEMP TABLE "#tciTransToPost" (${TRANS_TO_POST_COLUMNS.replace(/(\w+) (VARCHAR|INTEGER)/g, '"$1" $2')}) ON COMMIT DROP`,
    );
    await db('#tciTransToPost').insert({ ...row, PostStatus: 0 });
    const { sql, bindings } = this.call('spglAPIPostBatchlessGLPosting', [
      { name: 'iBatchCmnt', type: 'VARCHAR(50)', value: batchCmnt },
      { name: 'ioSessionID', type: 'INTEGER', value: 0, output: true },
      { name: 'oRetVal', type: 'INTEGER', output: true },
      { name: 'optReplcInvalidAcctWithSuspense', type: 'BIT', value: 0 },
      { name: 'optPostToGL', type: 'BIT', value: 1 },
    ]);
    const out = this.outputs(await db.raw(sql, bindings as Knex.RawBinding[]));
    const status = await db('#tciTransToPost')
      .where({ TranKey: row.TranKey, GLBatchKey: row.GLBatchKey })
      .min<{ s: number | null }[]>({ s: 'PostStatus' });
    return { retVal: Number(out.oRetVal), postStatus: Number(status[0]?.s ?? 0) };
  },
  now: `SELECT "simNow"() AS now`,
  errorNumber(err) {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? PG_STATES[code] : undefined;
  },
};
