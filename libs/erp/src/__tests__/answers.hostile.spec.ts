import fc from 'fast-check';
import { FetchTransport, type HttpRequest, type HttpResponse, type HttpTransport } from '@connector/core';
import { SapB1Simulator } from '@connector/sap-b1-simulator';
import { Sage300Simulator } from '@connector/sage300-simulator';
import { startSage100Simulator, type Sage100Simulator } from '@connector/sage100-simulator';
import {
  ErpAuthError,
  ErpRecordLockedError,
  ErpSessionExpiredError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
} from '../errors';
import type { ErpPort, SalesDocumentDraft } from '../port';
import { SapB1Adapter } from '../sap-b1/sap-b1.adapter';
import { Sage300Adapter } from '../sage300/sage300.adapter';
import { Sage100Adapter } from '../sage100/sage100.adapter';
import { InMemorySage100OrderNumbers } from '../sage100/order-numbers';

/**
 * What sits between the connector and an ERP can answer anything: an IIS or proxy HTML page with 200
 * or 502, an empty body, JSON or SOAP XML cut in the middle, JSON of another shape. Against each
 * simulator, one answer of a call is replaced by such a body; the adapter must succeed or throw one
 * of the port's typed errors (retriable or not), never a SyntaxError or TypeError.
 */
const RUNS = Number(process.env.FC_RUNS ?? 40);
const TYPED = [
  ErpAuthError,
  ErpRecordLockedError,
  ErpSessionExpiredError,
  ErpUnavailableError,
  ErpUnsupportedError,
  ErpValidationError,
];
const HTML =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>HTTP Error 503</h1></body></html>';

interface Hostile {
  /** which answer (after the first, the login/WSDL) is replaced */
  nth: number;
  status: number;
  body: 'html' | 'empty' | 'cut' | 'null' | 'array' | 'wrong-shape' | 'garbage';
  cutAt: number;
}

const hostileArb: fc.Arbitrary<Hostile> = fc.record({
  nth: fc.integer({ min: 1, max: 4 }),
  status: fc.constantFrom(200, 201, 400, 404, 500, 502, 503),
  body: fc.constantFrom('html', 'empty', 'cut', 'null', 'array', 'wrong-shape', 'garbage'),
  cutAt: fc.double({ min: 0, max: 0.95, noNaN: true }),
});

/** The real transport, with one answer swapped for a hostile one. */
class Swapping implements HttpTransport {
  private n = 0;
  private readonly inner = new FetchTransport(5_000);
  constructor(private readonly h: Hostile) {}
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.inner.request(req);
    if (this.n++ !== this.h.nth) return res;
    const real = res.body.toString('utf8');
    const body = {
      html: HTML,
      empty: '',
      cut: real.slice(0, Math.floor(this.h.cutAt * real.length)),
      null: 'null',
      array: '[]',
      'wrong-shape': '{"value":"not a list","error":7,"odata.nextLink":42}',
      garbage: '\u0000\uFFFD{<?xml',
    }[this.h.body];
    return { status: this.h.status, headers: res.headers, body: Buffer.from(body, 'utf8') };
  }
}

/** 'ok', or what was wrong with the outcome */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (TYPED.some((c) => err instanceof c)) {
      const e = err as { code: string; retriable: unknown };
      return /^ERP_[A-Z_]+$/.test(e.code) && typeof e.retriable === 'boolean' ? 'ok' : `bad code ${e.code}`;
    }
    return `untyped ${err instanceof Error ? `${err.name}: ${err.message}` : typeof err}`;
  }
}

const draft = (naturalKey: string, itemCode: string, customerCode = 'AMZ-US'): SalesDocumentDraft => ({
  naturalKey,
  customerCode,
  currency: 'USD',
  documentDate: '2026-10-02',
  lines: [{ itemCode, quantity: 1, unitPrice: '19.99' }],
  charges: [],
});

