import type { ConnectionRepository } from '@connector/db';
import {
  SpApiRequestError,
  type ConfirmShipmentRequest,
  type SellingPartnerApi,
  type SpApiFactory,
  type Order,
} from '@connector/sp-api';

/** What Amazon shows of an order now: its status and the units of each item shipped so far. */
export interface AmazonOrderState {
  /** Orders 2026-01-01 fulfillmentStatus (UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED, …) */
  status: string;
  items: Array<{ orderItemId: string; quantityOrdered: number; quantityShipped: number }>;
}

/** The two Amazon operations shipment confirmation uses, for one connection. */
export interface ShipmentApi {
  orderState(amazonOrderId: string): Promise<AmazonOrderState>;
  confirmShipment(amazonOrderId: string, body: ConfirmShipmentRequest): Promise<void>;
}

export interface ShipmentApiResolver {
  forConnection(connectionId: string): Promise<ShipmentApi>;
}

/**
 * Amazon's refusal of a package it already has: the order is fulfilled, or the package is on it
 * ("Failed to create package due to not finding a matching package or order already fulfilled.",
 * amzn/selling-partner-api-models issue 5037; libs/sp-api-simulator answers the same). The package
 * is on Amazon, which is what confirming it was for.
 */
export function isAlreadyShipped(err: unknown): boolean {
  if (!(err instanceof SpApiRequestError) || err.context.status !== 400) return false;
  return err.context.errors.some((e) =>
    /already (been )?(fulfilled|shipped|confirmed)/i.test(`${e.message} ${e.details ?? ''}`),
  );
}

/** Orders 2026-01-01 getOrder (reads) and Orders v0 confirmShipment (which stays in v0, FACTS §0). */
export class SpApiShipments implements ShipmentApi {
  constructor(private readonly api: SellingPartnerApi) {}

  async orderState(amazonOrderId: string): Promise<AmazonOrderState> {
    const o: Order = await this.api.getOrder(amazonOrderId);
    return {
      status: o.fulfillment?.fulfillmentStatus ?? 'UNKNOWN',
      items: (o.orderItems ?? []).map((it) => ({
        orderItemId: it.orderItemId,
        quantityOrdered: it.quantityOrdered,
        quantityShipped: it.fulfillment?.quantityFulfilled ?? 0,
      })),
    };
  }

  confirmShipment(amazonOrderId: string, body: ConfirmShipmentRequest): Promise<void> {
    return this.api.confirmShipment(amazonOrderId, body);
  }
}

/** The SP-API of a stored connection, with its credentials. */
export class ConnectionShipmentApis implements ShipmentApiResolver {
  constructor(
    private readonly connections: Pick<ConnectionRepository, 'get' | 'credentials'>,
    private readonly factory: SpApiFactory,
  ) {}

  async forConnection(connectionId: string): Promise<ShipmentApi> {
    const conn = await this.connections.get(connectionId);
    const credentials = await this.connections.credentials(connectionId);
    return new SpApiShipments(this.factory.forConnection(conn, credentials));
  }
}
