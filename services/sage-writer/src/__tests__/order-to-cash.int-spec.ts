import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import type { ConnectionSettingsInput } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import {
  erpsUnderTest,
  fakeErpUnderTest,
  type ErpUnderTest,
  type OrderToCashUnderTest,
} from '@connector/erp/testing';
import { capabilitiesOf } from '@connector/erp';
import { recordKey, type AmazonOrder, type FinancialEvent, type JournalEntry } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { decimal, sumDecimals } from '@connector/money';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';
import { appModule } from '../app.module';
import { configSchema } from '../config';
import { addTestConnection } from './harness';

const KEY = Buffer.alloc(32, 9).toString('base64');
const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const DE = 'A1PA6795UKMFR9';
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
/** Avro `date`: days since 1970-01-01 */
const avroDate = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

/**
 * Issue 14's proof, on real Kafka, registry and PostgreSQL, against each ERP: an order shipped, then
 * refunded in part and in full, ends with one invoice and two credit notes whose totals are Amazon's
 * refunds to the cent; a refund that comes before the invoice is written after it; a cancellation
 * after invoicing is one credit note; a CAD order and settlement into a USD company, and a EUR one
 * into a GBP company, post balanced in both currencies. Every ERP must have `orderToCash`: one
 * without fails here, it is not skipped.
 */
