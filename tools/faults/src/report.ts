import type { Tally } from './truth';

export interface FaultResult {
  fault: string;
  what: string;
  windowS: number;
  documents: Tally;
  /** settlements TIED_OUT / expected */
  tiedOut: string;
  /** dead letters left, by topic */
  deadLetters: Record<string, number>;
  /** every group's lag reached 0 */
  lagZero: boolean;
  /** services whose readiness went red during the fault */
  wentRed: string[];
  /** every service ready at the end */
  readyAtEnd: boolean;
  /** seconds from the end of the fault to lag 0, every service ready and every document written; null: never */
  recoveryS: number | null;
  /** seconds of the whole scenario */
  totalS: number;
  /** services restarted by the runner (kill -9) and those found dead */
  restarts: Record<string, number>;
  notes: string[];
}

/** A result passes when nothing is lost, duplicated, left in a DLQ, lagging or red. */
export function passed(r: FaultResult): boolean {
  return (
    r.documents.lost === 0 &&
    r.documents.duplicated === 0 &&
    Object.keys(r.deadLetters).length === 0 &&
    r.lagZero &&
    r.readyAtEnd &&
    r.recoveryS !== null
  );
}

const HEADER = [
  'fault',
  'window s',
  'expected',
  'written',
  'duplicated',
  'lost',
  'tied out',
  'DLQ',
  'lag 0',
  'red while away',
  'recovery s',
  'result',
];

function row(r: FaultResult): string[] {
  const dlq = Object.values(r.deadLetters).reduce((a, b) => a + b, 0);
  return [
    r.fault,
    String(r.windowS),
    String(r.documents.expected),
    String(r.documents.written),
    String(r.documents.duplicated),
    String(r.documents.lost),
    r.tiedOut,
    String(dlq),
    r.lagZero ? 'yes' : 'no',
    r.wentRed.length > 0 ? r.wentRed.join(', ') : '-',
    r.recoveryS === null ? 'never' : r.recoveryS.toFixed(1),
    passed(r) ? 'ok' : 'FAIL',
  ];
}

/** The fault table as aligned text (the terminal). */
export function textTable(results: FaultResult[]): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The fault table as markdown (docs/reliability.md, tmp/faults/faults.md). */
export function markdownTable(results: FaultResult[]): string {
  const rows = results.map(row);
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
