/**
 * The Business Object Interface as the agent uses it (reference/erp/FACTS.md §3.2): the methods of
 * `SY_Session` and of the business and service objects, with BOI's return convention (0 = failure,
 * read `sLastErrorMsg`; 1 = success; 2 = new key, or success with a warning). String fields are
 * named with a `$` suffix, numeric ones without. COM's ByRef out-parameters come back as `[ret, value]`.
 *
 * Two implementations: BoiSimulator (in memory, what tests and the demo run) and ComBoi (the real
 * one over COM through `winax`, Windows only, never run here).
 */
export interface BoiSession {
  nSetUser(user: string, password: string): number;
  nSetCompany(company: string): number;
  /** module like `S/O`, date `YYYYMMDD` */
  nSetDate(module: string, yyyymmdd: string): number;
  nSetModule(module: string): number;
  /** the task id of a UI program name (e.g. `SO_Invoice_ui`), 0 when unknown */
  nLookupTask(uiName: string): number;
  nSetProgram(taskId: number): number;
  sLastErrorMsg: string;
  /** drops the session (COM: `DropObject`) */
  nCleanup(): number;
}

/** The lines object of a document (`oLines`). */
export interface BoiLines {
  nAddLine(): number;
  nSetValue(field: string, value: string | number): number;
  nGetValue(field: string): [number, string | number];
  nWrite(): number;
  /** `SO_Invoice_bus` lines: copy an order's lines (`"Y"`: ship all) */
  nCopyLinesFromSalesOrder?(salesOrderNo: string, shipAll: string): number;
  sLastErrorMsg: string;
}

/** A `_bus` (read/write) object. */
export interface BoiBusinessObject {
  nSetKeyValue(field: string, value: string): number;
  /** 2 = new record, 1 = existing record, 0 = error */
  nSetKey(key?: string): number;
  nSetValue(field: string, value: string | number): number;
  nGetValue(field: string): [number, string | number];
  /** 1 = written; 0 = refused, nothing of the document written (sLastErrorMsg says why) */
  nWrite(): number;
  nDelete(): number;
  /** discards the record in edit */
  nClear(): number;
  /** `SO_Invoice_bus`, `AR_CashReceipts_bus`…: a new batch, its number out */
  nSelectNewBatch?(kind: string, description: string): [number, string];
  /** `SO_Invoice_bus`: the next invoice number */
  nGetNextInvoiceNo?(): [number, string];
  /** `GL_GeneralJournal_bus`: the next entry number ([?] name not in public material) */
  nGetNextEntryNo?(): [number, string];
  oLines?: BoiLines;
  sLastErrorMsg: string;
}

/** A `_svc` (read-only) object, browsed in key order. */
export interface BoiServiceObject {
  nSetBrowseFilter(filter: string): number;
  nMoveFirst(): number;
  nMoveNext(): number;
  nEOF(): number;
  nGetValue(field: string): [number, string | number];
  sLastErrorMsg: string;
}

/** `ProvideX.Script` after `Init(<MAS90 home>)`: makes sessions and objects. */
export interface Boi {
  newSession(): BoiSession;
  newObject(name: string, session: BoiSession): BoiBusinessObject | BoiServiceObject;
  close(): Promise<void>;
}
