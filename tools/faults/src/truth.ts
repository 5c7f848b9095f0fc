import type { Pipeline } from './pipeline';

/** What the ERP holds of what it should hold, by natural key. */
export interface Tally {
  expected: number;
  /** expected documents present at least once */
  written: number;
  /** copies beyond the first of an expected document, plus documents nobody expected */
  duplicated: number;
  lost: number;
  /** up to 10 of the lost keys, for the notes */
  lostKeys?: string[];
}

/** Counts expected natural keys against the keys of the documents found (one entry per document). */
export function tally(expected: Iterable<string>, found: Iterable<string>): Tally {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const key of found) seen.set(key, (seen.get(key) ?? 0) + 1);
  let written = 0;
  let duplicated = 0;
  for (const [key, n] of seen) {
    if (want.has(key)) {
      written++;
      duplicated += n - 1;
    } else duplicated += n;
  }
  const lostKeys = [...want].filter((k) => !seen.has(k)).slice(0, 10);
  return { expected: want.size, written, duplicated, lost: want.size - written, lostKeys };
}

export interface Truth {
  documents: Tally;
  orders: Tally;
  settlements: Tally;
  /** settlements (per marketplace and currency) whose reconciliation is TIED_OUT */
  tiedOut: number;
  settlementsExpected: number;
}

/**
 * The end state against the simulators' truth. Amazon's orders (the SP-API simulator's) that must be
 * ERP documents: Unshipped and Partially shipped → a sales order; Shipped → a sales order and an
 * invoice (sage-writer's planFor); Pending and Cancelled → nothing (a cancelled order never reached the
 * ERP here). Each settlement of a seller → one journal `<settlement>/<marketplace>/<currency>`, one
 * receipt of its payout, and a reconciliation TIED_OUT. Every seller of the pipeline counts (one
 * connection each, all writing to the one ERP company).
 */
export async function readTruth(p: Pipeline): Promise<Truth> {
  const sellerIds = new Set(p.sellers.map((s) => s.sellerId));
  const mine = p.amazon.orders.filter((o) => sellerIds.has(o.sellerId));
  const orderKeys: string[] = [];
  for (const o of mine) {
    if (o.status === 'UNSHIPPED' || o.status === 'PARTIALLY_SHIPPED' || o.status === 'SHIPPED')
      orderKeys.push(`SO ${o.orderId}`);
    if (o.status === 'SHIPPED') orderKeys.push(`IN ${o.orderId}`);
  }
  const foundOrders = [
    ...p.erp.documents('Orders').map((d) => `SO ${String(d.NumAtCard)}`),
    ...p.erp.documents('Invoices').map((d) => `IN ${String(d.NumAtCard)}`),
  ];
  const settlements = p.amazon.settlements.filter((s) => sellerIds.has(s.sellerId));
  const settlementKeys = settlements.flatMap((s) => {
    const key = `${s.settlementId}/${s.marketplaceId}/${s.currency}`;
    return [`JE ${key}`, `RC ${key}`];
  });
  const foundSettlements = [
    ...p.erp.documents('JournalEntries').map((d) => `JE ${String(d.Reference)}`),
    ...p.erp.documents('IncomingPayments').map((d) => `RC ${String(d.Reference2)}`),
  ];
  const orders = tally(orderKeys, foundOrders);
  const settled = tally(settlementKeys, foundSettlements);
  const tied = await p
    .truthDb('reconciliation_results')
    .whereIn('connection_id', p.connectionIds)
    .andWhere({ status: 'TIED_OUT' })
    .count<{ n: string }[]>({ n: '*' });
  return {
    orders,
    settlements: settled,
    documents: {
      expected: orders.expected + settled.expected,
      written: orders.written + settled.written,
      duplicated: orders.duplicated + settled.duplicated,
      lost: orders.lost + settled.lost,
    },
    tiedOut: Number(tied[0].n),
    settlementsExpected: settlements.length,
  };
}
