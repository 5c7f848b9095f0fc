import { LosslessNumber } from 'lossless-json';
import { decimal } from '@connector/money';
import { FetchTransport } from '@connector/core';
import type { DocumentKind } from '../index';
import { Sage300Simulator } from '@connector/sage300-simulator';
import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { createAdapter } from '../adapters';
import type { ErpUnderTest } from './erp-under-test';

const COMPANY = 'SAMLTD';
/** the bank code receipts name (the payout account of the default mapping) */
const BANK = DEFAULT_GL_MAPPING.accounts.payout;

type Rec = Record<string, unknown>;

/** Where each document kind keeps its natural key in the simulator's records (a kind may live in two places). */
const KEY_OF: Record<DocumentKind, Array<{ resource: string; key: (r: Rec) => unknown }>> = {
  SALES_ORDER: [{ resource: 'OEOrders', key: (r) => r.PurchaseOrderNumber }],
  // the OE invoice of an order shipped as it was written, or the AR-batch fallback
  INVOICE: [
    { resource: 'OEInvoices', key: (r) => r.PurchaseOrderNumber },
    { resource: 'ARInvoiceBatches', key: (r) => (arType(r) === 'Invoice' ? r.Description : undefined) },
  ],
  // an OE credit note keeps the key in Reference, an AR credit-note batch in its Description
  CREDIT_NOTE: [
    { resource: 'OECreditDebitNotes', key: (r) => r.Reference },
    { resource: 'ARInvoiceBatches', key: (r) => (arType(r) === 'CreditNote' ? r.Description : undefined) },
  ],
  JOURNAL: [{ resource: 'GLJournalBatches', key: (r) => r.Description }],
  RECEIPT: [
    {
      resource: 'ARReceiptAndAdjustmentBatches',
      key: (r) => (r.BatchRecordType === 'CA' ? r.Description : undefined),
    },
  ],
};

/** The document type of an AR invoice batch's (one) entry. */
const arType = (b: Rec) => str((b.Invoices as Rec[] | undefined)?.[0]?.DocumentType);
/** a stored field as text: the simulator keeps strings and LosslessNumbers */
const str = (v: unknown): string =>
  typeof v === 'string' ? v : v instanceof LosslessNumber ? v.toString() : '';
const d = (v: unknown) => decimal(str(v) || '0');
const sum = (rows: Rec[], f: (r: Rec) => unknown) => rows.reduce((s, r) => s.plus(d(f(r))), decimal('0'));
const arTotal = (b: Rec) =>
  sum((b.Invoices as Rec[])[0].InvoiceDetails as Rec[], (l) => l.ExtendedAmountWithTIP);

/**
 * Sage 300 (Web API simulator) behind the sage-writer harness: 25 items, customer AMZ-US, the GL
 * accounts of the default settlement mapping plus the bank account. Batch natural keys longer than
 * 60 characters show in their stored (hashed) form; the keys these tests use are shorter.
 */
