import type { AdapterSettings } from '../adapters';
import { FakeErp } from '../fake-erp';
import { decimal, sumDecimals, toScale } from '@connector/money';
import { toHomeCurrency } from '../fx';
import type {
  ChangeWindow,
  CreditNoteDraft,
  DocumentKind,
  ErpDocumentRef,
  ErpKind,
  ErpPort,
  JournalDraft,
  SalesDocumentDraft,
} from '../port';

/**
 * What the sage-writer integration tests need from an ERP: a way to build the adapter sage-writer
 * will use, the documents written (by natural key), and faults. One implementation per simulator
 * (SAP Business One, Sage 300) and one in memory.
 */
export interface ErpUnderTest {
  name: string;
  kind: ErpKind;
  /** the item codes the ERP knows (mappings point SKUs at them) */
  items: string[];
  /** customer per marketplace */
  customer: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** what a connection's stored ERP credentials say */
  credentials(): Pick<AdapterSettings, 'baseUrl' | 'user' | 'password' | 'agent'> & { company?: string };
  /** the adapter sage-writer would build for a connection with these credentials */
  factory(): ErpPort;
  /** natural keys of the documents of a kind, one entry per document (duplicates show twice) */
  documents(kind: DocumentKind): Promise<string[]>;
  /** share of writes answered with a record lock / conflict */
  setLockRate(rate: number): void;
  /**
   * a loaded ERP (the concurrency bench): every call waits `latencyMs`, and each write running beside
   * another adds `contention` to the lock rate; where the simulator has it (SAP B1)
   */
  setLoad?(load: { latencyMs: number; contention: number; workers?: number }): void;
  /** the session (where there is one) expires now */
  expireSessions(): void;
  /** what the change-read contract tests do to the ERP (the simulators have it) */
  changes?: ErpChangesUnderTest;
  /** what the order-to-cash tests (issue 14) read and set in the ERP; each simulator's harness has it */
  orderToCash?: OrderToCashUnderTest;
  /**
   * the simulator needs the integration PostgreSQL (TEST_DATABASE_URL; Sage 500's SQL stand-in):
   * unit runs without it leave this ERP out
   */
  database?: boolean;
}

/** A credit note as the ERP holds it, read back from the simulator. */
export interface CreditNoteUnderTest {
  naturalKey: string;
  /** the document total including tax and charges, exact decimal at the ERP's scale ("12.50") */
  total: string;
  currency: string;
  /** the number (or internal id) of the invoice it credits, as the ERP links them */
  baseInvoice: string;
  lines: Array<{ itemCode: string; quantity: number }>;
  /** whether the ERP moved the goods back into stock */
  returnedToStock: boolean;
}

/** A posted journal in both currencies, read back from the simulator. */
export interface JournalUnderTest {
  naturalKey: string;
  currency: string;
  /** home-currency units per unit of `currency`; "1" for a home-currency journal */
  rate: string;
  foreignDebit: string;
  foreignCredit: string;
  homeDebit: string;
  homeCredit: string;
}

/**
 * Order to cash (issue 14) in an ERP simulator: credit notes, customers, the order's state after
 * invoicing, stock, and foreign currency. The company's home currency is USD unless `setHomeCurrency`
 * says otherwise (a GBP company for EUR, for example).
 */
export interface OrderToCashUnderTest {
  /**
   * the ERP works tax out itself from its tax tables and takes none from the connector (Sage 100,
   * Sage 300): its document totals are before Amazon's tax
   */
  computesTax?: boolean;
  /** a customer of the ERP whose documents are in `currency` (Sage 300 keeps one currency per customer) */
  customerIn?(currency: string): string;
  creditNotes(): Promise<CreditNoteUnderTest[]>;
  /** the document total of the invoice written under this Amazon order id */
  invoiceTotal(amazonOrderId: string): Promise<string | null>;
  /** customer codes the ERP holds */
  customers(): Promise<string[]>;
  /** the sales order's state: CLOSED once invoiced in full (committed stock released) */
  orderStatus(amazonOrderId: string): Promise<'OPEN' | 'CLOSED' | 'CANCELLED' | null>;
  /** on hand of an item in the harness's warehouse */
  onHand(itemCode: string): Promise<string>;
  /** committed (allocated to open orders) of an item in the harness's warehouse */
  committed(itemCode: string): Promise<string>;
  setHomeCurrency(currency: string): void;
  /** a rate in the ERP's own table: home units per unit of `currency` on `date` (YYYY-MM-DD) */
  setExchangeRate(currency: string, date: string, rate: string): void;
  /** a customer (one of the ERP's) is made inactive, or an account removed, for ping tests */
  removeGlAccount(account: string): void;
  journals(): Promise<JournalUnderTest[]>;
}

