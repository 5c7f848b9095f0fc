import { shipToOf } from '../pii/buyer-pii.vault';

describe('shipToOf: the delivery address of an order in the buyer PII vault', () => {
  const vault = (pii: Record<string, unknown> | null) => ({ read: () => Promise.resolve(pii) });

  it('when the vault holds a recipient, then its address travels on without phone or e-mail', async () => {
    const pii = {
      buyer: { buyerName: 'Jane Doe', buyerEmail: 'x@marketplace.amazon.com' },
      recipient: {
        deliveryAddress: {
          name: 'Jane Doe',
          addressLine1: '410 Terry Ave N',
          addressLine2: '',
          city: 'Seattle',
          stateOrRegion: 'WA',
          postalCode: '98109',
          countryCode: 'US',
          phone: '+1 206 555 0100',
        },
      },
    };
    expect(await shipToOf(vault(pii), 'c1', 'o1')).toEqual({
      name: 'Jane Doe',
      addressLine1: '410 Terry Ave N',
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98109',
      countryCode: 'US',
    });
  });

  it('when nothing was kept, or it was purged, or there is no address, then there is no ship-to', async () => {
    expect(await shipToOf(vault(null), 'c1', 'o1')).toBeNull();
    expect(await shipToOf(vault({ buyer: { buyerName: 'J' } }), 'c1', 'o1')).toBeNull();
    expect(await shipToOf(vault({ recipient: { deliveryAddress: { phone: '1' } } }), 'c1', 'o1')).toBeNull();
  });
});
