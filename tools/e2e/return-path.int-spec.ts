import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@connector/config';
import { ConnectionRepository, CredentialsCipher } from '@connector/db';
import { createTestDatabase, type TestDatabase } from '@connector/db/testing';
import { erpsUnderTest, type ErpChangesUnderTest, type ErpUnderTest } from '@connector/erp/testing';
import * as poller from '@connector/erp-change-poller';
import { recordKey, type AmazonOrder } from '@connector/events';
import type { EventPublisher } from '@connector/kafka';
import * as publisher from '@connector/inventory-publisher';
import { mappingRecords, publishMappings } from '@connector/mapping';
import { EVENT_PUBLISHER, startService } from '@connector/nest-common';
import { silentLogger } from '@connector/observability';
import {
  SIM_LWA_CLIENT,
  SIM_SELLERS,
  confirmedShipments,
  startSpApiSimulator,
  type SpApiSimulator,
} from '@connector/sp-api-simulator';
import { infraEnv, uniqueName, waitFor } from '@connector/testing';

const KEY = Buffer.alloc(32, 4).toString('base64');
const NA = SIM_SELLERS[0];
const US = 'ATVPDKIKX0DER';
const MFN_SKU = 'SIM-0001';
const FBA_SKU = 'SIM-0003';
const TRACKING = '1Z999AA10123456784';

/**
 * The ERP → Amazon half end to end, for each ERP simulator, on real Kafka, the registry and
 * PostgreSQL: erp-change-poller reads the ERP, inventory-publisher writes to the SP-API simulator. A
 * price change and a stock receipt in the ERP reach the MFN listing; the FBA listing is never sent a
 * quantity; a shipment made in the ERP becomes exactly one shipment confirmation although both
 * services are stopped and started again between the ERP's shipment and Amazon's confirmation.
 */
