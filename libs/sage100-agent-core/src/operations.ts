import { decimal } from '@connector/money';
import type { Boi, BoiBusinessObject, BoiServiceObject, BoiSession } from './boi';

/** The Sage 100 logon the agent's BOI sessions use (configured on the server, never sent over the wire). */
export interface AgentBoiConfig {
  user: string;
  password: string;
  company: string;
  /** the agent host's clock: it runs on the Sage 100 server, so this is the ERP's clock */
  now?: () => number;
  /** text of BOI's record-in-use failures ([?], FACTS §5) */
  recordInUse?: RegExp;
}

/** Why an operation failed; `retriable` says whether trying again can help. */
export class AgentOperationError extends Error {
  constructor(
    readonly code: 'BOI_ERROR' | 'RECORD_IN_USE' | 'LOGON' | 'BAD_REQUEST',
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

type Params = Record<string, unknown>;
type Operation = (boi: Boi, cfg: AgentBoiConfig, p: Params) => unknown;

const IN_USE = /in use|locked/i;

function str(p: Params, name: string, max = 200): string {
  const v = p[name];
  if (typeof v !== 'string' || v === '' || v.length > max)
    throw new AgentOperationError('BAD_REQUEST', `${name} must be a string of 1 to ${max} characters`, false);
  return v;
}

function amount(p: Params, name: string): string {
  const v = p[name];
  if (typeof v !== 'string')
    throw new AgentOperationError('BAD_REQUEST', `${name} must be a decimal string`, false);
  try {
    return decimal(v).toFixed();
  } catch {
    throw new AgentOperationError('BAD_REQUEST', `${name} must be a decimal string`, false);
  }
}

const ymd = (iso: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso))
    throw new AgentOperationError('BAD_REQUEST', `${iso} is not YYYY-MM-DD`, false);
  return iso.replace(/-/g, '');
};

/** A BOI return: 0 is a failure, told by `sLastErrorMsg`. */
function ok(obj: { sLastErrorMsg: string }, ret: number, what: string, cfg: AgentBoiConfig): number {
  if (ret !== 0) return ret;
  const msg = obj.sLastErrorMsg || `${what} failed`;
  if ((cfg.recordInUse ?? IN_USE).test(msg))
    throw new AgentOperationError('RECORD_IN_USE', `${what}: ${msg}`, true);
  throw new AgentOperationError('BOI_ERROR', `${what}: ${msg}`, false);
}

/** `SY_Session` set up as FACTS §3.2: user, company, date, module, program. */
function session(boi: Boi, cfg: AgentBoiConfig, module: string, uiTask: string, date: string): BoiSession {
  const s = boi.newSession();
  if (s.nSetUser(cfg.user, cfg.password) === 0)
    throw new AgentOperationError('LOGON', `Sage 100 logon: ${s.sLastErrorMsg}`, false);
  if (s.nSetCompany(cfg.company) === 0)
    throw new AgentOperationError('LOGON', `Sage 100 company ${cfg.company}: ${s.sLastErrorMsg}`, false);
  ok(s, s.nSetDate(module, date), 'nSetDate', cfg);
  ok(s, s.nSetModule(module), 'nSetModule', cfg);
  ok(s, s.nSetProgram(s.nLookupTask(uiTask)), `nSetProgram(${uiTask})`, cfg);
  return s;
}

