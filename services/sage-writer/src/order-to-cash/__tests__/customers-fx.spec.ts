import { FakeAuditStore, FakeIdempotencyLedger } from '@connector/db/testing';
import { orderToCashSettingsSchema } from '@connector/db';
import {
  ErpValidationError,
  capabilitiesOf,
  type CreditNoteDraft,
  type JournalDraft,
  type SalesDocumentDraft,
} from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import type { JournalEntry } from '@connector/events';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { VirtualClock } from '@connector/core';
import { DocumentWriter } from '../../writer/document-writer';
import { buyerPiiFromVault } from '../customers';
import { LedgerWriterService } from '../../writer/ledger-writer.service';
import { ORDER_ID, oneWidget, order, rec, refund, world } from './fixtures';

const KEY = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstu';
const address = { name: 'Jane Doe', addressLine1: '410 Terry Ave N', city: 'Seattle', countryCode: 'US' };
const customerOf = (erp: FakeErp, kind: 'SALES_ORDER' | 'INVOICE', id = ORDER_ID) =>
  (erp.of(kind, id)[0].draft as SalesDocumentDraft).customerCode;

describe('customers per buyer', () => {
  it('when a connection has one customer per marketplace (the default), then orders go to the marketplace customer and no customer is created', async () => {
    const w = world();
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY }));
    expect(customerOf(w.erp, 'SALES_ORDER')).toBe('AMZ-US');
    expect(w.erp.calls).not.toContain('createCustomer');
  });

  it('when per buyer with PII kept, then the buyer customer is created once from the marketplace template with the buyer name and address, and reused', async () => {
    const w = world({
      settings: { customers: 'per-buyer' },
      keepsPii: true,
      buyerPii: async () => ({ name: 'Jane Doe', address }),
    });
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY, piiRef: `pii:c1/${ORDER_ID}` }));
    await w.handleOrder(
      order('UNSHIPPED', { amazonOrderId: '111-0000000-0000002', buyerKey: KEY, piiRef: 'pii:c1/2' }),
    );
    // SAP B1 CardCode: 15 characters, "AMZ" + 12 of the key, upper case
    const code = 'AMZABCDEFGHIJKL';
    expect(customerOf(w.erp, 'SALES_ORDER')).toBe(code);
    expect(customerOf(w.erp, 'SALES_ORDER', '111-0000000-0000002')).toBe(code);
    expect(w.erp.calls.filter((c) => c === 'createCustomer')).toHaveLength(1);
    expect(w.erp.customers.get(code)).toMatchObject({ name: 'Jane Doe', currency: 'USD' });
    // the refund credits the same customer
    await w.handleOrder(order('SHIPPED', { buyerKey: KEY }));
    await w.handleRefund(refund('r', [oneWidget()]));
    expect((w.erp.of('CREDIT_NOTE')[0].draft as CreditNoteDraft).customerCode).toBe(code);
  });

  it('when the buyer PII was purged, then a new order of that buyer creates a customer with no name or address of theirs', async () => {
    const created: unknown[] = [];
    const w = world({ settings: { customers: 'per-buyer' }, keepsPii: true, buyerPii: async () => null });
    const create = w.erp.createCustomer.bind(w.erp);
    w.erp.createCustomer = async (d) => {
      created.push(d);
      return create(d);
    };
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY, piiRef: `pii:c1/${ORDER_ID}` }));
    expect(created).toEqual([
      {
        customerCode: 'AMZABCDEFGHIJKL',
        name: 'Amazon buyer AMZABCDEFGHIJKL',
        currency: 'USD',
        templateCustomerCode: 'AMZ-US',
      },
    ]);
  });

  it('when the connection keeps no PII, then the vault is not asked and the customer is named by its code', async () => {
    let asked = 0;
    const w = world({
      settings: { customers: 'per-buyer' },
      keepsPii: false,
      buyerPii: async () => {
        asked++;
        return { name: 'Jane Doe', address };
      },
    });
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY }));
    expect(asked).toBe(0);
    expect([...w.erp.customers.values()][0].name).toBe('Amazon buyer AMZABCDEFGHIJKL');
  });

  it('when an order has no buyer key, then it goes to the marketplace customer', async () => {
    const w = world({ settings: { customers: 'per-buyer' } });
    await w.handleOrder(order('UNSHIPPED', { buyerKey: null }));
    expect(customerOf(w.erp, 'SALES_ORDER')).toBe('AMZ-US');
  });

  it('when another writer creates the customer between our find and our create, then it is taken as found', async () => {
    const w = world({ settings: { customers: 'per-buyer' } });
    w.erp.createCustomer = async (d) => {
      w.erp.customers.set(d.customerCode, {
        customerCode: d.customerCode,
        name: 'other writer',
        active: true,
      });
      throw new ErpValidationError(`customer ${d.customerCode} already exists`, {
        erp: 'SAP_B1',
        erpCode: '-10',
      });
    };
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY }));
    expect(customerOf(w.erp, 'SALES_ORDER')).toBe('AMZABCDEFGHIJKL');
  });

  it('when two buyers share the characters the code keeps, then the second is refused (BUYER_CODE_COLLISION), never merged', async () => {
    const w = world({ settings: { customers: 'per-buyer' } });
    await w.handleOrder(order('UNSHIPPED', { buyerKey: KEY }));
    await expect(
      w.handleOrder(
        order('UNSHIPPED', { amazonOrderId: '111-0000000-0000002', buyerKey: `${KEY.slice(0, 12)}zzzz` }),
      ),
    ).rejects.toMatchObject({ code: 'BUYER_CODE_COLLISION', retriable: false });
  });
});

