import type { DocumentStatus } from '../port';

/**
 * Amazon order statuses (the connector's OrderStatus, Orders API 2026-01-01 names) and what a Sage 500
 * user expects to see for each: Pending → Open, Unshipped → In Process, Shipped → Closed, Canceled →
 * Voided (the mapping Sage 500 users asked of the connector this project started from). `tsoSalesOrder.Status`
 * has no "In Process" (0 not active, 1 open, 2 inactive, 3 canceled, 4 closed, 5 incomplete, 6 pending
 * approval; docs/sage500.md), so In Process is status 1 as well.
 */
export type Sage500OrderStatusLabel = 'Open' | 'In Process' | 'Closed' | 'Voided';

export interface Sage500OrderStatus {
  label: Sage500OrderStatusLabel;
  /** tsoSalesOrder.Status */
  status: 1 | 3 | 4;
  /** what the connector writes for it: an open order, nothing (closed by shipping), or a cancellation */
  action: 'create' | 'close' | 'cancel';
}

const OPEN: Sage500OrderStatus = { label: 'Open', status: 1, action: 'create' };
const IN_PROCESS: Sage500OrderStatus = { label: 'In Process', status: 1, action: 'create' };
const CLOSED: Sage500OrderStatus = { label: 'Closed', status: 4, action: 'close' };
const VOIDED: Sage500OrderStatus = { label: 'Voided', status: 3, action: 'cancel' };

const BY_AMAZON: Record<string, Sage500OrderStatus> = {
  PENDING: OPEN,
  PENDING_AVAILABILITY: OPEN,
  UNSHIPPED: IN_PROCESS,
  PARTIALLY_SHIPPED: IN_PROCESS,
  SHIPPED: CLOSED,
  // shipped, invoice not yet confirmed to Amazon: the goods are gone
  INVOICE_UNCONFIRMED: CLOSED,
  CANCELLED: VOIDED,
  // Orders v0 spells it with one L
  CANCELED: VOIDED,
  // Amazon could not fulfil it: it will not ship, so the order is voided
  UNFULFILLABLE: VOIDED,
};

/**
 * The Sage 500 status of an Amazon order status, or null for one the connector does not know
 * (`UNKNOWN`, or a name Amazon adds later): the caller must stop rather than guess.
 */
export function sage500StatusOf(amazonStatus: string): Sage500OrderStatus | null {
  const s = BY_AMAZON[amazonStatus.trim().toUpperCase().replace(/[\s-]/g, '_')];
  return s ? { ...s } : null;
}

/** The port's status of a `tsoSalesOrder.Status`. */
export function documentStatusOf(status: number): DocumentStatus {
  if (status === 3) return 'CANCELLED';
  if (status === 4) return 'CLOSED';
  return 'OPEN';
}
