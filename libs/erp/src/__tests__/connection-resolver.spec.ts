import { FetchTransport } from '@connector/core';
import {
  MappingCache,
  defaultGlAccounts,
  mappingRecords,
  masterDataExpectations,
  settlementOptionsOf,
} from '@connector/mapping';
import { ConnectionErpResolver, erpFactories, pingErp, type ErpConnection } from '../connection-resolver';
import { ErpUnsupportedError } from '../errors';
import { FakeErp } from '../fake-erp';
import { SapB1Adapter } from '../sap-b1/sap-b1.adapter';

const creds = { erp: { baseUrl: 'http://erp.invalid/b1s/v1', user: 'manager', password: 'p' } };
const conn = (id: string, over: Partial<ErpConnection> = {}): ErpConnection => ({
  id,
  erpKind: 'SAP_B1',
  erpCompany: 'SBODEMOUS',
  settings: { erpUtcOffsetMinutes: -300 },
  ...over,
});

describe('ConnectionErpResolver', () => {
  const resolver = (conns: Record<string, ErpConnection>, credentials: object = creds) =>
    new ConnectionErpResolver(
      { get: async (id) => conns[id], credentials: async () => credentials },
      erpFactories(new FetchTransport()),
    );

  it("when a connection's adapter is asked for twice, then one adapter is built, with the connection's server time zone", async () => {
    const r = resolver({ a: conn('a') });
    const first = await r.forConnection('a');
    expect(await r.forConnection('a')).toBe(first);
    expect(first).toBeInstanceOf(SapB1Adapter);
    expect((first as unknown as { offset: number }).offset).toBe(-300);
  });

  it('when the ERP has no adapter or the connection no ERP credentials, then the error says so and is not retriable', async () => {
    // a kind no adapter serves (every kind the port names has one, or soon will)
    const none = 'NO_SUCH_ERP' as ErpConnection['erpKind'];
    await expect(resolver({ b: conn('b', { erpKind: none }) }).forConnection('b')).rejects.toMatchObject({
      code: 'ERP_NOT_SUPPORTED',
      retriable: false,
    });
    await expect(resolver({ c: conn('c') }, {}).forConnection('c')).rejects.toMatchObject({
      code: 'ERP_NO_CREDENTIALS',
    });
  });
});

describe('pingErp', () => {
  it('when the ERP signs in, then the line says ok; when it refuses or is away, then the line says what to check', async () => {
    const { sapB1UnderTest } = await import('../testing/sap-b1.under-test');
    const erp = sapB1UnderTest();
    await erp.start();
    try {
      const factories = erpFactories(new FetchTransport(5_000));
      const good = { erp: { ...erp.credentials(), company: 'SBODEMOUS' } };
      expect(await pingErp(conn('a'), good, factories)).toEqual({
        ok: true,
        lines: ['ERP (SAP_B1, company SBODEMOUS): signed in, ok'],
      });
      const wrong = await pingErp(conn('a'), { erp: { ...good.erp, password: 'nope' } }, factories);
      expect(wrong.ok).toBe(false);
      expect(wrong.lines[0]).toContain('check the user, the password and the company');
      expect(wrong.lines.join('\n')).not.toContain('nope');
      const away = await pingErp(conn('a'), creds, factories);
      expect(away.lines[0]).toContain('the ERP did not answer');
      const none = await pingErp(conn('a'), {}, factories);
      expect(none.lines[0]).toContain('has no ERP credentials');
    } finally {
      await erp.stop();
    }
  });
});

