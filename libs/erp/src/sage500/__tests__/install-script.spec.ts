import { readFileSync } from 'node:fs';
import { SAGE500_SCHEMA } from '@connector/sage500-simulator';
import { SAGE500_INSTALL_SCRIPT } from '../index';

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

  it.each(['tsoSalesOrderExt_CNX', 'tciDocumentExt_CNX'])(
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
    ]);
    expect(install.match(/IF OBJECT_ID\(N'dbo\.\w+_CNX', N'U'\) IS NULL/g)).toHaveLength(2);
  });
});
