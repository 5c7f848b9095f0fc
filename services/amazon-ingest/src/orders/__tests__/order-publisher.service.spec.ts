import { FakeEventPublisher } from '@connector/kafka';
import { demoOrders } from '../demo-orders';
import { OrderPublisherService, ORDERS_TOPIC } from '../order-publisher.service';

describe('OrderPublisherService', () => {
  it('when orders are published, then each is keyed by connection and Amazon order id on amazon.orders.v1', async () => {
    const publisher = new FakeEventPublisher();
    const orders = demoOrders('c7', 3);
    await new OrderPublisherService(publisher).publish(orders);
    expect(publisher.on(ORDERS_TOPIC).map((r) => r.key)).toEqual(orders.map((o) => `c7/${o.amazonOrderId}`));
  });

  it('when demo orders are generated twice, then they are identical, with exact totals equal to price × quantity', () => {
    const a = demoOrders('c7', 50);
    expect(demoOrders('c7', 50)).toEqual(a);
    expect(new Set(a.map((o) => o.amazonOrderId)).size).toBe(50);
    for (const o of a) {
      const [item] = o.items;
      const cents = Math.round(Number(item.itemPrice!.amount) * 100) * item.quantityOrdered;
      expect(o.orderTotal!.amount).toBe((cents / 100).toFixed(2));
      expect(o.orderTotal!.amount).toMatch(/^\d+\.\d{2}$/);
    }
  });
});
