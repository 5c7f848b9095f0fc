import { LosslessNumber } from 'lossless-json';
import {
  ODataError,
  SAGE300_DIALECT,
  SAP_B1_DIALECT,
  compareByValue,
  evaluate,
  filterFields,
  filterPredicate,
  parseFilter,
  parseOrderBy,
  serverPage,
  type ODataDialect,
  type Row,
} from '../index';

const b1 = (src: string, row: Row) => filterPredicate(src, SAP_B1_DIALECT)(row);
const sage = (src: string, row: Row) => filterPredicate(src, SAGE300_DIALECT)(row);
const both: Array<[string, ODataDialect]> = [
  ['SAP B1', SAP_B1_DIALECT],
  ['Sage 300', SAGE300_DIALECT],
];
const problemOf = (f: () => unknown): ODataError => {
  try {
    f();
  } catch (err) {
    if (err instanceof ODataError) return err;
    throw err;
  }
  throw new Error('no error');
};

describe.each(both)('OData $filter, %s dialect', (_name, d) => {
  const test = (src: string, row: Row) => filterPredicate(src, d)(row);

  it.each([
    ['eq', 'A eq 5', true],
    ['ne', 'A ne 5', false],
    ['gt', 'A gt 4.99', true],
    ['ge', 'A ge 5.00', true],
    ['lt', 'A lt 5', false],
    ['le', 'A le 5', true],
  ])('compares with %s, numbers as exact decimals', (_op, src, want) => {
    expect(test(src, { A: '5.00' })).toBe(want);
    expect(test(src, { A: new LosslessNumber('5') })).toBe(want);
  });

  it('compares strings, with quotes doubled inside a literal', () => {
    expect(test("Name eq 'O''Brien'", { Name: "O'Brien" })).toBe(true);
    expect(test("Name gt 'B'", { Name: 'C' })).toBe(true);
    expect(test("Name lt 'B'", { Name: 'C' })).toBe(false);
  });

  it('binds not tighter than and, and tighter than or; parentheses group', () => {
    const row = { A: 1, B: 2 };
    expect(test('A eq 1 or A eq 2 and B eq 3', row)).toBe(true);
    expect(test('(A eq 1 or A eq 2) and B eq 3', row)).toBe(false);
    expect(test('not A eq 2 and B eq 2', row)).toBe(true);
    expect(test('not (A eq 1 and B eq 2)', row)).toBe(false);
  });

  it('treats null, true and false as literals; a missing value equals only null', () => {
    expect(test('A eq null', {})).toBe(true);
    expect(test('A ne null', { A: 'x' })).toBe(true);
    expect(test('A eq 1', {})).toBe(false);
    expect(test('A ne 1', {})).toBe(true);
    expect(test('Inactive eq false', { Inactive: false })).toBe(true);
    expect(test('Inactive eq true', { Inactive: false })).toBe(false);
  });

  it('reads datetime literals', () => {
    expect(test("D ge datetime'2024-05-01T00:00:00'", { D: '2024-05-01T00:00:00Z' })).toBe(true);
    expect(test("D lt datetime'2024-05-01T00:00:00'", { D: '2024-05-01T00:00:00Z' })).toBe(false);
  });

  it('reads startswith and endswith', () => {
    expect(test("startswith(Code, 'AB')", { Code: 'ABC' })).toBe(true);
    expect(test("endswith(Code, 'BC')", { Code: 'ABC' })).toBe(true);
    expect(test("not startswith(Code, 'X')", { Code: 'ABC' })).toBe(true);
  });

  it('reads substringof with the needle first', () => {
    expect(test("substringof('B', Code)", { Code: 'ABC' })).toBe(true);
    expect(test("substringof('Z', Code)", { Code: 'ABC' })).toBe(false);
  });

  it('refuses a function it does not know', () => {
    const err = problemOf(() => parseFilter("tolower(Code) eq 'a'", d));
    expect(err.problem).toEqual({ kind: 'unknown-function', name: 'tolower' });
  });

  it('refuses a property the caller does not know, naming the entity', () => {
    const err = problemOf(() =>
      parseFilter("Nope eq 'x'", d, { isProperty: (n) => n === 'Code', entity: 'Items' }),
    );
    expect(err.problem).toEqual({ kind: 'unknown-property', name: 'Nope', entity: 'Items' });
    expect(() => parseFilter("Code eq 'x'", d, { isProperty: (n) => n === 'Code' })).not.toThrow();
  });

  it.each([
    ["Name eq 'x", /unterminated string literal/],
    ['A eq', /unexpected end|expected a literal/],
    ['(A eq 1', /expected '\)'/],
    ['A eq 1 B', /unexpected 'B'/],
    ['A # 1', /unexpected character '#' at 2/],
    ['A foo 1', /unknown operator 'foo'/],
  ])('refuses %p as a syntax error', (src, msg) => {
    const err = problemOf(() => parseFilter(src, d));
    expect(err.problem.kind).toBe('syntax');
    expect(err.message).toMatch(msg);
  });

  it('lists the properties an expression reads', () => {
    expect(filterFields(parseFilter("A eq 1 and (startswith(B, 'x') or not C eq 'y')", d))).toEqual([
      'A',
      'B',
      'C',
    ]);
  });
});

