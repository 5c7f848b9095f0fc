import { stringify } from 'lossless-json';
import { FetchTransport } from '@connector/core';
import { SapB1Simulator } from '@connector/sap-b1-simulator';
import { SAP_B1_NATURAL_KEY_FIELDS, type DocumentKind } from '../index';
import { defaultGlAccounts } from '@connector/mapping';
import { createAdapter } from '../adapters';
import type { ErpUnderTest } from './erp-under-test';

const COMPANY = 'SBODEMOUS';
const USER = 'manager';
const PASSWORD = 'manager';
/** the bank account receipts are booked to, besides the mapping's payout account */
const BANK_ACCOUNT = '1000';

/** Every account the default GL mapping names, plus a bank account. */
export function sapB1SeedAccounts(): string[] {
  return [...new Set([BANK_ACCOUNT, ...defaultGlAccounts()])].sort();
}

/** The SAP Business One Service Layer simulator behind the sage-writer ERP harness. */
export function sapB1UnderTest(): ErpUnderTest {
  const items = Array.from({ length: 25 }, (_, i) => `ITEM-${i}`);
  const customer = 'AMZ-US';
  let sim: SapB1Simulator | undefined;
  const running = (): SapB1Simulator => {
    if (!sim) throw new Error('SAP B1 simulator not started');
    return sim;
  };
  return {
    name: 'SAP Business One (Service Layer simulator)',
    kind: 'SAP_B1',
    items,
    customer,
    async start() {
      sim = new SapB1Simulator({
        port: 0,
        companyDb: COMPANY,
        users: { [USER]: PASSWORD },
        items: items.map((ItemCode) => ({ ItemCode })),
        customers: [customer],
        accounts: sapB1SeedAccounts(),
      });
      await sim.start();
    },
    async stop() {
      await sim?.close();
      sim = undefined;
    },
    credentials: () => ({ baseUrl: running().url, user: USER, password: PASSWORD, company: COMPANY }),
    factory() {
      return createAdapter('SAP_B1', { ...this.credentials(), company: COMPANY, http: new FetchTransport() });
    },
    documents: async (kind: DocumentKind) => {
      const { entity, field } = SAP_B1_NATURAL_KEY_FIELDS[kind];
      return running()
        .documents(entity)
        .map((d) => {
          const key = d[field];
          // the simulator keeps numbers as LosslessNumbers: stringify writes them as their digits
          return key === undefined || key === null
            ? ''
            : typeof key === 'string'
              ? key
              : (stringify(key) ?? '');
        });
    },
    setLockRate: (rate) => void running().setFaults({ lockRate: rate }),
    expireSessions: () => running().expireSessions(),
    changes: {
      setTime: (ms) => running().setTime(ms),
      advanceTime: (ms) => running().advanceTime(ms),
      warehouse: '01',
      // TransportationCode is the shipping type's code (OSHP), an Edm.Int32
      carrier: '2',
      priceList: '1',
      changePrice: (itemCode, price) => running().updateItem(itemCode, { prices: { 1: price } }),
      receiveStock: (itemCode, quantity) => running().postStock({ itemCode, warehouse: '01', quantity }),
      async ship(order, { trackingNumber }) {
        const sim = running();
        const o = sim.documents('Orders').find((d) => String(d.DocEntry) === order.internalId);
        if (!o) throw new Error(`no order ${order.internalId}`);
        const delivery = sim.deliver(o, { trackingNumber, transportationCode: 2 });
        return String(delivery.DocEntry);
      },
      async shipOtherOrder(itemCode, quantity) {
        const sim = running();
        const o = sim.create('Orders', {
          CardCode: customer,
          DocDueDate: '2030-01-01',
          DocumentLines: [{ ItemCode: itemCode, Quantity: quantity }],
        });
        const delivery = sim.create('DeliveryNotes', {
          CardCode: customer,
          DocumentLines: [{ BaseType: 17, BaseEntry: Number(o.DocEntry), BaseLine: 0 }],
        });
        return String(delivery.DocEntry);
      },
      cancelShipment: (id) => running().documentAction('DeliveryNotes', Number(id), 'Cancel'),
    },
  };
}