describe('pingErp: master data', () => {
  const mappings = () => {
    const cache = new MappingCache();
    for (const r of mappingRecords(
      {
        connectionId: 'a',
        skus: [
          { sellerSku: 'SKU-1', itemCode: 'ITEM-1' },
          { sellerSku: 'SKU-2', itemCode: 'ITEM-GONE' },
        ],
        customers: [
          { marketplaceId: 'ATVPDKIKX0DER', customerCode: 'AMZ-US', currency: 'USD', arAccount: '1100' },
        ],
        glAccounts: [
          { amountType: 'ItemFees', amountDescription: 'Commission', account: '6100', category: 'FEE' },
        ],
      },
      1,
    ))
      cache.apply(r.topic, r.key, r.value);
    return cache;
  };
  const options = settlementOptionsOf({ orderToCash: { fx: { roundingAccount: '7990' } } });
  /** every account the default mapping and the connection use, less the ones a test takes away */
  const accountsBut = (...missing: string[]) =>
    new Set([...defaultGlAccounts(), '1100', '6100', '7990'].filter((a) => !missing.includes(a)));

  it('when a GL account the settlement posts to is missing, then ping names it, what it books and the mapping to change, and is not ok', async () => {
    const erp = new FakeErp(undefined, {
      items: new Set(['ITEM-1', 'ITEM-GONE']),
      customers: new Set(['AMZ-US']),
      accounts: accountsBut('6110'),
    });
    const { expectations, unmapped } = masterDataExpectations(
      mappings(),
      { id: 'a', marketplaceIds: ['ATVPDKIKX0DER'] },
      options,
    );
    const r = await pingErp(conn('a'), creds, { SAP_B1: () => erp }, { expectations, unmapped });
    expect(r).toEqual({
      ok: false,
      lines: [
        'ERP (SAP_B1, company SBODEMOUS): signed in, ok',
        'NOT OK ERP master data in company SBODEMOUS:',
        "  - GL account 6110 (refund commission) does not exist in company SBODEMOUS: add it or map 'Refund ItemFees RefundCommission' to an account that exists",
      ],
    });
    expect(erp.calls).toEqual(['ping', 'checkMasterData']);
  });

  it('when everything exists, then ping says so; an item, a customer, the receivable and an unmapped marketplace are named when they are not', async () => {
    const { expectations, unmapped } = masterDataExpectations(
      mappings(),
      { id: 'a', marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'] },
      options,
    );
    // the receivable clears the invoiced lines (settlement booking "receivable"): sales and refund accounts are the ERP's
    const all = {
      items: new Set(['ITEM-1', 'ITEM-GONE']),
      customers: new Set(['AMZ-US']),
      accounts: accountsBut(),
    };
    const ok = await pingErp(
      conn('a'),
      creds,
      { SAP_B1: () => new FakeErp(undefined, all) },
      { expectations },
    );
    expect(ok.ok).toBe(true);
    expect(ok.lines[1]).toMatch(
      /^ERP master data: 1 customers, 2 items and \d+ GL accounts the connection uses exist, ok$/,
    );

    const erp = new FakeErp(undefined, {
      items: new Set(['ITEM-1']),
      customers: new Set<string>(),
      accounts: accountsBut('1100', '1010', '7990'),
    });
    const r = await pingErp(conn('a'), creds, { SAP_B1: () => erp }, { expectations, unmapped });
    expect(r.ok).toBe(false);
    expect(r.lines.slice(2)).toEqual([
      '  - marketplace A2EUQ1WTGCTBG2 has no ERP customer in the customer mapping: map one (npm run mapping -- load) before orders arrive',
      '  - customer AMZ-US (the customer for marketplace ATVPDKIKX0DER) does not exist in company SBODEMOUS: add it or change the customer mapping of marketplace ATVPDKIKX0DER',
      "  - item ITEM-GONE (SKU SKU-2) does not exist in company SBODEMOUS: add it or map 'SKU SKU-2' to an item that exists",
      '  - GL account 1100 (receivable of customer AMZ-US) does not exist in company SBODEMOUS: add it or change the receivable (arAccount) in the customer mapping of marketplace ATVPDKIKX0DER',
      '  - GL account 1010 (the bank account Amazon pays into) does not exist in company SBODEMOUS: add it or change the payout account of the GL mapping',
      "  - GL account 7990 (exchange rounding) does not exist in company SBODEMOUS: add it or change the connection's rounding account (settings.orderToCash.fx.roundingAccount)",
    ]);
  });

  it('when the adapter cannot check master data yet, then ping says the check could not be made and is not ok', async () => {
    const failing = new FakeErp();
    failing.checkMasterData = () =>
      Promise.reject(new ErpUnsupportedError('checkMasterData is not implemented', { erp: 'SAP_B1' }));
    const r = await pingErp(conn('a'), creds, { SAP_B1: () => failing }, { expectations: [] });
    expect(r.ok).toBe(false);
    expect(r.lines[2]).toContain('the customers, items and GL accounts could not be checked');
  });
});
