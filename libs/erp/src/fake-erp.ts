import { decimal, sumDecimals } from '@connector/money';
import { capabilitiesOf } from './capabilities';
import { toHomeCurrency } from './fx';
import { ErpRecordLockedError, ErpUnavailableError, ErpValidationError } from './errors';
import type {
  DocumentKind,
  ErpCapabilities,
  ErpDocumentRef,
  ErpItemSnapshot,
  ErpPage,
  ErpPort,
  ErpShipmentRecord,
  ChangeWindow,
  CreditNoteDraft,
  CustomerDraft,
  ErpCustomer,
  InvoiceDraft,
  MasterDataProblem,
  MasterDataRefs,
  JournalDraft,
  ReceiptDraft,
  SalesDocumentDraft,
} from './port';

export interface FakeErpDocument {
  ref: ErpDocumentRef;
  draft: unknown;
}

/**
 * An ERP in memory for the writers' unit tests: numbering, the natural-key lookup, validation of
 * items and accounts, balanced journals, and faults on demand (`failNext`, `lockEvery`). Like the
 * real ones, it does not stop a second document with the same natural key: the caller's check must.
 */
export class FakeErp implements ErpPort {
  readonly documents: FakeErpDocument[] = [];
  readonly calls: string[] = [];
  private seq = 0;
  /** errors thrown by the next calls, in order */
  readonly failNext: Error[] = [];
  /** when set, throws after the document is stored (the answer is lost: a crash after the ERP wrote) */
  loseNextAnswer = false;

  constructor(
    /** what the fake claims to be: SAP Business One's capabilities unless a test says otherwise */
    readonly capabilities: ErpCapabilities = capabilitiesOf('SAP_B1')!,
    private readonly known: {
      items?: Set<string>;
      accounts?: Set<string>;
      customers?: Set<string>;
      /** currency → rate (home units per unit) in the ERP's rate table */
      rates?: Map<string, string>;
    } = {},
  ) {}

  /** customers created through the port (code → customer) */
  readonly customers = new Map<string, ErpCustomer>();

  private async enter(op: string): Promise<void> {
    this.calls.push(op);
    const err = this.failNext.shift();
    if (err) throw err;
  }