function today(cfg: AgentBoiConfig): string {
  return new Date((cfg.now ?? Date.now)()).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Runs a document sequence; on any failure the record in edit is discarded (nClear), so nothing half-written stays. */
function writing<T>(obj: BoiBusinessObject, s: BoiSession, body: () => T): T {
  try {
    return body();
  } catch (err) {
    obj.nClear();
    throw err;
  } finally {
    s.nCleanup();
  }
}

type Row = Record<string, string>;

/**
 * The rows of a service object whose `field` equals `value` (all rows without a filter), as the
 * fields asked for, in key order; with `where`, only the rows it keeps, and with `limit`, at most
 * `limit + 1` of them (the one past the page says there is more).
 */
function browse(
  svc: BoiServiceObject,
  fields: string[],
  cfg: AgentBoiConfig,
  filter?: string,
  page: { where?: (row: Row) => boolean; limit?: number } = {},
): Row[] {
  if (filter) ok(svc, svc.nSetBrowseFilter(filter), 'nSetBrowseFilter', cfg);
  ok(svc, svc.nMoveFirst(), 'nMoveFirst', cfg);
  const rows: Row[] = [];
  while (svc.nEOF() === 0) {
    const row: Row = {};
    for (const f of fields) {
      const [r, v] = svc.nGetValue(f);
      row[f] = r === 0 ? '' : String(v);
    }
    if (!page.where || page.where(row)) {
      rows.push(row);
      if (page.limit !== undefined && rows.length > page.limit) break;
    }
    svc.nMoveNext();
  }
  return rows;
}

/** The paging parameters of the reads: `afterKey`, `limit` (1–5000, default 1000), `changedSince` (YYYY-MM-DD). */
function paging(p: Params): { afterKey: string | null; limit: number; changedSince: string | null } {
  const afterKey = p.afterKey === undefined || p.afterKey === null ? null : str(p, 'afterKey', 60);
  const limit = p.limit === undefined ? 1000 : p.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 5000)
    throw new AgentOperationError('BAD_REQUEST', 'limit must be an integer from 1 to 5000', false);
  const changedSince = p.changedSince === undefined ? null : ymd(str(p, 'changedSince', 10));
  return { afterKey, limit, changedSince };
}

/** One page of rows keyed by `key`: the rows and the key to ask after next (null at the end). */
function pageOf(rows: Row[], key: string, limit: number): { rows: Row[]; nextKey: string | null } {
  return rows.length > limit
    ? { rows: rows.slice(0, limit), nextKey: rows[limit - 1][key] }
    : { rows, nextKey: null };
}

function readOnly(boi: Boi, cfg: AgentBoiConfig, module: string, uiTask: string, object: string) {
  const s = session(boi, cfg, module, uiTask, today(cfg));
  return { s, svc: boi.newObject(object, s) as BoiServiceObject };
}

/** The credit memo (`InvoiceType$ = CM`) whose `CustomerPONo$` is `key`, or null (`SO_Invoice_svc`). */
function creditMemoOf(boi: Boi, cfg: AgentBoiConfig, key: string): string | null {
  const { s, svc } = readOnly(boi, cfg, 'S/O', 'SO_Invoice_ui', 'SO_Invoice_svc');
  try {
    const rows = browse(svc, ['InvoiceNo$', 'InvoiceType$'], cfg, `CustomerPONo$=${key}`, {
      where: (r) => r['InvoiceType$'] === 'CM',
    });
    return rows[0]?.['InvoiceNo$'] ?? null;
  } finally {
    s.nCleanup();
  }
}

/**
 * The fixed list of operations the agent runs, each one BOI sequence (never an arbitrary BOI call).
 * Writes check for the document first (by the key the connector gives) and answer
 * `{ created: false, … }` when it is there, so a retried request posts once.
 */
