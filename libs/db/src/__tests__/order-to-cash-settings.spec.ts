import { checkOrderToCash, connectionSettingsSchema } from '../connections/connection.repository';

describe('order-to-cash settings', () => {
  it('when nothing is set, then a connection keeps today’s behaviour: one customer per marketplace, no returns to stock, no home currency', () => {
    expect(connectionSettingsSchema.parse({}).orderToCash).toEqual({
      returnsToStock: false,
      settlementBooking: 'receivable',
      invoicesCarryTax: true,
      customers: 'per-marketplace',
      customerPrefix: 'AMZ',
    });
  });

  it('when a home currency is set without a rounding account, then the settings are refused', () => {
    expect(() => connectionSettingsSchema.parse({ orderToCash: { homeCurrency: 'USD' } })).toThrow(
      /roundingAccount/,
    );
  });

  it('when a customer per buyer is asked of an ERP whose customer codes are too short, then the connection is refused at save; SAP B1 takes it', () => {
    const perBuyer = connectionSettingsSchema.parse({ orderToCash: { customers: 'per-buyer' } });
    expect(caught(() => checkOrderToCash('c1', 'SAGE100', perBuyer))).toMatchObject({
      code: 'SETTINGS_INVALID',
      message: expect.stringContaining('not saved') as unknown,
    });
    expect(() => checkOrderToCash('c1', 'SAP_B1', perBuyer)).not.toThrow();
    const longPrefix = connectionSettingsSchema.parse({
      orderToCash: { customers: 'per-buyer', customerPrefix: 'AMZBUY' },
    });
    expect(caught(() => checkOrderToCash('c1', 'SAGE300', longPrefix))).toMatchObject({
      code: 'SETTINGS_INVALID',
    });
  });
});

/** What a call throws (for matching its code and message). */
function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
