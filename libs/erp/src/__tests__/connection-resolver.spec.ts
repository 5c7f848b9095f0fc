import { FetchTransport } from '@connector/core';
import { ConnectionErpResolver, erpFactories, pingErp, type ErpConnection } from '../connection-resolver';
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