describe.each([fakeErpUnderTest, ...erpsUnderTest].map((make) => [make().name, make] as const))(
  'order to cash → %s (real Kafka, registry, PostgreSQL)',
  (_name, make) => {
    const erp: ErpUnderTest = make();
    const o2c = (): OrderToCashUnderTest => {
      if (!erp.orderToCash) throw new Error(`${erp.name}: the harness has no orderToCash (issue 14)`);
      return erp.orderToCash;
    };
    const prefix = `${uniqueName('o2c')}.`;
    let tdb: TestDatabase;
    let app: INestApplication | undefined;
    let seq = Math.floor(Math.random() * 9_000_000);

    const env = () => ({
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}sage-writer`,
      CREDENTIALS_KEY: KEY,
      CONSUMER_MAX_ATTEMPTS: '12',
      CONSUMER_RETRY_BASE_MS: '5',
      CONSUMER_RETRY_MAX_MS: '50',
    });
    const publisher = () => app!.get<EventPublisher>(EVENT_PUBLISHER);
    const money = (amount: string, currency: string) => ({ amount, currency });
    const orderId = () => {
      seq++;
      return `${String(100 + (seq % 900))}-${String(seq).padStart(7, '0')}-${String(1_000_000 + seq).slice(-7)}`;
    };

    /** 2 × SKU-0 for 40.00 (tax 3.20, shipping 5.00, promotion 2.00) and 1 × SKU-1 for 9.99: 56.19 */
    const order = (
      connectionId: string,
      id: string,
      status: AmazonOrder['orderStatus'],
      currency = 'USD',
      marketplaceId = US,
    ): AmazonOrder => ({
      eventId: `${id}@${status}`,
      connectionId,
      amazonOrderId: id,
      sellerId: 'S',
      marketplaceId,
      salesChannel: 'Amazon.com',
      orderStatus: status,
      fulfillmentChannel: 'MFN',
      purchaseDate: day('2026-11-02'),
      lastUpdateDate:
        day('2026-11-02') + (status === 'SHIPPED' ? 3_600_000 : status === 'CANCELLED' ? 7_200_000 : 0),
      orderTotal: money('56.19', currency),
      items: [
        {
          orderItemId: `${id}-1`,
          sellerSku: 'SKU-0',
          asin: 'B0000000A',
          title: 'Widget',
          quantityOrdered: 2,
          quantityShipped: status === 'SHIPPED' ? 2 : 0,
          itemPrice: money('40.00', currency),
          itemTax: money('3.20', currency),
          shippingPrice: money('5.00', currency),
          promotionDiscount: money('2.00', currency),
          promotionIds: ['PROMO-1'],
        },
        {
          orderItemId: `${id}-2`,
          sellerSku: 'SKU-1',
          asin: 'B0000000B',
          quantityOrdered: 1,
          quantityShipped: status === 'SHIPPED' ? 1 : 0,
          itemPrice: money('9.99', currency),
        },
      ],
      changeType: 'UPDATED',
      source: 'ORDERS_API',
      observedAt: null,
      buyerKey: null,
    });
    const charge = (componentType: string, amount: string) => ({
      componentType,
      kind: 'CHARGE' as const,
      amount: money(amount, 'USD'),
    });
    /** A RefundEvent as amazon-ingest maps one; `credited` is what the buyer gets back */
    const refund = (
      connectionId: string,
      id: string,
      n: number,
      full: boolean,
    ): { event: FinancialEvent; credited: string } => {
      // (credited: what the ERP's credit note totals; before Amazon's tax where the ERP works tax out itself)
      const items: NonNullable<FinancialEvent['items']> = full
        ? [
            {
              sellerSku: 'SKU-0',
              orderItemId: `${id}-1`,
              orderAdjustmentItemId: `A${n}1`,
              quantity: 1,
              components: [
                charge('Principal', '-20.00'),
                charge('Tax', '-1.60'),
                charge('ShippingCharge', '-5.00'),
                {
                  componentType: 'PromotionMetaDataDefinitionValue',
                  kind: 'PROMOTION',
                  amount: money('2.00', 'USD'),
                },
                { componentType: 'Commission', kind: 'FEE', amount: money('3.00', 'USD') },
              ],
            },
            {
              sellerSku: 'SKU-1',
              orderItemId: `${id}-2`,
              orderAdjustmentItemId: `A${n}2`,
              quantity: 1,
              components: [charge('Principal', '-9.99')],
            },
          ]
        : [
            {
              sellerSku: 'SKU-0',
              orderItemId: `${id}-1`,
              orderAdjustmentItemId: `A${n}1`,
              quantity: 1,
              components: [
                charge('Principal', '-20.00'),
                charge('Tax', '-1.60'),
                {
                  componentType: 'MarketplaceFacilitatorTax-Principal',
                  kind: 'TAX_WITHHELD',
                  amount: money('1.60', 'USD'),
                },
                { componentType: 'RefundCommission', kind: 'FEE', amount: money('-0.60', 'USD') },
              ],
            },
          ];
      const components = items.flatMap((i) => i.components ?? []);
      const untaxed = o2c().computesTax === true;
      const credited = sumDecimals(
        components
          .filter((c) => c.kind === 'CHARGE' || c.kind === 'PROMOTION')
          .filter((c) => !(untaxed && c.componentType === 'Tax'))
          .map((c) => c.amount.amount),
      )
        .neg()
        .toFixed(2);
      return {
        credited,
        event: {
          eventId: `G-${id}/RefundEvent/${n}`,
          connectionId,
          financialEventGroupId: `G-${id}`,
          transactionId: null,
          eventType: 'RefundEvent',
          postedDate: day('2026-11-05') + n,
          amazonOrderId: id,
          sellerSku: null,
          marketplaceId: US,
          components,
          total: { amount: sumDecimals(components.map((c) => c.amount.amount)).toFixed(), currency: 'USD' },
          observedAt: null,
          items,
        },
      };
    };
    const publishOrders = (orders: AmazonOrder[]) =>
      publisher().publish(
        'amazon.orders.v1',
        orders.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
      );
    const publishRefunds = (events: FinancialEvent[]) =>
      publisher().publish(
        'amazon.financial-events.v1',
        events.map((e) => ({ key: recordKey(e.connectionId, e.financialEventGroupId!), value: e })),
      );
    const notesOf = async (id: string) =>
      (await o2c().creditNotes()).filter((n) => n.naturalKey.startsWith(`${id}/`));
    const addConnection = async (id: string, settings?: ConnectionSettingsInput) =>
      addTestConnection(tdb.db, publisher(), erp, id, KEY, settings);

    beforeAll(async () => {
      tdb = await createTestDatabase();
      await erp.start();
      app = await startService(
        appModule(
          loadConfig(configSchema, env()),
          { logger: silentLogger() },
          {
            erpFactories: { [erp.kind]: () => erp.factory() },
          },
        ),
        { logger: false },
      );
    });
    // an ERP whose harness lacks orderToCash fails each test here, at once
    beforeEach(() => void o2c());
    afterAll(async () => {
      await app?.close();
      await erp.stop();
      await tdb?.drop();
    });

    it('when an order ships, is refunded in part, then in full (and a refund is redelivered), then it has one invoice and two credit notes whose totals are the refunds to the cent', async () => {
      await addConnection('refunds', { orderToCash: { returnsToStock: true } });
      const id = orderId();
      await publishOrders([order('refunds', id, 'SHIPPED')]);
      await waitFor(async () => (await o2c().invoiceTotal(id)) !== null, {
        what: 'the invoice',
        timeoutMs: 60_000,
      });
      const part = refund('refunds', id, 1, false);
      const rest = refund('refunds', id, 2, true);
      await publishRefunds([part.event]);
      await waitFor(async () => (await notesOf(id)).length >= 1, {
        what: 'the first credit note',
        timeoutMs: 60_000,
      });
      await publishRefunds([rest.event, part.event]);
      await waitFor(async () => (await notesOf(id)).length >= 2, {
        what: 'the second credit note',
        timeoutMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 2000)); // time for the redelivered refund to be handled
      const notes = await notesOf(id);
      expect(notes).toHaveLength(2);
      expect(notes.map((n) => decimal(n.total).toFixed(2)).sort()).toEqual(
        [part.credited, rest.credited].sort(),
      );
      // the order: 2 × 20.00 + 3.20 tax + 5.00 shipping − 2.00 promotion + 9.99 = 56.19 (52.99 before tax)
      const [taxed, invoiced] = o2c().computesTax
        ? [['20.00', '32.99'], '52.99']
        : [['21.60', '34.59'], '56.19'];
      expect([part.credited, rest.credited]).toEqual(taxed);
      expect(decimal((await o2c().invoiceTotal(id))!).toFixed(2)).toBe(invoiced);
      expect(new Set(notes.map((n) => n.baseInvoice)).size).toBe(1);
      expect(notes[0].baseInvoice).not.toBe('');
      expect(notes.every((n) => n.returnedToStock)).toBe(true);
      expect((await erp.documents('INVOICE')).filter((k) => k === id)).toHaveLength(1);
    });

    it('when a refund arrives before its order is invoiced, then it is parked and written right after the invoice', async () => {
      await addConnection('early');
      const id = orderId();
      await publishOrders([order('early', id, 'UNSHIPPED')]);
      const early = refund('early', id, 1, false);
      await publishRefunds([early.event]);
      await waitFor(
        async () =>
          (await tdb.db('parked_refunds').where({ connection_id: 'early', amazon_order_id: id })).length ===
          1,
        { what: 'the parked refund', timeoutMs: 60_000 },
      );
      expect(await notesOf(id)).toEqual([]);
      await publishOrders([order('early', id, 'SHIPPED')]);
      // the credit note is written first, then the parked row removed
      await waitFor(
        async () =>
          (await notesOf(id)).length === 1 &&
          (await tdb.db('parked_refunds').where({ connection_id: 'early' })).length === 0,
        { what: 'the credit note after the invoice, and the parked row gone', timeoutMs: 60_000 },
      );
      expect(decimal((await notesOf(id))[0].total).toFixed(2)).toBe(early.credited);
    });

    it('when an order is cancelled after it was invoiced, then one credit note credits the whole invoice', async () => {
      await addConnection('cancel');
      const id = orderId();
      await publishOrders([order('cancel', id, 'SHIPPED')]);
      await waitFor(async () => (await o2c().invoiceTotal(id)) !== null, {
        what: 'the invoice',
        timeoutMs: 60_000,
      });
      await publishOrders([order('cancel', id, 'CANCELLED'), order('cancel', id, 'CANCELLED')]);
      await waitFor(async () => (await notesOf(id)).length >= 1, {
        what: 'the credit note',
        timeoutMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 2000));
      const notes = await notesOf(id);
      expect(notes.map((n) => n.naturalKey)).toEqual([`${id}/C`]);
      expect(decimal(notes[0].total).toFixed(2)).toBe(decimal((await o2c().invoiceTotal(id))!).toFixed(2));
    });

    // an ERP with one currency per company (Sage 100) refuses foreign documents; the others post them
    if (capabilitiesOf(erp.kind)?.multiCurrency) {
      it('when a CAD order and a CAD settlement are written into a USD company, then they carry the ERP rate and the journal balances in both currencies', async () => {
        o2c().setHomeCurrency('USD');
        o2c().setExchangeRate('CAD', '2026-11-02', '0.7312');
        o2c().setExchangeRate('CAD', '2026-11-10', '0.7312');
        // the harness's chart has no exchange-rounding account: rounding goes to the fee account
        await addConnection('cad', {
          orderToCash: { homeCurrency: 'USD', fx: { rateSource: 'erp', roundingAccount: '6100' } },
        });
        await publishMappings(
          publisher(),
          mappingRecords(
            {
              connectionId: 'cad',
              customers: [
                {
                  marketplaceId: CA,
                  customerCode: o2c().customerIn?.('CAD') ?? erp.customer,
                  currency: 'CAD',
                },
              ],
            },
            Date.now(),
          ),
        );
        await new Promise((r) => setTimeout(r, 1000)); // the writer follows the mapping topic
        const id = orderId();
        await publishOrders([order('cad', id, 'SHIPPED', 'CAD', CA)]);
        await waitFor(async () => (await o2c().invoiceTotal(id)) !== null, {
          what: 'the CAD invoice',
          timeoutMs: 60_000,
        });
        const key = `${seq}/${CA}/CAD`;
        await publisher().publish('ledger.journals.v1', [
          { key: `cad/${key}`, value: journal('cad', key, 'CAD', '2026-11-10') },
        ]);
        await waitFor(async () => (await o2c().journals()).some((j) => j.naturalKey === key), {
          what: 'the CAD journal',
          timeoutMs: 60_000,
        });
        const j = (await o2c().journals()).find((x) => x.naturalKey === key)!;
        expect(decimal(j.rate).eq('0.7312')).toBe(true);
        expect(decimal(j.foreignDebit).eq(j.foreignCredit)).toBe(true);
        expect(decimal(j.homeDebit).eq(j.homeCredit)).toBe(true);
        // at 0.7312 the debits round to 80.46 USD and the credit to 80.45: a cent of rounding balances it
        expect(decimal(j.homeDebit).toFixed(2)).toBe('80.46');
      });

      it('when a EUR settlement posts into a GBP company, then it balances in both currencies at the ERP rate', async () => {
        o2c().setHomeCurrency('GBP');
        o2c().setExchangeRate('EUR', '2026-11-10', '0.8571');
        await addConnection('eur', {
          orderToCash: { homeCurrency: 'GBP', fx: { rateSource: 'erp', roundingAccount: '6100' } },
        });
        const key = `${String(seq)}/${DE}/EUR`;
        await publisher().publish('ledger.journals.v1', [
          { key: `eur/${key}`, value: journal('eur', key, 'EUR', '2026-11-10') },
        ]);
        await waitFor(async () => (await o2c().journals()).some((j) => j.naturalKey === key), {
          what: 'the EUR journal',
          timeoutMs: 60_000,
        });
        const j = (await o2c().journals()).find((x) => x.naturalKey === key)!;
        expect(j.currency).toBe('EUR');
        expect(decimal(j.rate).eq('0.8571')).toBe(true);
        expect(decimal(j.homeDebit).eq(j.homeCredit)).toBe(true);
        expect(decimal(j.foreignDebit).eq(j.foreignCredit)).toBe(true);
      });
    } else
      it('when the ERP keeps one currency per company, then a CAD order goes to the dead letters saying what to do, and nothing is written', async () => {
        await addConnection('cad1', {
          orderToCash: { homeCurrency: 'USD', fx: { rateSource: 'erp', roundingAccount: '6100' } },
        });
        await publishMappings(
          publisher(),
          mappingRecords(
            {
              connectionId: 'cad1',
              customers: [{ marketplaceId: CA, customerCode: erp.customer, currency: 'CAD' }],
            },
            Date.now(),
          ),
        );
        await new Promise((r) => setTimeout(r, 1000)); // the writer follows the mapping topic
        const id = orderId();
        await publishOrders([order('cad1', id, 'SHIPPED', 'CAD', CA)]);
        const refused = async () =>
          tdb
            .db('audit_trail')
            .where({ connection_id: 'cad1', stage: 'dead_lettered' })
            .select<Array<{ error: string }>>('error');
        await waitFor(async () => (await refused()).length > 0, {
          what: 'the CAD order dead-lettered',
          timeoutMs: 60_000,
        });
        expect((await refused())[0].error).toMatch(/^FX_UNSUPPORTED: /);
        expect(await o2c().invoiceTotal(id)).toBeNull();
      });

    /** A settlement journal whose lines do not convert evenly: 100.01 + 10.02 = 110.03 */
    function journal(connectionId: string, key: string, currency: string, date: string): JournalEntry {
      const [settlementId, marketplaceId] = key.split('/');
      return {
        eventId: key,
        connectionId,
        journalId: key,
        settlementId,
        marketplaceId,
        currency,
        postingDate: avroDate(date),
        reference: `AMZ-SETTLE-${settlementId}`,
        memo: `Amazon settlement ${settlementId}`,
        lines: [
          {
            lineNumber: 1,
            account: '1010',
            debit: '100.01',
            credit: '0',
            description: 'payout',
            category: 'PAYOUT',
          },
          {
            lineNumber: 2,
            account: '6100',
            debit: '10.02',
            credit: '0',
            description: 'fees',
            category: 'FEE',
          },
          {
            lineNumber: 3,
            account: '4000',
            debit: '0',
            credit: '110.03',
            description: 'sales',
            category: 'SALES',
          },
        ],
        totalDebit: '110.03',
        totalCredit: '110.03',
      };
    }
  },
);
