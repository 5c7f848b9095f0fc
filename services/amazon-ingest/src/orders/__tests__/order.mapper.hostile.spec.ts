import avro from 'avsc';
import fc from 'fast-check';
import { AmazonOrderSchema } from '@connector/events';
import { avroTypeOptions } from '@connector/kafka';
import type { Order } from '@connector/sp-api';
import { generateOrders, renderOrder2026 } from '@connector/sp-api-simulator';
import { AmazonOrderShapeError, mapApiOrder } from '../order.mapper';

/**
 * Hostile Orders API 2026-01-01 answers: orders as the simulator renders them, then a field deleted,
 * given the wrong type, an enum value Amazon has not published, or a number at the edge of what a
 * double or decimal(18,4) holds. mapApiOrder must give an event that Avro encodes, or its typed error;
 * a TypeError, a NaN date or an amount rounded on the way is a bug.
 */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const orderType = avro.Type.forSchema(AmazonOrderSchema as unknown as avro.Schema, avroTypeOptions());
const BASE = generateOrders({ seed: 7, startMs: Date.UTC(2026, 9, 1), days: 1, ordersPerDay: 15 })
  .slice(0, 40)
  .map((o) => renderOrder2026(o, ['PROCEEDS', 'FULFILLMENT']));
const ctx = { connectionId: 'c1', sellerId: 'S1', observedAt: Date.UTC(2026, 9, 2) };

type Json = unknown;
type Path = (string | number)[];

function paths(v: Json, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

function edit(
  root: Json,
  path: Path,
  f: (parent: Record<string | number, Json>, key: string | number) => void,
) {
  if (path.length === 0) return;
  let cur = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  f(cur, path[path.length - 1]);
}

const wrongValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(
    '',
    'NOT_A_KNOWN_VALUE',
    'Shipped',
    '<html>',
    '12,50',
    '1e400',
    'NaN',
    '2026-02-31T00:00:00Z',
  ),
  fc.constantFrom(0, -1, 0.1, 1.5, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, -0),
  fc.constantFrom(
    '0.00001',
    '99999999999999.9999',
    '100000000000000',
    '-99999999999999.9999',
    '9007199254740993',
    '0.1',
  ),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 20 }),
);

const mutation = fc.record({
  order: fc.nat({ max: BASE.length - 1 }),
  edits: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      how: fc.constantFrom('delete', 'set'),
      value: wrongValue,
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

function mutate(m: { order: number; edits: { at: number; how: string; value: unknown }[] }) {
  const order = structuredClone(BASE[m.order]) as Json;
  for (const e of m.edits) {
    const all = paths(order).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const path = all[Math.floor(e.at * all.length)];
    edit(order, path, (parent, key) => {
      if (e.how === 'delete') delete parent[key];
      else parent[key] = e.value;
    });
  }
  return order as Order;
}

/** 'encodable', the typed error's code, or what went wrong */
function outcome(order: Order): string {
  let mapped;
  try {
    mapped = mapApiOrder(order, ctx);
  } catch (err) {
    return err instanceof AmazonOrderShapeError && !err.retriable ? err.code : `untyped ${String(err)}`;
  }
  if (!Number.isFinite(mapped.order.lastUpdateDate) || !Number.isFinite(mapped.order.purchaseDate))
    return 'NaN date';
  try {
    // what Avro refuses here would fail the publish of the whole batch
    orderType.toBuffer(mapped.order);
  } catch (err) {
    return `not encodable: ${String(err)}`;
  }
  return 'encodable';
}

describe('Orders API answers on hostile input (property-based)', () => {
  it('when the simulator answers as Amazon documents, then every order maps to an event Avro accepts', () => {
    for (const o of BASE) expect(() => orderType.toBuffer(mapApiOrder(o as Order, ctx).order)).not.toThrow();
  });

  it('when fields are missing, of the wrong type, unknown enum values or numbers at precision edges, then the mapper gives an encodable event or AmazonOrderShapeError', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const order = mutate(m);
        expect(outcome(order)).toMatch(/^(encodable|SPAPI_ORDER_MALFORMED)$/);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('when an amount arrives as a string beyond a double, then it is kept to the last digit, never rounded', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }),
        fc.nat({ max: BASE.length - 1 }),
        (unscaled, i) => {
          const o = structuredClone(BASE[i]) as { proceeds?: { grandTotal?: { amount: unknown } } };
          const total = o.proceeds?.grandTotal;
          fc.pre(total !== undefined);
          const neg = unscaled < 0n;
          const digits = (neg ? -unscaled : unscaled).toString().padStart(5, '0');
          const amount = `${neg ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
          if (total) total.amount = amount;
          const mapped = mapApiOrder(o as unknown as Order, ctx);
          const back = orderType.fromBuffer(orderType.toBuffer(mapped.order)) as {
            orderTotal: { amount: string };
          };
          expect(BigInt(back.orderTotal.amount.replace('.', ''))).toBe(unscaled);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('when Amazon adds a fulfillment status or channel it has not published, then the event says UNKNOWN and the issue is reported', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.nat({ max: BASE.length - 1 }),
        (value, i) => {
          const o = structuredClone(BASE[i]) as { fulfillment: Record<string, unknown> };
          fc.pre(
            ![
              'PENDING_AVAILABILITY',
              'PENDING',
              'UNSHIPPED',
              'PARTIALLY_SHIPPED',
              'SHIPPED',
              'CANCELLED',
              'UNFULFILLABLE',
              'INVOICE_UNCONFIRMED',
              'AMAZON',
              'MERCHANT',
            ].includes(value),
          );
          o.fulfillment.fulfillmentStatus = value;
          o.fulfillment.fulfilledBy = value;
          const { order, issues } = mapApiOrder(o as unknown as Order, ctx);
          expect(order.orderStatus).toBe('UNKNOWN');
          expect(order.fulfillmentChannel).toBe('UNKNOWN');
          expect(issues.map((x) => x.field).sort()).toEqual(['fulfilledBy', 'fulfillmentStatus']);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
