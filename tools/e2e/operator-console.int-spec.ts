import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { loadConfig } from '@connector/config';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { sapB1UnderTest } from '@connector/erp/testing';
import { recordKey, type SettlementReportEvent, type SettlementReportEventTypes } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  startSpApiSimulator,
  type SpApiSimulator,
} from '@connector/sp-api-simulator';
import * as operatorConsole from '@connector/operator-console';
import * as writer from '@connector/sage-writer';
import * as reconciler from '@connector/settlement-reconciler';
import { demoOrders, infraEnv, uniqueName, waitFor } from '@connector/testing';

type Line = SettlementReportEventTypes.ConnectorAmazon.SettlementLine;

// the page's globals, used inside page.evaluate callbacks (this project compiles without the DOM library)
interface PageElement {
  textContent: string | null;
  click(): void;
}
declare const document: {
  body: { innerText: string };
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const location: { hash: string };

const KEY = Buffer.alloc(32, 9).toString('base64');
const CONN = 'console-e2e';
const US = 'ATVPDKIKX0DER';
const SETTLEMENT = '9000000001';
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer passphrase' };
const SHOTS = path.join(__dirname, '..', '..', 'tmp', 'console-screenshots');
const UNKNOWN_FEE = 'Monatliche Grundgebühr';

/**
 * The operator console in Debian's chromium (puppeteer-core) against real Kafka, the registry and
 * PostgreSQL, with settlement-reconciler and sage-writer (SAP B1 simulator) running beside it: an
 * accountant maps a settlement's unknown fee and sees it tie out, an operator maps a SKU and
 * redrives the orders it stopped, an order is traced to its ERP documents, and a viewer is refused.
 */
describe('operator console in a browser', () => {
  const prefix = `${uniqueName('console')}.`;
  const erp = sapB1UnderTest();
  let tdb: TestDatabase;
  let amazon: SpApiSimulator;
  let browser: Browser;
  let base: string;
  const apps: INestApplication[] = [];

  const env = (service: string) => ({
    HTTP_PORT: '0',
    KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
    SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
    DATABASE_URL: tdb.url,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}${service}`,
    CREDENTIALS_KEY: KEY,
    CONSUMER_MAX_ATTEMPTS: '2',
    CONSUMER_RETRY_BASE_MS: '10',
    CONSUMER_RETRY_MAX_MS: '50',
    CONSOLE_COOKIE_SECURE: 'false',
    CONSOLE_ADMIN_EMAIL: ADMIN.email,
    CONSOLE_ADMIN_PASSWORD: ADMIN.password,
    CONSOLE_PING: 'true',
    SPAPI_ENDPOINT: amazon.url,
    LWA_TOKEN_URL: `${amazon.url}/auth/o2/token`,
  });
  const start = async (module: Parameters<typeof startService>[0]) => {
    const app = await startService(module, { logger: false, port: 0, host: '127.0.0.1' });
    apps.push(app);
    return app;
  };
  const publisher = () => apps[0].get<EventPublisher>(EVENT_PUBLISHER);

  async function newPage(): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    return page;
  }
  async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-testid="sign-in"]');
    expect(page.url()).toBe(`${base}/sign-in`); // no session: sent to the sign-in page
    await page.type('input[name="email"]', who.email);
    await page.type('input[name="password"]', who.password);
    await page.click('[data-testid="sign-in"] button[type="submit"]');
    await page.waitForSelector('[data-testid="who"]');
  }
  const text = (page: Page, t: string, timeout = 30_000) =>
    page.waitForFunction((s: string) => document.body.innerText.includes(s), { timeout }, t);
  /** clicks the Tabulator row of table `testId` that shows `t` */
  async function clickRow(page: Page, testId: string, t: string): Promise<void> {
    const find = (id: string, s: string) =>
      [...document.querySelectorAll(`[data-testid="${id}"] .tabulator-row`)].find((r) =>
        (r.textContent ?? '').includes(s),
      );
    await page.waitForFunction(find, { timeout: 30_000 }, testId, t);
    await page.evaluate(
      (id: string, s: string) => {
        const row = [...document.querySelectorAll(`[data-testid="${id}"] .tabulator-row`)].find((r) =>
          (r.textContent ?? '').includes(s),
        );
        row!.click();
      },
      testId,
      t,
    );
  }
  const go = async (page: Page, hash: string) => {
    await page.evaluate((h: string) => (location.hash = h), hash);
    await new Promise((r) => setTimeout(r, 300));
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const chromium = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-chromium.sh')], {
      encoding: 'utf8',
    }).trim();
    mkdirSync(SHOTS, { recursive: true });
    tdb = await createTestDatabase();
    await erp.start();
    amazon = await startSpApiSimulator({ days: 1, ordersPerDay: 1 });
    const log = { logger: silentLogger() };
    const consoleApp = await start(
      operatorConsole.appModule(loadConfig(operatorConsole.configSchema, env('operator-console')), log),
    );
    base = `http://127.0.0.1:${(consoleApp.getHttpServer() as { address(): AddressInfo }).address().port}`;
    await start(reconciler.appModule(loadConfig(reconciler.configSchema, env('settlement-reconciler')), log));
    await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
      {
        id: CONN,
        name: 'Console test seller',
        sellerId: SIM_SELLERS[0].sellerId,
        region: 'na',
        marketplaceIds: [US],
        erpKind: erp.kind,
        erpCompany: 'co',
        enabled: true,
      },
      {
        amazon: {
          lwaClientId: SIM_LWA_CLIENT.clientId,
          lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
          refreshToken: SIM_SELLERS[0].refreshToken,
        },
        erp: erp.credentials(),
      },
    );
    // SKU-0 and SKU-1 are mapped, SKU-2 is not (its orders go to the DLQ)
    await publishMappings(
      publisher(),
      mappingRecords(
        {
          connectionId: CONN,
          skus: [
            { sellerSku: 'SKU-0', itemCode: erp.items[0] },
            { sellerSku: 'SKU-1', itemCode: erp.items[1] },
          ],
          customers: [{ marketplaceId: US, customerCode: erp.customer, currency: 'USD' }],
        },
        Date.now(),
      ),
    );
    await publishSettlement(publisher());
    await waitFor(
      async () => (await tdb.db('reconciliation_results').where({ settlement_id: SETTLEMENT })).length === 1,
      { what: 'the settlement booked', timeoutMs: 60_000 },
    );
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const app of apps.reverse()) await app.close();
    await erp.stop();
    await amazon?.close();
    await tdb?.drop();
  });

  it('when a viewer tries to map a fee, then the page does not let them and the API refuses them', async () => {
    const admin = await apiSession(ADMIN);
    const created = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      body: JSON.stringify({ ...VIEWER, role: 'viewer' }),
    });
    expect(created.status).toBe(201);

    const page = await newPage();
    await signIn(page, VIEWER);
    await go(page, '#/unmapped');
    await clickRow(page, 'unmapped', UNKNOWN_FEE);
    await page.waitForSelector('[data-testid="map-form"]');
    expect(
      await page.$eval(
        '[data-testid="map-form"] button[type="submit"]',
        (b) => (b as unknown as { disabled: boolean }).disabled,
      ),
    ).toBe(true);
    await shot(page, 'unmapped-as-viewer');
    // the same change straight at the API, with the viewer's own session and CSRF token
    const status = await page.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/mappings/gl-accounts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({
          connectionId: 'console-e2e',
          transactionType: 'other-transaction',
          amountType: 'other-transaction',
          amountDescription: 'Monatliche Grundgebühr',
          account: '6120',
          category: 'FEE',
        }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    await page.browserContext().close();
  });

  it('when an accountant maps the unknown fee of an untied settlement, then it is booked again and ties out', async () => {
    const page = await newPage();
    await signIn(page, ADMIN);
    await go(page, '#/settlements');
    await clickRow(page, 'settlements', SETTLEMENT);
    await text(page, 'Unmapped lines');
    await page.waitForSelector('[data-testid="journal-lines"] .tabulator-row.suspense');
    await page.waitForSelector('[data-testid="fees-chart"]');
    await shot(page, 'settlements-untied');

    await go(page, '#/unmapped');
    await clickRow(page, 'unmapped', UNKNOWN_FEE);
    await page.type('[data-testid="map-form"] input[name="account"]', '6120');
    await page.select('[data-testid="map-form"] select[name="category"]', 'FEE');
    await shot(page, 'unmapped');
    await page.click('[data-testid="map-form"] button[type="submit"]');
    await text(page, `Re-run: ${SETTLEMENT}`);

    await go(page, '#/settlements');
    await waitFor(
      async () => {
        await page.click('.toolbar button');
        await new Promise((r) => setTimeout(r, 500));
        return page.evaluate(
          (sid: string) =>
            [...document.querySelectorAll('[data-testid="settlements"] .tabulator-row')].some(
              (r) => (r.textContent ?? '').includes(sid) && (r.textContent ?? '').includes('Tied out'),
            ),
          SETTLEMENT,
        );
      },
      { what: 'the settlement tied out on the page', timeoutMs: 30_000 },
    );
    await clickRow(page, 'settlements', SETTLEMENT);
    await page.waitForSelector('[data-testid="settlement-detail"]');
    await text(page, 'Tied out');
    expect(await page.$$('[data-testid="journal-lines"] .tabulator-row.suspense')).toHaveLength(0);
    await shot(page, 'settlements-tied-out');
    await go(page, '#/users');
    await clickRow(page, 'users', VIEWER.email);
    await shot(page, 'users');
    const audit = await tdb.db('audit_trail').where({ service: 'operator-console' }).orderBy('id');
    expect(audit.map((a: { outcome: string }) => a.outcome)).toEqual(
      expect.arrayContaining(['add-user', 'map-gl-account', 'rerun-settlement']),
    );
    expect(JSON.stringify(audit)).toContain(ADMIN.email);
    await page.browserContext().close();
  });

  it('when an order stopped on an unmapped SKU is fixed and redriven from the page, then it reaches the ERP, its trace shows the ERP documents, and the connection pings Amazon', async () => {
    await start(
      writer.appModule(loadConfig(writer.configSchema, env('sage-writer')), { logger: silentLogger() }),
    );
    const orders = demoOrders(CONN, 3); // SKU-0, SKU-1, SKU-2
    await publisher().publish(
      'amazon.orders.v1',
      orders.map((o) => ({ key: recordKey(o.connectionId, o.amazonOrderId), value: o })),
    );
    const stuck = orders[2];
    const documentOf = (orderId: string) =>
      tdb
        .db('idempotency_ledger')
        .where({ natural_key: orderId })
        .whereNotNull('erp_document_number')
        .first<{ erp_document_number: string } | undefined>();
    await waitFor(() => documentOf(orders[0].amazonOrderId), {
      what: 'the mapped orders written',
      timeoutMs: 60_000,
    });

    const page = await newPage();
    await signIn(page, ADMIN);
    await go(page, '#/dead-letters');
    await waitFor(
      async () => {
        await page.click('.toolbar button');
        await new Promise((r) => setTimeout(r, 1000));
        return (await page.$('[data-testid="dlq-group-UNMAPPED_SKU"]')) !== null;
      },
      { what: 'the UNMAPPED_SKU dead letter on the page', timeoutMs: 60_000 },
    );
    await text(page, stuck.amazonOrderId);
    await shot(page, 'dead-letters');

    await go(page, '#/connections');
    await page.waitForSelector('[data-testid="sku-form"]');
    await page.type('[data-testid="sku-form"] input[name="sellerSku"]', 'SKU-2');
    await page.type('[data-testid="sku-form"] input[name="itemCode"]', erp.items[2]);
    // enabled once the connections are loaded: the mapping needs the connection it is for
    await page.waitForSelector('[data-testid="sku-form"] button[type="submit"]:not([disabled])');
    await page.click('[data-testid="sku-form"] button[type="submit"]');
    await text(page, 'SKU SKU-2: 1 published');
    await clickRow(page, 'mappings', 'SKU-2'); // the list follows the mapping topic
    const csv = await page.evaluate(
      async (conn: string) => (await fetch(`/api/mappings/skus.csv?connection=${conn}`)).text(),
      CONN,
    );
    expect(csv.split('\r\n')[0]).toBe('sellerSku,itemCode,marketplaceId,unitOfMeasure,unitsPerSku,active');
    expect(csv).toContain(`SKU-2,${erp.items[2]},`);
    // ping with the connection's stored credentials (an LWA exchange and a marketplace call)
    await page.evaluate(() => {
      const b = [...document.querySelectorAll('[data-testid="connections"] .cell-button')][0];
      b.click();
    });
    await text(page, 'Amazon: ok');
    await shot(page, 'connections');
    await new Promise((r) => setTimeout(r, 2000)); // the writer follows the mapping topic

    await go(page, '#/dead-letters');
    await page.waitForSelector('[data-testid="dlq-group-UNMAPPED_SKU"] button');
    await page.click('[data-testid="dlq-group-UNMAPPED_SKU"] button');
    await text(page, 'Group UNMAPPED_SKU: 1 redriven');
    const doc = await waitFor(() => documentOf(stuck.amazonOrderId), {
      what: 'the redriven order written',
      timeoutMs: 60_000,
    });

    expect(doc.erp_document_number).toMatch(/\S/);
    await go(page, `#/trace/${stuck.amazonOrderId}`);
    await page.waitForSelector('[data-testid="trace"]');
    await text(page, doc.erp_document_number);
    await text(page, 'dead_lettered');
    await shot(page, 'order-trace');
    await page.browserContext().close();
  });

  it('when sign-in is tried again and again, then it is rate-limited', async () => {
    // a cross-site form post (no preflight) is refused: no signing a browser into another account
    const form = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(ADMIN.email)}&password=${encodeURIComponent(ADMIN.password)}`,
    });
    expect(form.headers.get('set-cookie')).toBeNull();
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (
          await fetch(`${base}/api/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: ADMIN.email, password: 'wrong' }),
          })
        ).status,
      );
    expect(codes).toContain(429);
    expect(codes.filter((c) => c !== 429).every((c) => c === 401)).toBe(true);
  });

  /** a session from outside the browser: its cookie and CSRF token */
  async function apiSession(who: { email: string; password: string }) {
    const res = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(who),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: setCookie.split(';')[0], csrfToken: body.csrfToken };
  }
});

