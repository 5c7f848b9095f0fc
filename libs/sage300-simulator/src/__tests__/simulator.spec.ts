import { Sage300Simulator, parseFilter, evaluate } from '../index';

const AUTH = `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`;
const JSON_HEADERS = { Authorization: AUTH, 'Content-Type': 'application/json' };

describe('Sage 300 Web API simulator', () => {
  let sim: Sage300Simulator;
  let api: string;

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = JSON_HEADERS,
  ) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, headers: res.headers, text };
  };
  const errorCode = (json: Record<string, unknown> | undefined) =>
    (json?.error as { code: string } | undefined)?.code;

  beforeEach(async () => {
    sim = new Sage300Simulator({
      companies: ['SAMLTD', 'SAMINC'],
      items: ['A1-105/0', ...Array.from({ length: 7 }, (_, i) => `ITEM-${i}`)],
      customers: ['1400', '1500'],
      accounts: ['1000', '6000-100', '9999'],
      bankCodes: ['SEATAC'],
      distributionCodes: ['CACCSE'],
      miscChargeCodes: ['HC'],
      pageSize: 3,
    });
    await sim.start();
    api = `${sim.apiUrl}/v1.0/-/SAMLTD`;
  });
  afterEach(() => sim.close());

  it('when a request has no or wrong Basic credentials, then it answers 401 with a Basic challenge', async () => {
    const none = await call('GET', '/AR/ARCustomers', undefined, { 'Content-Type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(errorCode(none.json)).toBe('Unauthorized');
    const lower = await call('GET', '/AR/ARCustomers', undefined, {
      Authorization: `Basic ${Buffer.from('webapi:webapi').toString('base64')}`,
      'Content-Type': 'application/json',
    });
    expect(lower.status).toBe(401);
  });

  it('when Content-Type is not JSON, the company or resource is unknown, or the verb is not offered, then it answers as FACTS §2.8 says', async () => {
    expect((await call('GET', '/AR/ARCustomers', undefined, { Authorization: AUTH })).status).toBe(500);
    const company = await fetch(`${sim.apiUrl}/v1.0/-/NOPE/AR/ARCustomers`, { headers: JSON_HEADERS });
    expect(company.status).toBe(401);
    const res = await call('GET', '/AR/ARNothing');
    expect([res.status, errorCode(res.json)]).toEqual([404, 'ResourceNotFound']);
    const del = await call('DELETE', '/OE/OEOrders(1)');
    expect([del.status, errorCode(del.json)]).toEqual([405, 'MethodNotAllowed']);
  });

  it("when Sage's sample order payload is posted, then the order gets its uniquifier, number and lines stepping 32", async () => {
    const res = await call('POST', '/OE/OEOrders', {
      CustomerNumber: '1400',
      OrderDescription: 'Order Entry',
      OrderDate: '2020-01-15',
      InvoiceWillBeProduced: true,
      OrderDetails: [
        { LineType: 'Item', Item: 'A1-105/0', Location: '1', QuantityOrdered: 20, QuantityShipped: 20 },
        { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'HC', ExtendedAmount: 20.25 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ OrderUniquifier: 1, OrderNumber: 'ORD000000000001' });
    expect((res.json!.OrderDetails as Array<{ LineNumber: number }>).map((l) => l.LineNumber)).toEqual([
      32, 64,
    ]);
    expect(res.json!.LastShipmentNumber).toMatch(/^SH/);
    expect(res.json!.LastInvoiceNumber).toMatch(/^IN/);
    const got = await call('GET', '/OE/OEOrders(1)');
    expect(got.json).toMatchObject({ OrderNumber: 'ORD000000000001' });
    expect((await call('GET', '/OE/OEShipments')).json!.value).toHaveLength(1);
  });

  it('when an order names an unknown item or a property the model lacks, then RecordInvalid / InvalidPayload', async () => {
    const item = await call('POST', '/OE/OEOrders', {
      CustomerNumber: '1400',
      OrderDetails: [{ LineType: 'Item', Item: 'NOPE', QuantityOrdered: 1 }],
    });
    expect([item.status, errorCode(item.json)]).toEqual([422, 'RecordInvalid']);
    const prop = await call('POST', '/OE/OEOrders', { CustomerNumber: '1400', InvalidProperty: 'x' });
    expect([prop.status, errorCode(prop.json)]).toEqual([400, 'InvalidPayload']);
    expect(sim.documents('OEOrders')).toHaveLength(0);
  });

  it("when Sage's sample GL batch is posted, then it balances; an unbalanced entry or unknown account is refused", async () => {
    const ok = await call('POST', '/GL/GLJournalBatches', {
      Description: 'gl journal entry',
      JournalHeaders: [
        {
          SourceLedger: 'GL',
          SourceType: 'JE',
          Description: 'entry 1',
          DocumentDate: '2020-01-05',
          JournalDetails: [
            {
              AccountNumber: '9999',
              Amount: 30,
              SourceCurrencyAmount: 30,
              Description: 'desc',
              Reference: 'ref',
            },
            { AccountNumber: '1000', Amount: -10, SourceCurrencyAmount: -10 },
            { AccountNumber: '6000100', Amount: -20, SourceCurrencyAmount: -20 },
          ],
        },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ BatchNumber: '000001' });
    const details = (
      ok.json!.JournalHeaders as Array<{
        EntryNumber: string;
        JournalDetails: Array<{ TransactionNumber: string }>;
      }>
    )[0];
    expect(details.EntryNumber).toBe('00001');
    expect(details.JournalDetails.map((d) => d.TransactionNumber)).toEqual([
      '0000000020',
      '0000000040',
      '0000000060',
    ]);
    const unbalanced = await call('POST', '/GL/GLJournalBatches', {
      JournalHeaders: [
        {
          JournalDetails: [
            { AccountNumber: '9999', Amount: 0.1 },
            { AccountNumber: '1000', Amount: -0.3 },
          ],
        },
      ],
    });
    expect([unbalanced.status, errorCode(unbalanced.json)]).toEqual([422, 'RecordInvalid']);
    const account = await call('POST', '/GL/GLJournalBatches', {
      JournalHeaders: [
        {
          JournalDetails: [
            { AccountNumber: '6000-100', Amount: 1 },
            { AccountNumber: '1000', Amount: -1 },
          ],
        },
      ],
    });
    expect([account.status, errorCode(account.json)]).toEqual([422, 'RecordInvalid']);
  });

  it('when a collection is read, then it pages with @odata.nextLink and honours $filter, $select, $top, $skip and $count', async () => {
    const first = await call('GET', '/IC/ICItems?$count=true&$select=ItemNumber');
    expect(first.json!['@odata.count']).toBe(8);
    expect(first.json!.value).toEqual([
      { ItemNumber: 'A1-105/0' },
      { ItemNumber: 'ITEM-0' },
      { ItemNumber: 'ITEM-1' },
    ]);
    const names: string[] = [];
    let next: string | undefined = `${api}/IC/ICItems?$select=ItemNumber`;
    while (next) {
      const r = await fetch(next, { headers: JSON_HEADERS });
      const page = (await r.json()) as { value: Array<{ ItemNumber: string }>; '@odata.nextLink'?: string };
      names.push(...page.value.map((v) => v.ItemNumber));
      next = page['@odata.nextLink'];
    }
    expect(names).toHaveLength(8);
    const top = await call('GET', '/IC/ICItems?$skip=2&$top=2&$select=ItemNumber');
    expect(top.json!.value).toEqual([{ ItemNumber: 'ITEM-1' }, { ItemNumber: 'ITEM-2' }]);
    expect(top.json!['@odata.nextLink']).toBeUndefined();
    const filtered = await call(
      'GET',
      `/IC/ICItems?$filter=${encodeURIComponent("DateLastMaintained ge datetime'2000-01-01T00:00:00' and ItemNumber eq 'ITEM-3'")}`,
    );
    expect((filtered.json!.value as unknown[]).length).toBe(1);
    const bad = await call('GET', '/IC/ICItems?$orderby=ItemNumber');
    expect(errorCode(bad.json)).toBe('InvalidParameters');
  });

  it('when faults are set over the control endpoint, then writes meet locks and every call meets the outage', async () => {
    await fetch(`${sim.url}/__control`, { method: 'POST', body: JSON.stringify({ lockRate: 1 }) });
    const lock = await call('POST', '/AR/ARCustomers', { CustomerNumber: 'Z1' });
    expect([lock.status, errorCode(lock.json)]).toEqual([409, 'General']);
    expect((await call('GET', '/AR/ARCustomers')).status).toBe(200);
    sim.setFaults({ lockRate: 0, outage: true });
    expect((await call('GET', '/AR/ARCustomers')).status).toBe(503);
    await fetch(`${sim.url}/__control`, { method: 'POST', body: JSON.stringify({ clear: true }) });
    expect((await call('POST', '/AR/ARCustomers', { CustomerNumber: 'Z1' })).status).toBe(201);
    const dup = await call('POST', '/AR/ARCustomers', { CustomerNumber: 'Z1' });
    expect(errorCode(dup.json)).toBe('RecordDuplicate');
    const inspect = (await (
      await fetch(`${sim.url}/__inspect/ARCustomers?company=SAMLTD`)
    ).json()) as unknown[];
    expect(inspect).toHaveLength(3);
    expect(sim.documents('ARCustomers', 'SAMINC')).toHaveLength(2);
  });

  it('when the clock is set or advanced, then the Date header and the dates of new records follow it', async () => {
    sim.setTime(Date.parse('2031-02-03T04:05:06Z'));
    const res = await call('GET', '/AR/ARCustomers?$top=1');
    expect(res.headers.get('date')).toBe('Mon, 03 Feb 2031 04:05:06 GMT');
    expect((await call('GET', '/AR/ARCustomers', undefined, {})).headers.get('date')).toBe(
      'Mon, 03 Feb 2031 04:05:06 GMT',
    );
    sim.advanceTime(86_400_000);
    sim.touchItem('SAMLTD', 'ITEM-1');
    const item = sim.documents('ICItems', 'SAMLTD').find((i) => i.ItemNumber === 'ITEM-1');
    expect(item?.DateLastMaintained).toBe('2031-02-04T00:00:00Z');
    await fetch(`${sim.url}/__control`, {
      method: 'POST',
      body: JSON.stringify({ now: '2032-01-01T00:00:00Z' }),
    });
    expect((await call('GET', '/AR/ARCustomers?$top=1')).headers.get('date')).toBe(
      'Thu, 01 Jan 2032 00:00:00 GMT',
    );
  });

  it('when stock moves by orders, shipments and adjustments, then IC/ICLocationDetails shows it and DateLastMaintained stays', async () => {
    const stockOf = async (item: string) =>
      (await call('GET', `/IC/ICLocationDetails?$filter=${encodeURIComponent(`ItemNumber eq '${item}'`)}`))
        .json!.value;
    expect(await stockOf('ITEM-2')).toEqual([
      {
        ItemNumber: 'ITEM-2',
        Location: '1',
        QuantityOnHand: 100,
        QuantityCommitted: 0,
        QuantityAvailableToShip: 100,
      },
    ]);
    const before = sim
      .documents('ICItems', 'SAMLTD')
      .find((i) => i.ItemNumber === 'ITEM-2')!.DateLastMaintained;
    const o = await call('POST', '/OE/OEOrders', {
      CustomerNumber: '1400',
      PurchaseOrderNumber: '111-0000000-0000001',
      OrderDetails: [{ LineType: 'Item', Item: 'ITEM-2', Location: '1', QuantityOrdered: 5 }],
    });
    expect(o.status).toBe(201);
    sim.adjustStock('SAMLTD', 'ITEM-2', '1', '2');
    await fetch(`${sim.url}/__control`, {
      method: 'POST',
      body: JSON.stringify({
        stock: { company: 'SAMLTD', itemNumber: 'ITEM-2', location: '1', quantity: '0.5' },
      }),
    });
    expect(await stockOf('ITEM-2')).toEqual([
      expect.objectContaining({ QuantityOnHand: 102.5, QuantityCommitted: 5, QuantityAvailableToShip: 97.5 }),
    ]);
    const shipment = sim.ship('SAMLTD', String(o.json!.OrderNumber), {
      shipViaCode: 'UPS',
      trackingNumber: '1Z999',
    });
    expect(await stockOf('ITEM-2')).toEqual([
      expect.objectContaining({ QuantityOnHand: 97.5, QuantityCommitted: 0, QuantityAvailableToShip: 97.5 }),
    ]);
    const read = await call('GET', '/OE/OEShipments');
    expect(read.json!.value).toEqual([
      expect.objectContaining({
        ShipmentNumber: shipment.ShipmentNumber,
        PurchaseOrderNumber: '111-0000000-0000001',
        ShipViaCode: 'UPS',
        TrackingNumber: '1Z999',
        ShipmentDetails: [expect.objectContaining({ Item: 'ITEM-2', QuantityShipped: 5 })],
      }),
    ]);
    sim.deleteShipment('SAMLTD', String(shipment.ShipmentNumber));
    expect((await call('GET', '/OE/OEShipments')).json!.value).toEqual([]);
    expect(await stockOf('ITEM-2')).toEqual([
      expect.objectContaining({ QuantityOnHand: 102.5, QuantityCommitted: 5 }),
    ]);
    expect(
      sim.documents('ICItems', 'SAMLTD').find((i) => i.ItemNumber === 'ITEM-2')!.DateLastMaintained,
    ).toBe(before);
  });

  it('when IC/ICLocationDetails is switched off, then it answers 404 ResourceNotFound as a 2022 server', async () => {
    sim.setLocationDetails(false);
    const res = await call('GET', '/IC/ICLocationDetails');
    expect([res.status, errorCode(res.json)]).toEqual([404, 'ResourceNotFound']);
    await fetch(`${sim.url}/__control`, { method: 'POST', body: JSON.stringify({ locationDetails: true }) });
    expect((await call('GET', '/IC/ICLocationDetails')).status).toBe(200);
    const off = new Sage300Simulator({ locationDetails: false, items: ['X'] });
    await off.start();
    try {
      const r = await fetch(`${off.apiUrl}/v1.0/-/SAMLTD/IC/ICLocationDetails`, { headers: JSON_HEADERS });
      expect(r.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('parses the documented filter forms', () => {
    const rec = { A: 'San Francisco', B: '1200.50', D: '2017-01-02T00:00:00Z', T: 'BalanceForward' };
    expect(evaluate(parseFilter("A eq 'San Francisco'"), rec)).toBe(true);
    expect(
      evaluate(parseFilter("B gt 1000.00m and D gt 2016-12-31T12:00:00Z and T eq 'BalanceForward'"), rec),
    ).toBe(true);
    expect(evaluate(parseFilter("(A eq 'x' or startswith(T,'Bal')) and not B le 1200"), rec)).toBe(true);
    expect(evaluate(parseFilter("D lt datetime'2015-12-31T12:00'"), rec)).toBe(false);
  });
});
