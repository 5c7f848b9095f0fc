import { documentStatusOf, sage500StatusOf } from '../status';

describe('Amazon order status → Sage 500 sales order status', () => {
  it.each([
    ['PENDING_AVAILABILITY', 'Open', 1, 'create'],
    ['PENDING', 'Open', 1, 'create'],
    ['UNSHIPPED', 'In Process', 1, 'create'],
    ['PARTIALLY_SHIPPED', 'In Process', 1, 'create'],
    ['SHIPPED', 'Closed', 4, 'close'],
    ['INVOICE_UNCONFIRMED', 'Closed', 4, 'close'],
    ['CANCELLED', 'Voided', 3, 'cancel'],
    ['UNFULFILLABLE', 'Voided', 3, 'cancel'],
    // Orders v0 and report spellings
    ['Pending', 'Open', 1, 'create'],
    ['Unshipped', 'In Process', 1, 'create'],
    ['Shipped', 'Closed', 4, 'close'],
    ['Canceled', 'Voided', 3, 'cancel'],
    ['Cancelled', 'Voided', 3, 'cancel'],
  ])('%s → %s (%s)', (amazon, label, status, action) => {
    expect(sage500StatusOf(amazon)).toEqual({ label, status, action });
  });

  it.each(['UNKNOWN', '', 'SomethingAmazonAddsLater'])(
    'an unknown status (%p) maps to nothing, never a guess',
    (s) => {
      expect(sage500StatusOf(s)).toBeNull();
    },
  );

  it('reads tsoSalesOrder.Status back as the port status', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(documentStatusOf)).toEqual([
      'OPEN',
      'OPEN',
      'OPEN',
      'CANCELLED',
      'CLOSED',
      'OPEN',
      'OPEN',
    ]);
  });
});
