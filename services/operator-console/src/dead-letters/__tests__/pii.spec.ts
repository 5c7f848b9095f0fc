import { withoutPii } from '../pii';

describe('withoutPii', () => {
  it('when a record carries buyer fields at any depth, then they are dropped and the rest is kept', () => {
    expect(
      withoutPii({
        amazonOrderId: '111-2223334-5556667',
        piiRef: 'vault/1',
        buyerInfo: { buyerEmail: 'a@b.c' },
        items: [{ sellerSku: 'S1', shippingAddress: { name: 'Jane' } }],
      }),
    ).toEqual({ amazonOrderId: '111-2223334-5556667', items: [{ sellerSku: 'S1' }] });
  });
});
