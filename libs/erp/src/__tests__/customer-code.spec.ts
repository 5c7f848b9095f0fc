import { capabilitiesOf } from '../capabilities';
import { MIN_BUYER_KEY_CHARACTERS, buyerCustomerCode } from '../customer-code';

const KEY = 'mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpiytgnbv';

describe('buyerCustomerCode', () => {
  it('when the ERP code has room, then the code is the prefix and the upper-cased key cut to the ERP length', () => {
    expect(buyerCustomerCode('AMZ', KEY, 15)).toBe('AMZMFRGGZDFMZTW');
    expect(buyerCustomerCode('AMZ', KEY, 12)).toBe('AMZMFRGGZDFM');
    expect(buyerCustomerCode('', KEY, 8)).toBe('MFRGGZDF');
  });

  it('when the same buyer comes again, then the code is the same (it depends on the key only)', () => {
    expect(buyerCustomerCode('A-', KEY, 12)).toBe(buyerCustomerCode('A-', KEY, 12));
  });

  it(`when the ERP length leaves fewer than ${MIN_BUYER_KEY_CHARACTERS} key characters, then it refuses, saying how many are left`, () => {
    expect(caught(() => buyerCustomerCode('AMZ', KEY, 10))).toMatchObject({
      code: 'CUSTOMER_CODE_TOO_SHORT',
      message: expect.stringContaining('leave 7') as unknown,
    });
    // Sage 100's 7-character CustomerNo cannot hold a customer per buyer, whatever the prefix
    expect(
      caught(() => buyerCustomerCode('', KEY, capabilitiesOf('SAGE100')!.customerCodeMaxLength)),
    ).toMatchObject({ code: 'CUSTOMER_CODE_TOO_SHORT' });
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
