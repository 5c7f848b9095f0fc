import { SIM_SELLERS, type SimOrder } from '../dataset';
import { ALREADY_FULFILLED_MESSAGE, confirmedShipments } from '../routes/orders-v0';
import { SpApiSimulator } from '../server';
import { accessToken } from './token';

/**
 * confirmShipment as the shipment publisher (inventory-publisher, issue 11) uses it: packages of an
 * order confirmed one by one, each kept so tests can count them, and a package Amazon already has
 * refused the way Amazon refuses it (FACTS §3.5; ALREADY_FULFILLED_MESSAGE names the source).
 */
const NA = SIM_SELLERS[0];
let sim: SpApiSimulator;
let token: string;

beforeAll(async () => {
  sim = new SpApiSimulator({
    days: 28,
    ordersPerDay: 20,
    speedFactor: 1000,
    now: () => Date.UTC(2026, 10, 24),
  });
  await sim.start();
  token = await accessToken(sim.url, NA);
});
afterAll(() => sim.close());

const open = (n: number, minUnits = 1): SimOrder =>
  sim.orders.filter(
    (o) =>
      o.sellerId === NA.sellerId &&
      o.status === 'UNSHIPPED' &&
      o.fulfilledBy === 'MERCHANT' &&
      o.items.reduce((u, it) => u + it.quantity, 0) >= minUnits,
  )[n];

async function confirm(o: SimOrder, packageReferenceId: string, items: Array<[string, number]>) {
  const res = await fetch(`${sim.url}/orders/v0/orders/${o.orderId}/shipmentConfirmation`, {
    method: 'POST',
    headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({
      marketplaceId: o.marketplaceId,
      packageDetail: {
        packageReferenceId,
        carrierCode: 'Other',
        carrierName: 'Hauler',
        shippingMethod: 'Ground',
        trackingNumber: `T${packageReferenceId}`,
        shipDate: '2026-11-23T10:00:00Z',
        orderItems: items.map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
      },
    }),
  });
  const text = await res.text();
  return {
    status: res.status,
    errors: text ? (JSON.parse(text) as { errors: Array<{ code: string; message: string }> }).errors : [],
  };
}

async function order2026(o: SimOrder) {
  const res = await fetch(`${sim.url}/orders/2026-01-01/orders/${o.orderId}`, {
    headers: { 'x-amz-access-token': token },
  });
  return (
    (await res.json()) as {
      order: {
        fulfillment: { fulfillmentStatus: string };
        orderItems: Array<{ orderItemId: string; fulfillment: { quantityFulfilled: number } }>;
      };
    }
  ).order;
}

describe('confirmShipment keeps the packages of an order', () => {
  it('when two packages each ship part of an order, then both are kept and the order goes partially shipped, then shipped', async () => {
    const o = open(0, 2);
    // split the units over two packages: the first unit alone, the rest in the second
    const units = o.items.flatMap((it) => Array.from({ length: it.quantity }, () => it.orderItemId));
    const count = (ids: string[]) =>
      [...new Set(ids)].map((id): [string, number] => [id, ids.filter((x) => x === id).length]);
    expect(await confirm(o, '1', count(units.slice(0, 1)))).toEqual({ status: 204, errors: [] });
    expect((await order2026(o)).fulfillment.fulfillmentStatus).toBe('PARTIALLY_SHIPPED');
    expect(await confirm(o, '2', count(units.slice(1)))).toEqual({ status: 204, errors: [] });
    const after = await order2026(o);
    expect(after.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(after.orderItems.map((it) => it.fulfillment.quantityFulfilled)).toEqual(
      o.items.map((it) => it.quantity),
    );
    expect(confirmedShipments(o).map((p) => [p.packageReferenceId, p.carrierName, p.orderItems])).toEqual([
      ['1', 'Hauler', count(units.slice(0, 1)).map(([orderItemId, quantity]) => ({ orderItemId, quantity }))],
      ['2', 'Hauler', count(units.slice(1)).map(([orderItemId, quantity]) => ({ orderItemId, quantity }))],
    ]);
  });

  it('when a package already on a partially shipped order is confirmed again, then Amazon refuses it and keeps one', async () => {
    const o = open(1, 2);
    const first = o.items[0];
    expect((await confirm(o, '7', [[first.orderItemId, 1]])).status).toBe(204);
    const again = await confirm(o, '7', [[first.orderItemId, 1]]);
    expect(again).toEqual({
      status: 400,
      errors: [expect.objectContaining({ code: 'InvalidInput', message: ALREADY_FULFILLED_MESSAGE })],
    });
    expect(confirmedShipments(o)).toHaveLength(1);
    expect((await order2026(o)).orderItems[0].fulfillment.quantityFulfilled).toBe(1);
  });

  it('when a package is confirmed for an order already shipped in full, then Amazon answers that it is already fulfilled', async () => {
    const o = open(2);
    const all = o.items.map((it): [string, number] => [it.orderItemId, it.quantity]);
    expect((await confirm(o, '1', all)).status).toBe(204);
    expect(await confirm(o, '2', all)).toEqual({
      status: 400,
      errors: [expect.objectContaining({ code: 'InvalidInput', message: ALREADY_FULFILLED_MESSAGE })],
    });
    expect(confirmedShipments(o)).toHaveLength(1);
  });

  it('when Carrier Other comes without a carrierName, or more units than are left to ship, then nothing is kept', async () => {
    const o = open(3);
    const it = o.items[0];
    const res = await fetch(`${sim.url}/orders/v0/orders/${o.orderId}/shipmentConfirmation`, {
      method: 'POST',
      headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        marketplaceId: o.marketplaceId,
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'Other',
          trackingNumber: 'T1',
          shipDate: '2026-11-23T10:00:00Z',
          orderItems: [{ orderItemId: it.orderItemId, quantity: 1 }],
        },
      }),
    });
    expect(res.status).toBe(400);
    expect((await confirm(o, '2', [[it.orderItemId, it.quantity + 1]])).status).toBe(400);
    expect(confirmedShipments(o)).toEqual([]);
  });
});