type Op = (erp: ErpPort, i: number) => Promise<unknown>;
const OPS = (item: string): Record<string, Op> => ({
  ping: (erp) => erp.ping(),
  findByNaturalKey: (erp, i) =>
    erp.findByNaturalKey('SALES_ORDER', `111-0000000-${String(i).padStart(7, '0')}`),
  createSalesOrder: (erp, i) =>
    erp.createSalesOrder(draft(`112-0000000-${String(i).padStart(7, '0')}`, item)),
  erpClock: (erp) => erp.erpClock(),
  readItemChanges: (erp) =>
    erp.readItemChanges({ after: null, until: '2026-10-03T00:00:00.000Z', pageSize: 5 }),
  readShipments: (erp) => erp.readShipments({ after: null, until: '2026-10-03T00:00:00.000Z', pageSize: 5 }),
});

describe('ERP answers on hostile input (property-based, against the simulators)', () => {
  const now = Date.UTC(2026, 9, 2, 12);
  let i = 0;

  describe('SAP Business One Service Layer', () => {
    let sim: SapB1Simulator;
    beforeAll(async () => {
      sim = new SapB1Simulator({
        now: () => now,
        users: { manager: 'secret' },
        items: [{ ItemCode: 'ITEM-01' }],
        customers: ['AMZ-US'],
        accounts: ['1000'],
      });
      await sim.start();
    });
    afterAll(() => sim.close());

    it('when one answer is an HTML page, empty, cut JSON or JSON of another shape, then the adapter succeeds or throws a typed ERP error', async () => {
      await fc.assert(
        fc.asyncProperty(hostileArb, fc.constantFrom(...Object.keys(OPS('ITEM-01'))), async (h, op) => {
          const erp = new SapB1Adapter({
            baseUrl: sim.url,
            companyDb: 'SBODEMOUS',
            user: 'manager',
            password: 'secret',
            http: new Swapping(h),
          });
          try {
            expect(await outcome(OPS('ITEM-01')[op](erp, i++))).toBe('ok');
          } finally {
            await erp.close().catch(() => undefined);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('Sage 300 Web API', () => {
    let sim: Sage300Simulator;
    beforeAll(async () => {
      sim = new Sage300Simulator({
        now: () => now,
        items: [{ itemNumber: 'ITEM-1', price: '1.50' }],
        customers: ['AMZ-US'],
        accounts: ['1010-00'],
        bankCodes: ['1010'],
        pageSize: 3,
      });
      await sim.start();
    });
    afterAll(() => sim.close());

    it('when one answer is an HTML page, empty, cut JSON or JSON of another shape, then the adapter succeeds or throws a typed ERP error', async () => {
      await fc.assert(
        fc.asyncProperty(hostileArb, fc.constantFrom(...Object.keys(OPS('ITEM-1'))), async (h, op) => {
          const erp = new Sage300Adapter({
            baseUrl: sim.apiUrl,
            company: 'samltd',
            user: 'webapi',
            password: 'webapi',
            http: new Swapping({ ...h, nth: h.nth - 1 }),
          });
          try {
            expect(await outcome(OPS('ITEM-1')[op](erp, i++))).toBe('ok');
          } finally {
            await erp.close().catch(() => undefined);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('Sage 100 eBusiness Web Services (SOAP)', () => {
    let sim: Sage100Simulator;
    beforeAll(async () => {
      sim = await startSage100Simulator({ items: ['ITEM-1'], now: () => now });
    });
    afterAll(() => sim.close());

    it('when one answer is cut XML, an HTML page or empty, then the adapter succeeds or throws a typed ERP error', async () => {
      await fc.assert(
        fc.asyncProperty(
          hostileArb,
          fc.constantFrom('ping', 'findByNaturalKey', 'createSalesOrder'),
          async (h, op) => {
            const erp = new Sage100Adapter({
              serviceUrl: sim.serviceUrl,
              company: 'ABC',
              user: 'WEBUSER',
              password: 'SECRET',
              http: new Swapping(h),
              orderNumbers: new InMemorySage100OrderNumbers(),
              sleep: () => Promise.resolve(),
            });
            try {
              expect(await outcome(OPS('ITEM-1')[op](erp, i++))).toBe('ok');
            } finally {
              await erp.close().catch(() => undefined);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});
