import type { CreditNoteDraft } from '@connector/erp';
import { FakeErp } from '@connector/erp/testing';
import { capabilitiesOf } from '@connector/erp';
import { MappingCache } from '@connector/mapping';
import { creditNoteTotal, refundKey, refundToDraft } from '../credit-note-draft.mapper';
import { ORDER_ID, US, oneWidget, order, rec, refund, theRest, world } from './fixtures';

const draftOf = (erp: FakeErp, key: string) => erp.of('CREDIT_NOTE', key)[0]?.draft as CreditNoteDraft;
const invoiceRef = {
  kind: 'INVOICE' as const,
  naturalKey: ORDER_ID,
  internalId: '9',
  documentNumber: '1009',
  status: 'OPEN' as const,
};

describe('refundToDraft', () => {
  const mapping = new MappingCache();
  for (const [sku, itemCode] of [
    ['SKU-A', 'ITEM-A'],
    ['SKU-B', 'ITEM-B'],
  ])
    mapping.apply('mapping.skus.v1', `c1/${sku}`, {
      eventId: sku,
      connectionId: 'c1',
      sellerSku: sku,
      itemCode,
      updatedAt: 0,
    });
  const ctx = { customerCode: 'AMZ-US', marketplaceId: US, baseInvoice: invoiceRef, returnToStock: false };

  it('when a refund gives back items, tax, shipping and a promotion, then they become lines, line tax, a SHIPPING and a negative PROMOTION charge, all positive credits summing to what the buyer got back', () => {
    const ev = refund('r2', theRest());
    const d = refundToDraft(ev, mapping, ctx);
    expect(d.naturalKey).toBe(refundKey(ORDER_ID, ev.eventId));
    expect(d.naturalKey).toMatch(/^111-0000000-0000001\/R[0-9A-F]{8}$/);
    expect(d.lines).toEqual([
      { itemCode: 'ITEM-A', quantity: 1, unitPrice: '20', taxAmount: '1.6', sourceLineId: 'ADJ-2' },
      { itemCode: 'ITEM-B', quantity: 1, unitPrice: '9.99', sourceLineId: 'ADJ-3' },
    ]);
    expect(d.charges).toEqual([
      { kind: 'SHIPPING', amount: '5', description: 'Shipping' },
      { kind: 'PROMOTION', amount: '-2', description: 'Promotion' },
    ]);
    expect(d).toMatchObject({
      reason: 'REFUND',
      documentDate: '2026-11-10',
      currency: 'USD',
      returnToStock: false,
    });
    expect(creditNoteTotal(d)).toBe('34.59');
  });

  it('when a refund gives back a charge a credit note has no place for, then it is refused naming it, never dropped', () => {
    const item = oneWidget();
    item.components!.push({
      componentType: 'Goodwill',
      kind: 'CHARGE',
      amount: { amount: '-5.00', currency: 'USD' },
    });
    expect(caught(() => refundToDraft(refund('g', [item]), mapping, ctx))).toMatchObject({
      code: 'REFUND_CHARGE_UNSUPPORTED',
      message: expect.stringContaining('Goodwill -5.00') as unknown,
    });
  });

  it('when a refunded SKU has no mapping, then it fails UNMAPPED_SKU (a dead letter, replayable)', () => {
    const item = { ...oneWidget(), sellerSku: 'SKU-NEW' };
    expect(caught(() => refundToDraft(refund('u', [item]), mapping, ctx))).toMatchObject({
      code: 'UNMAPPED_SKU',
      retriable: false,
    });
  });
});

