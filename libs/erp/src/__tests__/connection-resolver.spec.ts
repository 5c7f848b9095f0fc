import { FetchTransport } from '@connector/core';
import { ConnectionErpResolver, erpFactories, type ErpConnection } from '../connection-resolver';
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