export const OPERATIONS: Record<string, Operation> = {
  ping: (boi, cfg) => {
    const s = session(boi, cfg, 'C/I', 'CI_ItemCode_ui', today(cfg));
    s.nCleanup();
    return { serverTime: new Date((cfg.now ?? Date.now)()).toISOString() };
  },

  /** An invoice of a whole sales order (`SO_Invoice_bus`, lines copied and shipped in full). */
  createInvoiceFromSalesOrder: (boi, cfg, p) => {
    const orderNo = str(p, 'salesOrderNo', 7);
    const date = ymd(str(p, 'invoiceDate', 10));
    const seen = readOnly(boi, cfg, 'S/O', 'SO_Invoice_ui', 'SO_Invoice_svc');
    const existing = browse(seen.svc, ['InvoiceNo$'], cfg, `SalesOrderNo$=${orderNo}`);
    seen.s.nCleanup();
    if (existing[0]) return { created: false, invoiceNo: existing[0]['InvoiceNo$'] };
    const s = session(boi, cfg, 'S/O', 'SO_Invoice_ui', date);
    const inv = boi.newObject('SO_Invoice_bus', s) as BoiBusinessObject;
    return writing(inv, s, () => {
      const [rb, batchNo] = inv.nSelectNewBatch!('N', 'Amazon');
      ok(inv, rb, 'nSelectNewBatch', cfg);
      const [rn, invoiceNo] = inv.nGetNextInvoiceNo!();
      ok(inv, rn, 'nGetNextInvoiceNo', cfg);
      if (ok(inv, inv.nSetKey(invoiceNo), 'nSetKey', cfg) !== 2)
        throw new AgentOperationError('BOI_ERROR', `invoice ${invoiceNo} exists already`, false);
      ok(inv, inv.nSetValue('BatchNo$', batchNo), 'nSetValue(BatchNo$)', cfg);
      ok(inv, inv.nSetValue('SalesOrderNo$', orderNo), 'nSetValue(SalesOrderNo$)', cfg);
      ok(inv, inv.nSetValue('InvoiceDate$', date), 'nSetValue(InvoiceDate$)', cfg);
      if (typeof p.trackingId === 'string')
        ok(inv, inv.nSetValue('TrackingID$', p.trackingId), 'nSetValue(TrackingID$)', cfg);
      const lines = inv.oLines!;
      ok(lines, lines.nCopyLinesFromSalesOrder!(orderNo, 'Y'), 'oLines.nCopyLinesFromSalesOrder', cfg);
      ok(inv, inv.nWrite(), 'nWrite', cfg);
      return { created: true, invoiceNo, batchNo };
    });
  },

  /**
   * Cancelling a sales order (`SO_SalesOrder_bus`: `nSetKey` then `nDelete`, which releases what it
   * committed; Sage 100 has no cancelled status, and keeps a deleted order in history where the
   * company retains it). An order that is not there is answered `cancelled: false`, so a retry after a
   * lost answer is harmless; an order with an invoice is refused by the BOI.
   */
  cancelSalesOrder: (boi, cfg, p) => {
    const orderNo = str(p, 'salesOrderNo', 7);
    const s = session(boi, cfg, 'S/O', 'SO_SalesOrder_ui', today(cfg));
    const so = boi.newObject('SO_SalesOrder_bus', s) as BoiBusinessObject;
    return writing(so, s, () => {
      if (ok(so, so.nSetKey(orderNo), 'nSetKey', cfg) === 2) {
        so.nClear();
        return { cancelled: false, salesOrderNo: orderNo };
      }
      ok(so, so.nDelete(), 'nDelete', cfg);
      return { cancelled: true, salesOrderNo: orderNo };
    });
  },

  /** A GL journal entry (`GL_GeneralJournal_bus`); the connector's natural key in `Reference$`. */
  postJournal: (boi, cfg, p) => {
    const key = str(p, 'naturalKey', 60);
    const date = ymd(str(p, 'postingDate', 10));
    const lines = p.lines;
    if (!Array.isArray(lines) || lines.length === 0)
      throw new AgentOperationError('BAD_REQUEST', 'lines must be a non-empty array', false);
    const seen = readOnly(boi, cfg, 'G/L', 'GL_GeneralJournal_ui', 'GL_GeneralJournal_svc');
    const existing = browse(seen.svc, ['EntryNo$'], cfg, `Reference$=${key}`);
    seen.s.nCleanup();
    if (existing[0]) return { created: false, entryNo: existing[0]['EntryNo$'] };
    const s = session(boi, cfg, 'G/L', 'GL_GeneralJournal_ui', date);
    const je = boi.newObject('GL_GeneralJournal_bus', s) as BoiBusinessObject;
    return writing(je, s, () => {
      const [rn, entryNo] = je.nGetNextEntryNo!();
      ok(je, rn, 'nGetNextEntryNo', cfg);
      ok(je, je.nSetKey(entryNo), 'nSetKey', cfg);
      ok(je, je.nSetValue('PostingDate$', date), 'nSetValue(PostingDate$)', cfg);
      ok(je, je.nSetValue('Reference$', key), 'nSetValue(Reference$)', cfg);
      if (typeof p.comment === 'string')
        ok(je, je.nSetValue('Comment$', p.comment.slice(0, 30)), 'nSetValue(Comment$)', cfg);
      for (const raw of lines as Params[]) {
        const o = je.oLines!;
        ok(o, o.nAddLine(), 'oLines.nAddLine', cfg);
        ok(o, o.nSetValue('AccountKey$', str(raw, 'accountKey', 30)), 'oLines.nSetValue(AccountKey$)', cfg);
        ok(o, o.nSetValue('DebitAmount', amount(raw, 'debit')), 'oLines.nSetValue(DebitAmount)', cfg);
        ok(o, o.nSetValue('CreditAmount', amount(raw, 'credit')), 'oLines.nSetValue(CreditAmount)', cfg);
        if (typeof raw.comment === 'string' && raw.comment !== '')
          ok(o, o.nSetValue('Comment$', raw.comment.slice(0, 30)), 'oLines.nSetValue(Comment$)', cfg);
        ok(o, o.nWrite(), 'oLines.nWrite', cfg);
      }
      ok(je, je.nWrite(), 'nWrite', cfg);
      return { created: true, entryNo };
    });
  },

  /** An AP invoice for fees (`AP_Invoice_bus`), keyed APDivisionNo + VendorNo + InvoiceNo (= settlement id). */
  createApInvoice: (boi, cfg, p) => {
    const date = ymd(str(p, 'invoiceDate', 10));
    const total = amount(p, 'amount');
    const lines = p.lines;
    if (!Array.isArray(lines) || lines.length === 0)
      throw new AgentOperationError('BAD_REQUEST', 'lines must be a non-empty array', false);
    const s = session(boi, cfg, 'A/P', 'AP_Invoice_ui', date);
    const ap = boi.newObject('AP_Invoice_bus', s) as BoiBusinessObject;
    return writing(ap, s, () => {
      ok(ap, ap.nSetKeyValue('APDivisionNo$', str(p, 'apDivisionNo', 2)), 'nSetKeyValue(APDivisionNo$)', cfg);
      ok(ap, ap.nSetKeyValue('VendorNo$', str(p, 'vendorNo', 20)), 'nSetKeyValue(VendorNo$)', cfg);
      ok(ap, ap.nSetKeyValue('InvoiceNo$', str(p, 'invoiceNo', 30)), 'nSetKeyValue(InvoiceNo$)', cfg);
      if (ok(ap, ap.nSetKey(), 'nSetKey', cfg) === 1) {
        ap.nClear();
        return { created: false, invoiceNo: p.invoiceNo };
      }
      ok(ap, ap.nSetValue('InvoiceDate$', date), 'nSetValue(InvoiceDate$)', cfg);
      ok(ap, ap.nSetValue('InvoiceAmt', total), 'nSetValue(InvoiceAmt)', cfg);
      for (const raw of lines as Params[]) {
        const o = ap.oLines!;
        ok(o, o.nAddLine(), 'oLines.nAddLine', cfg);
        ok(o, o.nSetValue('AccountKey$', str(raw, 'accountKey', 30)), 'oLines.nSetValue(AccountKey$)', cfg);
        ok(
          o,
          o.nSetValue('DistributionAmt', amount(raw, 'amount')),
          'oLines.nSetValue(DistributionAmt)',
          cfg,
        );
        ok(o, o.nWrite(), 'oLines.nWrite', cfg);
      }
      ok(ap, ap.nWrite(), 'nWrite', cfg);
      return { created: true, invoiceNo: p.invoiceNo };
    });
  },

  /** A customer receipt (`AR_CashReceipts_bus`), keyed deposit + customer + check number (the connector's key). */
  createCashReceipt: (boi, cfg, p) => {
    const date = ymd(str(p, 'date', 10));
    const s = session(boi, cfg, 'A/R', 'AR_CashReceipts_ui', date);
    const cr = boi.newObject('AR_CashReceipts_bus', s) as BoiBusinessObject;
    return writing(cr, s, () => {
      ok(cr, cr.nSetKeyValue('DepositNo$', str(p, 'depositNo', 5)), 'nSetKeyValue(DepositNo$)', cfg);
      ok(cr, cr.nSetKeyValue('ARDivisionNo$', str(p, 'arDivisionNo', 2)), 'nSetKeyValue(ARDivisionNo$)', cfg);
      ok(cr, cr.nSetKeyValue('CustomerNo$', str(p, 'customerNo', 20)), 'nSetKeyValue(CustomerNo$)', cfg);
      ok(cr, cr.nSetKeyValue('CheckNo$', str(p, 'checkNo', 30)), 'nSetKeyValue(CheckNo$)', cfg);
      if (ok(cr, cr.nSetKey(), 'nSetKey', cfg) === 1) {
        cr.nClear();
        return { created: false, checkNo: p.checkNo };
      }
      ok(cr, cr.nSetValue('PostingAmt', amount(p, 'amount')), 'nSetValue(PostingAmt)', cfg);
      ok(cr, cr.nSetValue('DepositDate$', date), 'nSetValue(DepositDate$)', cfg);
      ok(cr, cr.nSetValue('BankCode$', str(p, 'bankCode', 1)), 'nSetValue(BankCode$)', cfg);
      ok(cr, cr.nWrite(), 'nWrite', cfg);
      return { created: true, checkNo: p.checkNo };
    });
  },

  /**
   * A credit memo (`SO_Invoice_bus` with `InvoiceType$ = "CM"`) applied to an invoice
   * (`ApplyToInvoiceNo$`), keyed by the connector's text in `CustomerPONo$`; its lines entered one by
   * one. What comes back into stock is the caller's choice of line: a regular item with a quantity
   * shipped is returned to its warehouse when the CM is updated, a `/` miscellaneous item moves no
   * stock. Checked first by `CustomerPONo$`, so a retry after a lost answer writes it once; any failure
   * clears the record in edit (nothing half-written).
   */
  createCreditMemo: (boi, cfg, p) => {
    const key = str(p, 'customerPoNo', 30);
    const applyTo = str(p, 'applyToInvoiceNo', 7);
    const date = ymd(str(p, 'invoiceDate', 10));
    const lines = p.lines;
    if (!Array.isArray(lines)) throw new AgentOperationError('BAD_REQUEST', 'lines must be an array', false);
    const existing = creditMemoOf(boi, cfg, key);
    if (existing) return { created: false, invoiceNo: existing };
    const s = session(boi, cfg, 'S/O', 'SO_Invoice_ui', date);
    const cm = boi.newObject('SO_Invoice_bus', s) as BoiBusinessObject;
    return writing(cm, s, () => {
      const [rb, batchNo] = cm.nSelectNewBatch!('N', 'Amazon credits');
      ok(cm, rb, 'nSelectNewBatch', cfg);
      const [rn, invoiceNo] = cm.nGetNextInvoiceNo!();
      ok(cm, rn, 'nGetNextInvoiceNo', cfg);
      if (ok(cm, cm.nSetKey(invoiceNo), 'nSetKey', cfg) !== 2)
        throw new AgentOperationError('BOI_ERROR', `invoice ${invoiceNo} exists already`, false);
      const set = (field: string, value: string) =>
        ok(cm, cm.nSetValue(field, value), `nSetValue(${field})`, cfg);
      set('BatchNo$', batchNo);
      set('InvoiceType$', 'CM');
      set('ARDivisionNo$', str(p, 'arDivisionNo', 2));
      set('CustomerNo$', str(p, 'customerNo', 20));
      set('ApplyToInvoiceNo$', applyTo);
      set('InvoiceDate$', date);
      set('CustomerPONo$', key);
      set('FreightAmt', amount(p, 'freightAmt'));
      set('DiscountAmt', amount(p, 'discountAmt'));
      if (typeof p.comment === 'string' && p.comment !== '') set('Comment$', p.comment.slice(0, 30));
      for (const raw of lines as Params[]) {
        const o = cm.oLines!;
        const line = (field: string, value: string) =>
          ok(o, o.nSetValue(field, value), `oLines.nSetValue(${field})`, cfg);
        ok(o, o.nAddLine(), 'oLines.nAddLine', cfg);
        line('ItemCode$', str(raw, 'itemCode', 30));
        if (typeof raw.warehouseCode === 'string' && raw.warehouseCode !== '')
          line('WarehouseCode$', str(raw, 'warehouseCode', 3));
        if (typeof raw.description === 'string' && raw.description !== '')
          line('ItemCodeDesc$', raw.description.slice(0, 30));
        const quantity = amount(raw, 'quantity');
        line('QuantityOrdered', quantity);
        line('QuantityShipped', quantity);
        line('UnitPrice', amount(raw, 'unitPrice'));
        if (typeof raw.comment === 'string' && raw.comment !== '')
          line('CommentText$', raw.comment.slice(0, 60));
        ok(o, o.nWrite(), 'oLines.nWrite', cfg);
      }
      ok(cm, cm.nWrite(), 'nWrite', cfg);
      return { created: true, invoiceNo, batchNo };
    });
  },

  /** The credit memo written under a `CustomerPONo$`, if there is one (`SO_Invoice_svc`). */
  findCreditMemo: (boi, cfg, p) => ({ invoiceNo: creditMemoOf(boi, cfg, str(p, 'customerPoNo', 30)) }),

  /**
   * Which of the given customers (`ARDivisionNo-CustomerNo`), items and GL account keys the company
   * lacks or holds inactive (`CustomerStatus$ = I`, `InactiveItem$ = Y`, `Status$ = I` [?]): one
   * browse of each of `AR_Customer_svc`, `CI_ItemCode_svc` and `GL_Account_svc` on the server, however
   * many codes are asked about; only the problems travel back.
   */
  checkMasterData: (boi, cfg, p) => {
    const list = (name: string, max: number): string[] => {
      const v = p[name] ?? [];
      if (
        !Array.isArray(v) ||
        v.length > 100_000 ||
        v.some((x) => typeof x !== 'string' || x === '' || x.length > max)
      )
        throw new AgentOperationError(
          'BAD_REQUEST',
          `${name} must be an array of codes of 1 to ${max} characters`,
          false,
        );
      return v as string[];
    };
    const wanted = {
      CUSTOMER: list('customers', 23),
      ITEM: list('items', 30),
      GL_ACCOUNT: list('glAccounts', 30),
    };
    const read = (
      module: string,
      uiTask: string,
      object: string,
      fields: string[],
      key: (r: Row) => string,
    ) => {
      const { s, svc } = readOnly(boi, cfg, module, uiTask, object);
      try {
        return new Map(browse(svc, fields, cfg).map((r) => [key(r), r]));
      } finally {
        s.nCleanup();
      }
    };
    const known = {
      CUSTOMER: wanted.CUSTOMER.length
        ? read(
            'A/R',
            'AR_Customer_ui',
            'AR_Customer_svc',
            ['ARDivisionNo$', 'CustomerNo$', 'CustomerStatus$'],
            (r) => `${r['ARDivisionNo$']}-${r['CustomerNo$']}`,
          )
        : new Map<string, Row>(),
      ITEM: wanted.ITEM.length
        ? read(
            'C/I',
            'CI_ItemCode_ui',
            'CI_ItemCode_svc',
            ['ItemCode$', 'InactiveItem$'],
            (r) => r['ItemCode$'],
          )
        : new Map<string, Row>(),
      GL_ACCOUNT: wanted.GL_ACCOUNT.length
        ? read('G/L', 'GL_Account_ui', 'GL_Account_svc', ['AccountKey$', 'Status$'], (r) => r['AccountKey$'])
        : new Map<string, Row>(),
    };
    const inactive = {
      CUSTOMER: (r: Row) => r['CustomerStatus$'] === 'I',
      ITEM: (r: Row) => r['InactiveItem$'] === 'Y',
      GL_ACCOUNT: (r: Row) => r['Status$'] === 'I',
    };
    const problems: { kind: string; code: string; problem: 'MISSING' | 'INACTIVE' }[] = [];
    for (const kind of ['CUSTOMER', 'ITEM', 'GL_ACCOUNT'] as const)
      for (const code of new Set(wanted[kind])) {
        const row = known[kind].get(code);
        if (!row) problems.push({ kind, code, problem: 'MISSING' });
        else if (inactive[kind](row)) problems.push({ kind, code, problem: 'INACTIVE' });
      }
    return { problems };
  },

  /** The invoice of a sales order, if there is one (`SO_Invoice_svc`). */
  findInvoice: (boi, cfg, p) => {
    const orderNo = str(p, 'salesOrderNo', 7);
    const { s, svc } = readOnly(boi, cfg, 'S/O', 'SO_Invoice_ui', 'SO_Invoice_svc');
    try {
      const rows = browse(svc, ['InvoiceNo$'], cfg, `SalesOrderNo$=${orderNo}`);
      return { invoiceNo: rows[0]?.['InvoiceNo$'] ?? null };
    } finally {
      s.nCleanup();
    }
  },

  /** The journal entry of a natural key, if there is one (`GL_GeneralJournal_svc`, `Reference$`). */
  findJournal: (boi, cfg, p) => {
    const key = str(p, 'naturalKey', 60);
    const { s, svc } = readOnly(boi, cfg, 'G/L', 'GL_GeneralJournal_ui', 'GL_GeneralJournal_svc');
    try {
      const rows = browse(svc, ['EntryNo$'], cfg, `Reference$=${key}`);
      return { entryNo: rows[0]?.['EntryNo$'] ?? null };
    } finally {
      s.nCleanup();
    }
  },

  /** The cash receipt of a check number (the connector's key), if there is one (`AR_CashReceipts_svc`). */
  findCashReceipt: (boi, cfg, p) => {
    const checkNo = str(p, 'checkNo', 30);
    const { s, svc } = readOnly(boi, cfg, 'A/R', 'AR_CashReceipts_ui', 'AR_CashReceipts_svc');
    try {
      const rows = browse(svc, ['DepositNo$', 'CheckNo$'], cfg, `CheckNo$=${checkNo}`);
      return { depositNo: rows[0]?.['DepositNo$'] ?? null };
    } finally {
      s.nCleanup();
    }
  },

  /**
   * Items (`CI_ItemCode_svc`) in key order with their change stamps, a page at a time: after
   * `afterKey`, at most `limit`, and only those stamped on or after `changedSince` (the server's
   * local date) when it is given. The agent reads the rows on the server; only the page travels.
   */
  readItems: (boi, cfg, p) => {
    const { afterKey, limit, changedSince } = paging(p);
    const { s, svc } = readOnly(boi, cfg, 'C/I', 'CI_ItemCode_ui', 'CI_ItemCode_svc');
    try {
      const rows = browse(
        svc,
        ['ItemCode$', 'ItemCodeDesc$', 'StandardUnitPrice', 'InactiveItem$', 'DateUpdated$', 'TimeUpdated$'],
        cfg,
        undefined,
        {
          where: (r) =>
            (afterKey === null || r['ItemCode$'] > afterKey) &&
            (changedSince === null || r['DateUpdated$'] >= changedSince),
          limit,
        },
      );
      const page = pageOf(rows, 'ItemCode$', limit);
      return { items: page.rows, nextKey: page.nextKey };
    } finally {
      s.nCleanup();
    }
  },

  /** Stock per item and warehouse (`IM_ItemWarehouse_svc`) of the items from `itemFrom` to `itemTo`. */
  readItemWarehouses: (boi, cfg, p) => {
    const from = str(p, 'itemFrom', 30);
    const to = str(p, 'itemTo', 30);
    const { s, svc } = readOnly(boi, cfg, 'I/M', 'IM_ItemWarehouse_ui', 'IM_ItemWarehouse_svc');
    try {
      return {
        rows: browse(
          svc,
          [
            'ItemCode$',
            'WarehouseCode$',
            'QuantityOnHand',
            'QuantityOnSalesOrder',
            'DateUpdated$',
            'TimeUpdated$',
          ],
          cfg,
          undefined,
          { where: (r) => r['ItemCode$'] >= from && r['ItemCode$'] <= to },
        ),
      };
    } finally {
      s.nCleanup();
    }
  },

  /**
   * Shipments: shipped invoices with their tracking ([?] Sage 100 keeps packages in its own tables),
   * a page at a time like readItems (keyed by invoice number), with their lines.
   */
  readShipments: (boi, cfg, p) => {
    const { afterKey, limit, changedSince } = paging(p);
    // a UDF of the sales order holding the Amazon order id (when CustomerPONo is too short for it)
    const udf = p.orderIdUdf === undefined ? null : str(p, 'orderIdUdf', 40);
    if (udf !== null && !/^UDF_\w+\$$/.test(udf))
      throw new AgentOperationError('BAD_REQUEST', 'orderIdUdf must be a UDF_…$ column', false);
    const { s, svc } = readOnly(boi, cfg, 'S/O', 'SO_Invoice_ui', 'SO_Invoice_svc');
    try {
      const rows = browse(
        svc,
        [
          'InvoiceNo$',
          'SalesOrderNo$',
          'CustomerPONo$',
          'InvoiceDate$',
          'ShipVia$',
          'TrackingID$',
          'DateUpdated$',
          'TimeUpdated$',
        ],
        cfg,
        undefined,
        {
          where: (r) =>
            r['TrackingID$'] !== '' &&
            (afterKey === null || r['InvoiceNo$'] > afterKey) &&
            (changedSince === null || r['DateUpdated$'] >= changedSince),
          limit,
        },
      );
      const page = pageOf(rows, 'InvoiceNo$', limit);
      const invoices = new Set(page.rows.map((r) => r['InvoiceNo$']));
      const detail = boi.newObject('SO_InvoiceDetail_svc', s) as BoiServiceObject;
      const lines = browse(detail, ['InvoiceNo$', 'ItemCode$', 'QuantityShipped'], cfg, undefined, {
        where: (l) => invoices.has(l['InvoiceNo$']) && !l['ItemCode$'].startsWith('/'),
      });
      const orderIds = new Map<string, string>();
      if (udf && page.rows.length > 0) {
        const orders = new Set(page.rows.map((r) => r['SalesOrderNo$']));
        const so = boi.newObject('SO_SalesOrder_svc', s) as BoiServiceObject;
        for (const r of browse(so, ['SalesOrderNo$', udf], cfg, undefined, {
          where: (o) => orders.has(o['SalesOrderNo$']),
        }))
          orderIds.set(r['SalesOrderNo$'], r[udf]);
      }
      return {
        shipments: page.rows.map((r) => ({
          ...r,
          ...(udf ? { amazonOrderId: orderIds.get(r['SalesOrderNo$']) ?? '' } : {}),
          lines: lines
            .filter((l) => l['InvoiceNo$'] === r['InvoiceNo$'])
            .map((l) => ({ itemCode: l['ItemCode$'], quantity: l.QuantityShipped })),
        })),
        nextKey: page.nextKey,
      };
    } finally {
      s.nCleanup();
    }
  },
};

export const OPERATION_NAMES = Object.keys(OPERATIONS);
