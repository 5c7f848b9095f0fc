import { connectionSettingsSchema, type Connection } from '@connector/db';
import type { ErpShipmentRecord } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import { FakeEventPublisher } from '@connector/kafka/testing';
import { ConnectorMetrics, silentLogger } from '@connector/observability';
import { FakePollStateStore } from '../../poll-state/fake-poll-state.store';
import { persistableCursor } from '../change-window';
import { ShipmentPoller } from '../shipment.poller';

const conn: Connection = {
  id: 'c1',
  name: 'c1',
  sellerId: 'S1',
  region: 'na',
  marketplaceIds: ['ATVPDKIKX0DER'],
  erpKind: 'SAP_B1',
  erpCompany: 'SBODEMO',
  enabled: true,
  settings: connectionSettingsSchema.parse({ returnPath: { erpSafetyLagSec: 60, erpPageSize: 2 } }),
};

const shipment = (id: string, order: string, over: Partial<ErpShipmentRecord> = {}): ErpShipmentRecord => ({
  naturalKey: order,
  shipmentId: id,
  shipmentNumber: `D${id}`,
  erpOrderNumber: '5001',
  shippedAt: '2026-11-01T09:00:00.000Z',
  changedAt: '2026-11-01T09:05:00.000Z',
  carrier: 'UPSG',
  trackingNumber: '1Z999',
  lines: [{ itemCode: 'A', quantity: 2 }],
  ...over,
});

function setup() {
  const erp = new FakeErp();
  erp.clock = '2026-11-01T12:00:00.000Z';
  const publisher = new FakeEventPublisher();
  const metrics = new ConnectorMetrics('test', { defaultMetrics: false });
  const poller = new ShipmentPoller({
    state: new FakePollStateStore(),
    publisher,
    logger: silentLogger(),
    metrics,
    owner: 'a',
    leaseMs: 60_000,
  });
  return { erp, poller, metrics, published: () => publisher.on('erp.shipments.v1') };
}

describe('ShipmentPoller', () => {
  it('when the ERP ships an Amazon order, then the shipment is published under the order, once', async () => {
    const { erp, poller, published } = setup();
    erp.shipments.push(shipment('11', '111-0000001-0000001'), shipment('12', '111-0000001-0000001'));
    erp.shipments.push(shipment('13', '111-0000002-0000002'));
    await poller.run(conn, erp);
    await poller.run(conn, erp);
    expect(published().map((r) => r.key)).toEqual([
      'c1/111-0000001-0000001',
      'c1/111-0000001-0000001',
      'c1/111-0000002-0000002',
    ]);
    expect(published()[0].value).toMatchObject({
      shipmentId: '11',
      amazonOrderId: '111-0000001-0000001',
      erpCarrierCode: 'UPSG',
      trackingNumber: '1Z999',
      shipDate: Date.parse('2026-11-01T09:00:00.000Z'),
      lines: [{ itemCode: 'A', quantity: 2 }],
    });
  });

  it('when a tracking number is added to a shipment later, then the shipment is published again with it', async () => {
    const { erp, poller, published } = setup();
    erp.shipments.push(shipment('11', '111-0000001-0000001', { trackingNumber: undefined }));
    await poller.run(conn, erp);
    Object.assign(erp.shipments[0], { trackingNumber: '1Z123', changedAt: '2026-11-01T11:00:00.000Z' });
    await poller.run(conn, erp);
    expect(published().map((r) => r.value.trackingNumber)).toEqual([null, '1Z123']);
  });

  it('when a shipment has a fractional quantity, then it is kept out of Kafka and counted, and the others go on', async () => {
    const { erp, poller, published, metrics } = setup();
    erp.shipments.push(shipment('11', '111-0000001-0000001', { lines: [{ itemCode: 'A', quantity: 1.5 }] }));
    erp.shipments.push(shipment('12', '111-0000002-0000002'));
    await poller.run(conn, erp);
    expect(published().map((r) => r.value.shipmentId)).toEqual(['12']);
    expect(await metrics.text()).toMatch(
      /connector_ingest_rejected_total\{connection="c1",stream="erp-shipments",reason="QUANTITY_NOT_WHOLE"[^}]*\} 1/,
    );
  });
});

describe('persistableCursor', () => {
  const until = '2026-11-03T10:00:00.000Z';
  it('keeps the cursor at second resolution', () => {
    const next = { changedAt: '2026-11-03T09:00:00.000Z', key: 'A' };
    expect(persistableCursor(next, until, 'second')).toBe(next);
  });
  it('at day resolution never passes the day before the window end, so open days are read again', () => {
    expect(persistableCursor({ changedAt: '2026-11-03T00:00:00.000Z', key: 'A' }, until, 'day')).toEqual({
      changedAt: '2026-11-01T23:59:59.999Z',
      key: '',
    });
    const old = { changedAt: '2026-10-30T00:00:00.000Z', key: 'A' };
    expect(persistableCursor(old, until, 'day')).toBe(old);
  });
});