/**
 * What happens in an ERP between two change reads, done the way its users and documents do it: the
 * ERP's clock, price changes (which bump the item's change date), stock postings (which do not),
 * shipments of orders and their cancellation.
 */
export interface ErpChangesUnderTest {
  /** the ERP's clock stands at `ms` (epoch) */
  setTime(ms: number): void;
  /** the ERP's clock moves on by `ms` */
  advanceTime(ms: number): void;
  /** the warehouse (location) the items are stocked in, 100 each */
  warehouse: string;
  /** a carrier (ship-via) code the ERP accepts on a shipment */
  carrier: string;
  /** the price list `changePrice` changes (its currency is USD) */
  priceList: string;
  /** a user changes the item's price on the ERP's default price list: its change date moves */
  changePrice(itemCode: string, price: string): void;
  /** a goods receipt / adjustment of `quantity` at the warehouse: on hand moves, the change date does not */
  receiveStock(itemCode: string, quantity: string): void;
  /** the whole of a sales order written through the adapter ships in one package; returns its shipment id */
  ship(order: ErpDocumentRef, opts: { trackingNumber: string }): Promise<string>;
  /** an order without an Amazon reference is entered and shipped in the ERP; returns its shipment id */
  shipOtherOrder(itemCode: string, quantity: number): Promise<string>;
  /** the shipment is cancelled (SAP B1) or deleted (Sage 300) */
  cancelShipment(shipmentId: string): void;
}

/** Drops the answer of a write now and then, after the ERP has done it: a crash between its answer and our commit. */
export class LosingAnswers implements ErpPort {
  lost = 0;
  constructor(
    private readonly inner: ErpPort,
    private readonly rate: () => number,
    private readonly random: () => number,
  ) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  private async maybeLose<T>(p: Promise<T>): Promise<T> {
    const v = await p;
    if (this.random() < this.rate()) {
      this.lost++;
      throw new Error('process killed after the ERP answered');
    }
    return v;
  }
  ping() {
    return this.inner.ping();
  }
  findByNaturalKey(kind: DocumentKind, key: string) {
    return this.inner.findByNaturalKey(kind, key);
  }
  createSalesOrder(d: Parameters<ErpPort['createSalesOrder']>[0]) {
    return this.maybeLose(this.inner.createSalesOrder(d));
  }
  createInvoice(d: Parameters<ErpPort['createInvoice']>[0]) {
    return this.maybeLose(this.inner.createInvoice(d));
  }
  createCreditNote(d: Parameters<ErpPort['createCreditNote']>[0]) {
    return this.maybeLose(this.inner.createCreditNote(d));
  }
  findCustomer(code: string) {
    return this.inner.findCustomer(code);
  }
  createCustomer(d: Parameters<ErpPort['createCustomer']>[0]) {
    return this.maybeLose(this.inner.createCustomer(d));
  }
  exchangeRate(currency: string, date: string) {
    return this.inner.exchangeRate(currency, date);
  }
  checkMasterData(refs: Parameters<ErpPort['checkMasterData']>[0]) {
    return this.inner.checkMasterData(refs);
  }
  cancelOrder(r: Parameters<ErpPort['cancelOrder']>[0]) {
    return this.inner.cancelOrder(r);
  }
  postJournal(d: Parameters<ErpPort['postJournal']>[0]) {
    return this.maybeLose(this.inner.postJournal(d));
  }
  createReceipt(d: Parameters<ErpPort['createReceipt']>[0]) {
    return this.maybeLose(this.inner.createReceipt(d));
  }
  erpClock() {
    return this.inner.erpClock();
  }
  readItemChanges(w: ChangeWindow) {
    return this.inner.readItemChanges(w);
  }
  scanItems(afterKey: string | null, pageSize: number) {
    return this.inner.scanItems(afterKey, pageSize);
  }
  readShipments(w: ChangeWindow) {
    return this.inner.readShipments(w);
  }
  close() {
    return this.inner.close();
  }
}

/** The in-memory ERP (FakeErp) behind the same harness. */
export function fakeErpUnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  const rates = new Map<string, string>();
  const erp = new FakeErp(undefined, { items: new Set(items), customers: new Set(['AMZ-US']), rates });
  let lockRate = 0;
  let n = 0;
  const original = erp.createSalesOrder.bind(erp);
  erp.createSalesOrder = async (d) => {
    if (lockRate && (n++ * 7919) % 100 < lockRate * 100) erp.lockNext(1);
    return original(d);
  };
  return {
    name: 'in-memory ERP',
    kind: 'SAP_B1',
    items,
    customer: 'AMZ-US',
    start: async () => undefined,
    stop: async () => undefined,
    credentials: () => ({ baseUrl: 'memory://', user: 'u', password: 'p', company: 'FAKE' }),
    factory: () => erp,
    documents: async (kind) => erp.of(kind).map((d) => d.ref.naturalKey),
    setLockRate: (r) => (lockRate = r),
    expireSessions: () => undefined,
    orderToCash: fakeOrderToCash(erp, rates),
  };
}

