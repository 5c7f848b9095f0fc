import { readFileSync } from 'node:fs';
import { SAGE500_SCHEMA } from '@connector/sage500-simulator';
import { SAGE500_CREDIT_MEMO_SCRIPT, SAGE500_INSTALL_SCRIPT } from '../index';
import { SAGE500_CREDIT_MEMO_PROC, sage500CreditMemoParams } from '../sage500.adapter';

/** Column names of a CREATE TABLE in either dialect (`dbo.X (` or `"X" (`), in order. */
function columns(sql: string, table: string): string[] {
  const start = sql.search(new RegExp(`create table (dbo\\.|")${table}"? \\(`, 'i'));
  if (start < 0) throw new Error(`no table ${table}`);
  const body = sql.slice(sql.indexOf('(', start) + 1);
  let depth = 1;
  let end = 0;
  while (depth > 0) {
    const c = body[end++];
    if (c === '(') depth++;
    if (c === ')') depth--;
  }
  return body
    .slice(0, end - 1)
    .replace(/--.*$/gm, '')
    .split(/,(?![^(]*\))/)
    .map((d) => d.trim())
    .filter((d) => d && !/^(constraint|primary key|unique)/i.test(d))
    .map((d) => d.split(/\s+/)[0].replace(/"/g, ''));
}

describe('Sage 500 install script', () => {
  const install = readFileSync(SAGE500_INSTALL_SCRIPT, 'utf8');

  it.each(['tsoSalesOrderExt_CNX', 'tciDocumentExt_CNX', 'tarDocLineStg_CNX'])(
    'creates the extension table %s with the columns the simulator has',
    (table) => {
      expect(columns(install, table)).toEqual(columns(SAGE500_SCHEMA, table));
    },
  );

  it('is idempotent (every CREATE is guarded) and creates none of Sage’s own objects', () => {
    const creates = [...install.matchAll(/CREATE (TABLE|UNIQUE NONCLUSTERED INDEX|PROCEDURE) ([\w.]+)/g)].map(
      (m) => m[2],
    );
    expect(creates).toEqual([
      'dbo.tsoSalesOrderExt_CNX',
      'UX_tsoSalesOrderExt_CNX_AmazonOrderId',
      'dbo.tciDocumentExt_CNX',
      'dbo.tarDocLineStg_CNX',
    ]);
    expect(install.match(/IF OBJECT_ID\(N'dbo\.\w+_CNX', N'U'\) IS NULL/g)).toHaveLength(3);
    // a table made by the earlier script gets the currency columns, once
    expect(install).toMatch(
      /IF COL_LENGTH\(N'dbo\.tciDocumentExt_CNX', N'CurrID'\) IS NULL\s+ALTER TABLE dbo\.tciDocumentExt_CNX ADD CurrID VARCHAR\(3\) NULL, CurrExchRate DECIMAL\(28,10\) NULL;/,
    );
  });
});

/** The parameter names of a procedure, in order: T-SQL `@name TYPE` or the simulator's `in "name" type`. */
function procParams(sql: string, proc: string): string[] {
  const start = sql.search(new RegExp(`(CREATE OR ALTER PROCEDURE dbo\\.|create procedure ")${proc}\\b`));
  if (start < 0) throw new Error(`no procedure ${proc}`);
  const rest = sql.slice(start);
  const head = rest.slice(0, rest.search(/\n(AS\n|language plpgsql)/));
  return [...head.matchAll(/@(\w+)\s+[A-Z]|(?:in|inout) "(\w+)"/g)].map((m) => m[1] ?? m[2]);
}

describe('spARCreditMemoIns_CNX', () => {
  const tsql = readFileSync(SAGE500_CREDIT_MEMO_SCRIPT, 'utf8');
  const sent = sage500CreditMemoParams(
    'SOA',
    {
      naturalKey: '111-0000001-0000001/C',
      amazonOrderId: '111-0000001-0000001',
      customerCode: 'AMZ-US',
      currency: 'USD',
      documentDate: '2026-11-28',
      baseInvoice: {
        kind: 'INVOICE',
        naturalKey: 'k',
        internalId: '7',
        documentNumber: '0000000007',
        status: 'OPEN',
      },
      lines: [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '1' }],
      charges: [],
      returnToStock: false,
      reason: 'CANCELLED_AFTER_INVOICE',
    },
    42,
    'WHS',
  ).map((p) => p.name);

  it('declares, in T-SQL, the parameters the adapter sends and the simulator’s stand-in takes, in that order', () => {
    expect(procParams(tsql, SAGE500_CREDIT_MEMO_PROC)).toEqual(sent);
    expect(procParams(SAGE500_SCHEMA, SAGE500_CREDIT_MEMO_PROC)).toEqual(sent);
  });

  it('is created idempotently, only as our own object, and checks before it writes', () => {
    expect(
      [...tsql.matchAll(/CREATE (OR ALTER )?(TABLE|PROCEDURE|INDEX) ([\w.]+)/g)].map((m) => m[3]),
    ).toEqual(['dbo.spARCreditMemoIns_CNX']);
    const write = tsql.indexOf('-- WRITE:');
    expect(write).toBeGreaterThan(0);
    // every refusal comes before the first write
    for (const code of [2, 3, 5, 6, 7, 8, 9, 10])
      expect(tsql.indexOf(`SELECT @oRetVal = ${code};`)).toBeLessThan(write);
    expect(tsql.indexOf('INSERT INTO')).toBeGreaterThan(write);
  });
});
