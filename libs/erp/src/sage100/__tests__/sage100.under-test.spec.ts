import { ErpUnsupportedError } from '../../errors';
import type { ErpPort, SalesDocumentDraft } from '../../port';
import type { ErpUnderTest, OrderToCashUnderTest } from '../../testing/erp-under-test';
import { sage100UnderTest } from '../../testing/sage100.under-test';

const ID = '114-5550001-0000001';
const order: SalesDocumentDraft = {
  naturalKey: ID,
  customerCode: '01-AMZUS',
  currency: 'USD',
  documentDate: '2026-10-02',
  lines: [{ itemCode: 'ITEM-3', quantity: 2, unitPrice: '10.00' }],
  charges: [{ kind: 'SHIPPING', amount: '3.50' }],
};

/** The harness the service-level order-to-cash tests read Sage 100 through. */
describe('sage100UnderTest: orderToCash', () => {
  let erp: ErpUnderTest;
  let o2c: OrderToCashUnderTest;
  let adapter: ErpPort;

  beforeEach(async () => {
    erp = sage100UnderTest();
    await erp.start();
    o2c = erp.orderToCash!;
    adapter = erp.factory();
  });
  afterEach(() => erp.stop());

  it('reads invoices, credit notes, stock, order state and customers as the adapter wrote them', async () => {
    const so = await adapter.createSalesOrder(order);
    expect(await o2c.orderStatus(ID)).toBe('OPEN');
    expect(await o2c.committed('ITEM-3')).toBe('2');
    const inv = await adapter.createInvoice({ ...order, baseOrder: so });
    expect(await o2c.orderStatus(ID)).toBe('CLOSED');
    expect(await o2c.invoiceTotal(ID)).toBe('23.50');
    expect([await o2c.onHand('ITEM-3'), await o2c.committed('ITEM-3')]).toEqual(['98', '0']);
    const base = {
      amazonOrderId: ID,
      customerCode: '01-AMZUS',
      currency: 'USD',
      documentDate: '2026-10-05',
      baseInvoice: inv,
      charges: [],
      reason: 'REFUND' as const,
    };
    await adapter.createCreditNote({
      ...base,
      naturalKey: `${ID}/Raaaaaaaa`,
      lines: [{ itemCode: 'ITEM-3', quantity: 1, unitPrice: '10.00' }],
      returnToStock: true,
    });
    await adapter.createCreditNote({
      ...base,
      naturalKey: `${ID}/Rbbbbbbbb`,
      lines: [{ itemCode: 'ITEM-3', quantity: 1, unitPrice: '10.00' }],
      charges: [{ kind: 'SHIPPING', amount: '3.50' }],
      returnToStock: false,
    });
    expect(await o2c.creditNotes()).toEqual([
      {
        naturalKey: `${ID}/Raaaaaaaa`,
        total: '10.00',
        currency: 'USD',
        baseInvoice: inv.documentNumber,
        lines: [{ itemCode: 'ITEM-3', quantity: 1 }],
        returnedToStock: true,
      },
      {
        naturalKey: `${ID}/Rbbbbbbbb`,
        total: '13.50',
        currency: 'USD',
        baseInvoice: inv.documentNumber,
        lines: [{ itemCode: 'ITEM-3', quantity: 1 }],
        returnedToStock: false,
      },
    ]);
    expect(await o2c.onHand('ITEM-3')).toBe('99');
    expect(await erp.documents('CREDIT_NOTE')).toEqual([`${ID}/Raaaaaaaa`, `${ID}/Rbbbbbbbb`]);
    expect(await erp.documents('INVOICE')).toEqual([ID]);
    await adapter.createCustomer({
      customerCode: 'B123456',
      name: 'Buyer',
      currency: 'USD',
      templateCustomerCode: '01-AMZUS',
    });
    expect(await o2c.customers()).toEqual(['01-AMZUS', '01-B123456']);
  });

  it('journals in the home currency, which the harness can change; removing an account shows in the check', async () => {
    const journal = (currency: string) => ({
      naturalKey: `S1/ATVPDKIKX0DER/${currency}`,
      postingDate: '2026-10-02',
      currency,
      reference: 'S1',
      memo: 'settlement',
      lines: [
        { account: '1010', debit: '12.34', credit: '0', description: 'payout' },
        { account: '9999', debit: '0', credit: '12.34', description: 'suspense' },
      ],
    });
    await expect(adapter.postJournal(journal('GBP'))).rejects.toBeInstanceOf(ErpUnsupportedError);
    o2c.setHomeCurrency('GBP');
    o2c.setExchangeRate('EUR', '2026-10-02', '0.85');
    const gbp = erp.factory();
    expect(await gbp.exchangeRate('EUR', '2026-10-02')).toBeNull();
    await gbp.postJournal(journal('GBP'));
    expect(await o2c.journals()).toEqual([
      {
        naturalKey: 'S1/ATVPDKIKX0DER/GBP',
        currency: 'GBP',
        rate: '1',
        foreignDebit: '12.34',
        foreignCredit: '12.34',
        homeDebit: '12.34',
        homeCredit: '12.34',
      },
    ]);
    o2c.removeGlAccount('9999');
    expect(await gbp.checkMasterData({ customers: [], items: [], glAccounts: ['1010', '9999'] })).toEqual([
      { kind: 'GL_ACCOUNT', code: '9999', problem: 'MISSING' },
    ]);
  });
});