/** Stock each item starts with in the in-memory ERP's one warehouse. */
const FAKE_STOCK = 100;

/** The total of a document as the in-memory ERP keeps it: lines, line tax, charges and their tax, at 2 decimals. */
function fakeTotal(d: Pick<SalesDocumentDraft, 'lines' | 'charges'>): string {
  return toScale(
    sumDecimals([
      ...d.lines.map((l) => decimal(l.unitPrice).times(l.quantity).toFixed()),
      ...d.lines.map((l) => l.taxAmount ?? '0'),
      ...d.charges.map((c) => c.amount),
      ...d.charges.map((c) => c.taxAmount ?? '0'),
    ]),
    2,
  );
}

/**
 * Order to cash over FakeErp: what it was sent, read back. Stock is derived from the documents (100 of
 * each item; open sales orders commit, invoices take out, credit notes with returnToStock put back).
 * The rate table holds one rate per currency whatever the date (the fake has no dated table).
 */
function fakeOrderToCash(erp: FakeErp, rates: Map<string, string>): OrderToCashUnderTest {
  const removed = new Set<string>();
  const check = erp.checkMasterData.bind(erp);
  erp.checkMasterData = async (refs) => [
    ...(await check(refs)),
    ...refs.glAccounts
      .filter((a) => removed.has(a))
      .map((code) => ({ kind: 'GL_ACCOUNT' as const, code, problem: 'MISSING' as const })),
  ];
  const quantity = (
    kind: DocumentKind,
    itemCode: string,
    where: (d: { ref: ErpDocumentRef; draft: unknown }) => boolean,
  ) =>
    erp
      .of(kind)
      .filter(where)
      .flatMap((d) => (d.draft as SalesDocumentDraft).lines)
      .filter((l) => l.itemCode === itemCode)
      .reduce((q, l) => q + l.quantity, 0);
  return {
    creditNotes: async () =>
      erp.of('CREDIT_NOTE').map((d) => {
        const draft = d.draft as CreditNoteDraft;
        return {
          naturalKey: d.ref.naturalKey,
          total: fakeTotal(draft),
          currency: draft.currency,
          baseInvoice: draft.baseInvoice.documentNumber,
          lines: draft.lines.map((l) => ({ itemCode: l.itemCode, quantity: l.quantity })),
          returnedToStock: draft.returnToStock,
        };
      }),
    invoiceTotal: async (orderId) => {
      const inv = erp.of('INVOICE', orderId)[0];
      return inv ? fakeTotal(inv.draft as SalesDocumentDraft) : null;
    },
    customers: async () => ['AMZ-US', ...erp.customers.keys()],
    orderStatus: async (orderId) => erp.of('SALES_ORDER', orderId)[0]?.ref.status ?? null,
    onHand: async (itemCode) => {
      const out = quantity('INVOICE', itemCode, () => true);
      const back = quantity('CREDIT_NOTE', itemCode, (d) => (d.draft as CreditNoteDraft).returnToStock);
      return String(FAKE_STOCK - out + back);
    },
    committed: async (itemCode) => String(quantity('SALES_ORDER', itemCode, (d) => d.ref.status === 'OPEN')),
    // the fake keeps no home currency of its own: the writer's connection settings name it
    setHomeCurrency: () => undefined,
    setExchangeRate: (currency, _date, rate) => rates.set(currency, rate),
    removeGlAccount: (account) => removed.add(account),
    journals: async () =>
      erp.of('JOURNAL').map((d) => {
        const draft = d.draft as JournalDraft;
        const lines = draft.fx
          ? toHomeCurrency(draft, draft.fx)
          : draft.lines.map((l) => ({ ...l, homeDebit: l.debit, homeCredit: l.credit }));
        const sum = (xs: string[]) => toScale(sumDecimals(xs), 2);
        return {
          naturalKey: d.ref.naturalKey,
          currency: draft.currency,
          rate: draft.fx?.rate ?? '1',
          foreignDebit: sum(draft.lines.map((l) => l.debit)),
          foreignCredit: sum(draft.lines.map((l) => l.credit)),
          homeDebit: sum(lines.map((l) => l.homeDebit)),
          homeCredit: sum(lines.map((l) => l.homeCredit)),
        };
      }),
  };
}
