import { Sage500Simulator } from '@connector/sage500-simulator';
import { infraEnv } from '@connector/testing';
import { ErpRecordLockedError, ErpUnavailableError, ErpValidationError } from '../../errors';
import type { CreditNoteDraft, ErpDocumentRef, InvoiceDraft, JournalDraft } from '../../port';
import { Sage500Adapter } from '../sage500.adapter';

/**
 * Issue 14 against the simulator: credit memos applied to their invoice (amount and quantity
 * checks, stock back only when asked), customers from a template, rates, journals in two currencies,
 * the master-data check, and the error paths.
 */
describe('Sage 500 order to cash ↔ simulator (PostgreSQL stand-in)', () => {
  const sim = new Sage500Simulator({
    adminUrl: infraEnv('TEST_DATABASE_URL'),
    items: ['ITEM-1', 'ITEM-2', 'ITEM-3'],
    miscItems: ['AMZ-FREIGHT', 'AMZ-PROMO'],
    customers: ['AMZ-US'],
    accounts: ['1010', '4000', '6100', '7999'],
  });
  let erp: Sage500Adapter;
  let n = 0;
  const invoiceDraft = (key: string, over: Partial<InvoiceDraft> = {}): InvoiceDraft => ({
    naturalKey: key,
    customerCode: 'AMZ-US',
    currency: 'USD',
    documentDate: '2026-11-27',
    lines: [
      { itemCode: 'ITEM-1', quantity: 3, unitPrice: '19.99' },
      { itemCode: 'ITEM-2', quantity: 1, unitPrice: '0.10' },
    ],
    charges: [{ kind: 'SHIPPING', amount: '4.99' }],
    ...over,
  });
  const credit = (
    invoice: ErpDocumentRef,
    refundId: string,
    over: Partial<CreditNoteDraft> = {},
  ): CreditNoteDraft => ({
    naturalKey: `${invoice.naturalKey}/${refundId}`,
    amazonOrderId: invoice.naturalKey,
    customerCode: 'AMZ-US',
    currency: 'USD',
    documentDate: '2026-11-28',
    baseInvoice: invoice,
    lines: [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '19.99' }],
    charges: [],
    returnToStock: false,
    reason: 'REFUND',
    ...over,
  });
  /** a shipped order and its invoice, under a fresh Amazon order id */
  const shippedAndInvoiced = async (over: Partial<InvoiceDraft> = {}) => {
    const key = `111-0000014-${String(++n).padStart(7, '0')}`;
    const so = await erp.createSalesOrder(invoiceDraft(key, over));
    await sim.ship(Number(so.internalId), { shipMethId: 'UPS', trackingNo: `1Z-${n}` });
    return erp.createInvoice(invoiceDraft(key, over));
  };
  const onHand = async (item: string) =>
    (
      await sim
        .db('timWhseBinInvt as b')
        .join('timItem as i', 'i.ItemKey', 'b.ItemKey')
        .where({ 'i.ItemID': item })
        .first<{ QtyOnHand: string }>('b.QtyOnHand')
    ).QtyOnHand;
  const refusal = async (p: Promise<unknown>) => {
    const e = await p.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ErpValidationError);
    return (e as ErpValidationError).detail.erpCode;
  };
  const memos = (invoice: ErpDocumentRef) =>
    sim
      .db('tarCustPmtAppl as a')
      .join('tarInvoice as m', 'm.InvcKey', 'a.ApplyFromMemoKey')
      .where({ 'a.ApplyToInvcKey': Number(invoice.internalId) })
      .orderBy('m.InvcKey')
      .select<Array<{ TranAmt: string; TranType: number }>>('m.TranAmt', 'm.TranType');

  beforeAll(async () => {
    await sim.start();
    erp = new Sage500Adapter({ url: sim.url, company: sim.company, user: 'u', password: 'p' });
  });
  afterAll(async () => {
    await erp.close();
    await sim.close();
  });
  afterEach(() => sim.setFaults({ deadlockRate: 0, lockTimeoutRate: 0 }));

  it('when a shipped order’s invoice is credited in part and then in full, then the memos add up to it to the cent and a third credit is refused', async () => {
    const inv = await shippedAndInvoiced();
    const first = await erp.createCreditNote(credit(inv, 'Rabcd0001'));
    expect(first).toMatchObject({
      kind: 'CREDIT_NOTE',
      status: 'CLOSED',
      naturalKey: `${inv.naturalKey}/Rabcd0001`,
    });
    const rest = await erp.createCreditNote(
      credit(inv, 'Rabcd0002', {
        lines: [
          { itemCode: 'ITEM-1', quantity: 2, unitPrice: '19.99' },
          { itemCode: 'ITEM-2', quantity: 1, unitPrice: '0.10' },
        ],
        charges: [{ kind: 'SHIPPING', amount: '4.99' }],
      }),
    );
    expect(rest.documentNumber).not.toBe(first.documentNumber);
    expect((await memos(inv)).map((m) => [m.TranType, m.TranAmt])).toEqual([
      [502, '19.990'],
      [502, '45.070'],
    ]);
    const invoice = await sim
      .db('tarInvoice')
      .where({ InvcKey: Number(inv.internalId) })
      .first<{ TranAmt: string; Balance: string }>();
    expect(invoice).toMatchObject({ TranAmt: '65.060', Balance: '0.000' });
    // nothing left to credit: by amount (a charge) and by quantity (an item)
    expect(
      await refusal(
        erp.createCreditNote(
          credit(inv, 'Rabcd0003', { lines: [], charges: [{ kind: 'SHIPPING', amount: '0.01' }] }),
        ),
      ),
    ).toBe('6');
    expect(await memos(inv)).toHaveLength(2);
    expect(await erp.findByNaturalKey('CREDIT_NOTE', `${inv.naturalKey}/Rabcd0003`)).toBeNull();
    expect(await sim.db('tarDocLineStg_CNX')).toHaveLength(0);
  });

  it('when more of an item is credited than the invoice holds less earlier memos, then it is refused (7); an item not on the invoice is refused (8)', async () => {
    const inv = await shippedAndInvoiced();
    await erp.createCreditNote(
      credit(inv, 'Rqty00001', { lines: [{ itemCode: 'ITEM-1', quantity: 2, unitPrice: '1' }] }),
    );
    expect(
      await refusal(
        erp.createCreditNote(
          credit(inv, 'Rqty00002', { lines: [{ itemCode: 'ITEM-1', quantity: 2, unitPrice: '1' }] }),
        ),
      ),
    ).toBe('7');
    expect(
      await refusal(
        erp.createCreditNote(
          credit(inv, 'Rqty00003', { lines: [{ itemCode: 'ITEM-3', quantity: 1, unitPrice: '1' }] }),
        ),
      ),
    ).toBe('8');
    await erp.createCreditNote(
      credit(inv, 'Rqty00004', { lines: [{ itemCode: 'ITEM-1', quantity: 1, unitPrice: '1' }] }),
    );
    expect(await memos(inv)).toHaveLength(2);
  });

  it('when an order is cancelled after invoicing, then one memo credits the whole invoice', async () => {
    const inv = await shippedAndInvoiced();
    const ref = await erp.createCreditNote(
      credit(inv, 'C', {
        reason: 'CANCELLED_AFTER_INVOICE',
        lines: invoiceDraft(inv.naturalKey).lines,
        charges: invoiceDraft(inv.naturalKey).charges,
      }),
    );
    expect(ref.naturalKey).toBe(`${inv.naturalKey}/C`);
    expect((await memos(inv)).map((m) => m.TranAmt)).toEqual(['65.060']);
  });

  it('when goods come back, then on hand rises with a customer-return transaction only if returnToStock', async () => {
    const inv = await shippedAndInvoiced();
    const before = await onHand('ITEM-1');
    const kept = await erp.createCreditNote(credit(inv, 'Rfba00001', { returnToStock: false }));
    expect(await onHand('ITEM-1')).toBe(before);
    const back = await erp.createCreditNote(credit(inv, 'Rret00001', { returnToStock: true }));
    expect(Number(await onHand('ITEM-1'))).toBe(Number(before) + 1);
    const moves = await sim.db('timInvtTran').select<Array<{ SourceInvcKey: number; TranType: number }>>();
    expect(moves.filter((m) => m.SourceInvcKey === Number(back.internalId))).toEqual([
      expect.objectContaining({ TranType: 811 }),
    ]);
    expect(moves.filter((m) => m.SourceInvcKey === Number(kept.internalId))).toEqual([]);
  });

  it('when the process dies after Sage 500 wrote the memo, then findByNaturalKey finds it and writing again changes nothing', async () => {
    const inv = await shippedAndInvoiced();
    const draft = credit(inv, 'Rcrash001');
    const written = await erp.createCreditNote(draft);
    // a new process: a new adapter, the answer of the first one lost
    const again = new Sage500Adapter({ url: sim.url, company: sim.company, user: 'u', password: 'p' });
    try {
      expect(await again.findByNaturalKey('CREDIT_NOTE', draft.naturalKey)).toEqual(written);
      expect(await again.createCreditNote(draft)).toEqual(written);
    } finally {
      await again.close();
    }
    expect(await memos(inv)).toHaveLength(1);
  });

  it('when a credit names an unknown invoice, or Sage 500 is locked or down, then the errors are typed', async () => {
    const inv = await shippedAndInvoiced();
    const ghost = { ...inv, internalId: '999999' };
    expect(await refusal(erp.createCreditNote(credit(ghost, 'Rghost001')))).toBe('5');
    expect(await refusal(erp.createCreditNote(credit({ ...inv, kind: 'SALES_ORDER' }, 'Rkind0001')))).toBe(
      'ApplyToInvcKey',
    );
    await sim.setFaults({ deadlockRate: 1 });
    const locked = await erp.createCreditNote(credit(inv, 'Rlock0001')).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(ErpRecordLockedError);
    expect((locked as ErpRecordLockedError).detail.erpCode).toBe('1205');
    await sim.setFaults({ deadlockRate: 0 });
    expect(await sim.db('tarDocLineStg_CNX')).toHaveLength(0);
    await erp.createCreditNote(credit(inv, 'Rlock0001'));
    const down = new Sage500Adapter({
      url: 'postgres://u@127.0.0.1:1/nowhere',
      company: 'SOA',
      user: 'u',
      password: 'p',
    });
    try {
      await expect(down.createCreditNote(credit(inv, 'Rdown0001'))).rejects.toBeInstanceOf(
        ErpUnavailableError,
      );
    } finally {
      await down.close();
    }
  });

  it('when a customer is created from the template, then it has the template’s class (and so its receivable account), terms and tax schedule; an existing code is refused', async () => {
    expect(await erp.findCustomer('AMZ-B-0001')).toBeNull();
    const made = await erp.createCustomer({
      customerCode: 'AMZ-B-0001',
      name: 'Amazon buyer 0001',
      currency: 'USD',
      templateCustomerCode: 'AMZ-US',
      address: {
        addressLine1: '410 Terry Ave N',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98109',
        countryCode: 'US',
      },
    });
    expect(made).toEqual({
      customerCode: 'AMZ-B-0001',
      name: 'Amazon buyer 0001',
      currency: 'USD',
      active: true,
    });
    expect(await erp.findCustomer('AMZ-B-0001')).toEqual(made);
    const terms = (id: string) =>
      sim
        .db('tarCustomer as c')
        .join('tarCustClass as cc', 'cc.CustClassKey', 'c.CustClassKey')
        .join('tglAccount as ar', 'ar.GLAcctKey', 'cc.ARAcctKey')
        .join('tarCustAddr as a', 'a.AddrKey', 'c.PrimaryAddrKey')
        .join('tciPaymentTerms as pt', 'pt.PmtTermsKey', 'a.PmtTermsKey')
        .join('tciSTaxSchedule as st', 'st.STaxSchdKey', 'a.STaxSchdKey')
        .join('tciAddress as ad', 'ad.AddrKey', 'c.PrimaryAddrKey')
        .where({ 'c.CustID': id })
        .first<Record<string, string>>(
          'cc.CustClassID',
          'ar.GLAcctNo',
          'pt.PmtTermsID',
          'st.STaxSchdID',
          'ad.City',
        );
    expect(await terms('AMZ-B-0001')).toEqual({ ...(await terms('AMZ-US')), City: 'Seattle' });
    expect((await terms('AMZ-B-0001')).GLAcctNo).toBe('1100');
    expect(await sim.db('StgCustomer')).toHaveLength(0);

    const draft = { customerCode: 'AMZ-B-0001', name: 'x', currency: 'USD', templateCustomerCode: 'AMZ-US' };
    expect(await refusal(erp.createCustomer(draft))).toBe('Duplicate');
    expect(
      await refusal(
        erp.createCustomer({ ...draft, customerCode: 'AMZ-B-0002', templateCustomerCode: 'NOBODY' }),
      ),
    ).toBe('TemplateCustID');
    expect(await refusal(erp.createCustomer({ ...draft, customerCode: 'AMZ-B-000000003' }))).toBe('CustID');
  });

  it('when the import itself meets an existing CustID (another writer got there first), then it is the same typed duplicate', async () => {
    await sim.addCustomer('AMZ-RACE-01');
    const spy = jest.spyOn(erp, 'findCustomer').mockResolvedValueOnce(null);
    try {
      const e = await erp
        .createCustomer({
          customerCode: 'AMZ-RACE-01',
          name: 'x',
          currency: 'USD',
          templateCustomerCode: 'AMZ-US',
        })
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ErpValidationError);
      expect((e as ErpValidationError).detail.erpCode).toBe('Duplicate');
      expect((e as Error).message).toMatch(
        /refused customer AMZ-RACE-01: .*\(CustID = AMZ-RACE-01\) \[duplicate\]/,
      );
    } finally {
      spy.mockRestore();
    }
    expect(await sim.db('StgCustomer')).toHaveLength(0);
    expect(await sim.db('tdmMigrationLogWrk')).toHaveLength(0);
  });

  it('when rates are read, then the table’s rate in effect that day comes back exact, "1" for the home currency and null when there is none', async () => {
    await sim.setExchangeRate('CAD', '2026-11-01', '0.7312');
    await sim.setExchangeRate('CAD', '2026-11-20', '0.7355');
    await sim.setExchangeRate('MXN', '2026-11-01', '0.0581', '2026-11-10');
    expect(await erp.exchangeRate('CAD', '2026-11-19')).toBe('0.7312');
    expect(await erp.exchangeRate('CAD', '2026-11-27')).toBe('0.7355');
    expect(await erp.exchangeRate('USD', '2026-11-27')).toBe('1');
    expect(await erp.exchangeRate('MXN', '2026-11-05')).toBe('0.0581');
    expect(await erp.exchangeRate('MXN', '2026-11-27')).toBeNull();
    expect(await erp.exchangeRate('EUR', '2026-11-27')).toBeNull();
    expect(await erp.exchangeRate('CAD', '2026-10-31')).toBeNull();
  });

  it('when a CAD journal goes into the USD company, then it balances in both currencies with a rounding line; without a rate it is refused', async () => {
    const rate = (await erp.exchangeRate('CAD', '2026-11-27'))!;
    const fx = { homeCurrency: 'USD', rate, rateSource: 'ERP' as const, roundingAccount: '7999' };
    const draft: JournalDraft = {
      naturalKey: '14/A2EUQ1WTGCTBG2/CAD',
      postingDate: '2026-11-27',
      currency: 'CAD',
      reference: 'AMZ-SETTLE-14',
      memo: 'Amazon settlement 14',
      lines: [
        { account: '1010', debit: '10.01', credit: '0', description: 'payout' },
        { account: '6100', debit: '10.01', credit: '0', description: 'fees' },
        { account: '1010', debit: '10.01', credit: '0', description: 'reserve' },
        { account: '4000', debit: '0', credit: '30.03', description: 'sales' },
      ],
      fx,
    };
    const ref = await erp.postJournal(draft);
    const rows = await sim
      .db('tglTransaction as t')
      .join('tglAccount as a', 'a.GLAcctKey', 't.GLAcctKey')
      .where({ 't.BatchKey': Number(ref.internalId) })
      .orderBy('t.PostingKey')
      .select<Array<{ GLAcctNo: string; CurrID: string; PostAmt: string; PostAmtHC: string }>>(
        'a.GLAcctNo',
        't.CurrID',
        't.PostAmt',
        't.PostAmtHC',
      );
    // 10.01 × 0.7355 = 7.362355 → 7.36 three times (22.08); 30.03 × 0.7355 = 22.087065 → 22.09
    expect(rows.map((r) => [r.GLAcctNo, r.CurrID, r.PostAmt, r.PostAmtHC])).toEqual([
      ['1010', 'CAD', '10.010', '7.360'],
      ['6100', 'CAD', '10.010', '7.360'],
      ['1010', 'CAD', '10.010', '7.360'],
      ['4000', 'CAD', '-30.030', '-22.090'],
      ['7999', 'CAD', '0.000', '0.010'],
    ]);
    expect(
      await sim.db('tciDocumentExt_CNX').where({ DocKind: 'JOURNAL', NaturalKey: draft.naturalKey }).first(),
    ).toMatchObject({ CurrID: 'CAD', CurrExchRate: '0.7355000000' });
    const { fx: _fx, ...noRate } = draft;
    expect(await refusal(erp.postJournal({ ...noRate, naturalKey: '15/A2EUQ1WTGCTBG2/CAD' }))).toBe(
      'CurrExchRate',
    );
    expect(
      await refusal(
        erp.postJournal({
          ...draft,
          naturalKey: '16/A2EUQ1WTGCTBG2/CAD',
          fx: { ...fx, homeCurrency: 'GBP' },
        }),
      ),
    ).toBe('CurrID');
  });

  it('when a CAD invoice and its credit memo are written, then they carry the rate and their home amounts', async () => {
    const fx = { homeCurrency: 'USD', rate: '0.7355', rateSource: 'ERP' as const, roundingAccount: '7999' };
    const inv = await shippedAndInvoiced({ currency: 'CAD', fx });
    await erp.createCreditNote(credit(inv, 'Rcad00001', { currency: 'CAD', fx }));
    const docs = await sim
      .db('tarInvoice')
      .where({ CurrID: 'CAD' })
      .orderBy('InvcKey')
      .select<Array<{ TranType: number; TranAmt: string; TranAmtHC: string; CurrExchRate: number }>>(
        'TranType',
        'TranAmt',
        'TranAmtHC',
        'CurrExchRate',
      );
    expect(docs).toEqual([
      { TranType: 501, TranAmt: '65.060', TranAmtHC: '47.850', CurrExchRate: 0.7355 },
      { TranType: 502, TranAmt: '19.990', TranAmtHC: '14.700', CurrExchRate: 0.7355 },
    ]);
    // a foreign-currency memo without a rate is refused (9), not written at rate 1
    const { fx: _fx, ...noRate } = credit(inv, 'Rcad00002', { currency: 'CAD' });
    expect(await refusal(erp.createCreditNote(noRate))).toBe('9');
  });

  it('when asked about master data, then it names the missing GL account, item and customer and the inactive customer, in one read per kind', async () => {
    await sim.addCustomer('AMZ-OLD');
    await sim.setCustomerStatus('AMZ-OLD', 2);
    const before = erp.sent.statements;
    const problems = await erp.checkMasterData({
      customers: ['AMZ-US', 'AMZ-OLD', 'AMZ-GONE'],
      items: ['ITEM-1', 'ITEM-404', 'AMZ-FREIGHT'],
      glAccounts: ['1010', '4000', '9999'],
    });
    expect(erp.sent.statements - before).toBe(3);
    expect(problems).toEqual([
      { kind: 'CUSTOMER', code: 'AMZ-OLD', problem: 'INACTIVE' },
      { kind: 'CUSTOMER', code: 'AMZ-GONE', problem: 'MISSING' },
      { kind: 'ITEM', code: 'ITEM-404', problem: 'MISSING' },
      { kind: 'GL_ACCOUNT', code: '9999', problem: 'MISSING' },
    ]);
    const many = Array.from({ length: 2500 }, (_, i) => `NOPE-${i}`);
    const lots = await erp.checkMasterData({ customers: [], items: ['ITEM-1', ...many], glAccounts: [] });
    expect(lots).toHaveLength(2500);
  });

  it('when a EUR journal goes into a GBP company, then it balances in both currencies (run last: the company changes currency)', async () => {
    await sim.setHomeCurrency('GBP');
    await sim.setExchangeRate('EUR', '2026-11-01', '0.8571');
    const rate = (await erp.exchangeRate('EUR', '2026-11-27'))!;
    expect(rate).toBe('0.8571');
    expect(await erp.exchangeRate('GBP', '2026-11-27')).toBe('1');
    const ref = await erp.postJournal({
      naturalKey: '17/A1PA6795UKMFR9/EUR',
      postingDate: '2026-11-27',
      currency: 'EUR',
      reference: 'AMZ-SETTLE-17',
      memo: 'Amazon settlement 17',
      lines: [
        { account: '1010', debit: '100.01', credit: '0', description: 'payout' },
        { account: '6100', debit: '0.99', credit: '0', description: 'fees' },
        { account: '4000', debit: '0', credit: '101.00', description: 'sales' },
      ],
      fx: { homeCurrency: 'GBP', rate, rateSource: 'ERP', roundingAccount: '7999' },
    });
    const sums = await sim
      .db('tglTransaction')
      .where({ BatchKey: Number(ref.internalId) })
      .sum<Array<{ f: string; h: string }>>({ f: 'PostAmt', h: 'PostAmtHC' });
    expect(sums).toEqual([{ f: '0.000', h: '0.000' }]);
    const home = await sim
      .db('tglTransaction')
      .where({ BatchKey: Number(ref.internalId) })
      .where('PostAmtHC', '>', 0)
      .sum<Array<{ h: string }>>({ h: 'PostAmtHC' });
    // 100.01 × 0.8571 = 85.718571 → 85.72; 0.99 × 0.8571 = 0.848529 → 0.85; 101.00 × 0.8571 = 86.5671 → 86.57
    expect(home).toEqual([{ h: '86.570' }]);
  });
});
