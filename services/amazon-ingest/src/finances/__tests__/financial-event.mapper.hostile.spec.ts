import avro from 'avsc';
import fc from 'fast-check';
import { stringify } from 'lossless-json';
import { FinancialEventSchema } from '@connector/events';
import { avroTypeOptions } from '@connector/kafka';
import { parseExactJson, type FinancialEvents } from '@connector/sp-api';
import { generateOrders, renderShipmentEvents } from '@connector/sp-api-simulator';
import { FinancialEventShapeError, mapFinancialEvents } from '../financial-event.mapper';

/**
 * Hostile Finances v0 pages: the simulator's shipment events as the client parses them (amounts
 * exact), then a field deleted or given the wrong type, an amount at a precision edge. Each event
 * becomes a FinancialEvent Avro encodes, or is rejected with FinancialEventShapeError while the
 * other events of the page are still mapped.
 */
const RUNS = Number(process.env.FC_RUNS ?? 150);
const eventType = avro.Type.forSchema(FinancialEventSchema as unknown as avro.Schema, avroTypeOptions());
const orders = generateOrders({ seed: 3, startMs: Date.UTC(2026, 9, 1), days: 1, ordersPerDay: 6 }).slice(
  0,
  6,
);
const PAGE = parseExactJson<FinancialEvents>(
  stringify({ ShipmentEventList: renderShipmentEvents(orders, 'Amazon.com').shipments })!,
);
const ctx = () => ({ connectionId: 'c1', groupId: 'g1', observedAt: 1, seen: new Map<string, number>() });

type Path = (string | number)[];
function paths(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

const wrong = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    0.5,
    2 ** 53,
    -1,
    '',
    'x',
    '1e400',
    '12,50',
    '0.00001',
    '100000000000000',
  ),
  fc.constantFrom('2026-02-31T00:00:00Z', 'not a date', [], {}, [1, 2]),
);

/** 'ok', or what is wrong with mapping this page */
function verdict(page: unknown): string {
  const rejected: FinancialEventShapeError[] = [];
  let events;
  try {
    events = mapFinancialEvents(page as FinancialEvents, { ...ctx(), onRejected: (e) => rejected.push(e) });
  } catch (err) {
    return `threw ${err instanceof Error ? `${err.name}: ${err.message}` : typeof err}`;
  }
  for (const e of events) {
    try {
      eventType.toBuffer(e);
    } catch (err) {
      return `not encodable: ${(err as Error).message}`;
    }
  }
  if (rejected.some((r) => r.retriable || r.code !== 'SPAPI_FINANCIAL_EVENT_MALFORMED'))
    return 'bad rejection';
  return 'ok';
}

describe('Finances answers on hostile input (property-based)', () => {
  it('when the page is as the simulator renders it, then every event maps and encodes', () => {
    const events = mapFinancialEvents(PAGE, ctx());
    expect(events).toHaveLength(orders.length);
    for (const e of events) expect(() => eventType.toBuffer(e)).not.toThrow();
  });

  it('when fields are deleted or of the wrong type, then each event maps to an encodable event or is rejected, never a crash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.boolean(), wrong), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const page = structuredClone(PAGE) as unknown as Record<string, unknown>;
          for (const [at, del, value] of edits) {
            const all = paths(page).filter((p) => p.length > 1);
            const path = all[Math.floor(at * all.length)];
            let parent = page as Record<string | number, unknown>;
            for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
            if (del) delete parent[path[path.length - 1]];
            else parent[path[path.length - 1]] = value;
          }
          expect(verdict(page)).toBe('ok');
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('when one event of a page is malformed, then the others are still mapped', () => {
    const page = structuredClone(PAGE) as unknown as { ShipmentEventList: Array<Record<string, unknown>> };
    page.ShipmentEventList[2].PostedDate = 'yesterday';
    const rejected: FinancialEventShapeError[] = [];
    const events = mapFinancialEvents(page, {
      ...ctx(),
      onRejected: (e) => rejected.push(e),
    });
    expect(events).toHaveLength(orders.length - 1);
    expect(rejected.map((r) => r.message)).toEqual(['ShipmentEvent: PostedDate is not a date']);
    expect(() => mapFinancialEvents(page as unknown as FinancialEvents, ctx())).toThrow(
      FinancialEventShapeError,
    );
  });
});
