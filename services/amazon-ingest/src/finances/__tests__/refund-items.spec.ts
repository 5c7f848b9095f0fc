import avro from 'avsc';
import { stringify } from 'lossless-json';
import { FinancialEventSchema } from '@connector/events';
import { avroTypeOptions } from '@connector/kafka';
import { decimal } from '@connector/money';
import { parseExactJson, type FinancialEvents } from '@connector/sp-api';
import { generateOrders, renderShipmentEvents } from '@connector/sp-api-simulator';
import { mapFinancialEvents } from '../financial-event.mapper';

const eventType = avro.Type.forSchema(FinancialEventSchema as unknown as avro.Schema, avroTypeOptions());

describe('RefundEvent items', () => {
  const orders = generateOrders({ seed: 5, startMs: Date.UTC(2026, 9, 1), days: 1, ordersPerDay: 10 })
    .filter((o) => o.items.some((i) => i.taxCents > 0))
    .slice(0, 2)
    .map((o) => ({ ...o, refunded: true }));
  const page = parseExactJson<FinancialEvents>(
    stringify({ RefundEventList: renderShipmentEvents(orders, 'Amazon.com').refunds })!,
  );
  const events = mapFinancialEvents(page, {
    connectionId: 'c1',
    groupId: 'g1',
    observedAt: 1,
    seen: new Map(),
  });

  it('when the simulator refunds orders, then each refund event keeps per item its SKU, adjustment id, units and components, and Avro encodes it', () => {
    expect(events).toHaveLength(2);
    events.forEach((ev, k) => {
      const o = orders[k];
      expect(ev.eventType).toBe('RefundEvent');
      expect(ev.items).toHaveLength(o.items.length);
      ev.items!.forEach((item, i) => {
        expect(item).toMatchObject({
          sellerSku: o.items[i].sku,
          orderItemId: o.items[i].orderItemId,
          quantity: o.items[i].quantity,
        });
        expect(item.orderAdjustmentItemId).toMatch(/^R/);
        const principal = item.components!.find((c) => c.componentType === 'Principal')!;
        // cents as integers: the amount is exact
        expect(decimal(principal.amount.amount).times(100).toFixed()).toBe(
          String(-o.items[i].unitCents * o.items[i].quantity),
        );
      });
      // the event's components are its items' components: nothing counted twice or lost
      expect(ev.items!.flatMap((i) => i.components).length).toBe(ev.components.length);
      expect(eventType.isValid(ev)).toBe(true);
    });
  });

  it('when a refund gives tax back, then the withheld marketplace-facilitator tax comes back with it, so the total is unchanged', () => {
    const taxed = events[0].items!.find((i) => i.components!.some((c) => c.componentType === 'Tax'))!;
    const tax = taxed.components!.find((c) => c.componentType === 'Tax')!;
    const withheld = taxed.components!.find((c) => c.kind === 'TAX_WITHHELD')!;
    expect(decimal(tax.amount.amount).isNegative()).toBe(true);
    expect(decimal(tax.amount.amount).plus(withheld.amount.amount).isZero()).toBe(true);
  });

  it('when an item list has a hole, then the event is rejected, not encoded with a missing item', () => {
    const items: unknown[] = [];
    items[1] = { SellerSKU: 'A', QuantityShipped: 1 };
    const page = {
      RefundEventList: [
        { AmazonOrderId: '1', PostedDate: '2026-10-01T00:00:00Z', ShipmentItemAdjustmentList: items },
      ],
    };
    expect(() =>
      mapFinancialEvents(page as unknown as FinancialEvents, {
        connectionId: 'c1',
        groupId: 'g1',
        observedAt: 1,
        seen: new Map(),
      }),
    ).toThrow(/item 0 is not an object/);
  });

  it('when QuantityShipped is not a count, then the event is rejected naming it', () => {
    const bad = parseExactJson<FinancialEvents>(
      stringify({
        RefundEventList: [
          {
            AmazonOrderId: '1',
            PostedDate: '2026-10-01T00:00:00Z',
            ShipmentItemAdjustmentList: [{ SellerSKU: 'A', QuantityShipped: 'two' }],
          },
        ],
      })!,
    );
    expect(() =>
      mapFinancialEvents(bad, { connectionId: 'c1', groupId: 'g1', observedAt: 1, seen: new Map() }),
    ).toThrow(/QuantityShipped/);
  });
});