export function sage300UnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  const accounts = [...new Set([...defaultGlAccounts(), BANK])];
  const sim = new Sage300Simulator({
    companies: [COMPANY],
    items,
    // a customer per currency, as Sage 300 keeps one currency per customer
    customers: ['AMZ-US', { customerNumber: 'AMZ-CA', currency: 'CAD' }],
    accounts,
    bankCodes: [BANK],
  });
  return {
    name: 'Sage 300 (Web API simulator)',
    kind: 'SAGE300',
    items,
    customer: 'AMZ-US',
    start: async () => {
      await sim.start();
    },
    stop: () => sim.close(),
    // lower case on purpose: the adapter upper-cases user and password
    credentials: () => ({ baseUrl: sim.apiUrl, user: 'webapi', password: 'webapi', company: COMPANY }),
    factory() {
      return createAdapter('SAGE300', {
        ...this.credentials(),
        company: COMPANY,
        http: new FetchTransport(10_000),
      });
    },
    documents: async (kind) =>
      KEY_OF[kind].flatMap(({ resource, key }) =>
        sim
          .documents(resource, COMPANY)
          .map(key)
          .filter((k): k is string => typeof k === 'string' && k !== ''),
      ),
    setLockRate: (rate) => {
      sim.setFaults({ lockRate: rate });
    },
    // Basic auth on every request: Sage 300's Web API has no session to expire
    expireSessions: () => undefined,
    changes: {
      setTime: (ms) => sim.setTime(ms),
      advanceTime: (ms) => sim.advanceTime(ms),
      warehouse: '1',
      carrier: 'UPS',
      priceList: 'STD',
      changePrice: (itemCode, price) => {
        const pricing = sim
          .documents('ICItemPricing', COMPANY)
          .find((p) => p.UnformattedItemNumber === itemCode && p.PriceListCode === 'STD');
        const base = (pricing?.ItemPricingDetails as Array<Record<string, unknown>> | undefined)?.find(
          (d) => d.PriceDetailType === 'BasePriceQuantity',
        );
        if (!base) throw new Error(`no base price for ${itemCode}`);
        base.UnitPrice = new LosslessNumber(price);
        // a price change in the desktop is an item maintenance: DateLastMaintained is today
        sim.touchItem(COMPANY, itemCode);
      },
      receiveStock: (itemCode, quantity) => sim.adjustStock(COMPANY, itemCode, '1', quantity),
      async ship(order, { trackingNumber }) {
        const s = sim.ship(COMPANY, order.documentNumber, { shipViaCode: 'UPS', trackingNumber });
        return String(s.ShipmentNumber);
      },
      async shipOtherOrder(itemCode, quantity) {
        // an order entered with no PO number, shipped as it is posted (QuantityShipped)
        const res = await fetch(`${sim.apiUrl}/v1.0/-/${COMPANY}/OE/OEOrders`, {
          method: 'POST',
          headers: {
            Authorization: `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            CustomerNumber: 'AMZ-US',
            OrderDetails: [
              {
                LineType: 'Item',
                Item: itemCode,
                Location: '1',
                QuantityOrdered: quantity,
                QuantityShipped: quantity,
              },
            ],
          }),
        });
        if (res.status !== 201) throw new Error(`order refused: ${res.status} ${await res.text()}`);
        const o = (await res.json()) as { LastShipmentNumber: string };
        return o.LastShipmentNumber;
      },
      cancelShipment: (id) => sim.deleteShipment(COMPANY, id),
    },
    orderToCash: {
      // tax comes from the customer's tax group, not from the document
      computesTax: true,
      customerIn: (currency) => (currency === 'CAD' ? 'AMZ-CA' : 'AMZ-US'),
      async creditNotes() {
        const oe = sim.documents('OECreditDebitNotes', COMPANY).map((n) => {
          const items = (n.CreditDebitDetails as Rec[]).filter((l) => l.LineType === 'Item');
          return {
            naturalKey: String(n.Reference),
            total: d(n.CreditDebitNoteTotal).toFixed(2),
            currency: String(n.CustomerCurrency),
            baseInvoice: String(n.InvoiceNumber),
            lines: items.map((l) => ({
              itemCode: String(l.Item),
              quantity: Number(String(l.QuantityReturned)),
            })),
            returnedToStock: items.some(
              (l) => l.ReturnType === 'ItemsReturnedToInventory' && d(l.QuantityReturned).gt(0),
            ),
          };
        });
        // AR credit notes (against an AR-batch invoice) are summary documents: no item lines, no stock
        const ar = sim
          .documents('ARInvoiceBatches', COMPANY)
          .filter((b) => arType(b) === 'CreditNote')
          .map((b) => {
            const e = (b.Invoices as Rec[])[0];
            return {
              naturalKey: String(b.Description),
              total: arTotal(b).toFixed(2),
              currency: String(e.CurrencyCode),
              baseInvoice: str(e.ApplyToDocument),
              lines: [],
              returnedToStock: false,
            };
          });
        return [...oe, ...ar];
      },
      async invoiceTotal(amazonOrderId) {
        const oe = sim
          .documents('OEInvoices', COMPANY)
          .filter((i) => i.PurchaseOrderNumber === amazonOrderId);
        if (oe.length) return sum(oe, (i) => i.InvoiceTotal).toFixed(2);
        const b = sim
          .documents('ARInvoiceBatches', COMPANY)
          .find((x) => arType(x) === 'Invoice' && x.Description === amazonOrderId);
        return b ? arTotal(b).toFixed(2) : null;
      },
      customers: async () => sim.documents('ARCustomers', COMPANY).map((c) => String(c.CustomerNumber)),
      async orderStatus(amazonOrderId) {
        const o = sim.documents('OEOrders', COMPANY).find((x) => x.PurchaseOrderNumber === amazonOrderId);
        if (!o) return null;
        return o.OrderCompleted === 'Complete' ? 'CLOSED' : 'OPEN';
      },
      onHand: async (itemCode) => stockOf(itemCode).QuantityOnHand,
      committed: async (itemCode) => stockOf(itemCode).QuantityCommitted,
      setHomeCurrency: (currency) => sim.setHomeCurrency(COMPANY, currency),
      setExchangeRate: (currency, date, rate) => sim.setExchangeRate(COMPANY, currency, date, rate),
      removeGlAccount: (account) => sim.removeGlAccount(COMPANY, account),
      async journals() {
        return sim.documents('GLJournalBatches', COMPANY).map((b) => {
          const details = (b.JournalHeaders as Rec[]).flatMap((h) => h.JournalDetails as Rec[]);
          const home = str(details[0]?.HomeCurrency);
          const foreign = details.find((l) => l.SourceCurrency !== home);
          const currency = foreign ? str(foreign.SourceCurrency) : home;
          const inCurrency = details.filter((l) => l.SourceCurrency === currency);
          const signed = (rows: Rec[], f: (r: Rec) => unknown, sign: 1 | -1) =>
            rows.reduce((s, r) => {
              const v = d(f(r));
              return sign > 0 ? (v.gt(0) ? s.plus(v) : s) : v.lt(0) ? s.minus(v) : s;
            }, decimal('0'));
          return {
            naturalKey: String(b.Description),
            currency,
            rate: foreign ? d(foreign.ConversionRate).toFixed() : '1',
            foreignDebit: signed(inCurrency, (l) => l.SourceCurrencyAmount, 1).toFixed(2),
            foreignCredit: signed(inCurrency, (l) => l.SourceCurrencyAmount, -1).toFixed(2),
            homeDebit: signed(details, (l) => l.Amount, 1).toFixed(2),
            homeCredit: signed(details, (l) => l.Amount, -1).toFixed(2),
          };
        });
      },
    },
  };

  /** the harness warehouse's stock row of an item (location 1) */
  function stockOf(itemCode: string): { QuantityOnHand: string; QuantityCommitted: string } {
    const row = sim
      .documents('ICLocationDetails', COMPANY)
      .find((r) => r.ItemNumber === itemCode && r.Location === '1');
    return {
      QuantityOnHand: d(row?.QuantityOnHand).toFixed(),
      QuantityCommitted: d(row?.QuantityCommitted).toFixed(),
    };
  }
}
