import { LosslessNumber } from 'lossless-json';
import { FetchTransport } from '@connector/core';
import type { DocumentKind } from '../index';
import { Sage300Simulator } from '@connector/sage300-simulator';
import { DEFAULT_GL_MAPPING, defaultGlAccounts } from '@connector/mapping';
import { createAdapter } from '../adapters';
import type { ErpUnderTest } from './erp-under-test';

const COMPANY = 'SAMLTD';
/** the bank code receipts name (the payout account of the default mapping) */
const BANK = DEFAULT_GL_MAPPING.accounts.payout;

/** Where each document kind keeps its natural key in the simulator's records. */
const KEY_OF: Record<DocumentKind, { resource: string; key: (r: Record<string, unknown>) => unknown }> = {
  SALES_ORDER: { resource: 'OEOrders', key: (r) => r.PurchaseOrderNumber },
  INVOICE: { resource: 'ARInvoiceBatches', key: (r) => r.Description },
  // issue 14: where the credit note keeps its key is this adapter's choice
  CREDIT_NOTE: { resource: 'ARInvoiceBatches', key: () => undefined },
  JOURNAL: { resource: 'GLJournalBatches', key: (r) => r.Description },
  RECEIPT: {
    resource: 'ARReceiptAndAdjustmentBatches',
    key: (r) => (r.BatchRecordType === 'CA' ? r.Description : undefined),
  },
};

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
    customers: ['AMZ-US'],
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
    documents: async (kind) => {
      const { resource, key } = KEY_OF[kind];
      return sim
        .documents(resource, COMPANY)
        .map(key)
        .filter((k): k is string => typeof k === 'string' && k !== '');
    },
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
  };
}