describe.each(erpsUnderTest.map((make) => [make().name, make] as const))(
  'ERP → Amazon through %s',
  (_name, make) => {
    const erp: ErpUnderTest = make();
    const prefix = `${uniqueName('return')}.`;
    const conn = `rp-${erp.kind.toLowerCase()}`;
    let tdb: TestDatabase;
    let amazon: SpApiSimulator;
    let changes: ErpChangesUnderTest;
    const apps: INestApplication[] = [];

    const env = (service: string) => ({
      HTTP_PORT: '0',
      KAFKA_BROKERS: infraEnv('KAFKA_BROKERS'),
      SCHEMA_REGISTRY_URL: infraEnv('SCHEMA_REGISTRY_URL'),
      DATABASE_URL: tdb.url,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}${service}`,
      CREDENTIALS_KEY: KEY,
      SPAPI_ENDPOINT: amazon.url,
      LWA_TOKEN_URL: `${amazon.url}/auth/o2/token`,
      REPORT_POLL_MS: '100',
      FEED_POLL_MS: '200',
      LISTINGS_FLUSH_MS: '200',
      POLL_LEASE_MS: '3000',
      CONSUMER_RETRY_BASE_MS: '5',
      CONSUMER_RETRY_MAX_MS: '50',
    });
    async function startServices(): Promise<void> {
      apps.push(
        await startService(
          poller.appModule(loadConfig(poller.configSchema, env('erp-change-poller')), {
            logger: silentLogger(),
          }),
          { logger: false },
        ),
        await startService(
          publisher.appModule(loadConfig(publisher.configSchema, env('inventory-publisher')), {
            logger: silentLogger(),
          }),
          { logger: false },
        ),
      );
    }
    async function stopServices(): Promise<void> {
      for (const app of apps.splice(0)) await app.close();
    }
    const events = () => apps[1].get<EventPublisher>(EVENT_PUBLISHER);
    const listing = (sku: string) => amazon.listing(NA.sellerId, sku, US)!;

    beforeAll(async () => {
      tdb = await createTestDatabase();
      amazon = await startSpApiSimulator({ days: 2, ordersPerDay: 40, speedFactor: 200 });
      await erp.start();
      changes = erp.changes!;
      changes.setTime(Date.now()); // from here the ERP's clock moves only when the test moves it
      await new ConnectionRepository(tdb.db, new CredentialsCipher('k1', { k1: KEY })).upsert(
        {
          id: conn,
          name: conn,
          sellerId: NA.sellerId,
          region: 'na',
          marketplaceIds: [US],
          erpKind: erp.kind,
          erpCompany: 'co',
          enabled: true,
          settings: {
            returnPath: {
              erpPollIntervalSec: 5,
              erpSafetyLagSec: 1,
              fullScanIntervalSec: 60,
              prices: { [US]: { priceList: changes.priceList, currency: 'USD' } },
              coalesceSec: 1,
              listingsRefreshSec: 3600,
            },
          },
        },
        {
          amazon: {
            lwaClientId: SIM_LWA_CLIENT.clientId,
            lwaClientSecret: SIM_LWA_CLIENT.clientSecret,
            refreshToken: NA.refreshToken,
          },
          erp: erp.credentials(),
        },
      );
      await startServices();
      await publishMappings(
        events(),
        mappingRecords(
          {
            connectionId: conn,
            skus: [
              { sellerSku: MFN_SKU, itemCode: erp.items[0] },
              { sellerSku: FBA_SKU, itemCode: erp.items[1] },
            ],
            carriers: [{ erpCarrierCode: changes.carrier, carrierCode: 'UPS' }],
          },
          Date.now(),
        ),
      );
    }, 90_000);

    afterAll(async () => {
      await stopServices();
      await erp.stop();
      await amazon?.close();
      await tdb?.drop();
    });

    it('when a price changes and stock arrives in the ERP, then the MFN listing shows both, and the FBA listing is never sent a quantity', async () => {
      const fbaQuantity = listing(FBA_SKU).quantity;
      // the first full scan brings every item with its stock: 100 in the simulators' warehouse
      await waitFor(() => listing(MFN_SKU).quantity === 100, {
        what: `${MFN_SKU} at the ERP's stock`,
        timeoutMs: 60_000,
      });
      changes.advanceTime(2_000);
      changes.changePrice(erp.items[0], '23.45');
      changes.advanceTime(3_000); // the simulators' clocks stand still in tests: past the safety lag
      await waitFor(() => listing(MFN_SKU).price === '23.45', { what: 'the new price', timeoutMs: 60_000 });

      // a goods receipt bumps no change date: the next full scan (due by the ERP's clock) finds it
      changes.receiveStock(erp.items[0], '7');
      changes.advanceTime(61_000);
      await waitFor(() => listing(MFN_SKU).quantity === 107, {
        what: 'the received stock',
        timeoutMs: 60_000,
      });

      expect(listing(FBA_SKU).quantity).toBe(fbaQuantity);
      expect(listing(FBA_SKU).writes?.fulfillment_availability).toBeUndefined();
    }, 150_000);

    it('when the ERP ships an order and both services restart before Amazon hears of it, then Amazon gets exactly one confirmation', async () => {
      const order = amazon.orders.find(
        (o) =>
          o.sellerId === NA.sellerId &&
          o.marketplaceId === US &&
          o.fulfilledBy === 'MERCHANT' &&
          o.status === 'UNSHIPPED' &&
          o.items.length > 0,
      )!;
      const itemOf = new Map(order.items.map((it, i) => [it.sku, erp.items[2 + (i % 10)]]));
      await publishMappings(
        events(),
        mappingRecords(
          { connectionId: conn, skus: [...itemOf].map(([sellerSku, itemCode]) => ({ sellerSku, itemCode })) },
          Date.now(),
        ),
      );
      const event: AmazonOrder = {
        eventId: `${order.orderId}@${order.lastUpdatedMs}`,
        connectionId: conn,
        amazonOrderId: order.orderId,
        sellerId: NA.sellerId,
        marketplaceId: US,
        orderStatus: 'UNSHIPPED',
        fulfillmentChannel: 'MFN',
        purchaseDate: order.createdMs,
        lastUpdateDate: order.lastUpdatedMs,
        items: order.items.map((it) => ({
          orderItemId: it.orderItemId,
          sellerSku: it.sku,
          asin: it.asin,
          quantityOrdered: it.quantity,
          quantityShipped: 0,
        })),
        changeType: 'CREATED',
        source: 'ORDERS_API',
      };
      await events().publish('amazon.orders.v1', [{ key: recordKey(conn, order.orderId), value: event }]);

      // the order as sage-writer writes it, then shipped in the ERP in one package
      const adapter = erp.factory();
      const ref = await adapter.createSalesOrder({
        naturalKey: order.orderId,
        customerCode: erp.customer,
        currency: 'USD',
        documentDate: new Date().toISOString().slice(0, 10),
        lines: order.items.map((it) => ({
          itemCode: itemOf.get(it.sku)!,
          quantity: it.quantity,
          unitPrice: '10.00',
          sourceLineId: it.orderItemId,
        })),
        charges: [],
      });
      await adapter.close();
      changes.advanceTime(2_000);
      await changes.ship(ref, { trackingNumber: TRACKING });
      changes.advanceTime(2_000);

      // the poller publishes the shipment; both services stop before the confirmation can be relied on
      await waitFor(
        async () =>
          Number(
            (
              await tdb
                .db('erp_snapshots')
                .where({ connection_id: conn, stream: 'shipments' })
                .count({ n: '*' })
            )[0].n,
          ) > 0,
        { what: 'the shipment read from the ERP', timeoutMs: 60_000 },
      );
      await stopServices();
      await startServices();
      await waitFor(() => confirmedShipments(order).length > 0, {
        what: 'the shipment confirmation',
        timeoutMs: 60_000,
      });
      changes.advanceTime(10_000); // more polls: the same shipment read again confirms nothing more
      await new Promise((r) => setTimeout(r, 8_000));
      const confirmed = confirmedShipments(order);
      expect(confirmed).toHaveLength(1);
      expect(confirmed[0]).toMatchObject({ carrierCode: 'UPS', trackingNumber: TRACKING });
      expect(confirmed[0].orderItems.map((i) => i.orderItemId).sort()).toEqual(
        order.items.map((it) => it.orderItemId).sort(),
      );
    }, 180_000);
  },
);