describe('SAP B1 dialect', () => {
  it('has contains, and compares a function call with true or false', () => {
    expect(b1("contains(Name, 'ob')", { Name: 'Bob' })).toBe(true);
    expect(b1("startswith(Name, 'B') eq false", { Name: 'Bob' })).toBe(false);
    expect(b1("startswith(Name, 'B') eq true", { Name: 'Bob' })).toBe(true);
  });

  it('reads keywords in any case and properties on either side', () => {
    expect(b1("A EQ 1 AND NOT StartsWith(B, 'x')", { A: 1, B: 'y' })).toBe(true);
    expect(b1('1 eq A', { A: new LosslessNumber('1.0') })).toBe(true);
    expect(b1('A eq B', { A: 'x', B: 'x' })).toBe(true);
  });

  it('compares a date with a datetime literal by its date part, and reads time literals', () => {
    expect(b1("DocDate ge datetime'2024-05-01T00:00:00'", { DocDate: '2024-05-01' })).toBe(true);
    expect(b1("UpdateTime ge time'14:30:00'", { UpdateTime: '14:30:00' })).toBe(true);
    expect(
      b1("UpdateDate gt '2024-05-01' or (UpdateDate eq '2024-05-01' and UpdateTime ge '14:30:00')", {
        UpdateDate: '2024-05-01',
        UpdateTime: '14:29:59',
      }),
    ).toBe(false);
  });

  it('compares a number with a numeric string exactly, and a number with a word not at all', () => {
    expect(compareByValue(new LosslessNumber('10.10'), '10.1')).toBe(0);
    expect(compareByValue(new LosslessNumber('10'), 'ten')).toBeNull();
    expect(compareByValue('a', null)).toBeNull();
    expect(b1('DocTotal gt 10.5', { DocTotal: 10.51 })).toBe(true);
  });

  it('reads property paths with a slash as one name', () => {
    expect(filterFields(parseFilter("Address/City eq 'Oslo'", SAP_B1_DIALECT))).toEqual(['Address/City']);
  });

  it('takes $orderby, several keys, asc and desc, missing values first', () => {
    const rows: Row[] = [
      { D: '2024-05-02', T: '01:00:00' },
      { D: '2024-05-01', T: '02:00:00' },
      { D: '2024-05-01', T: '01:00:00' },
      { T: '09:00:00' },
    ];
    expect(
      [...rows].sort(parseOrderBy('D,T', SAP_B1_DIALECT)).map((r) => `${String(r.D)} ${String(r.T)}`),
    ).toEqual(['undefined 09:00:00', '2024-05-01 01:00:00', '2024-05-01 02:00:00', '2024-05-02 01:00:00']);
    expect([...rows].sort(parseOrderBy('D desc, T desc', SAP_B1_DIALECT))[0]).toEqual(rows[0]);
    expect(problemOf(() => parseOrderBy('D sideways', SAP_B1_DIALECT)).message).toBe(
      "invalid $orderby 'D sideways'",
    );
  });

  it('phrases refusals as the Service Layer message text', () => {
    expect(problemOf(() => parseFilter("Name eq 'x", SAP_B1_DIALECT)).message).toBe(
      'unterminated string literal',
    );
    expect(problemOf(() => parseFilter("tolower(Name) eq 'x'", SAP_B1_DIALECT)).message).toBe(
      "Unknown function 'tolower'",
    );
  });
});