describe('buyer PII from the vault', () => {
  it('when the vault holds the order, then the buyer name and delivery address come from it (no phone or e-mail); when purged, nothing', async () => {
    const stored: Record<string, Record<string, unknown>> = {
      o1: {
        buyer: { buyerName: 'Jane Doe', buyerEmail: 'x@marketplace.amazon.com' },
        recipient: { deliveryAddress: { ...address, name: 'J. Doe', phone: '555' } },
      },
      o2: { recipient: { deliveryAddress: { name: 'Recipient Only', city: 'Austin' } } },
    };
    const of = buyerPiiFromVault({ read: async (_c, id) => stored[id] ?? null });
    expect(await of('c1', 'o1')).toEqual({ name: 'Jane Doe', address: { ...address, name: 'J. Doe' } });
    expect(await of('c1', 'o2')).toEqual({
      name: 'Recipient Only',
      address: { name: 'Recipient Only', city: 'Austin' },
    });
    expect(await of('c1', 'purged')).toBeNull();
    expect(JSON.stringify(await of('c1', 'o1'))).not.toContain('marketplace.amazon.com');
  });
});

describe('foreign currency', () => {
  const cad = (o = order('SHIPPED', { orderTotal: { amount: '56.19', currency: 'CAD' } })) => {
    o.marketplaceId = 'A2EUQ1WTGCTBG2';
    return o;
  };
  const caWorld = (settings = {}, erp?: FakeErp) => {
    const w = world({
      settings: { homeCurrency: 'USD', fx: { rateSource: 'erp', roundingAccount: '7990' }, ...settings },
      erp,
    });
    w.mapping.apply('mapping.customers.v1', 'c1/A2EUQ1WTGCTBG2', {
      eventId: 'ca',
      connectionId: 'c1',
      marketplaceId: 'A2EUQ1WTGCTBG2',
      customerCode: 'AMZ-CA',
      currency: 'CAD',
      updatedAt: 0,
    });
    for (const sku of ['SKU-A', 'SKU-B'])
      w.mapping.apply('mapping.skus.v1', `c1/${sku}/A2EUQ1WTGCTBG2`, {
        eventId: sku,
        connectionId: 'c1',
        sellerSku: sku,
        marketplaceId: 'A2EUQ1WTGCTBG2',
        itemCode: sku === 'SKU-A' ? 'ITEM-A' : 'ITEM-B',
        updatedAt: 0,
      });
    return w;
  };

  it('when a CAD order and its refund are written into a USD company, then both carry the ERP rate; USD documents carry none', async () => {
    const w = caWorld();
    await w.handleOrder(cad());
    await w.handleRefund(refund('r', [oneWidget('CAD')], { marketplaceId: 'A2EUQ1WTGCTBG2' }));
    await w.handleOrder(order('SHIPPED', { amazonOrderId: '111-0000000-0000002' }));
    const fx = { homeCurrency: 'USD', rate: '0.7312', rateSource: 'ERP', roundingAccount: '7990' };
    expect((w.erp.of('INVOICE', ORDER_ID)[0].draft as SalesDocumentDraft).fx).toEqual(fx);
    expect((w.erp.of('CREDIT_NOTE')[0].draft as CreditNoteDraft).fx).toEqual(fx);
    expect((w.erp.of('INVOICE', '111-0000000-0000002')[0].draft as SalesDocumentDraft).fx).toBeUndefined();
  });

  it('when the ERP has no rate for the day, then the order fails FX_RATE_MISSING naming the currency and date, and a replay after the rate is entered writes it', async () => {
    const rates = new Map<string, string>();
    const erp = new FakeErp(undefined, { items: new Set(['ITEM-A', 'ITEM-B']), rates });
    const w = caWorld({}, erp);
    await expect(w.handleOrder(cad())).rejects.toMatchObject({
      code: 'FX_RATE_MISSING',
      retriable: false,
      message: expect.stringMatching(/CAD.*2026-11-01/) as unknown,
    });
    rates.set('CAD', '0.7300');
    await w.orders.handle(rec('amazon.orders.v1', cad()));
    expect((erp.of('SALES_ORDER')[0].draft as SalesDocumentDraft).fx?.rate).toBe('0.7300');
  });

  it('when the ERP keeps one currency only, then a foreign order goes to the dead letters saying so', async () => {
    const erp = new FakeErp(
      { ...capabilitiesOf('SAGE100')!, kind: 'SAGE100' },
      { items: new Set(['ITEM-A', 'ITEM-B']) },
    );
    const w = caWorld({}, erp);
    await expect(w.handleOrder(cad())).rejects.toMatchObject({ code: 'FX_UNSUPPORTED', retriable: false });
  });

  describe('journals', () => {
    const journal = (over: Partial<JournalEntry> & { exchangeRate?: string } = {}): JournalEntry => ({
      eventId: 'S1/CA/CAD',
      connectionId: 'c1',
      journalId: '24681357/A2EUQ1WTGCTBG2/CAD',
      settlementId: '24681357',
      marketplaceId: 'A2EUQ1WTGCTBG2',
      currency: 'CAD',
      postingDate: 20_400,
      reference: 'AMZ-SETTLE-24681357',
      memo: 'Amazon settlement',
      lines: [
        {
          lineNumber: 1,
          account: '1010',
          debit: '100.01',
          credit: '0',
          description: 'payout',
          category: 'PAYOUT',
        },
        { lineNumber: 2, account: '6100', debit: '10.02', credit: '0', description: 'fees', category: 'FEE' },
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
      ...over,
    });
    const ledgerWriter = (erp: FakeErp, settings: object) =>
      new LedgerWriterService({
        erps: { forConnection: async () => erp },
        writer: new DocumentWriter(new FakeIdempotencyLedger()),
        audit: new FakeAuditStore(),
        publisher: new FakeEventPublisher(),
        clock: new VirtualClock(0),
        settings: async () => orderToCashSettingsSchema.parse(settings),
      });

    it('when a CAD settlement journal posts into a USD company, then it carries the ERP rate and balances in both currencies (rounding to the configured account)', async () => {
      const erp = new FakeErp(undefined, { rates: new Map([['CAD', '0.7312']]) });
      await ledgerWriter(erp, { homeCurrency: 'USD', fx: { roundingAccount: '7990' } }).journal(
        rec('ledger.journals.v1', journal()),
      );
      const d = erp.of('JOURNAL')[0].draft as JournalDraft;
      expect(d.fx).toEqual({
        homeCurrency: 'USD',
        rate: '0.7312',
        rateSource: 'ERP',
        roundingAccount: '7990',
      });
    });

    it('when the rate source is the deposit and the journal carries its rate, then that rate is used, not the ERP table', async () => {
      const erp = new FakeErp(undefined, { rates: new Map([['EUR', '0.8600']]) });
      await ledgerWriter(erp, {
        homeCurrency: 'GBP',
        fx: { rateSource: 'deposit', roundingAccount: '7990' },
      }).journal(
        rec(
          'ledger.journals.v1',
          journal({ currency: 'EUR', journalId: '1/A1PA6795UKMFR9/EUR', exchangeRate: '0.8571' }),
        ),
      );
      expect((erp.of('JOURNAL')[0].draft as JournalDraft).fx).toMatchObject({
        homeCurrency: 'GBP',
        rate: '0.8571',
        rateSource: 'DEPOSIT',
      });
      expect(erp.calls).not.toContain('exchangeRate');
    });

    it('when no home currency is set, then journals post as today, without rates', async () => {
      const erp = new FakeErp();
      await ledgerWriter(erp, {}).journal(rec('ledger.journals.v1', journal()));
      expect((erp.of('JOURNAL')[0].draft as JournalDraft).fx).toBeUndefined();
    });
  });
});