  private store(kind: DocumentKind, naturalKey: string, draft: unknown): ErpDocumentRef {
    const ref: ErpDocumentRef = {
      kind,
      naturalKey,
      internalId: String(++this.seq),
      documentNumber: String(1000 + this.seq),
      status: 'OPEN',
    };
    this.documents.push({ ref, draft });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new ErpUnavailableError('connection reset after the write', { erp: this.capabilities.kind });
    }
    return ref;
  }

  of(kind: DocumentKind, naturalKey?: string): FakeErpDocument[] {
    return this.documents.filter(
      (d) => d.ref.kind === kind && (naturalKey === undefined || d.ref.naturalKey === naturalKey),
    );
  }

  async ping(): Promise<void> {
    await this.enter('ping');
  }

  async findByNaturalKey(kind: DocumentKind, naturalKey: string): Promise<ErpDocumentRef | null> {
    await this.enter(`find:${kind}`);
    return this.of(kind, naturalKey)[0]?.ref ?? null;
  }

  private checkItems(draft: SalesDocumentDraft): void {
    for (const l of draft.lines)
      if (this.known.items && !this.known.items.has(l.itemCode))
        throw new ErpValidationError(`Enter a valid item code: ${l.itemCode}`, {
          erp: this.capabilities.kind,
          erpCode: '-5002',
        });
  }

  async createSalesOrder(draft: SalesDocumentDraft): Promise<ErpDocumentRef> {
    await this.enter('createSalesOrder');
    this.checkItems(draft);
    return this.store('SALES_ORDER', draft.naturalKey, draft);
  }

  async createInvoice(draft: InvoiceDraft): Promise<ErpDocumentRef> {
    await this.enter('createInvoice');
    this.checkItems(draft);
    const ref = this.store('INVOICE', draft.naturalKey, draft);
    if (draft.baseOrder) {
      const order = this.documents.find((d) => d.ref.internalId === draft.baseOrder!.internalId);
      if (order) order.ref.status = 'CLOSED';
    }
    return ref;
  }

  async createCreditNote(draft: CreditNoteDraft): Promise<ErpDocumentRef> {
    await this.enter('createCreditNote');
    this.checkItems(draft);
    const invoice = this.documents.find(
      (d) => d.ref.kind === 'INVOICE' && d.ref.internalId === draft.baseInvoice.internalId,
    );
    if (!invoice)
      throw new ErpValidationError(`No matching records found: invoice ${draft.baseInvoice.internalId}`, {
        erp: this.capabilities.kind,
        erpCode: '-2028',
      });
    return this.store('CREDIT_NOTE', draft.naturalKey, draft);
  }

  async findCustomer(customerCode: string): Promise<ErpCustomer | null> {
    await this.enter('findCustomer');
    const made = this.customers.get(customerCode);
    if (made) return { ...made };
    return this.known.customers?.has(customerCode)
      ? { customerCode, name: customerCode, active: true }
      : null;
  }

  async createCustomer(draft: CustomerDraft): Promise<ErpCustomer> {
    await this.enter('createCustomer');
    if (this.customers.has(draft.customerCode) || this.known.customers?.has(draft.customerCode))
      throw new ErpValidationError(`customer ${draft.customerCode} already exists`, {
        erp: this.capabilities.kind,
        erpCode: '-10',
      });
    const c: ErpCustomer = {
      customerCode: draft.customerCode,
      name: draft.name,
      currency: draft.currency,
      active: true,
    };
    this.customers.set(c.customerCode, c);
    return { ...c };
  }

  async exchangeRate(currency: string, _date: string): Promise<string | null> {
    await this.enter('exchangeRate');
    return this.known.rates?.get(currency) ?? null;
  }

  async checkMasterData(refs: MasterDataRefs): Promise<MasterDataProblem[]> {
    await this.enter('checkMasterData');
    const missing = (kind: MasterDataProblem['kind'], codes: string[], known?: Set<string>) =>
      known
        ? codes
            .filter((c) => !known.has(c) && !this.customers.has(c))
            .map((code) => ({ kind, code, problem: 'MISSING' as const }))
        : [];
    return [
      ...missing('CUSTOMER', refs.customers, this.known.customers),
      ...missing('ITEM', refs.items, this.known.items),
      ...missing('GL_ACCOUNT', refs.glAccounts, this.known.accounts),
    ];
  }

  async cancelOrder(ref: ErpDocumentRef): Promise<ErpDocumentRef> {
    await this.enter('cancelOrder');
    const doc = this.documents.find((d) => d.ref.internalId === ref.internalId);
    if (!doc)
      throw new ErpValidationError(`No matching records found: ${ref.internalId}`, {
        erp: this.capabilities.kind,
        erpCode: '-2028',
      });
    doc.ref.status = 'CANCELLED';
    return { ...doc.ref };
  }

  async postJournal(draft: JournalDraft): Promise<ErpDocumentRef> {
    await this.enter('postJournal');
    const debit = sumDecimals(draft.lines.map((l) => l.debit));
    const credit = sumDecimals(draft.lines.map((l) => l.credit));
    if (!debit.eq(credit))
      throw new ErpValidationError(
        `journal does not balance: debit ${debit.toFixed()} ≠ credit ${credit.toFixed()}`,
        {
          erp: this.capabilities.kind,
        },
      );
    // like the ERPs: a foreign-currency journal must balance in the home currency too (rounding line)
    if (draft.fx) toHomeCurrency(draft, draft.fx);
    for (const l of draft.lines)
      if (this.known.accounts && !this.known.accounts.has(l.account))
        throw new ErpValidationError(`Invalid account ${l.account}`, { erp: this.capabilities.kind });
    return this.store('JOURNAL', draft.naturalKey, draft);
  }

  async createReceipt(draft: ReceiptDraft): Promise<ErpDocumentRef> {
    await this.enter('createReceipt');
    if (decimal(draft.amount).isZero())
      throw new ErpValidationError('receipt amount is zero', { erp: this.capabilities.kind });
    return this.store('RECEIPT', draft.naturalKey, draft);
  }

  /** the ERP's clock (ISO-8601); tests move it */
  clock = '2026-11-01T00:00:00.000Z';
  /** the item master as the ERP holds it; `changedAt` is what a change read sees */
  readonly items = new Map<string, ErpItemSnapshot>();
  readonly shipments: ErpShipmentRecord[] = [];

  async erpClock(): Promise<string> {
    await this.enter('erpClock');
    return this.clock;
  }

  async readItemChanges(w: ChangeWindow): Promise<ErpPage<ErpItemSnapshot>> {
    await this.enter('readItemChanges');
    return changedPage(
      [...this.items.values()],
      (i) => i.itemCode,
      w,
      (i) => ({
        ...i,
        // like SAP B1 and Sage 300: a change read carries no stock
        quantities: this.capabilities.stockMovesChangeDate ? i.quantities : null,
      }),
    );
  }

  async scanItems(
    afterKey: string | null,
    pageSize: number,
  ): Promise<{ items: ErpItemSnapshot[]; nextKey: string | null }> {
    await this.enter('scanItems');
    const all = [...this.items.values()]
      .filter((i) => afterKey === null || i.itemCode > afterKey)
      .sort((a, b) => (a.itemCode < b.itemCode ? -1 : 1));
    const items = all.slice(0, pageSize).map((i) => structuredClone(i));
    return { items, nextKey: all.length > pageSize ? items[items.length - 1].itemCode : null };
  }

  async readShipments(w: ChangeWindow): Promise<ErpPage<ErpShipmentRecord>> {
    await this.enter('readShipments');
    return changedPage(
      this.shipments,
      (s) => s.shipmentId,
      w,
      (s) => structuredClone(s),
    );
  }

  async close(): Promise<void> {}

  /** a record lock on the next `n` calls */
  lockNext(n: number): void {
    for (let i = 0; i < n; i++)
      this.failNext.push(
        new ErpRecordLockedError('Another user or another operation modified data', {
          erp: this.capabilities.kind,
          erpCode: '-2039',
        }),
      );
  }
}

/** Rows changed in the window, in (changedAt, key) order: what every adapter's change read returns. */
function changedPage<T extends { changedAt: string }>(
  rows: T[],
  key: (r: T) => string,
  w: ChangeWindow,
  copy: (r: T) => T,
): ErpPage<T> {
  const after = (r: T) =>
    !w.after ||
    r.changedAt > w.after.changedAt ||
    (r.changedAt === w.after.changedAt && key(r) > w.after.key);
  const page = rows
    .filter((r) => after(r) && r.changedAt <= w.until)
    .sort((a, b) =>
      a.changedAt !== b.changedAt ? (a.changedAt < b.changedAt ? -1 : 1) : key(a) < key(b) ? -1 : 1,
    )
    .slice(0, w.pageSize);
  const last = page[page.length - 1];
  return { items: page.map(copy), next: last ? { changedAt: last.changedAt, key: key(last) } : null };
}