describe('credit notes in sage-writer', () => {
  it('when an order ships, is refunded in part and then in full, then it has one invoice and two credit notes whose totals are the refunds to the cent, each written once', async () => {
    const w = world();
    await w.handleOrder(order('SHIPPED'));
    const first = refund('r1', [oneWidget()]);
    const second = refund('r2', theRest());
    expect(await w.handleRefund(first)).toBe('written');
    expect(await w.handleRefund(second)).toBe('written');
    await w.handleRefund(first); // redelivered
    const notes = w.erp.of('CREDIT_NOTE');
    expect(notes.map((n) => n.ref.naturalKey)).toEqual([
      refundKey(ORDER_ID, first.eventId),
      refundKey(ORDER_ID, second.eventId),
    ]);
    expect(notes.map((n) => creditNoteTotal(n.draft as CreditNoteDraft))).toEqual(['21.6', '34.59']);
    const invoice = w.erp.of('INVOICE')[0];
    expect(
      notes.every((n) => (n.draft as CreditNoteDraft).baseInvoice.internalId === invoice.ref.internalId),
    ).toBe(true);
    expect(w.erp.of('INVOICE')).toHaveLength(1);
    expect(w.results().filter(([op]) => op === 'CREATE_CREDIT_NOTE')).toEqual([
      ['CREATE_CREDIT_NOTE', 'CREATED', notes[0].ref.naturalKey],
      ['CREATE_CREDIT_NOTE', 'CREATED', notes[1].ref.naturalKey],
      ['CREATE_CREDIT_NOTE', 'ALREADY_EXISTS', notes[0].ref.naturalKey],
    ]);
    expect(
      w.audit.records.filter(
        (r) =>
          r.stage === 'posted' && r.erpRequest && (r.erpRequest as { kind: string }).kind === 'CREDIT_NOTE',
      ),
    ).toHaveLength(3);
  });

  it('when a refund comes before its invoice, then it is parked without failing, and written right after the order writer writes the invoice', async () => {
    const w = world();
    await w.handleOrder(order('UNSHIPPED'));
    const ev = refund('early', [oneWidget()]);
    expect(await w.handleRefund(ev)).toBe('parked');
    expect(w.erp.of('CREDIT_NOTE')).toHaveLength(0);
    expect(w.parked.rows).toHaveLength(1);
    expect(w.audit.records.at(-1)).toMatchObject({
      stage: 'skipped',
      outcome: expect.stringContaining('parked') as unknown,
    });
    await w.handleOrder(order('SHIPPED'));
    expect(w.erp.of('CREDIT_NOTE').map((n) => n.ref.naturalKey)).toEqual([refundKey(ORDER_ID, ev.eventId)]);
    expect(w.parked.rows).toHaveLength(0);
  });

  it('when the invoice is written and drained while a refund is being parked, then the refund is written at once, not left parked', async () => {
    const w = world();
    await w.handleOrder(order('UNSHIPPED'));
    const ev = refund('racing', [oneWidget()]);
    const park = w.parked.park.bind(w.parked);
    // the order writer writes the invoice and drains (nothing parked yet) between the refund's
    // invoice lookup and its park
    w.parked.park = async (e, source) => {
      await w.handleOrder(order('SHIPPED'));
      expect(w.erp.of('CREDIT_NOTE')).toHaveLength(0);
      await park(e, source);
    };
    expect(await w.handleRefund(ev)).toBe('written');
    expect(w.erp.of('CREDIT_NOTE').map((n) => n.ref.naturalKey)).toEqual([refundKey(ORDER_ID, ev.eventId)]);
    expect(w.parked.rows).toHaveLength(0);
  });

  it('when the connection returns goods to stock, then refunds of merchant-fulfilled orders come back to stock and FBA ones never do', async () => {
    const w = world({ settings: { returnsToStock: true } });
    await w.handleOrder(order('SHIPPED'));
    await w.handleOrder(
      order('SHIPPED', { amazonOrderId: '111-0000000-0000002', fulfillmentChannel: 'AFN' }),
    );
    await w.handleRefund(refund('m', [oneWidget()]));
    await w.handleRefund(refund('f', [oneWidget()], { amazonOrderId: '111-0000000-0000002' }));
    expect(w.erp.of('CREDIT_NOTE').map((n) => (n.draft as CreditNoteDraft).returnToStock)).toEqual([
      true,
      false,
    ]);
    const off = world();
    await off.handleOrder(order('SHIPPED'));
    await off.handleRefund(refund('m', [oneWidget()]));
    expect(draftOf(off.erp, off.erp.of('CREDIT_NOTE')[0].ref.naturalKey).returnToStock).toBe(false);
  });

  it('when an order is cancelled after it was invoiced, then one credit note <order>/C credits the invoice in full, once', async () => {
    const w = world();
    await w.handleOrder(order('SHIPPED'));
    const cancelled = order('CANCELLED', { items: [] });
    await w.handleOrder(cancelled);
    await w.orders.handle(rec('amazon.orders.v1', cancelled)); // redelivered
    const notes = w.erp.of('CREDIT_NOTE');
    expect(notes.map((n) => n.ref.naturalKey)).toEqual([`${ORDER_ID}/C`]);
    const d = notes[0].draft as CreditNoteDraft;
    expect(d.reason).toBe('CANCELLED_AFTER_INVOICE');
    expect(creditNoteTotal(d)).toBe('56.19');
    expect(w.results().filter(([op]) => op === 'CREATE_CREDIT_NOTE')).toEqual([
      ['CREATE_CREDIT_NOTE', 'CREATED', `${ORDER_ID}/C`],
      ['CREATE_CREDIT_NOTE', 'ALREADY_EXISTS', `${ORDER_ID}/C`],
    ]);
  });

  it('when the ERP writes no credit notes, then a refund and a cancellation after invoicing go to the dead letters saying what to do by hand', async () => {
    const erp = new FakeErp(
      { ...capabilitiesOf('SAP_B1')!, creditNotes: 'none' },
      { items: new Set(['ITEM-A', 'ITEM-B']) },
    );
    const w = world({ erp });
    await w.handleOrder(order('SHIPPED'));
    await expect(w.handleRefund(refund('r', [oneWidget()]))).rejects.toMatchObject({
      code: 'ERP_UNSUPPORTED',
      retriable: false,
      message: expect.stringContaining('by hand') as unknown,
    });
    await expect(w.handleOrder(order('CANCELLED'))).rejects.toMatchObject({
      code: 'CANCEL_AFTER_INVOICE',
      message: expect.stringContaining('by hand') as unknown,
    });
    expect(w.results()).toContainEqual([
      'CREATE_CREDIT_NOTE',
      'FAILED',
      expect.stringMatching(/\/R/) as unknown,
    ]);
    expect(w.audit.records.some((r) => r.stage === 'dead_lettered')).toBe(true);
  });

  it('when a refund of an unmapped SKU arrives before its invoice, then it fails now (UNMAPPED_SKU) instead of being parked', async () => {
    const w = world();
    await expect(
      w.handleRefund(refund('x', [{ ...oneWidget(), sellerSku: 'SKU-NEW' }])),
    ).rejects.toMatchObject({ code: 'UNMAPPED_SKU' });
    expect(w.parked.rows).toHaveLength(0);
  });

  it('when other financial events pass by, then nothing is written', async () => {
    const w = world();
    expect(await w.handleRefund({ ...refund('s', [oneWidget()]), eventType: 'ShipmentEvent' })).toBe(
      'ignored',
    );
    expect(w.erp.calls).toEqual([]);
  });
});

/** What a call throws (for matching its code and message). */
function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
