import { orderToCashSettingsSchema, type OrderToCashSettings } from '@connector/db';

/** A connection's order-to-cash settings (connections.settings.orderToCash). */
export type OrderToCashSettingsOf = (connectionId: string) => Promise<OrderToCashSettings>;

/** Today's behaviour: one customer per marketplace, no returns to stock, no home currency. */
export const DEFAULT_ORDER_TO_CASH: OrderToCashSettings = orderToCashSettingsSchema.parse({});

/**
 * The settings of each connection, read from the store at most once per `ttlMs`: a change made with
 * the connection CLI reaches a running writer within that time without a read per record.
 */
export function cachedSettings(
  read: (connectionId: string) => Promise<OrderToCashSettings>,
  now: () => number,
  ttlMs = 30_000,
): OrderToCashSettingsOf {
  const cache = new Map<string, { at: number; value: Promise<OrderToCashSettings> }>();
  return (connectionId) => {
    const hit = cache.get(connectionId);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = read(connectionId);
    cache.set(connectionId, { at: now(), value });
    value.catch(() => cache.delete(connectionId));
    return value;
  };
}
