import { SAGE500_SCHEMA } from '../schema';

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

describe('Sage 500 simulator schema', () => {
  it('has the staging columns the public procedure header names', () => {
    expect(columns(SAGE500_SCHEMA, 'StgSalesOrder')).toEqual(
      expect.arrayContaining([
        'RowKey',
        'SessionKey',
        'ProcessStatus',
        'Action',
        'TranNo',
        'CustID',
        'CustPONo',
        'TranCmnt',
        'UserFld1',
        'UserFld4',
        'SOStatus',
        'Hold',
        'DfltWarehouseID',
      ]) as unknown,
    );
    expect(columns(SAGE500_SCHEMA, 'tdmMigrationLogWrk')).toEqual([
      'SessionKey',
      'EntityID',
      'ColumnID',
      'ColumnValue',
      'Duplicate',
      'Comment',
      'Status',
    ]);
  });
});
