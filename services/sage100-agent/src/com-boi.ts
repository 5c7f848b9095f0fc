import type {
  Boi,
  BoiBusinessObject,
  BoiLines,
  BoiServiceObject,
  BoiSession,
} from '@connector/sage100-agent-core';

/** The part of `winax` used here: COM objects by ProgID, and Variants for ByRef out-parameters. */
interface Winax {
  Object: new (progId: string) => ComObject;
  Variant: new (value: unknown, type: string) => { valueOf(): string | number | null };
}
/** A COM IDispatch object as winax exposes it: methods and properties by name. */
type ComObject = Record<string, unknown> & { sLastErrorMsg: string };
type ComMethod = (...args: unknown[]) => unknown;

const call = (o: ComObject, method: string, ...args: unknown[]): number =>
  Number((o[method] as ComMethod).call(o, ...args));

/**
 * The real BOI over COM (reference/erp/FACTS.md §3.2): `ProvideX.Script` → `Init(<MAS90 home>)` →
 * `NewObject("SY_Session")` and `NewObject(<object>, oSS)`, through the `winax` package. winax is a
 * native Windows addon: it is installed on the Sage 100 server by install.ps1, never on the
 * connector's Linux machines, and loaded only on Windows.
 *
 * NOT RUN: no Windows and no Sage 100 are available to this project. What is written here follows
 * the public BOI samples (method names, return convention, ByRef out-parameters); two things are
 * our assumptions ([?]): a ByRef string Variant (`pstring`) receives numeric columns too (ProvideX
 * coerces), and `nGetNextEntryNo` is the journal's next-number method (its name is not public).
 */
export class ComBoi implements Boi {
  private readonly winax: Winax;
  private readonly script: ComObject;

  constructor(mas90Home: string) {
    if (process.platform !== 'win32')
      throw new Error('the COM BOI runs only on the Sage 100 Windows server (winax, ProvideX.Script)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.winax = require('winax') as Winax;
    this.script = new this.winax.Object('ProvideX.Script');
    call(this.script, 'Init', mas90Home);
  }

  /** A ByRef out-parameter: the method writes into it, `valueOf()` reads it back. */
  private out(): { valueOf(): string | number | null } {
    return new this.winax.Variant('', 'pstring');
  }

  /** A method whose ByRef out-parameter comes first (nSelectNewBatch, nGetNextInvoiceNo). */
  private outCall(o: ComObject, method: string, ...args: unknown[]): [number, string] {
    const v = this.out();
    const ret = call(o, method, v, ...args);
    return [ret, String(v.valueOf() ?? '')];
  }

  newSession(): BoiSession {
    const s = (this.script.NewObject as ComMethod).call(this.script, 'SY_Session') as ComObject;
    return {
      nSetUser: (u, p) => call(s, 'nSetUser', u, p),
      nSetCompany: (c) => call(s, 'nSetCompany', c),
      nSetDate: (m, d) => call(s, 'nSetDate', m, d),
      nSetModule: (m) => call(s, 'nSetModule', m),
      nLookupTask: (ui) => call(s, 'nLookupTask', ui),
      nSetProgram: (t) => call(s, 'nSetProgram', t),
      get sLastErrorMsg() {
        return String(s.sLastErrorMsg ?? '');
      },
      nCleanup: () => {
        const r = call(s, 'nCleanup');
        (s.DropObject as ComMethod | undefined)?.call(s);
        return r;
      },
      // the COM session itself, for NewObject
      com: s,
    } as BoiSession & { com: ComObject };
  }

  newObject(name: string, session: BoiSession): BoiBusinessObject | BoiServiceObject {
    const com = (session as BoiSession & { com?: ComObject }).com;
    if (!com) throw new Error('ComBoi.newObject needs a session made by ComBoi.newSession');
    const o = (this.script.NewObject as ComMethod).call(this.script, name, com) as ComObject;
    // nGetValue(column, ByRef value): the out-parameter comes second
    const getValue = (obj: ComObject, field: string): [number, string | number] => {
      const v = this.out();
      const ret = call(obj, 'nGetValue', field, v);
      return [ret, String(v.valueOf() ?? '')];
    };
    const lines = (): BoiLines | undefined => {
      const l = o.oLines as ComObject | undefined;
      if (!l) return undefined;
      return {
        nAddLine: () => call(l, 'nAddLine'),
        nSetValue: (f, v) => call(l, 'nSetValue', f, v),
        nGetValue: (f) => getValue(l, f),
        nWrite: () => call(l, 'nWrite'),
        nCopyLinesFromSalesOrder: (no, all) => call(l, 'nCopyLinesFromSalesOrder', no, all),
        get sLastErrorMsg() {
          return String(l.sLastErrorMsg ?? '');
        },
      };
    };
    return {
      // business objects
      nSetKeyValue: (f: string, v: string) => call(o, 'nSetKeyValue', f, v),
      nSetKey: (key?: string) => (key === undefined ? call(o, 'nSetKey') : call(o, 'nSetKey', key)),
      nSetValue: (f: string, v: string | number) => call(o, 'nSetValue', f, v),
      nGetValue: (f: string) => getValue(o, f),
      nWrite: () => call(o, 'nWrite'),
      nDelete: () => call(o, 'nDelete'),
      nClear: () => call(o, 'nClear'),
      nSelectNewBatch: (kind: string, description: string) =>
        this.outCall(o, 'nSelectNewBatch', kind, description),
      nGetNextInvoiceNo: () => this.outCall(o, 'nGetNextInvoiceNo'),
      nGetNextEntryNo: () => this.outCall(o, 'nGetNextEntryNo'),
      oLines: lines(),
      // service objects
      nSetBrowseFilter: (filter: string) => call(o, 'nSetBrowseFilter', filter),
      nMoveFirst: () => call(o, 'nMoveFirst'),
      nMoveNext: () => call(o, 'nMoveNext'),
      nEOF: () => call(o, 'nEOF'),
      get sLastErrorMsg() {
        return String(o.sLastErrorMsg ?? '');
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