describe('Sage 300 dialect', () => {
  const rec = { A: 'San Francisco', B: '1200.50', D: '2017-01-02T00:00:00Z', T: 'BalanceForward' };

  it('reads the documented literal forms: 99.99m, bare date-times, datetime with minutes', () => {
    expect(sage("B gt 1000.00m and D gt 2016-12-31T12:00:00Z and T eq 'BalanceForward'", rec)).toBe(true);
    expect(sage("D lt datetime'2015-12-31T12:00'", rec)).toBe(false);
    expect(sage("D eq datetimeoffset'2017-01-02T01:00:00+01:00'", rec)).toBe(true);
    expect(sage('B eq 1200.5', rec)).toBe(true);
  });

  it('has no contains', () => {
    const err = problemOf(() => parseFilter("contains(A, 'Fran')", SAGE300_DIALECT));
    expect(err.problem).toEqual({ kind: 'unknown-function', name: 'contains' });
    expect(err.message).toBe("$filter: unknown function 'contains'");
  });

  it('wants a property on the left and a literal on the right, and keywords in lower case', () => {
    expect(problemOf(() => parseFilter("'x' eq A", SAGE300_DIALECT)).message).toBe(
      '$filter: expected a property name',
    );
    expect(problemOf(() => parseFilter('A eq B', SAGE300_DIALECT)).message).toBe(
      '$filter: expected a literal',
    );
    expect(problemOf(() => parseFilter("A EQ 'x'", SAGE300_DIALECT)).message).toBe(
      "$filter: unknown operator 'EQ'",
    );
    expect(problemOf(() => parseFilter("startswith('x', A)", SAGE300_DIALECT)).message).toBe(
      '$filter: expected a property name',
    );
  });

  it('refuses an invalid date literal', () => {
    expect(problemOf(() => parseFilter("D gt datetime'yesterday'", SAGE300_DIALECT)).message).toBe(
      '$filter: invalid date literal yesterday',
    );
  });

  it('compares by the literal type: a date-time as an instant, a number only against a number', () => {
    expect(sage("D eq datetime'2017-01-02T00:00:00'", rec)).toBe(true);
    expect(sage('A gt 5', rec)).toBe(false);
    expect(sage('A ne 5', rec)).toBe(true);
    expect(sage('A gt null', rec)).toBe(true);
  });

  it('refuses $orderby, and phrases an unknown property as Sage does', () => {
    expect(problemOf(() => parseOrderBy('A', SAGE300_DIALECT)).message).toBe(
      'query option $orderby is not supported',
    );
    expect(
      problemOf(() =>
        parseFilter("Nope eq 'x'", SAGE300_DIALECT, { isProperty: () => false, entity: 'ICItems' }),
      ).message,
    ).toBe("Could not find a property named 'Nope' on ICItems");
  });

  it('evaluates a parsed expression more than once', () => {
    const e = parseFilter("(A eq 'x' or startswith(T,'Bal')) and not B le 1200", SAGE300_DIALECT);
    expect(evaluate(e, rec, SAGE300_DIALECT)).toBe(true);
    expect(evaluate(e, { ...rec, B: '1199' }, SAGE300_DIALECT)).toBe(false);
  });
});

describe('server paging', () => {
  const rows = Array.from({ length: 10 }, (_, i) => i);
  const q = new URLSearchParams('$filter=x&$skip=2&$top=7');

  it('cuts $skip/$top, then the page size, and links the rest of the window', () => {
    const { page, next } = serverPage(rows, q, { skip: 2, top: 7, pageSize: 3 });
    expect(page).toEqual([2, 3, 4]);
    expect(next?.toString()).toBe('%24filter=x&%24skip=5&%24top=4');
  });

  it('has no next link when the window fits, or when there is no page size', () => {
    expect(serverPage(rows, q, { skip: 2, top: 3, pageSize: 3 })).toEqual({ page: [2, 3, 4] });
    expect(serverPage(rows, new URLSearchParams(), { skip: 8 })).toEqual({ page: [8, 9] });
  });
});
