/** What was wrong with a query option, before an ERP dialect phrases it. */
export type ODataProblem =
  | { kind: 'syntax'; detail: string }
  | { kind: 'unknown-function'; name: string }
  | { kind: 'unknown-property'; name: string; entity?: string }
  | { kind: 'unsupported-option'; option: string };

/**
 * A `$filter` or `$orderby` the simulator refuses. `message` is phrased by the dialect (see
 * `ODataDialect.phrase`); `problem` says what was wrong, for a server that maps it to its own envelope.
 */
export class ODataError extends Error {
  constructor(
    readonly problem: ODataProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ODataError';
  }
}