/** A small US settlement: a sale, its commission, and a monthly fee no GL rule knows. */
async function publishSettlement(publisher: EventPublisher): Promise<void> {
  const t = Date.UTC(2026, 10, 14);
  const line = (
    n: number,
    transactionType: string,
    amountType: string,
    amountDescription: string,
    amount: string,
  ): Line => ({
    lineNumber: n,
    transactionType,
    orderId: transactionType === 'Order' ? '111-0000001-0000001' : null,
    merchantOrderId: null,
    adjustmentId: null,
    shipmentId: null,
    marketplaceName: 'Amazon.com',
    amountType,
    amountDescription,
    amount: { amount, currency: 'USD' },
    fulfillmentId: 'MFN',
    postedDate: t,
    orderItemCode: null,
    merchantOrderItemId: null,
    merchantAdjustmentItemId: null,
    sku: transactionType === 'Order' ? 'SKU-0' : null,
    quantityPurchased: transactionType === 'Order' ? 1 : null,
    promotionId: null,
  });
  const lines = [
    line(3, 'Order', 'ItemPrice', 'Principal', '100.00'),
    line(4, 'Order', 'ItemFees', 'Commission', '-15.00'),
    line(5, 'other-transaction', 'other-transaction', UNKNOWN_FEE, '-39.99'),
  ];
  const header = {
    reportId: 'R-CONSOLE',
    settlementStartDate: t - 14 * 86_400_000,
    settlementEndDate: t,
    depositDate: t + 86_400_000,
    totalAmount: { amount: '45.01', currency: 'USD' },
    marketplaceName: 'Amazon.com',
  };
  const events: SettlementReportEvent[] = [
    {
      eventId: `${SETTLEMENT}#0`,
      connectionId: CONN,
      settlementId: SETTLEMENT,
      payload: { 'connector.amazon.SettlementChunk': { chunkIndex: 0, header, lines } },
    },
    {
      eventId: `${SETTLEMENT}#closed`,
      connectionId: CONN,
      settlementId: SETTLEMENT,
      payload: {
        'connector.amazon.SettlementClosed': {
          chunkCount: 1,
          lineCount: lines.length,
          header,
          detailTotal: { amount: '45.01', currency: 'USD' },
          tiesOut: true,
          rawArchiveUri: 'file:///archive/console.gz',
        },
      },
    },
  ];
  await publisher.publish(
    'amazon.settlements.v1',
    events.map((value) => ({ key: recordKey(CONN, SETTLEMENT), value })),
  );
}
