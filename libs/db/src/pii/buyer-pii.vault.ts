import type { Clock } from '@connector/core';
import type { ShipToAddress } from '@connector/erp';
import type { CredentialsCipher } from '../connections/credentials-cipher';
import type { Connection } from '../connections/connection.repository';
import type { Db } from '../knex';

/**
 * Buyer name and address, only for connections whose ERP needs them (settings.buyerPii). Encrypted
 * with AES-256-GCM bound to the connection and order, never put on Kafka (events carry `piiRef`),
 * and deleted `piiRetentionDays` after the order's last update (Amazon DPP; FACTS §13). amazon-ingest
 * keeps and purges it; sage-writer reads the ship-to address of an order it writes.
 */
export interface BuyerPiiVault {
  keep(
    conn: Connection,
    orderId: string,
    pii: Record<string, unknown>,
    lastUpdateMs: number,
  ): Promise<string>;
  read(connectionId: string, orderId: string): Promise<Record<string, unknown> | null>;
  purgeExpired(): Promise<number>;
}

export const piiRef = (connectionId: string, orderId: string) => `pii:${connectionId}/${orderId}`;

interface BuyerPiiRow {
  connection_id: string;
  amazon_order_id: string;
  ciphertext: Buffer;
  key_id: string;
}

export class KnexBuyerPiiVault implements BuyerPiiVault {
  constructor(
    private readonly db: Db,
    private readonly cipher: CredentialsCipher,
    private readonly clock: Clock,
  ) {}

  async keep(
    conn: Connection,
    orderId: string,
    pii: Record<string, unknown>,
    lastUpdateMs: number,
  ): Promise<string> {
    const sealed = this.cipher.seal(JSON.stringify(pii), piiRef(conn.id, orderId));
    await this.db('buyer_pii')
      .insert({
        connection_id: conn.id,
        amazon_order_id: orderId,
        ciphertext: sealed.ciphertext,
        key_id: sealed.keyId,
        purge_after: new Date(lastUpdateMs + conn.settings.piiRetentionDays * 86_400_000),
      })
      .onConflict(['connection_id', 'amazon_order_id'])
      .merge();
    return piiRef(conn.id, orderId);
  }

  async read(connectionId: string, orderId: string): Promise<Record<string, unknown> | null> {
    const row = await this.db<BuyerPiiRow>('buyer_pii')
      .where({ connection_id: connectionId, amazon_order_id: orderId })
      .first();
    if (!row) return null;
    return JSON.parse(
      this.cipher.open({ ciphertext: row.ciphertext, keyId: row.key_id }, piiRef(connectionId, orderId)),
    ) as Record<string, unknown>;
  }

  async purgeExpired(): Promise<number> {
    return this.db('buyer_pii').where('purge_after', '<', new Date(this.clock.now())).delete();
  }
}

/**
 * The delivery address of an order kept in the vault (`recipient.deliveryAddress` of the Orders API
 * 2026-01-01), or null when there is none: never kept, or purged after its retention (it never comes
 * back). Only the address travels on; phone and e-mail stay in the vault.
 */
export async function shipToOf(
  vault: Pick<BuyerPiiVault, 'read'>,
  connectionId: string,
  orderId: string,
): Promise<ShipToAddress | null> {
  const pii = await vault.read(connectionId, orderId);
  const address = (pii?.recipient as { deliveryAddress?: Record<string, unknown> } | undefined)
    ?.deliveryAddress;
  if (!address) return null;
  const fields = [
    'name',
    'addressLine1',
    'addressLine2',
    'addressLine3',
    'city',
    'stateOrRegion',
    'postalCode',
    'countryCode',
  ] as const;
  const out: ShipToAddress = {};
  for (const f of fields) if (typeof address[f] === 'string' && address[f] !== '') out[f] = address[f];
  return Object.keys(out).length ? out : null;
}
