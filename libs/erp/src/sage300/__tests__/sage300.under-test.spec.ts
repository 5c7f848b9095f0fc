import { sage300UnderTest } from '../../testing/sage300.under-test';
import type { ErpUnderTest, OrderToCashUnderTest } from '../../testing/erp-under-test';
import type { ErpPort } from '../../port';

const ORDER_ID = '114-3941689-8772232';

/** The harness the service-level tests read Sage 300 through: what it says matches what the adapter wrote. */
describe('sage300UnderTest.orderToCash', () => {
  let h: ErpUnderTest;
  let o2c: OrderToCashUnderTest;
  let erp: ErpPort;

  beforeEach(async () => {
    h = sage300UnderTest();
    await h.start();
    o2c = h.orderToCash!;
    erp = h.factory();
  });
  afterEach(() => h.stop());

  it('when a shipped order is invoiced and credited, then it reads the invoice total, the closed order, stock and the credit note', async () => {
    const inv = await erp.createInvoice({
      naturalKey: ORDER_ID,
      customerCode: h.customer,
      currency: 'USD',
      documentDate: '2026-10-02',
      lines: [{ itemCode: 'ITEM-3', quantity: 2, unitPrice: '10.005' }],
      charges: [{ kind: 'SHIPPING', amount: '3.99' }],
    });
    expect(await o2c.invoiceTotal(ORDER_ID)).toBe('24.00');
    expect(await o2c.orderStatus(ORDER_ID)).toBe('CLOSED');
    expect([await o2c.onHand('ITEM-3'), await o2c.committed('ITEM-3')]).toEqual(['98', '0']);
    await erp.createCreditNote({
      naturalKey: `${ORDER_ID}/R00000001`,
      amazonOrderId: ORDER_ID,
      customerCode: h.customer,
      currency: 'USD',
      documentDate: '2026-10-05',
      baseInvoice: inv,
      lines: [{ itemCode: 'ITEM-3', quantity: 1, unitPrice: '10.005' }],
      charges: [],
      returnToStock: true,
      reason: 'REFUND',
    });
    expect(await o2c.creditNotes()).toEqual([
      {
        naturalKey: `${ORDER_ID}/R00000001`,
        total: '10.01',
        currency: 'USD',
        baseInvoice: inv.documentNumber,
        lines: [{ itemCode: 'ITEM-3', quantity: 1 }],
        returnedToStock: true,
      },
    ]);
    expect(await o2c.onHand('ITEM-3')).toBe('99');
    expect(await h.documents('CREDIT_NOTE')).toEqual([`${ORDER_ID}/R00000001`]);
    expect(await h.documents('INVOICE')).toEqual([ORDER_ID]);
    expect(await o2c.orderStatus('000-0000000-0000000')).toBeNull();
  });

  it('when the home currency and rates are set, then the adapter reads them and journals read back in both currencies', async () => {
    o2c.setHomeCurrency('GBP');
    o2c.setExchangeRate('EUR', '2026-10-15', '0.8555');
    expect(await erp.exchangeRate('EUR', '2026-10-15')).toBe('0.8555');
    const [a, b] = ['4000', '1010'];
    await erp.postJournal({
      naturalKey: 'S1/A1PA6795UKMFR9/EUR',
      postingDate: '2026-10-15',
      currency: 'EUR',
      reference: 'r',
      memo: 'm',
      lines: [
        { account: b, debit: '33.33', credit: '0', description: 'd' },
        { account: b, debit: '33.33', credit: '0', description: 'd' },
        { account: a, debit: '0', credit: '66.66', description: 'c' },
      ],
      fx: { homeCurrency: 'GBP', rate: '0.8555', rateSource: 'ERP', roundingAccount: a },
    });
    expect(await o2c.journals()).toEqual([
      {
        naturalKey: 'S1/A1PA6795UKMFR9/EUR',
        currency: 'EUR',
        rate: '0.8555',
        foreignDebit: '66.66',
        foreignCredit: '66.66',
        homeDebit: '57.03',
        homeCredit: '57.03',
      },
    ]);
    o2c.removeGlAccount(b);
    expect(
      await erp.checkMasterData({ customers: ['AMZ-US'], items: ['ITEM-0'], glAccounts: [a, b] }),
    ).toEqual([{ kind: 'GL_ACCOUNT', code: b, problem: 'MISSING' }]);
    expect(await o2c.customers()).toEqual(['AMZ-US', 'AMZ-CA']);
  });
});
