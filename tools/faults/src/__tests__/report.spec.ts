import { markdownTable, passed, textTable, type FaultResult } from '../report';
import { tally } from '../truth';
import { vmRssKb } from '../services';
import { parseFlags } from '../run';

const ok: FaultResult = {
  fault: 'erp-503',
  what: 'the ERP answers 503',
  windowS: 30,
  documents: { expected: 10, written: 10, duplicated: 0, lost: 0 },
  tiedOut: '4/4',
  deadLetters: {},
  lagZero: true,
  wentRed: [],
  readyAtEnd: true,
  recoveryS: 12.34,
  totalS: 60,
  restarts: {},
  notes: [],
};

describe('tally (the ERP against the truth, by natural key)', () => {
  it('when every expected key is there once, then nothing is lost or duplicated', () => {
    expect(tally(['a', 'b'], ['b', 'a'])).toEqual({
      expected: 2,
      written: 2,
      duplicated: 0,
      lost: 0,
      lostKeys: [],
    });
  });

  it('when a key is there twice, one is missing and one nobody expected, then each is counted', () => {
    expect(tally(['a', 'b', 'c'], ['a', 'a', 'b', 'x'])).toEqual({
      expected: 3,
      written: 2,
      duplicated: 2,
      lost: 1,
      lostKeys: ['c'],
    });
  });
});

describe('the fault table', () => {
  it('when a run lost, duplicated, left a dead letter or never recovered, then it fails', () => {
    expect(passed(ok)).toBe(true);
    expect(passed({ ...ok, documents: { ...ok.documents, lost: 1, written: 9 } })).toBe(false);
    expect(passed({ ...ok, documents: { ...ok.documents, duplicated: 1 } })).toBe(false);
    expect(passed({ ...ok, deadLetters: { 'amazon.orders.v1.dlq': 1 } })).toBe(false);
    expect(passed({ ...ok, recoveryS: null })).toBe(false);
    expect(passed({ ...ok, lagZero: false })).toBe(false);
  });

  it('prints one row per fault with expected, written, duplicated, lost and recovery time', () => {
    const text = textTable([ok, { ...ok, fault: 'kafka-kill9', recoveryS: null, wentRed: ['sage-writer'] }]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^fault\s+window s\s+expected\s+written\s+duplicated\s+lost/);
    expect(lines[1]).toMatch(/^erp-503\s+30\s+10\s+10\s+0\s+0\s+4\/4\s+0\s+yes\s+-\s+12\.3\s+ok$/);
    expect(lines[2]).toMatch(/sage-writer\s+never\s+FAIL$/);
    expect(markdownTable([ok]).split('\n')[2]).toBe(
      '| erp-503 | 30 | 10 | 10 | 0 | 0 | 4/4 | 0 | yes | - | 12.3 | ok |',
    );
  });
});

describe('flags and memory', () => {
  it('reads the flags, with fewer orders for --reduced', () => {
    expect(parseFlags(['--reduced'])).toMatchObject({ reduced: true, orders: 140 });
    expect(parseFlags(['--only', 'erp-503,kafka-kill9', '--orders', '300'])).toMatchObject({
      only: ['erp-503', 'kafka-kill9'],
      orders: 300,
    });
    expect(() => parseFlags(['--orders'])).toThrow('--orders needs a value');
    expect(() => parseFlags(['--fast'])).toThrow('unknown flag --fast');
  });

  it('reads VmRSS from /proc/<pid>/status', () => {
    expect(vmRssKb('Name:\tnode\nVmHWM:\t  300 kB\nVmRSS:\t  123456 kB\n')).toBe(123456);
    expect(vmRssKb('Name:\tnode\n')).toBeUndefined();
  });
});
